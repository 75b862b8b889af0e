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
    "lead_num_art",  # share of the article's salient numbers found in the story's numbers
    "lead_num_story",  # share of the story's salient-number votes found in the article
    "lead_num_clash",  # both have salient numbers, none of either side's in the other
    "lead_ent_art",  # share of the article's lead names found among the story's entities
    "lead_ent_story",  # share of the story's lead-name votes found among the article's
    "lead_ent_clash",  # both have lead names, none of either side's in the other
    "when_match",  # cos_terms x share of the article's calendar mentions found in the story
    "when_clash",  # both mention weekdays/months and share none
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


def pair_features(art: ArticleFeatures, story: dict, when_x_sim: bool = True) -> list[float]:
    """Feature vector comparing an article with a story state dict (see FEATURE_NAMES).

    when_x_sim: calendar agreement counts only times content similarity (see _when).
    """
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
        *_salient(art.lead_nums, art.nums, c.get("lnums") or {}, nums),
        *_salient(art.lead_ents, art.ents, c.get("lents") or {}, c["ents"]),
        *_when(art.when, c.get("when") or {}, cos_terms if when_x_sim else 1.0),
    ]


def _when(art_when: list[str], story_when: dict[str, int], sim: float) -> tuple[float, float]:
    """(content similarity x share of the article's calendar mentions in the story's, clash).

    Like years, a shared weekday is only evidence alongside similar content: on a live day
    every story says "Monday". A clash (no weekday or month in common) is evidence alone.
    """
    if not art_when or not story_when:
        return 0.0, 0.0
    match = sum(1 for k in art_when if k in story_when) / len(art_when)
    return sim * match, 1.0 if match == 0.0 else 0.0


def _salient(
    art_lead: list[str], art_all: dict, story_lead: dict[str, int], story_all: dict
) -> tuple[float, float, float]:
    """(article-side match, story-side match, clash) of salient keys (numbers or names).

    The story's salient keys are votes (how many of its articles lead with each), so one
    stray article does not define what the story is about.
    """
    if not art_lead or not story_lead:
        return 0.0, 0.0, 0.0
    a_match = sum(1 for k in art_lead if k in story_all) / len(art_lead)
    total = sum(story_lead.values())
    s_match = sum(v for k, v in story_lead.items() if k in art_all) / total if total else 0.0
    return a_match, s_match, 1.0 if a_match == 0.0 and s_match == 0.0 else 0.0


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
