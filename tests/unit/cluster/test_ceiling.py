"""Offline average linkage (the tuner's `ceiling` command): what the pair score could reach."""

import numpy as np

from services.cluster.engine import DecisionModel, EngineConfig
from services.cluster.engine.ceiling import average_linkage, cut, offline_fold, pair_matrix
from services.cluster.engine.features import IdfModel, extract
from services.cluster.engine.similarity import FEATURE_NAMES

# Two events of one kind (a port strike, a rail strike) and an unrelated one: our own prose.
PORT = "Dock workers at Felixstowe walked out on {day} over pay, halting container traffic."
RAIL = "Train drivers on the northern line struck on {day}, cancelling commuter services."
ZOO = "A baby giraffe was born at the city zoo, keepers said, and is doing well."
DAYS = ("Monday", "Tuesday", "Wednesday")


def _rows() -> list[dict]:
    rows = [
        {"id": f"p{i}", "title": "Port strike", "text": PORT.format(day=d), "ev": "port"}
        for i, d in enumerate(DAYS)
    ]
    rows += [
        {"id": f"r{i}", "title": "Rail strike", "text": RAIL.format(day=d), "ev": "rail"}
        for i, d in enumerate(DAYS)
    ]
    return rows + [{"id": "z0", "title": "Zoo birth", "text": ZOO, "ev": "zoo", "topic": 2}]


def test_linkage_merges_the_closest_first_and_a_cut_keeps_blocks_apart():
    probs = np.array(
        [
            [0, 0.9, 0.8, 0.1],
            [0.9, 0, 0.7, 0.2],
            [0.8, 0.7, 0, 0.0],
            [0.1, 0.2, 0.0, 0],
        ]
    )
    merges = average_linkage(probs)
    heights = [h for _, _, h in merges]
    assert heights == sorted(heights, reverse=True)  # average linkage never inverts
    assert merges[0][:2] == (0, 1) and merges[0][2] == 0.9
    labels = cut(4, merges, 0.5)
    assert labels[0] == labels[1] == labels[2] != labels[3]
    assert len(set(cut(4, merges, 0.95))) == 4  # above every link: all apart
    assert len(set(cut(4, merges, 0.05))) == 1  # the mean links of 0.1 join the last item


def test_pair_matrix_is_symmetric_and_rates_same_event_pairs_higher():
    cfg = EngineConfig()
    idf = IdfModel({}, cfg.idf_prior_docs, cfg.idf_background, cfg.idf_online)
    feats = [extract(r, idf, cfg.features) for r in _rows()]
    # A model that trusts term overlap only: enough to order the pairs.
    coef = [0.0] * len(FEATURE_NAMES)
    coef[FEATURE_NAMES.index("cos_terms")] = 8.0
    probs = pair_matrix(feats, DecisionModel(coef=coef, bias=-2.0), cfg)
    assert np.allclose(probs, probs.T) and not probs.diagonal().any()
    assert probs[0, 1] > probs[0, 3] and probs[3, 4] > probs[1, 4]
    assert probs[0, 6] == 0.0  # no shared term: never scored


def test_a_fold_is_cut_at_a_threshold_chosen_on_its_training_topics():
    rows = _rows()
    train = [dict(r, id=f"t{r['id']}") for r in rows]  # same prose, other ids
    labels, threshold = offline_fold(train, rows, EngineConfig(), "ev", seeds=(1, 2))
    assert 0.2 <= threshold <= 0.8
    by_event = {}
    for r, lab in zip(rows, labels, strict=True):
        by_event.setdefault(r["ev"], set()).add(lab)
    assert all(len(labs) == 1 for labs in by_event.values())  # each event in one cluster
    assert len({next(iter(v)) for v in by_event.values()}) == 3  # and three clusters
