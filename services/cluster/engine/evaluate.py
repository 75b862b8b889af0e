"""Clustering metrics (BCubed, pairwise) and the file benchmark behind `newsbrief bench cluster`."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable

from .clusterer import EngineConfig, StoryClusterer
from .decision import DecisionModel
from .features import _wordfreq

ARTICLE_FIELDS = ("id", "title", "text", "outlet", "url", "published", "lang")  # bench contract


def _c2(x: int) -> int:
    """Number of unordered pairs among x items."""
    return x * (x - 1) // 2


def _f1(p: float, r: float) -> float:
    """Harmonic mean."""
    return 2 * p * r / (p + r) if p + r else 0.0


def _table(gold: dict, pred: dict):
    """Contingency counts and marginals over the gold ids."""
    ids = list(gold)
    n = Counter((gold[i], pred[i]) for i in ids)
    return n, Counter(gold[i] for i in ids), Counter(pred[i] for i in ids), len(ids)


def bcubed(gold: dict, pred: dict) -> dict:
    """Item-averaged BCubed precision, recall, F1 (pred must cover every gold id)."""
    n, a, b, total = _table(gold, pred)
    p = sum(c * c / b[j] for (i, j), c in n.items()) / total
    r = sum(c * c / a[i] for (i, j), c in n.items()) / total
    return {"p": p, "r": r, "f1": _f1(p, r)}


def pairwise(gold: dict, pred: dict) -> dict:
    """Pairwise (same-cluster pairs) precision, recall, F1."""
    n, a, b, _ = _table(gold, pred)
    tp = sum(_c2(c) for c in n.values())
    pp, gp = sum(_c2(c) for c in b.values()), sum(_c2(c) for c in a.values())
    p = tp / pp if pp else 1.0
    r = tp / gp if gp else 1.0
    return {"p": p, "r": r, "f1": _f1(p, r)}


def scores(gold: dict, pred: dict) -> dict:
    """BCubed and pairwise scores plus cluster counts."""
    return {
        "bcubed": bcubed(gold, pred),
        "pairwise": pairwise(gold, pred),
        "n_gold": len(set(gold.values())),
        "n_pred": len({pred[i] for i in gold}),
    }


def cluster_stream(
    rows: Iterable[dict], model: DecisionModel | None = None, config: EngineConfig | None = None
) -> dict[str, str]:
    """Run a fresh engine over rows in order; return article id -> final story id."""
    eng = StoryClusterer(model=model, config=config)
    ids = []
    for row in rows:
        eng.add({k: row[k] for k in ARTICLE_FIELDS if k in row})
        ids.append(str(row["id"]))
    return {i: eng.story_of(i) for i in ids}


def run_file(
    path: str,
    out_tsv: str,
    gold_field: str | None = None,
    model: DecisionModel | None = None,
    config: EngineConfig | None = None,
) -> dict:
    """Cluster a JSONL file in file order (one pass), write id<TAB>story, print speed/scores."""
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    _wordfreq()  # load the background frequency table outside the timed region
    t0, c0 = time.perf_counter(), time.process_time()
    pred = cluster_stream(rows, model, config)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    with open(out_tsv, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(f"{row['id']}\t{pred[str(row['id'])]}\n")
    result = {
        "articles": len(rows),
        "seconds": dt,
        "articles_per_s": len(rows) / dt if dt else 0.0,
        "articles_per_cpu_s": len(rows) / cpu if cpu else 0.0,
        "stories": len(set(pred.values())),
    }
    print(
        f"{len(rows)} articles, {result['stories']} stories, "
        f"{result['articles_per_s']:.0f} articles/s "
        f"({result['articles_per_cpu_s']:.0f} per CPU second)"
    )
    if gold_field:
        gold = {str(r["id"]): str(r[gold_field]) for r in rows}
        s = scores(gold, pred)
        result.update(s)
        for name in ("bcubed", "pairwise"):
            m = s[name]
            print(f"{name:9s} P={m['p']:.4f} R={m['r']:.4f} F1={m['f1']:.4f}")
        print(f"clusters: gold={s['n_gold']} predicted={s['n_pred']}")
    return result
