"""A split through the whole shard processor (shipped engine and model, ledger, events)."""

import json
from pathlib import Path

from shard_support import final, run

from newsbrief.v1 import newsbrief_pb2 as pb
from services.cluster.config import ClusterSettings
from services.cluster.processor import ShardProcessor

# Two jewellery heists in one city, days apart, told with the same words (written by us), their
# reports in turn: r1, d1, r2, d2... The first report of the second heist joins the first's young
# story; once both have two reports the story splits.
HEISTS = Path(__file__).resolve().parents[2] / "fixtures" / "cluster" / "heists.json"
SETTINGS = ClusterSettings(close_after_seconds=48 * 3600)
START = 1_780_000_000


def articles() -> list[pb.Article]:
    out = []
    for n, report in enumerate(json.loads(HEISTS.read_text())):
        message = pb.Article(
            article_id=report["id"], title=report["title"], text=report["text"], language="en"
        )
        message.published_at.FromSeconds(START + 600 * n)
        out.append(message)
    return out


def test_the_two_heists_end_in_two_stories_after_a_split():
    events = run(ShardProcessor({}, SETTINGS), articles())
    kinds = [pb.StoryEvent.Kind.Name(e.kind) for e in events]
    assert kinds.count("SPLIT") == 1
    split = events[kinds.index("SPLIT")]
    opened = events[kinds.index("SPLIT") + 1]
    assert (pb.StoryEvent.Kind.Name(opened.kind), opened.story_id) == (
        "CREATED",
        split.split_story_id,
    )
    assert opened.split_from_story_id == split.story_id
    assert set(split.moved_article_ids) == set(opened.article_ids) == {"d1", "d2"}
    assert sorted(map(sorted, final(events))) == [
        ["d1", "d2", "d3", "d4"],
        ["r1", "r2", "r3", "r4"],
    ]


def test_a_redelivered_split_resends_the_same_events_and_changes_nothing():
    table = {}
    processor = ShardProcessor(table, SETTINGS)
    items = articles()
    events = run(processor, items[:4])  # the fourth article causes the split
    snapshot = json.dumps(table, sort_keys=True)
    resent = processor.process(items[3], 0, 3)  # the same message delivered again
    assert [pb.StoryEvent.Kind.Name(e.kind) for e in resent] == [
        "ARTICLE_ADDED",
        "SPLIT",
        "CREATED",
    ]
    assert resent == events[-3:]
    assert json.dumps(table, sort_keys=True) == snapshot


def test_a_wire_copy_of_a_moved_report_moves_with_it():
    items = articles()
    copy = pb.Article()
    copy.CopyFrom(items[1])  # d1, the first report of the second heist
    copy.article_id, copy.duplicate_of = "d1-wire", "d1"
    events = run(ShardProcessor({}, SETTINGS), [*items[:2], copy, *items[2:]])
    split = next(e for e in events if e.kind == pb.StoryEvent.SPLIT)
    assert set(split.moved_article_ids) == {"d1", "d1-wire", "d2"}
    assert sorted(map(sorted, final(events))) == [
        ["d1", "d1-wire", "d2", "d3", "d4"],
        ["r1", "r2", "r3", "r4"],
    ]
