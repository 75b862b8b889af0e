"""Public events of a split: the story loses the moved members, a new story announces them."""

import json

from newsbrief.v1 import newsbrief_pb2 as pb
from services.cluster.events import story_event
from services.cluster.ledger import ARTICLE_ADDED, CLOSED, CREATED, SPLIT, StoryLedger

HOUR = 3600.0


def split(sid, new, moved):
    return {"type": "split", "story_id": sid, "new_story_id": new, "article_ids": moved}


def mixed_story(close_after=48 * HOUR) -> StoryLedger:
    """Story s1 holding a1..a4 (a2 and a4 report another event)."""
    ledger = StoryLedger({}, close_after=close_after)
    ledger.apply([{"type": "created", "story_id": "s1"}], "a1", 0.0)
    for n, at in ((2, 1.0), (3, 2.0), (4, 3.0)):
        ledger.apply([{"type": "added", "story_id": "s1"}], f"a{n}", at * HOUR)
    return ledger


def test_split_moves_members_to_a_new_story_that_names_where_it_came_from():
    ledger = mixed_story()
    added_then_split = [{"type": "added", "story_id": "s1"}, split("s1", "s2", ["a4", "a2"])]
    specs = ledger.apply(added_then_split, "a5", 4 * HOUR)
    assert [(s.kind, s.story_id) for s in specs] == [
        (ARTICLE_ADDED, "s1"),
        (SPLIT, "s1"),
        (CREATED, "s2"),
    ]
    _, gone, new = specs
    assert gone.moved == ["a2", "a4"] and gone.split_into == "s2"  # in joining order
    assert (gone.sequence, gone.count) == (6, 3)
    assert (new.sequence, new.count, new.split_from, new.article_id) == (1, 2, "s1", "")
    assert ledger.members("s1") == ["a1", "a3", "a5"]
    assert ledger.members("s2") == ["a2", "a4"]


def test_the_split_off_story_takes_its_later_articles_and_closes_on_its_own():
    ledger = mixed_story(close_after=10 * HOUR)
    ledger.apply([split("s1", "s2", ["a2", "a4"])], "a4", 3 * HOUR)
    [added] = ledger.apply([{"type": "added", "story_id": "s2"}], "a6", 5 * HOUR)
    assert (added.kind, added.story_id, added.sequence) == (ARTICLE_ADDED, "s2", 2)
    assert ledger.members("s2") == ["a2", "a4", "a6"]
    closed = ledger.advance(40 * HOUR)
    assert sorted((c.kind, c.story_id) for c in closed) == [(CLOSED, "s1"), (CLOSED, "s2")]


def test_a_closed_story_does_not_split_publicly():
    ledger = mixed_story(close_after=10 * HOUR)
    ledger.advance(30 * HOUR)
    assert ledger.apply([split("s1", "s2", ["a2", "a4"])], "a4", 30 * HOUR) == []
    assert ledger.members("s1") == ["a1", "a2", "a3", "a4"]
    # The engine's new story is opened publicly by its next article.
    [opened] = ledger.apply([{"type": "added", "story_id": "s2"}], "a7", 31 * HOUR)
    assert (opened.kind, opened.story_id) == (CREATED, "s2")


def test_split_events_carry_the_moved_articles_and_both_story_ids():
    ledger = mixed_story()
    specs = ledger.apply([split("s1", "s2", ["a2", "a4"])], "a4", 3 * HOUR)
    # The replay record stores specs as JSON: they come back the same.
    assert [type(s).from_dict(json.loads(json.dumps(s.to_dict()))) for s in specs] == specs
    gone, new = (story_event(s, ledger.members(s.story_id), None) for s in specs)
    assert gone.kind == pb.StoryEvent.SPLIT
    assert (list(gone.moved_article_ids), gone.split_story_id) == (["a2", "a4"], "s2")
    assert list(gone.article_ids) == ["a1", "a3"]
    assert (new.kind, new.split_from_story_id) == (pb.StoryEvent.CREATED, "s1")
    assert list(new.article_ids) == ["a2", "a4"]
