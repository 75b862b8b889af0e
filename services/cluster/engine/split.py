"""Revising young stories: when a story turns out to hold two events, split it in two.

The first report of an event often joins a young story of a sibling event (same kind, same
names, another day or count), and from then on the mixed story attracts both. Later members
bring the evidence the first link lacked, so at a few sizes the engine looks at its story
again: it divides the members into the two groups least alike (average linkage on term
cosine), then asks the learned models whether those two groups report one event. Below the
learned split threshold the story splits (CV by topic: docs/clustering.md, "Splits").

Pure functions over member features; the clusterer owns state and events.
"""

from __future__ import annotations

import hashlib
from itertools import combinations

from .features import ArticleFeatures
from .similarity import cosine

# Member features are kept as JSON in the service's table: floats rounded, short keys.
_DIGITS = 4


def pack_member(f: ArticleFeatures) -> dict:
    """The parts of an article's features that scoring and rebuilding a story read."""
    return {
        "t": {k: round(v, _DIGITS) for k, v in f.terms.items()},
        "e": {k: round(v, _DIGITS) for k, v in f.ents.items()},
        "n": {k: round(v, _DIGITS) for k, v in f.nums.items()},
        "y": list(f.years),
        "ln": list(f.lead_nums),
        "le": list(f.lead_ents),
        "w": list(f.when),
        "ye": f.year_est,
        "ts": f.ts,
        "o": f.outlet,
    }


def unpack_member(d: dict) -> ArticleFeatures:
    """Inverse of pack_member (title terms are not kept: no feature reads them)."""
    return ArticleFeatures(
        terms=dict(d["t"]),
        ents=dict(d["e"]),
        nums=dict(d["n"]),
        years=list(d["y"]),
        lead_nums=list(d["ln"]),
        lead_ents=list(d["le"]),
        when=list(d["w"]),
        year_est=d["ye"],
        ts=d["ts"],
        outlet=d["o"],
    )


def two_groups(ids: list[str], terms: dict[str, dict[str, float]]) -> tuple[list, list]:
    """The members divided into two groups by average-linkage agglomeration on term cosine.

    Each group keeps the members' arrival order; the first group holds the first member.
    Written by hand: at most ~20 members, and scipy's linkage would add a dependency and a
    matrix copy for what is a few hundred cosines.
    """
    sim = {}
    for a, b in combinations(ids, 2):
        sim[a, b] = sim[b, a] = cosine(terms[a], terms[b])
    groups = [[a] for a in ids]
    while len(groups) > 2:
        best = None
        for i, j in combinations(range(len(groups)), 2):
            gi, gj = groups[i], groups[j]
            link = sum(sim[a, b] for a in gi for b in gj) / (len(gi) * len(gj))
            if best is None or link > best[0]:
                best = (link, i, j)
        _, i, j = best
        groups[i] = groups[i] + groups[j]
        del groups[j]
    order = {a: n for n, a in enumerate(ids)}
    first, second = (sorted(g, key=order.__getitem__) for g in groups)
    return (first, second) if order[first[0]] < order[second[0]] else (second, first)


def split_story_id(story_id: str, first_moved: str, trigger: str) -> str:
    """Deterministic id of the story split off story_id, led by article first_moved, when
    article trigger arrived.

    Not story_id_for(first_moved): that article may once have opened a story since merged.
    The trigger makes it unique: the same members may split off again after a merge back, and
    the first split-off id is a tombstone by then.
    """
    digest = hashlib.sha1(f"{story_id}/{first_moved}/{trigger}".encode()).hexdigest()[:16]
    return "st_" + digest
