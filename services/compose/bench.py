"""The compose benchmark: a synthetic story of N articles, composed cold and warm."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from newsbrief.ids import article_id
from newsbrief.v1 import newsbrief_pb2 as pb

_PARAGRAPHS = [
    "A magnitude 7.1 earthquake struck southern Peru early on Friday, killing at least {n} people "
    "and damaging hundreds of homes in the Arequipa region.",
    "The quake was centred 40 kilometres south-west of the town of Chala at a depth of 28 "
    "kilometres, the US Geological Survey said.",
    "Rescue teams from outlet {i} were searching collapsed adobe houses in the village of Yauca, "
    "where most of the deaths were reported.",
    "President Dina Boluarte declared a state of emergency in four provinces and flew to the area "
    "by helicopter on Friday afternoon.",
    "The health ministry said {m} people had been injured and that two hospitals had been "
    "evacuated as a precaution.",
    "Engineers warned that older adobe buildings remain the main risk in rural areas because they "
    "collapse quickly in strong shaking.",
    "Peru sits on the Pacific Ring of Fire and was hit by a magnitude 8.0 earthquake in 2019 that "
    "killed two people.",
    "Whether the state of emergency brings lasting investment in safer housing remains to be seen.",
    "Power and mobile phone service were cut across much of the region for several hours, "
    "officials in Arequipa said.",
    "Local radio station number {i} reported long queues at petrol stations and shops as "
    "residents stocked up on water.",
]


def story_of(n: int, run: int = 0) -> list[pb.Article]:
    """n articles on one event from n outlets, each about 30 sentences long.

    ``run`` makes every article id (and so every cache key) different from other runs'.
    """
    return [article(i, run) for i in range(n)]


def article(i: int, run: int = 0) -> pb.Article:
    """Article i of the synthetic story; ids differ between runs."""
    body = "\n\n".join(
        p.format(n=10 + i % 7, m=100 + i, i=i) for _ in range(3) for p in _PARAGRAPHS
    )
    url = f"https://outlet{i}.example/peru-quake-{i}?run={run}"
    a = pb.Article(
        article_id=article_id(url),
        url=url,
        canonical_url=url,
        outlet=f"Outlet {i}",
        language="en",
        title=f"Earthquake in southern Peru kills {10 + i % 7}",
        text=body,
    )
    a.published_at.FromSeconds(1_714_700_000 + 60 * i)
    return a


@dataclass(frozen=True)
class Timing:
    """Median wall-clock and CPU milliseconds of one kind of compose."""

    wall_ms: float
    cpu_ms: float


def _median_times(samples: list[tuple[float, float]]) -> Timing:
    return Timing(
        statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)
    )


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def run(compose: Callable[[list[pb.Article]], object], n: int, runs: int) -> tuple[Timing, Timing]:
    """(cold, warm) medians: cold composes n articles never seen; warm adds one new article."""
    cold, warm = [], []
    for r in range(runs):
        story = story_of(n, run=r)
        cold.append(_timed(lambda story=story: compose(story)))
        # The story grows by one article: n - 1 analysed articles plus one never seen.
        grown = story[1:] + [article(n, run=r)]
        warm.append(_timed(lambda grown=grown: compose(grown)))
    return _median_times(cold), _median_times(warm)
