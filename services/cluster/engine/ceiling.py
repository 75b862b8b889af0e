"""What the article-pair score could reach with the whole file in view: offline linkage.

The engine decides online, one pass and no look-ahead. To tell whether its errors come from
that constraint or from the pair score itself, `python -m services.cluster.engine.tuning
ceiling INPUT.jsonl` clusters each fold's held-out topics *offline*: every pair visible,
average linkage over P(two articles report one event), from a join model fit on the training
topics and a linkage threshold chosen there. If this figure is not clearly above the engine's
cross-validated one, better online mechanics (merges, splits, retrieval) cannot close the
gap; the pair signal itself has to improve. Read only by the tuner, never by the service.
"""

from __future__ import annotations

import numpy as np

from .clusterer import EngineConfig, StoryClusterer
from .decision import DecisionModel, fit_logistic
from .evaluate import scores
from .similarity import cosine, pair_features
from .tuning import precompute, teacher_forced_pairs, topic_folds  # tuning imports us lazily

LINK_GRID = [round(0.2 + 0.05 * i, 2) for i in range(13)]  # 0.2 .. 0.8
PAIR_FLOOR = 0.05  # pairs with less term cosine keep P = 0 (they never link; saves scoring)


def pair_matrix(feats: list, model: DecisionModel, cfg: EngineConfig) -> np.ndarray:
    """Symmetric P(same event) of every article pair: the join model scores each article
    against a one-article story of the other, both ways, and the two are averaged."""
    eng = StoryClusterer(model=model, config=cfg)
    singles = [eng._scratch_story([f]) for f in feats]
    n = len(feats)
    probs = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            if cosine(feats[i].terms, feats[j].terms) < PAIR_FLOOR:
                continue
            ab = model.prob(pair_features(feats[i], singles[j], cfg.when_x_sim))
            ba = model.prob(pair_features(feats[j], singles[i], cfg.when_x_sim))
            probs[i, j] = probs[j, i] = (ab + ba) / 2
    return probs


def average_linkage(probs: np.ndarray) -> list[tuple[int, int, float]]:
    """Merges of average-linkage agglomeration, most similar first: (kept, absorbed, mean P).

    Written here rather than taken from scipy (not a dependency): ~20 lines, and the merge
    heights are what a threshold cut needs. Average linkage never inverts, so the heights
    fall monotonically and cutting at t keeps exactly the merges with height >= t.
    """
    n = len(probs)
    sums = probs.astype(float).copy()
    np.fill_diagonal(sums, 0.0)
    size = np.ones(n)
    alive = np.ones(n, bool)
    merges = []
    for _ in range(n - 1):
        avg = sums / np.outer(size, size)
        avg[~alive, :] = -1.0
        avg[:, ~alive] = -1.0
        np.fill_diagonal(avg, -1.0)
        a, b = np.unravel_index(int(np.argmax(avg)), avg.shape)
        if avg[a, b] <= 0:
            break
        merges.append((int(a), int(b), float(avg[a, b])))
        sums[a, :] += sums[b, :]
        sums[:, a] += sums[:, b]
        sums[a, a] = 0.0
        size[a] += size[b]
        alive[b] = False
    return merges


def cut(n: int, merges: list[tuple[int, int, float]], threshold: float) -> list[int]:
    """Cluster label of each item after the merges at or above the threshold."""
    label = list(range(n))
    members = {i: [i] for i in range(n)}
    for a, b, height in merges:
        if height < threshold:
            break
        for m in members.pop(b):
            label[m] = a
            members[a].append(m)
    return label


def _labelled(rows: list[dict], labels: list[int], tag: str) -> dict[str, str]:
    return {str(r["id"]): f"{tag}:{lab}" for r, lab in zip(rows, labels, strict=True)}


def offline_fold(train: list[dict], test: list[dict], cfg: EngineConfig, gold_key: str, seeds):
    """Held-out prediction of one fold and the threshold chosen on its training topics.

    The join model is the tuner's first step: teacher-forced (article, gold story) pairs."""
    streams, X, y = teacher_forced_pairs(train, cfg, gold_key, seeds)
    coef, bias = fit_logistic(np.array(X), np.array(y), l2=1.0)
    model = DecisionModel(coef=[float(c) for c in coef], bias=bias)
    rows, feats = streams[0]  # linkage ignores order: any training stream will do
    gold = {str(r["id"]): str(r[gold_key]) for r in rows}
    merges = average_linkage(pair_matrix(feats, model, cfg))

    def train_f1(t: float) -> float:
        pred = _labelled(rows, cut(len(rows), merges, t), "t")
        return scores(gold, pred)["bcubed"]["f1"]

    best = max(LINK_GRID, key=lambda t: (train_f1(t), -abs(t - 0.5)))
    test_merges = average_linkage(pair_matrix(precompute(test, cfg), model, cfg))
    return cut(len(test), test_merges, best), best


def offline_cv(rows, cfg: EngineConfig, gold_key, topic_key, k, fold_seed, seeds) -> dict:
    """k folds by topic, as the engine's CV: scores of the union of held-out predictions."""
    pred: dict[str, str] = {}
    thresholds = []
    for fi, fold in enumerate(topic_folds(rows, k, fold_seed, topic_key)):
        train = [r for r in rows if r[topic_key] not in fold]
        test = [r for r in rows if r[topic_key] in fold]
        labels, threshold = offline_fold(train, test, cfg, gold_key, seeds)
        pred.update(_labelled(test, labels, f"f{fi}"))
        thresholds.append(threshold)
    gold = {str(r["id"]): str(r[gold_key]) for r in rows}
    return {**scores(gold, pred), "thresholds": thresholds}
