"""Articles that reach a shard late join the story they were written in, through the whole
shard processor (engine + ledger), and a redelivery replays them identically."""

import json

from shard_support import run

from newsbrief.v1 import newsbrief_pb2 as pb
from services.cluster.config import ClusterSettings
from services.cluster.processor import ShardProcessor

SETTINGS = ClusterSettings(close_after_seconds=6 * 3600)
START = 1_780_000_000
QUAKE = ("Earthquake strikes Chile coast near Valparaiso", "Buildings damaged in Valparaiso.")
RATES = ("Central bank raises interest rates", "The central bank fights inflation with rates.")
TSUNAMI = ("Chile earthquake: tsunami warning for Valparaiso", "Tsunami warning after earthquake.")


def article(article_id: str, text: tuple[str, str], hours: float) -> pb.Article:
    message = pb.Article(article_id=article_id, title=text[0], text=text[1], language="en")
    message.published_at.FromSeconds(int(START + hours * 3600))
    return message


def arrivals() -> list[pb.Article]:
    """A quake story and a rates story; the rates article dated a day later arrives first and
    closes the quake story; then the quake story's second article, written an hour after the
    first, comes in."""
    return [article("q1", QUAKE, 0), article("r1", RATES, 24), article("q2", TSUNAMI, 1)]


def test_late_article_joins_the_closed_story_it_was_written_in():
    events = run(ShardProcessor({}, SETTINGS), arrivals())
    kinds = [(pb.StoryEvent.Kind.Name(e.kind), e.article.article_id) for e in events]
    assert kinds == [("CREATED", "q1"), ("CLOSED", ""), ("CREATED", "r1"), ("ARTICLE_ADDED", "q2")]
    quake = events[0].story_id
    late = events[-1]
    assert (late.story_id, list(late.article_ids), late.sequence) == (quake, ["q1", "q2"], 3)
    assert not any(e.follows_story_id for e in events)  # no follow-up for a late article


def test_redelivered_late_article_resends_the_same_events():
    table = {}
    processor = ShardProcessor(table, SETTINGS)
    items = arrivals()
    first = run(processor, items)
    snapshot = json.dumps(table, sort_keys=True)
    assert processor.process(items[2], 0, 2) == [first[-1]]  # same message delivered again
    assert processor.process(items[2], 0, 7) == []  # a republished copy changes nothing
    assert json.dumps(table, sort_keys=True) == snapshot
