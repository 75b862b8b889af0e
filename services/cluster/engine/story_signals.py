"""Story-vs-story signals for the merge model: what one story repeats and the other lacks.

The 22 pair features view the younger story as one article, so they cannot see which of its
terms, dates and counts *recur* across its reports. Two sibling events of one kind (two
heists in Paris, two quakes in one region) share their vocabulary but each has its own
recurring specifics: the day, the count, the other team. Those recurring specifics missing
from the other story are evidence of two events.

Off by default (EngineConfig.story_signals, ablation "+story signals"): measured in the sixth
session, they lift the merge model's AUC on its candidates from 0.57 / 0.67 to 0.72 / 0.79 on
two topic partitions, but BCubed F1 moves within refit noise (docs/clustering.md).
The split model (seventh session) always reads them, with the lead-name misses below.
"""

from __future__ import annotations

import math

from .similarity import cosine

# Order of the extra merge-model inputs appended after FEATURE_NAMES.
STORY_FEATURE_NAMES = (
    "core_miss_max",  # larger share of one story's core-term mass missing from the other
    "core_miss_min",  # smaller share of the two (0 unless both stories have a core)
    "cos_centroids",  # cosine of the full term centroids (not the truncated article view)
    "when_miss",  # calendar votes repeated (>= 2 articles) on one side, absent on the other
    "lead_num_miss",  # share of each side's lead-number votes absent from the other's numbers
)


def _core_miss(a: dict, b: dict) -> float | None:
    """Share of a's core-term weight (terms in >= 2 of its articles) absent from b's terms."""
    tdf = a.get("tdf") or {}
    core = {t: w for t, w in a["terms"].items() if tdf.get(t, 0) >= 2}
    total = sum(core.values())
    if not total:
        return None
    return sum(w for t, w in core.items() if t not in b["terms"]) / total


def _vote_miss(votes: dict, other: set, min_votes: int) -> float:
    """Share of the vote mass (keys voted by >= min_votes articles) absent from other."""
    kept = {k: v for k, v in votes.items() if v >= min_votes}
    total = sum(kept.values())
    return sum(v for k, v in kept.items() if k not in other) / total if total else 0.0


def story_pair_features(a: dict, b: dict) -> list[float]:
    """Symmetric story-level signals of two story states (see STORY_FEATURE_NAMES)."""
    va, vb = a["vec"], b["vec"]
    misses = [m for m in (_core_miss(va, vb), _core_miss(vb, va)) if m is not None]
    wa, wb = va.get("when") or {}, vb.get("when") or {}
    la, lb = va.get("lnums") or {}, vb.get("lnums") or {}
    return [
        max(misses) if misses else 0.0,
        min(misses) if len(misses) == 2 else 0.0,
        cosine(va["terms"], vb["terms"]),
        _vote_miss(wa, set(wb), 2) + _vote_miss(wb, set(wa), 2),
        _vote_miss(la, set(vb["nums"]) | set(lb), 1) + _vote_miss(lb, set(va["nums"]) | set(la), 1),
    ]


# Inputs of the optional split model (EngineConfig.split_model): the pair features and story
# signals above, then these. Lead names are compared vote for vote: against a grown story's
# full entity list every name is found somewhere, so the pair features saturate (two groups
# of DUI reports led by two different players scored 0.997 by the join model).
SPLIT_EXTRA_NAMES = (
    "lead_name_miss2",  # lead names of >= 2 articles on one side absent from the other's leads
    "lead_name_miss1",  # the same over every lead name
    "log_n_small",  # sizes of the two groups (small groups look alike by chance)
    "log_n_big",
)


def split_extra_features(a: dict, b: dict) -> list[float]:
    """SPLIT_EXTRA_NAMES of two groups' story states, symmetric in the names."""
    la, lb = a["vec"].get("lents") or {}, b["vec"].get("lents") or {}
    small, big = sorted((a["n"], b["n"]))
    return [
        _vote_miss(la, set(lb), 2) + _vote_miss(lb, set(la), 2),
        _vote_miss(la, set(lb), 1) + _vote_miss(lb, set(la), 1),
        math.log(max(small, 1)),
        math.log(max(big, 1)),
    ]
