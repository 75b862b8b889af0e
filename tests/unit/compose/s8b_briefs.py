"""The sample corpus's briefs, composed once for the s8b editorial tests."""

from __future__ import annotations

from functools import lru_cache

from compose_corpus import example_stories

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.brief import BriefContext, compose_brief
from services.compose.config import DEFAULT_KB
from services.compose.entities import Linker
from services.compose.kb import load_kb


@lru_cache(maxsize=1)
def linker() -> Linker:
    return Linker(load_kb(DEFAULT_KB))


@lru_cache(maxsize=1)
def sample_briefs() -> dict[str, pb.Brief]:
    """Story key -> its brief, built from every article of the sample story."""
    stories = example_stories() or {}
    return {
        key: compose_brief(key, articles, BriefContext(now=1_800_000_000, cards=linker().cards))
        for key, articles in sorted(stories.items())
    }


def printed(brief: pb.Brief) -> list[str]:
    """Every text a reader reads in a brief's sections, headline and papers lines included."""
    return [
        brief.headline.text,
        *(s.text for s in brief.whats_happened),
        *(s.text for s in brief.behind_the_headline),
        *(line.text for line in brief.what_the_papers_say),
        *(s.text for s in brief.how_we_got_here),
    ]
