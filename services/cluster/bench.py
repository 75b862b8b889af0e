"""Benchmarks behind `newsbrief bench cluster`: synthetic throughput stream and CV summary."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from .engine.clusterer import EngineConfig, StoryClusterer

# Each replay of the sample corpus is shifted by more than the idle window plus the corpus
# span (10 days), so the previous replay's stories have gone idle when their twins arrive.
DEFAULT_ROUND_SHIFT_DAYS = 20.0


def synthetic_rows(
    base: list[dict], n: int, shift_days: float = DEFAULT_ROUND_SHIFT_DAYS
) -> Iterator[dict]:
    """n articles replaying `base` round after round with fresh ids and dates shifted forward."""
    for i in range(n):
        rnd, row = divmod(i, len(base))
        src = base[row]
        out = {k: src[k] for k in ("title", "text", "outlet", "url", "lang") if src.get(k)}
        out["id"] = f"syn-{rnd}-{row}"
        out["url"] = f"{src.get('url', '')}?replay={rnd}"
        if src.get("published"):
            at = datetime.fromisoformat(src["published"]) + timedelta(days=shift_days * rnd)
            out["published"] = at.isoformat()
        yield out


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (ru_maxrss is KiB on Linux, B on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_synthetic(
    base: list[dict],
    n: int,
    block: int = 1000,
    config: EngineConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Stream n synthetic articles through one engine; rates of the first and last blocks.

    Block rates use this process's CPU time, so other load on a shared machine does not
    distort the first-vs-last comparison; the overall rate is wall-clock.
    """
    eng = StoryClusterer(config=config)
    eng.add(dict(base[0], id="warm-up"))  # loads the word-frequency table outside the timing
    rates: list[float] = []
    wall0, cpu_block = time.perf_counter(), time.process_time()
    for i, row in enumerate(synthetic_rows(base, n), 1):
        eng.add(row)
        if i % block == 0 or i == n:
            cpu = time.process_time()
            rates.append((block if i % block == 0 else i % block) / max(cpu - cpu_block, 1e-9))
            cpu_block = cpu
            if progress and i % (10 * block) == 0:
                progress(f"{i} articles: last block {rates[-1]:.0f}/CPU-s, RSS {peak_rss_mb():.0f}")
    wall = time.perf_counter() - wall0
    live = [st for st in eng.stories.values() if not st["merged_into"]]
    return {
        "articles": n,
        "articles_per_s": n / wall,
        "first_block_per_cpu_s": rates[0],
        "last_block_per_cpu_s": rates[-1],
        "stories": len(live),
        "active_stories": sum(1 for st in live if st["active"]),
        "peak_rss_mb": peak_rss_mb(),
    }
