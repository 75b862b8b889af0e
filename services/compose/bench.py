"""A synthetic 50-article story for the compose benchmark, built from a fixed text."""

from __future__ import annotations

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


def story_of(n: int) -> list[pb.Article]:
    """n articles on one event from n outlets, each about 30 sentences long."""
    out = []
    for i in range(n):
        body = "\n\n".join(
            p.format(n=10 + i % 7, m=100 + i, i=i) for _ in range(3) for p in _PARAGRAPHS
        )
        url = f"https://outlet{i}.example/peru-quake-{i}"
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
        out.append(a)
    return out
