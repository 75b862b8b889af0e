"""Public story events from engine decisions: sequences, merges, closing and follow-ups."""

from services.cluster.ledger import (
    ARTICLE_ADDED,
    CLOSED,
    CREATED,
    MERGED,
    StoryLedger,
    follow_up_id,
    normalise_engine_event,
)

HOUR = 3600.0


def created(sid):
    return [{"type": "created", "story_id": sid}]


def added(sid):
    return [{"type": "added", "story_id": sid}]


def test_created_then_added_numbers_events_and_lists_members():
    ledger = StoryLedger({}, close_after=48 * HOUR)
    [first] = ledger.apply(created("s1"), "a1", 0.0)
    [second] = ledger.apply(added("s1"), "a2", 10.0)
    assert (first.kind, first.sequence, first.count, first.article_id) == (CREATED, 1, 1, "a1")
    assert (second.kind, second.sequence, second.count) == (ARTICLE_ADDED, 2, 2)
    assert ledger.members("s1") == ["a1", "a2"]


def test_merge_folds_the_absorbed_story_and_redirects_it():
    ledger = StoryLedger({}, close_after=48 * HOUR)
    ledger.apply(created("old"), "a1", 0.0)
    ledger.apply(created("young"), "a2", 1.0)
    events = ledger.apply(
        [
            {"type": "added", "story_id": "old"},
            {"type": "merged", "story_id": "old", "absorbed_story_id": "young"},
        ],
        "a3",
        2.0,
    )
    assert [e.kind for e in events] == [ARTICLE_ADDED, MERGED]
    merged = events[1]
    assert (merged.story_id, merged.absorbed, merged.sequence) == ("old", ["young"], 3)
    assert ledger.members("old") == ["a1", "a3", "a2"]
    assert ledger.public_id("young") == "old"
    [later] = ledger.apply(added("young"), "a4", 3.0)  # engine still naming the absorbed id
    assert later.story_id == "old"


def test_quiet_story_closes_by_event_time_and_later_article_opens_a_follow_up():
    ledger = StoryLedger({}, close_after=10 * HOUR)
    ledger.apply(created("s1"), "a1", 0.0)
    assert ledger.advance(5 * HOUR) == []
    [closed] = ledger.advance(12 * HOUR)
    assert (closed.kind, closed.story_id, closed.sequence, closed.at) == (
        CLOSED,
        "s1",
        2,
        10 * HOUR,
    )
    [follow] = ledger.apply(added("s1"), "a2", 12 * HOUR)
    assert follow.kind == CREATED and follow.follows == "s1"
    assert follow.story_id == follow_up_id("s1", "a2")
    [again] = ledger.apply(added("s1"), "a3", 13 * HOUR)  # engine story now maps to the follow-up
    assert (again.kind, again.story_id) == (ARTICLE_ADDED, follow.story_id)
    assert ledger.members("s1") == ["a1"]


def test_a_touched_story_is_not_closed_early():
    ledger = StoryLedger({}, close_after=10 * HOUR)
    ledger.apply(created("s1"), "a1", 0.0)
    ledger.advance(9 * HOUR)
    ledger.apply(added("s1"), "a2", 9 * HOUR)
    assert ledger.advance(15 * HOUR) == []  # due at 19h now
    [closed] = ledger.advance(21 * HOUR)
    assert closed.at == 19 * HOUR


def test_clock_never_goes_back_and_closed_story_closes_once():
    ledger = StoryLedger({}, close_after=HOUR)
    ledger.apply(created("s1"), "a1", 0.0)
    assert len(ledger.advance(3 * HOUR)) == 1
    assert ledger.advance(2 * HOUR) == []
    assert ledger.advance(30 * HOUR) == []


def test_merge_into_a_closed_story_keeps_the_open_one():
    ledger = StoryLedger({}, close_after=HOUR)
    ledger.apply(created("old"), "a1", 0.0)
    ledger.advance(3 * HOUR)  # closes "old"
    ledger.apply(created("young"), "a2", 3 * HOUR)
    merged = [{"type": "merged", "story_id": "old", "absorbed_story_id": "young"}]
    assert ledger.apply(merged, "a3", 3 * HOUR) == []
    [event] = ledger.apply(added("old"), "a3", 3 * HOUR)
    assert (event.kind, event.story_id) == (ARTICLE_ADDED, "young")


def test_engine_event_spellings_are_both_accepted():
    assert normalise_engine_event(
        {"kind": "MERGED", "story_id": "s", "absorbed_story_ids": ["t"]}
    ) == {"kind": "merged", "story_id": "s", "absorbed": ["t"]}
    assert normalise_engine_event({"type": "merged", "story_id": "s", "absorbed_story_id": "t"})[
        "absorbed"
    ] == ["t"]
