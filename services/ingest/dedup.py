"""Duplicate detection: exact (same canonical URL or content hash) and near (MinHash LSH)."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from zlib import crc32

import numpy as np
from datasketch import MinHash, MinHashLSH

from newsbrief.v1 import newsbrief_pb2 as pb

NEW = "new"
DUPLICATE = "duplicate"
NEAR_DUPLICATE = "near_duplicate"

_WORDS = re.compile(r"\w+", re.UNICODE)
_PERMUTATIONS = 64
_SHINGLE = 4
# Below this many shingles a text is too short (a teaser) to call it a copy of another.
_MIN_SHINGLES = 25
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio) to mix word hashes


@dataclass(frozen=True)
class Verdict:
    """What the deduplicator decided about one article."""

    status: str  # NEW, DUPLICATE or NEAR_DUPLICATE
    reason: str = ""  # "same_url" or "same_content" for duplicates
    of: str = ""  # article_id of the earlier article


class _WordHashes(dict):
    """crc32 of words, memoised: news vocabulary repeats, and a lookup beats re-hashing."""

    limit = 500_000

    def __missing__(self, word: str) -> int:
        value = crc32(word.encode())
        if len(self) >= self.limit:
            self.clear()  # bounded memory; the cache refills with the current vocabulary
        self[word] = value
        return value


_WORD_HASHES = _WordHashes()


def shingle_hashes(text: str, size: int = _SHINGLE) -> np.ndarray:
    """Distinct 32-bit hashes of the word n-grams of text (lower-cased), stable across runs."""
    words = _WORDS.findall(text.lower())
    count = len(words) - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    # Hash each word once, then roll n consecutive word hashes into one shingle hash with numpy
    # (wrapping uint64 arithmetic): far cheaper than joining and hashing every n-gram string.
    words_h = np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.uint64, count=len(words))
    acc = np.zeros(count, dtype=np.uint64)
    for k in range(size):
        acc = acc * _MIX + words_h[k : k + count]
    return np.unique((acc >> np.uint64(16)) & np.uint64(0xFFFFFFFF))


def _identity(value: int) -> int:
    return value


class Deduplicator:
    """Remembers recent articles (bounded) and classifies new ones against them.

    ``admit`` records an article provisionally; ``forget`` undoes it when the article could not
    be delivered, so a retry is not mistaken for a duplicate.
    """

    def __init__(self, threshold: float = 0.8, capacity: int = 200_000) -> None:
        self._lsh = MinHashLSH(threshold=threshold, num_perm=_PERMUTATIONS)
        # Shingles arrive already hashed (stable 32-bit values), so the hash function is identity.
        self._template = MinHash(num_perm=_PERMUTATIONS, seed=7, hashfunc=_identity)
        self._capacity = capacity
        self._by_id: OrderedDict[str, str] = OrderedDict()  # article_id -> content_hash
        self._by_hash: dict[str, str] = {}  # content_hash -> article_id
        self._in_lsh: set[str] = set()
        self._order: dict[str, int] = {}  # article_id -> admission number, to find the oldest
        self._counter = 0

    def __len__(self) -> int:
        return len(self._by_id)

    def seen(self, article_id: str) -> bool:
        """Whether an article with this id was admitted and not forgotten."""
        return article_id in self._by_id

    def check(self, article: pb.Article) -> Verdict:
        """Classify an article without recording it."""
        verdict, _ = self._classify(article)
        return verdict

    def admit(self, article: pb.Article) -> Verdict:
        """Classify and remember an article (not exact duplicates); sets duplicate_of on copies."""
        verdict, minhash = self._classify(article)
        if verdict.status == DUPLICATE:
            return verdict
        if verdict.status == NEAR_DUPLICATE:
            article.duplicate_of = verdict.of
        self._remember(article, minhash)
        return verdict

    def forget(self, article_ids: list[str]) -> None:
        """Drop articles recorded by admit (their delivery failed)."""
        for aid in article_ids:
            digest = self._by_id.pop(aid, None)
            self._order.pop(aid, None)
            if digest is not None and self._by_hash.get(digest) == aid:
                del self._by_hash[digest]
            if aid in self._in_lsh:
                self._in_lsh.discard(aid)
                self._lsh.remove(aid)

    def _classify(self, article: pb.Article) -> tuple[Verdict, MinHash | None]:
        if article.article_id in self._by_id:
            return Verdict(DUPLICATE, "same_url", article.article_id), None
        earlier = self._by_hash.get(article.content_hash)
        if earlier:
            return Verdict(DUPLICATE, "same_content", earlier), None
        minhash = self._minhash(article.text)
        if minhash is None:
            return Verdict(NEW), None
        candidates = self._lsh.query(minhash)
        if candidates:
            # Point at the oldest copy so every wire copy names the same original.
            original = min(candidates, key=self._age)
            return Verdict(NEAR_DUPLICATE, of=original), minhash
        return Verdict(NEW), minhash

    def _age(self, aid: str) -> int:
        return self._order.get(aid, self._counter)

    def _minhash(self, text: str) -> MinHash | None:
        hashes = shingle_hashes(text)
        if len(hashes) < _MIN_SHINGLES:
            return None
        minhash = self._template.copy()
        minhash.update_batch(hashes.tolist())
        return minhash

    def _remember(self, article: pb.Article, minhash: MinHash | None) -> None:
        self._by_id[article.article_id] = article.content_hash
        self._order[article.article_id] = self._counter
        self._counter += 1
        self._by_hash.setdefault(article.content_hash, article.article_id)
        # Only originals go into the index: copies would just return the same original.
        if minhash is not None and not article.duplicate_of:
            self._lsh.insert(article.article_id, minhash)
            self._in_lsh.add(article.article_id)
        while len(self._by_id) > self._capacity:
            oldest, _ = next(iter(self._by_id.items()))
            self.forget([oldest])
