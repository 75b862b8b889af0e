"""Shard processing: idempotency, redelivery, crash recovery and per-shard determinism."""

import contextlib
import json

import pytest
from shard_support import final, run

from newsbrief.v1 import newsbrief_pb2 as pb
from services.cluster.config import ClusterSettings
from services.cluster.processor import ShardProcessor

SETTINGS = ClusterSettings(close_after_seconds=6 * 3600)
TEXTS = [
    ("en", "Earthquake strikes Chile coast near Valparaiso", "Buildings damaged in Valparaiso."),
    ("en", "Central bank raises interest rates", "The central bank fights inflation with rates."),
    ("de", "Hochwasser an der Oder", "An der Oder steigen die Pegel, Deiche werden verstärkt."),
    ("en", "Chile earthquake: tsunami warning for Valparaiso", "Tsunami warning after earthquake."),
    ("de", "Oder-Hochwasser: Deiche halten", "Die Deiche an der Oder halten dem Hochwasser stand."),
    ("en", "Interest rates: central bank signals more rises", "Inflation keeps central bank busy."),
    ("en", "Valparaiso earthquake aftershocks rattle Chile", "Aftershocks after the earthquake."),
]


def articles() -> list[pb.Article]:
    out = []
    for i, (lang, title, text) in enumerate(TEXTS):
        article = pb.Article(article_id=f"a{i}", title=title, text=text, language=lang)
        # The last article comes a day later: its story has closed, so it opens a follow-up.
        article.published_at.FromSeconds(1_780_000_000 + 600 * i + (86400 if i == 6 else 0))
        out.append(article)
    return out


def test_stories_events_and_follow_up():
    events = run(ShardProcessor({}, SETTINGS), articles())
    assert final(events) == {
        frozenset({"a0", "a3"}),
        frozenset({"a1", "a5"}),
        frozenset({"a2", "a4"}),
        frozenset({"a6"}),
    }
    follow = events[-1]
    assert follow.kind == pb.StoryEvent.CREATED and follow.article.article_id == "a6"
    closed = {e.story_id for e in events if e.kind == pb.StoryEvent.CLOSED}
    assert follow.follows_story_id in closed


def test_state_is_json_serialisable():
    table = {}
    run(ShardProcessor(table, SETTINGS), articles())
    assert json.loads(json.dumps(table)) == table


def test_redelivered_message_resends_same_events_and_later_copy_changes_nothing():
    table = {}
    processor = ShardProcessor(table, SETTINGS)
    items = articles()
    first = run(processor, items)
    snapshot = json.dumps(table, sort_keys=True)
    again = processor.process(items[3], 0, 3)  # same message delivered again
    assert again == [e for e in first if e.article.article_id == "a3"]
    assert processor.process(items[3], 0, 99) == []  # republished copy: nothing at all
    assert json.dumps(table, sort_keys=True) == snapshot


def test_duplicate_of_joins_the_original_story():
    processor = ShardProcessor({}, SETTINGS)
    items = articles()[:2]
    copy = pb.Article(article_id="wire", title="Unrelated words", language="en", duplicate_of="a0")
    events = run(processor, [*items, copy])
    assert frozenset({"a0", "wire"}) in final(events)


def test_shards_are_independent_of_interleaving():
    items = articles()
    together = final(run(ShardProcessor({}, SETTINGS), items))
    apart = set()
    for lang in ("en", "de"):
        apart |= final(run(ShardProcessor({}, SETTINGS), [a for a in items if a.language == lang]))
    assert together == apart


class Crash(Exception):
    pass


class CrashingTable(dict):
    """A table whose writes stop after `budget` more sets: what a changelog holds after kill -9."""

    budget: int | None = None

    def __setitem__(self, key, value):
        if self.budget is not None:
            if self.budget == 0:
                raise Crash()
            self.budget -= 1
        super().__setitem__(key, value)


def writes_of_one_article(index):
    """How many table writes processing article `index` makes."""
    table = CrashingTable()
    run(ShardProcessor(table, SETTINGS), articles()[:index])
    table.budget = 10_000
    ShardProcessor(table, SETTINGS).process(articles()[index], 0, index)
    return 10_000 - table.budget


@pytest.mark.parametrize("index", [3, 6])
def test_crash_at_any_write_then_restart_equals_uninterrupted_run(index):
    items = articles()
    expected = final(run(ShardProcessor({}, SETTINGS), items))
    for crash_after in range(writes_of_one_article(index) + 1):
        table = CrashingTable()
        before = run(ShardProcessor(table, SETTINGS), items[:index])
        table.budget = crash_after
        # Whatever the crashed run produced was never published (worst case): drop it.
        with contextlib.suppress(Crash):
            run(ShardProcessor(table, SETTINGS), items[index:], start=index)
        table.budget = None
        # Restart: fresh processor on the recovered state, redelivery from the crashed message.
        after = run(ShardProcessor(table, SETTINGS), items[index:], start=index)
        assert final(before + after) == expected, f"crash after {crash_after} writes"
