"""Learned join/new-story decision: logistic regression over similarity features."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .boost import predict_margin
from .similarity import FEATURE_NAMES
from .story_signals import SPLIT_EXTRA_NAMES, STORY_FEATURE_NAMES

# Inputs of the optional split model: pair features, story signals, split extras.
SPLIT_FEATURE_NAMES = (*FEATURE_NAMES, *STORY_FEATURE_NAMES, *SPLIT_EXTRA_NAMES)

MODEL_PATH = Path(__file__).with_name("model.json")


def sigmoid(z: float) -> float:
    """Numerically safe logistic function."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass
class DecisionModel:
    """P(article belongs to story) = sigmoid(bias + coef . features); join if >= join_threshold."""

    coef: list[float]
    bias: float
    join_threshold: float = 0.5
    merge_threshold: float = 1.01  # > 1 disables merging
    # A young story splits when P(its two least alike groups report one event) is below
    # this (split.py); 0 disables splitting.
    split_threshold: float = 0.0
    # Story-vs-story model (same features, the younger story playing the article's part),
    # optionally followed by STORY_FEATURE_NAMES coefficients (story_signals.py).
    merge_coef: list[float] | None = None
    merge_bias: float = 0.0
    feature_names: tuple[str, ...] = FEATURE_NAMES
    meta: dict = field(default_factory=dict)
    # Optional boosted trees (boost.py); when present they replace the linear join / merge
    # scores. The linear coefficients stay in the file for inspection.
    trees: list | None = None
    tree_base: float = 0.0
    merge_trees: list | None = None
    merge_tree_base: float = 0.0
    # Optional split model: P(two groups of a story report one event), fit on sampled looks
    # (tuning.collect_split_samples); without it a look averages the merge and join models.
    split_coef: list[float] | None = None
    split_bias: float = 0.0

    def prob(self, x: list[float]) -> float:
        """Probability that the pair belongs together."""
        if self.trees is not None:
            return sigmoid(predict_margin(self.trees, self.tree_base, x))
        return sigmoid(self.bias + sum(w * v for w, v in zip(self.coef, x, strict=True)))

    @property
    def story_signals(self) -> bool:
        """Whether the merge model also reads the story-level signals (story_signals.py)."""
        return self.merge_coef is not None and len(self.merge_coef) > len(FEATURE_NAMES)

    def merge_prob(self, x: list[float]) -> float:
        """Probability that two stories report one event (0 without a merge model).

        x: the pair features, possibly followed by the story signals; a model without story
        coefficients reads only the pair features.
        """
        if self.merge_trees is not None:
            return sigmoid(predict_margin(self.merge_trees, self.merge_tree_base, x))
        if self.merge_coef is None:
            return 0.0
        x = x[: len(self.merge_coef)]
        return sigmoid(
            self.merge_bias + sum(w * v for w, v in zip(self.merge_coef, x, strict=True))
        )

    def split_prob(self, x: list[float]) -> float:
        """P(one event) of a look's two groups from SPLIT_FEATURE_NAMES inputs."""
        if self.split_coef is None:
            raise ValueError("no split model")
        return sigmoid(
            self.split_bias + sum(w * v for w, v in zip(self.split_coef, x, strict=True))
        )

    def to_dict(self) -> dict:
        """JSON-serialisable form."""
        return {
            "feature_names": list(self.feature_names),
            "coef": list(self.coef),
            "bias": self.bias,
            "join_threshold": self.join_threshold,
            "merge_threshold": self.merge_threshold,
            "split_threshold": self.split_threshold,
            "merge_coef": self.merge_coef,
            "merge_bias": self.merge_bias,
            **(
                {"merge_story_feature_names": list(STORY_FEATURE_NAMES)}
                if self.story_signals
                else {}
            ),
            "meta": self.meta,
            "trees": self.trees,
            "tree_base": self.tree_base,
            "merge_trees": self.merge_trees,
            "merge_tree_base": self.merge_tree_base,
            **(
                {
                    "split_feature_names": list(SPLIT_FEATURE_NAMES),
                    "split_coef": self.split_coef,
                    "split_bias": self.split_bias,
                }
                if self.split_coef is not None
                else {}
            ),
        }

    @classmethod
    def from_dict(cls, d: dict) -> DecisionModel:
        """Inverse of to_dict; refuses a model built for other features."""
        names = tuple(d["feature_names"])
        if names != FEATURE_NAMES:
            raise ValueError(f"model features {names} != engine features {FEATURE_NAMES}")
        story = tuple(d.get("merge_story_feature_names") or ())
        if story and story != STORY_FEATURE_NAMES:
            raise ValueError(f"model story features {story} != engine's {STORY_FEATURE_NAMES}")
        split = tuple(d.get("split_feature_names") or ())
        if split and split != SPLIT_FEATURE_NAMES:
            raise ValueError(f"model split features {split} != engine's {SPLIT_FEATURE_NAMES}")
        return cls(
            coef=list(d["coef"]),
            bias=float(d["bias"]),
            join_threshold=float(d["join_threshold"]),
            merge_threshold=float(d.get("merge_threshold", 1.01)),
            split_threshold=float(d.get("split_threshold", 0.0)),
            merge_coef=d.get("merge_coef"),
            merge_bias=float(d.get("merge_bias", 0.0)),
            feature_names=names,
            meta=d.get("meta", {}),
            trees=d.get("trees"),
            tree_base=float(d.get("tree_base", 0.0)),
            merge_trees=d.get("merge_trees"),
            merge_tree_base=float(d.get("merge_tree_base", 0.0)),
            split_coef=d.get("split_coef"),
            split_bias=float(d.get("split_bias", 0.0)),
        )

    def save(self, path: Path = MODEL_PATH) -> None:
        """Write the model as JSON."""
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> DecisionModel:
        """Read the model shipped with the engine (or another JSON file)."""
        return cls.from_dict(json.loads(Path(path).read_text()))


def fit_logistic(
    X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50, mask: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method; masked features stay at 0."""
    n, d = X.shape
    keep = np.ones(d, bool) if mask is None else mask.astype(bool)
    Xk = np.hstack([X[:, keep], np.ones((n, 1))])
    w = np.zeros(Xk.shape[1])
    reg = np.full(Xk.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(Xk @ w, -30, 30)))
        g = Xk.T @ (p - y) + reg * w
        H = (Xk * (p * (1 - p))[:, None]).T @ Xk + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(H, g)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    coef = np.zeros(d)
    coef[keep] = w[:-1]
    return coef, float(w[-1])
