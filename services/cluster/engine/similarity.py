"""Sparse-vector similarity and the article-vs-story feature vector fed to the decision model."""

from __future__ import annotations

import heapq
import math

from .features import ArticleFeatures

# Order of the similarity features; the decision model's coefficients follow it.
FEATURE_NAMES = (
    "cos_terms",  # article terms vs story term centroid
    "cos_ents",  # article entities vs story entity centroid
    "num_shared",  # IDF mass of the article's numbers already seen in the story
    "year_match",  # cos_terms if article and story mention a common year, else 0
    "year_conflict",  # both mention years, none in common
    "year_est_agree",  # cos_terms x share of the story's articles with the article's year
    "year_est_clash",  # both have an estimated year and the story's main year differs
    "ent_cover_story",  # share of the story's top entity mass present in the article
    "ent_cover_article",  # share of the article's top entity mass present in the story
    "log_gap_h",  # log1p(hours between article and story's latest article); 0 if unknown
    "log_size",  # log(story size)
    "cos_core",  # article terms vs the story's core terms (seen in >= 2 of its articles)
    "ent_conflict",  # neither side's top entities appear in the other (different actors)
    "num_conflict",  # both carry specific numbers and share none (other toll, score, sum)
)


def norm(vec: dict[str, float]) -> float:
    """Euclidean norm of a sparse vector."""
    return math.sqrt(sum(v * v for v in vec.values()))


def dot(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product, iterating over the smaller vector."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def cosine(a: dict[str, float], b: dict[str, float], nb: float | None = None) -> float:
    """Cosine similarity; nb may pass a precomputed norm of b."""
    if not a or not b:
        return 0.0
    na = norm(a)
    nb = norm(b) if nb is None else nb
    return dot(a, b) / (na * nb) if na and nb else 0.0


def _cos(a: dict, b: dict, na: float, nb: float) -> float:
    """Cosine with precomputed norms."""
    return dot(a, b) / (na * nb) if na and nb else 0.0


def vec_norms(vec: dict) -> dict[str, float]:
    """Norms of a story's sparse vectors, stored with the story so scoring skips them."""
    return {k: norm(vec.get(k) or {}) for k in ("terms", "core", "ents")}


def pair_features(art: ArticleFeatures, story: dict) -> list[float]:
    """Feature vector comparing an article with a story state dict (see FEATURE_NAMES)."""
    c = story["vec"]
    an, sn = art.norms(), story["norms"]
    nums = c["nums"]
    num_mass = sum(art.nums.values())
    shared = sum(w for n, w in art.nums.items() if n in nums)
    ay, sy = set(art.years), set(int(y) for y in c["years"])
    gap = 0.0
    if art.ts is not None and story.get("last_ts") is not None:
        gap = math.log1p(abs(art.ts - story["last_ts"]) / 3600.0)
    ye = _year_est_feats(art.year_est, c.get("pubyears", {}))
    core = c.get("core") or c["terms"]
    core_norm = sn.get("core") or sn["terms"]
    cos_terms = _cos(art.terms, c["terms"], an["terms"], sn["terms"])
    # Same-year evidence only counts alongside similar content: in a live stream nearly
    # everything shares the year, and an additive bonus would let unrelated stories join.
    return [
        cos_terms,
        _cos(art.ents, c["ents"], an["ents"], sn["ents"]),
        shared / num_mass if num_mass else 0.0,
        cos_terms if ay & sy else 0.0,
        1.0 if ay and sy and not ay & sy else 0.0,
        cos_terms * ye[0],
        ye[1],
        _coverage(c["ents"], art.ents),
        _coverage(art.ents, c["ents"]),
        gap,
        math.log(story["n"]),
        _cos(art.terms, core, an["terms"], core_norm),
        _ent_conflict(art.ents, c["ents"]),
        1.0 if _specific(art.nums) and _specific(nums) and not shared else 0.0,
    ]


def _specific(nums: dict[str, float]) -> bool:
    """Carries a number specific enough to tell events apart (not a small count)."""
    return any(len(n) >= 2 for n in nums)


def _ent_conflict(a: dict[str, float], b: dict[str, float], k: int = 3) -> float:
    """1 when both have entities and neither's k heaviest appear in the other."""
    if not a or not b:
        return 0.0
    top_a = heapq.nlargest(k, a, key=a.__getitem__)
    top_b = heapq.nlargest(k, b, key=b.__getitem__)
    return 0.0 if any(e in b for e in top_a) or any(e in a for e in top_b) else 1.0


def _year_est_feats(year: int | None, pubyears: dict) -> tuple[float, float]:
    """(agreement share, clash flag) between an article's year and the story's year votes."""
    if year is None or not pubyears:
        return 0.0, 0.0
    total = sum(pubyears.values())
    same = pubyears.get(str(year), 0)
    main = max(pubyears, key=lambda y: (pubyears[y], y))
    return same / total, 1.0 if int(main) != year else 0.0


def _coverage(src: dict[str, float], other: dict[str, float], k: int = 6) -> float:
    """Weight share of src's k heaviest keys that also appear in other."""
    if not src or not other:
        return 0.0
    top = heapq.nlargest(k, src.items(), key=lambda kv: kv[1]) if len(src) > k else src.items()
    total = sum(w for _, w in top)
    return sum(w for key, w in top if key in other) / total if total else 0.0
