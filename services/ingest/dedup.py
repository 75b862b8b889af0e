"""Duplicate detection: exact (same canonical URL or content hash) and near (MinHash LSH)."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from zlib import crc32

import numpy as np

from newsbrief.v1 import newsbrief_pb2 as pb

NEW = "new"
DUPLICATE = "duplicate"
NEAR_DUPLICATE = "near_duplicate"

# Byte table for tokenising: ASCII letters and digits stay, other ASCII becomes a space, and
# bytes of multi-byte UTF-8 characters stay (so accented and non-Latin words stay whole).
_WORD_BYTES = bytes(c if c >= 128 or chr(c).isalnum() else 32 for c in range(256))
# Typographic punctuation that would otherwise glue onto words ("minister’s").
_PUNCTUATION = "\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u00a0\u00ab\u00bb"
_PERMUTATIONS = 64
_SHINGLE = 4
# Below this many shingles a text is too short (a teaser) to call it a copy of another.
_MIN_SHINGLES = 25
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio) to mix word hashes
_SHIFT = np.uint64(32)
# One multiply-add-shift hash per permutation, h(x) = ((a*x + b) mod 2**64) >> 32: a 2-universal
# family for 32-bit keys that numpy evaluates for all shingles and permutations in one pass.
# A fixed seed keeps signatures stable across runs and processes.
_RNG = np.random.default_rng(7)
_A = _RNG.integers(0, 2**63, size=_PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _RNG.integers(0, 2**63, size=_PERMUTATIONS, dtype=np.uint64)


@dataclass(frozen=True)
class Verdict:
    """What the deduplicator decided about one article."""

    status: str  # NEW, DUPLICATE or NEAR_DUPLICATE
    reason: str = ""  # "same_url" or "same_content" for duplicates
    of: str = ""  # article_id of the earlier article


class _WordHashes(dict):
    """crc32 of words, memoised: news vocabulary repeats, and a lookup beats re-hashing."""

    limit = 500_000

    def __missing__(self, word: bytes) -> int:
        value = crc32(word)
        if len(self) >= self.limit:
            self.clear()  # bounded memory; the cache refills with the current vocabulary
        self[word] = value
        return value


_WORD_HASHES = _WordHashes()


def words_of(text: str) -> list[bytes]:
    """Lower-cased words of text as UTF-8 bytes (split at ASCII and typographic punctuation)."""
    text = text.lower()
    for mark in _PUNCTUATION:
        if mark in text:
            text = text.replace(mark, " ")
    # One C-level translate and split instead of a Unicode regex: the tokeniser runs per article.
    return text.encode("utf-8").translate(_WORD_BYTES).split()


def shingle_hashes(text: str, size: int = _SHINGLE) -> np.ndarray:
    """32-bit hashes of the word n-grams of text (lower-cased), stable across runs.

    Repeated n-grams repeat their hash: a MinHash is the same with or without them.
    """
    words = words_of(text)
    count = len(words) - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    # Hash each word once, then roll n consecutive word hashes into one shingle hash with numpy
    # (wrapping uint64 arithmetic): far cheaper than joining and hashing every n-gram string.
    words_h = np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.uint64, count=len(words))
    acc = words_h[:count].copy()
    for k in range(1, size):
        acc *= _MIX
        acc += words_h[k : k + count]
    return (acc >> np.uint64(16)) & np.uint64(0xFFFFFFFF)


def signature(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature (one uint32 per permutation) of a non-empty array of shingle hashes."""
    # (shingles x permutations) in one vectorised expression; uint64 wraps, as the hash wants.
    values = np.multiply.outer(hashes, _A)
    values += _B
    values >>= _SHIFT
    return values.min(axis=0).astype(np.uint32)


def lsh_bands(
    threshold: float, num_perm: int = _PERMUTATIONS, false_negative_weight: float = 0.5
) -> tuple[int, int]:
    """(bands, rows) whose banding best separates pairs above and below threshold.

    Minimises the weighted sum of the false-positive probability mass below the threshold and
    the false-negative mass above it, as in Leskovec et al., Mining of Massive Datasets, 3.4.
    """
    below = np.linspace(0.0, threshold, 101)
    above = np.linspace(threshold, 1.0, 101)
    best, best_error = (1, num_perm), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_pos = np.trapezoid(1 - (1 - below**rows) ** bands, below)
            false_neg = np.trapezoid((1 - above**rows) ** bands, above)
            error = (1 - false_negative_weight) * false_pos + false_negative_weight * false_neg
            if error < best_error:
                best, best_error = (bands, rows), error
    return best


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two texts: the share of equal signature slots."""
    return float(np.count_nonzero(a == b)) / len(a)


@functools.cache
def _bands(threshold: float) -> tuple[int, int]:
    # Candidates are verified against their signatures, so a false positive costs one
    # comparison while a false negative is a missed copy: favour recall when banding.
    return lsh_bands(threshold, _PERMUTATIONS, false_negative_weight=0.9)


class BandIndex:
    """LSH index of MinHash signatures: ids whose signatures agree on a whole band collide."""

    def __init__(self, bands: int, rows: int) -> None:
        self._slices = [slice(b * rows, (b + 1) * rows) for b in range(bands)]
        self._buckets: list[dict[bytes, set[str]]] = [{} for _ in range(bands)]
        self._keys: dict[str, list[bytes]] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def _band_keys(self, sig: np.ndarray) -> list[bytes]:
        return [sig[part].tobytes() for part in self._slices]

    def insert(self, key: str, sig: np.ndarray) -> None:
        """Index key under the bands of its signature."""
        band_keys = self._band_keys(sig)
        self._keys[key] = band_keys
        for buckets, band_key in zip(self._buckets, band_keys, strict=True):
            buckets.setdefault(band_key, set()).add(key)

    def query(self, sig: np.ndarray) -> set[str]:
        """Ids that share at least one band with the signature."""
        found: set[str] = set()
        for buckets, band_key in zip(self._buckets, self._band_keys(sig), strict=True):
            hit = buckets.get(band_key)
            if hit:
                found |= hit
        return found

    def remove(self, key: str) -> None:
        """Drop key from the index (no-op when absent)."""
        for buckets, band_key in zip(self._buckets, self._keys.pop(key, ()), strict=False):
            bucket = buckets.get(band_key)
            if bucket is not None:
                bucket.discard(key)
                if not bucket:
                    del buckets[band_key]


class Deduplicator:
    """Remembers recent articles (bounded) and classifies new ones against them.

    ``admit`` records an article provisionally; ``forget`` undoes it when the article could not
    be delivered, so a retry is not mistaken for a duplicate.
    """

    def __init__(self, threshold: float = 0.8, capacity: int = 200_000) -> None:
        self._threshold = threshold
        self._lsh = BandIndex(*_bands(threshold))
        self._signatures: dict[str, np.ndarray] = {}  # originals in the LSH index
        self._capacity = capacity
        self._by_id: OrderedDict[str, str] = OrderedDict()  # article_id -> content_hash
        self._by_hash: dict[str, str] = {}  # content_hash -> article_id
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

    def restore(self, delivered: Iterable[tuple[str, str, bytes | None]]) -> None:
        """Reload (article_id, content_hash, signature) of delivered articles, oldest first.

        They count as exact duplicates again, and originals with a stored signature are back in
        the near-duplicate index, so a wire copy after a restart still names its original.
        """
        for aid, digest, packed in delivered:
            if aid in self._by_id:
                continue
            self._by_id[aid] = digest
            self._order[aid] = self._counter
            self._counter += 1
            self._by_hash.setdefault(digest, aid)
            if packed:
                minhash = np.frombuffer(packed, dtype=np.uint32)
                self._lsh.insert(aid, minhash)
                self._signatures[aid] = minhash
        while len(self._by_id) > self._capacity:
            self.forget([next(iter(self._by_id))])

    def signature_of(self, article_id: str) -> bytes | None:
        """The stored MinHash signature of an original article, packed for the state file."""
        minhash = self._signatures.get(article_id)
        return None if minhash is None else minhash.tobytes()

    def forget(self, article_ids: list[str]) -> None:
        """Drop articles recorded by admit (their delivery failed)."""
        for aid in article_ids:
            digest = self._by_id.pop(aid, None)
            self._order.pop(aid, None)
            if digest is not None and self._by_hash.get(digest) == aid:
                del self._by_hash[digest]
            self._lsh.remove(aid)
            self._signatures.pop(aid, None)

    def _classify(self, article: pb.Article) -> tuple[Verdict, np.ndarray | None]:
        if article.article_id in self._by_id:
            return Verdict(DUPLICATE, "same_url", article.article_id), None
        earlier = self._by_hash.get(article.content_hash)
        if earlier:
            return Verdict(DUPLICATE, "same_content", earlier), None
        minhash = self._minhash(article.text)
        if minhash is None:
            return Verdict(NEW), None
        candidates = [
            aid
            for aid in self._lsh.query(minhash)
            if similarity(minhash, self._signatures[aid]) >= self._threshold
        ]
        if candidates:
            # Point at the oldest copy so every wire copy names the same original.
            original = min(candidates, key=self._age)
            return Verdict(NEAR_DUPLICATE, of=original), minhash
        return Verdict(NEW), minhash

    def _age(self, aid: str) -> int:
        return self._order.get(aid, self._counter)

    def _minhash(self, text: str) -> np.ndarray | None:
        hashes = shingle_hashes(text)
        # Distinct shingles decide whether a text is long enough; only short texts need the count.
        if len(hashes) < _MIN_SHINGLES or (
            len(hashes) < 4 * _MIN_SHINGLES and len(np.unique(hashes)) < _MIN_SHINGLES
        ):
            return None
        return signature(hashes)

    def _remember(self, article: pb.Article, minhash: np.ndarray | None) -> None:
        self._by_id[article.article_id] = article.content_hash
        self._order[article.article_id] = self._counter
        self._counter += 1
        self._by_hash.setdefault(article.content_hash, article.article_id)
        # Only originals go into the index: copies would just return the same original.
        if minhash is not None and not article.duplicate_of:
            self._lsh.insert(article.article_id, minhash)
            self._signatures[article.article_id] = minhash
        while len(self._by_id) > self._capacity:
            oldest, _ = next(iter(self._by_id.items()))
            self.forget([oldest])
