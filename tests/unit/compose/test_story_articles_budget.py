"""A big story's stored articles stay under Kafka's record size: the oldest lose their body
text first, every article stays a member with its headline."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.composer import (
    STORY_ARTICLES_BUDGET,
    Composer,
    pack_articles,
    unpack_articles,
    within_budget,
)
from services.compose.config import DEFAULT_KB, ComposeSettings
from services.compose.entities import Linker
from services.compose.kb import load_kb

BODY = "Rescuers searched the collapsed buildings through the night for survivors. " * 80


def _article(i: int) -> pb.Article:
    return pb.Article(
        article_id=f"a{i:04d}",
        outlet=f"Outlet {i % 40}",
        title=f"Quake update number {i}",
        summary="Rescue teams widened the search on the fourth day.",
        text=BODY,
        published_at=Timestamp(seconds=1_700_000_000 + 60 * i),
        content_hash=f"h{i}",
    )


def test_a_small_story_is_stored_whole():
    articles = [_article(i) for i in range(5)]
    assert within_budget(articles) == articles


def test_the_oldest_articles_lose_their_body_first_and_nobody_is_dropped():
    articles = [_article(i) for i in range(300)]  # about 1.8 MB of text
    kept = within_budget(articles, budget=400_000)
    assert len(pack_articles(kept)) <= 400_000
    assert [a.article_id for a in kept] == [a.article_id for a in articles]
    assert all(a.title for a in kept)
    slimmed = [i for i, a in enumerate(kept) if not a.text]
    assert slimmed == list(range(len(slimmed)))  # the oldest ones, and only those
    assert kept[-1].text == BODY and kept[-1].summary


def test_a_composer_keeps_a_big_story_under_the_record_size():
    composer = Composer(ComposeSettings(), Linker(load_kb(DEFAULT_KB)), {}, {}, {})
    for i in range(250):
        kind = pb.StoryEvent.CREATED if i == 0 else pb.StoryEvent.ARTICLE_ADDED
        composer.on_event(pb.StoryEvent(story_id="s1", kind=kind, article=_article(i)), 0.0)
    stored = composer.articles["s1"]
    assert len(stored) <= STORY_ARTICLES_BUDGET < 1_000_000
    assert len(unpack_articles(stored)) == 250
