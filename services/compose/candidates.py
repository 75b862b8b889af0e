"""Candidate sentences of a story: split, merged across copies, classified and scored."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import text as T

# Only the top of an article is considered: news puts its facts first, and it bounds the work.
MAX_SENTENCES_PER_ARTICLE = 18
MIN_WORDS, MAX_WORDS = 6, 55

FACT, ANALYSIS, BACKGROUND = "fact", "analysis", "background"

_BOILERPLATE_RE = re.compile(
    r"(click here|sign up|subscribe|newsletter|all rights reserved|©|https?://|www\.|"
    r"read more|follow us|cookies|advertisement|^photo|^image|^watch:|^listen:|"
    r"this article|contributed to this report|for more on)"
)
_ANALYSIS_RE = re.compile(
    r"\b(analysts?|experts?|critics?|observers?|could|would|might|likely|unlikely|expected to|"
    r"signals?|signalled|suggests?|means|meaning|raises? (?:questions|concerns|fears)|concerns?|"
    r"unclear|uncertain|remains to be seen|whether|why|risks?|because|warn(?:s|ed|ing)?|"
    r"impact|implications?|pressure|debate|next steps?|will need|is set to|plans? to|aims? to|"
    r"hopes?|fears?|questions? (?:remain|over)|underscores?|highlights?|reflects?)\b"
)
_BACKGROUND_RE = re.compile(
    r"\b(last (?:year|month|week|decade)|in (?:19|20)\d\d|since (?:19|20)\d\d|previously|"
    r"earlier this (?:year|month|week)|years? ago|months? ago|decades? ago|in the past|history|"
    r"the first time since|was founded|dating back|the last time|"
    r"prior to|historically|for years|long-running|began in|started in)\b"
)
_QUOTE_CHARS = '"“”'
_FIRST_PERSON_RE = re.compile(r"\b(I|we|We|our|Our|us|my|My|me)\b")


@dataclass
class Candidate:
    """One sentence (or its near-copies) of the story, with where it came from."""

    text: str
    terms: frozenset[str]
    article_ids: list[str]
    publishers: set[str]
    first_seen: float
    position: int
    kind: str
    quoted: bool
    score: float = 0.0
    by_article: dict[str, str] = field(default_factory=dict)  # article id -> its own wording


def seconds(ts) -> float:
    """Epoch seconds of a protobuf timestamp."""
    return ts.seconds + ts.nanos / 1e9


def publisher(article: pb.Article) -> str:
    """The publisher an article counts for: editions of one parent count once."""
    return (article.parent_outlet or article.outlet or article.source).strip().lower()


def support_publishers(articles: Sequence[pb.Article]) -> dict[str, str]:
    """Article id -> publisher it counts for; a wire copy counts for its original's publisher."""
    by_id = {a.article_id: a for a in articles}
    out: dict[str, str] = {}
    for a in articles:
        original = by_id.get(a.duplicate_of) if a.duplicate_of else None
        out[a.article_id] = publisher(original or a)
    return out


@lru_cache(maxsize=4096)
def _article_sentences(
    article_id: str, body: str, kind: str
) -> tuple[tuple[str, frozenset[str], str], ...]:
    # Cached per article: a story is recomposed each time it grows, its old articles do not change.
    kept = []
    for sentence in T.split_sentences(body)[: MAX_SENTENCES_PER_ARTICLE * 2]:
        n = len(sentence.split())
        if n < MIN_WORDS or n > MAX_WORDS or _BOILERPLATE_RE.search(sentence.lower()):
            continue
        if sentence[-1] not in ".!?\"'”’":
            continue  # headings, captions, bylines
        kept.append((sentence, T.content_terms(sentence), classify(sentence, kind)))
        if len(kept) >= MAX_SENTENCES_PER_ARTICLE:
            break
    return tuple(kept)


def article_sentences(article: pb.Article) -> tuple[tuple[str, frozenset[str], str], ...]:
    """Usable sentences of an article with their content terms and class, in order."""
    return _article_sentences(article.article_id, article.text or article.summary, article.kind)


def classify(sentence: str, article_kind: str) -> str:
    """Fact, analysis or background, from cue words (analysis articles lean to analysis)."""
    # The cue patterns are lower-case: matching a lowered copy is much faster than IGNORECASE.
    lowered = sentence.lower()
    if _BACKGROUND_RE.search(lowered):
        return BACKGROUND
    if _ANALYSIS_RE.search(lowered) or is_quote(sentence):
        return ANALYSIS
    if article_kind in ("analysis", "opinion"):
        return ANALYSIS
    return FACT


def is_quote(sentence: str) -> bool:
    """True when the sentence carries a direct quotation."""
    return any(c in sentence for c in _QUOTE_CHARS)


def has_first_person(sentence: str) -> bool:
    """True when the sentence speaks as I/we outside quotation marks."""
    outside = re.sub(r"[\"“][^\"”]*[\"”]", " ", sentence)
    return bool(_FIRST_PERSON_RE.search(outside))


def term_weights(articles: Sequence[pb.Article], publishers: dict[str, str]) -> dict[str, float]:
    """Share of the story's publishers whose articles use each term: the story's centre."""
    holders: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        pub = publishers[a.article_id]
        for term in T.content_terms(a.title):
            holders[term].add(pub)
        for _, terms, _ in article_sentences(a):
            for term in terms:
                holders[term].add(pub)
    total = max(1, len(set(publishers.values())))
    return {term: len(pubs) / total for term, pubs in holders.items()}


def centrality(terms: frozenset[str], weights: dict[str, float]) -> float:
    """Mean weight of a sentence's terms, damped for very short sentences."""
    if not terms:
        return 0.0
    return sum(weights.get(t, 0.0) for t in terms) / (len(terms) + 2)


def build_candidates(articles: Sequence[pb.Article]) -> tuple[list[Candidate], dict[str, float]]:
    """Every usable sentence of the story, near-copies merged, scored by centrality and support."""
    publishers = support_publishers(articles)
    weights = term_weights(articles, publishers)
    candidates: list[Candidate] = []
    postings: dict[str, list[int]] = defaultdict(list)
    for a in sorted(articles, key=lambda a: (seconds(a.published_at), a.article_id)):
        for position, (sentence, terms, kind) in enumerate(article_sentences(a)):
            match = _find_near_copy(candidates, postings, terms, weights)
            if match is not None:
                c = candidates[match]
                c.article_ids.append(a.article_id)
                c.publishers.add(publishers[a.article_id])
                c.by_article.setdefault(a.article_id, sentence)
                continue
            index = len(candidates)
            candidates.append(
                Candidate(
                    text=sentence,
                    terms=terms,
                    article_ids=[a.article_id],
                    publishers={publishers[a.article_id]},
                    first_seen=seconds(a.published_at),
                    position=position,
                    kind=kind,
                    quoted=is_quote(sentence),
                    by_article={a.article_id: sentence},
                )
            )
            for term in _rarest(terms, weights):
                postings[term].append(index)
    for c in candidates:
        c.score = _score(c, weights)
    return candidates, weights


def _rarest(terms: frozenset[str], weights: dict[str, float], k: int = 3) -> list[str]:
    return sorted(terms, key=weights.__getitem__)[:k]


def _find_near_copy(candidates, postings, terms, weights) -> int | None:
    # The lowest matching index, whatever order the anchors come in: output stays deterministic.
    seen: set[int] = set()
    for term in _rarest(terms, weights):
        seen.update(postings.get(term, ()))
    for index in sorted(seen):
        if T.jaccard(terms, candidates[index].terms) >= 0.7:
            return index
    return None


_LEADING_CAPS_RE = re.compile(r"^((?:[A-Z]+\s+)*[A-Z]+)\b(?=\s+[a-z])")
_DATELINE_RE = re.compile(r"^[A-Z][A-Z .'-]+,\s+\w+\.?\s+\d+\s*(?:\([A-Za-z]+\))?\s*[-–—]+\s*")


def shouted(sentence: str) -> bool:
    """True for a tabloid opening in capitals ("A MAN died", "MORE than"), not an acronym."""
    m = _LEADING_CAPS_RE.match(sentence)
    if not m:
        return False
    run = m.group(1).split()
    return len(run) > 1 or run[0].lower() in T.STOPWORDS


def _score(c: Candidate, weights: dict[str, float]) -> float:
    lead = 0.25 / (1 + c.position)
    support = 0.15 * math.log2(1 + len(c.publishers))
    # Shouted tabloid openings ("A MAN died") and wire datelines read badly in a brief.
    style = 0.3 if shouted(c.text) or _DATELINE_RE.match(c.text) else 0.0
    return centrality(c.terms, weights) + support + lead - style


_NUMBER_RE = re.compile(r"\d[\d,.]*\d|\d")


def figures(sentence: str) -> frozenset[str]:
    """The numbers a sentence states ("8.3", "1,912", "104"): the facts paraphrases share."""
    return frozenset(n.replace(",", "") for n in _NUMBER_RE.findall(sentence))


def near_repeat(a: Candidate, chosen: Sequence[Candidate]) -> bool:
    """True when a says what one of the chosen sentences already says."""
    return any(_same_fact(a, b) for b in chosen)


def _same_fact(a: Candidate, b: Candidate) -> bool:
    if T.jaccard(a.terms, b.terms) >= 0.45 or T.containment(a.terms, b.terms) >= 0.6:
        return True
    # Paraphrases of one fact across outlets share its figures and some words.
    shared = figures(a.text) & figures(b.text)
    return len(shared) >= 2 or (len(shared) == 1 and T.containment(a.terms, b.terms) >= 0.3)
