"""Small gradient-boosted trees (logistic loss), fit with numpy, evaluated in pure Python.

Why not only logistic regression: the evidence that separates two events of one kind is an
interaction (a clash counts when the content is a near twin; same year counts only with
similar content; a young story is defined by its first reports). Trees learn those
interactions from the pairs without hand-made products. The model stays tiny (tens of
depth-3 trees), so scoring twelve candidates costs well under a millisecond.

A tree is a flat list of nodes; an inner node is [feature, threshold, left, right] (go left
when x[feature] <= threshold), a leaf is [value]. JSON-friendly as is.
"""

from __future__ import annotations

import numpy as np


def predict_margin(trees: list, base: float, x: list[float]) -> float:
    """Log-odds of one feature vector."""
    z = base
    for nodes in trees:
        node = nodes[0]
        while len(node) == 4:
            node = nodes[node[2]] if x[node[0]] <= node[1] else nodes[node[3]]
        z += node[0]
    return z


def _bin_edges(X: np.ndarray, bins: int) -> list[np.ndarray]:
    """Candidate split thresholds per feature: midpoints between distinct quantiles."""
    edges = []
    for j in range(X.shape[1]):
        qs = np.unique(np.quantile(X[:, j], np.linspace(0, 1, bins + 1)))
        edges.append((qs[:-1] + qs[1:]) / 2.0 if len(qs) > 1 else np.array([]))
    return edges


def fit_gbdt(
    X: np.ndarray,
    y: np.ndarray,
    n_trees: int = 60,
    depth: int = 3,
    rate: float = 0.15,
    min_leaf: float = 5.0,
    l2: float = 2.0,
    bins: int = 32,
    mask: np.ndarray | None = None,
) -> tuple[list, float]:
    """Boosted regression trees on the logistic loss (Newton leaf values). Returns (trees, base).

    min_leaf bounds the hessian mass of a leaf, so rare patterns cannot get extreme values;
    masked features (mask 0) are never split on (ablations).
    """
    n, d = X.shape
    p0 = float(np.clip(y.mean(), 1e-3, 1 - 1e-3))
    base = float(np.log(p0 / (1 - p0)))
    edges = _bin_edges(X, bins)
    codes = np.stack([np.searchsorted(edges[j], X[:, j], side="left") for j in range(d)], axis=1)
    usable = [j for j in range(d) if len(edges[j]) and (mask is None or mask[j])]
    z = np.full(n, base)
    trees = []
    for _ in range(n_trees):
        p = 1.0 / (1.0 + np.exp(-z))
        g, h = p - y, np.maximum(p * (1 - p), 1e-6)
        nodes: list = []
        leaf_of = np.zeros(n, dtype=np.int64)
        _grow(nodes, np.arange(n), codes, edges, usable, g, h, depth, min_leaf, l2, rate, leaf_of)
        trees.append(nodes)
        values = np.array([nd[0] if len(nd) == 1 else 0.0 for nd in nodes])
        z += values[leaf_of]
    return trees, base


def _grow(nodes, idx, codes, edges, usable, g, h, depth, min_leaf, l2, rate, leaf_of) -> int:
    """Append the subtree over rows idx to nodes; return its node index."""
    me = len(nodes)
    G, H = g[idx].sum(), h[idx].sum()
    split = _best_split(idx, codes, edges, usable, g, h, min_leaf, l2, G, H) if depth else None
    if split is None:
        nodes.append([float(-G / (H + l2) * rate)])
        leaf_of[idx] = me
        return me
    j, b = split
    nodes.append([j, float(edges[j][b]), -1, -1])
    go_left = codes[idx, j] <= b
    left = _grow(
        nodes, idx[go_left], codes, edges, usable, g, h, depth - 1, min_leaf, l2, rate, leaf_of
    )
    right = _grow(
        nodes, idx[~go_left], codes, edges, usable, g, h, depth - 1, min_leaf, l2, rate, leaf_of
    )
    nodes[me][2], nodes[me][3] = left, right
    return me


def _best_split(idx, codes, edges, usable, g, h, min_leaf, l2, G, H):
    """(feature, bin) with the largest loss reduction, or None."""
    best, best_gain = None, 1e-9
    parent = G * G / (H + l2)
    gi, hi = g[idx], h[idx]
    for j in usable:
        nb = len(edges[j]) + 1
        c = codes[idx, j]
        gl = np.cumsum(np.bincount(c, weights=gi, minlength=nb))[:-1]
        hl = np.cumsum(np.bincount(c, weights=hi, minlength=nb))[:-1]
        gr, hr = G - gl, H - hl
        ok = (hl >= min_leaf) & (hr >= min_leaf)
        if not ok.any():
            continue
        gain = np.where(ok, gl * gl / (hl + l2) + gr * gr / (hr + l2) - parent, -np.inf)
        b = int(np.argmax(gain))
        if gain[b] > best_gain:
            best, best_gain = (j, b), float(gain[b])
    return best
