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


def closed_after_a_day(close_after=10 * HOUR):
    """A ledger whose story s1 (a1 at 0 h) closed when the clock jumped to 30 h (due at 10 h)."""
    ledger = StoryLedger({}, close_after=close_after)
    ledger.apply(created("s1"), "a1", 0.0)
    [closed] = ledger.advance(30 * HOUR)
    assert (closed.kind, closed.at) == (CLOSED, 10 * HOUR)
    return ledger


def test_late_article_written_while_the_story_was_open_joins_the_closed_story():
    ledger = closed_after_a_day()
    [late] = ledger.apply(added("s1"), "a2", 8 * HOUR)  # arrived after the clock jumped
    assert (late.kind, late.story_id, late.sequence, late.count) == (ARTICLE_ADDED, "s1", 3, 2)
    assert ledger.members("s1") == ["a1", "a2"]
    [edge] = ledger.apply(added("s1"), "a3", 10 * HOUR)  # dated exactly when it became due
    assert (edge.kind, edge.story_id) == (ARTICLE_ADDED, "s1")


def test_late_article_does_not_reopen_or_close_the_story_again():
    ledger = closed_after_a_day()
    ledger.apply(added("s1"), "a2", 9 * HOUR)  # its `last` moves to 9 h: due again at 19 h
    assert ledger.advance(100 * HOUR) == []  # closed once, stays closed, no second CLOSED
    [follow] = ledger.apply(added("s1"), "a3", 100 * HOUR)
    assert (follow.kind, follow.follows) == (CREATED, "s1")


def test_article_dated_after_the_story_went_quiet_still_opens_a_follow_up():
    ledger = closed_after_a_day()
    [follow] = ledger.apply(added("s1"), "a2", 10 * HOUR + 1)
    assert (follow.kind, follow.story_id, follow.follows) == (
        CREATED,
        follow_up_id("s1", "a2"),
        "s1",
    )
    assert ledger.members("s1") == ["a1"]


def test_late_article_after_a_follow_up_opened_joins_the_story_of_its_time():
    ledger = closed_after_a_day()
    [follow] = ledger.apply(added("s1"), "a2", 30 * HOUR)  # engine story now maps to it
    [late] = ledger.apply(added("s1"), "a3", 4 * HOUR)
    assert (late.kind, late.story_id) == (ARTICLE_ADDED, "s1")
    [current] = ledger.apply(added("s1"), "a4", 31 * HOUR)
    assert (current.kind, current.story_id) == (ARTICLE_ADDED, follow.story_id)
    assert ledger.members("s1") == ["a1", "a3"]
    assert ledger.members(follow.story_id) == ["a2", "a4"]


def test_late_story_merged_into_a_closed_story_it_predates_is_folded_in():
    ledger = closed_after_a_day()
    ledger.apply(created("young"), "a2", 5 * HOUR)  # late, and the engine opened a story for it
    events = ledger.apply(
        [
            {"type": "added", "story_id": "young"},
            {"type": "merged", "story_id": "s1", "absorbed_story_id": "young"},
        ],
        "a3",
        6 * HOUR,
    )
    assert [(e.kind, e.story_id) for e in events] == [(ARTICLE_ADDED, "young"), (MERGED, "s1")]
    assert (events[1].absorbed, events[1].count) == (["young"], 3)
    assert ledger.members("s1") == ["a1", "a2", "a3"]
    assert ledger.public_id("young") == "s1"
    assert ledger.advance(200 * HOUR) == []  # s1 stays closed, "young" is gone: nothing closes


def test_late_articles_give_the_same_events_and_state_on_a_replay():
    def play():
        state = {}
        ledger = StoryLedger(state, close_after=10 * HOUR)
        steps = [
            (0.0, created("s1"), "a1"),
            (30 * HOUR, created("s2"), "a2"),
            (8 * HOUR, added("s1"), "a3"),
            (31 * HOUR, added("s1"), "a4"),
            (2 * HOUR, added("s1"), "a5"),
        ]
        specs = []
        for at, events, article_id in steps:
            specs += ledger.advance(at) + ledger.apply(events, article_id, at)
        return specs, state

    first, again = play(), play()
    assert first == again
    kinds = [(s.kind, s.story_id, s.article_id) for s in first[0]]
    assert (ARTICLE_ADDED, "s1", "a3") in kinds and (ARTICLE_ADDED, "s1", "a5") in kinds
    assert sum(kind == CREATED for kind, _, _ in kinds) == 3  # s1, s2 and one follow-up (a4)
