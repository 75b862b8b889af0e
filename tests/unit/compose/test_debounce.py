"""Compose's debounce: a quiet story's first article goes out at once, a busy story is rebuilt
at most once per interval, and due stories are rebuilt together."""

from __future__ import annotations

from compose_corpus import fixture_stories

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.app import pack_ids, story_partition, unchanged_card, unpack_ids
from services.compose.composer import Composer, keeper_view
from services.compose.config import DEFAULT_KB, ComposeSettings
from services.compose.entities import Linker
from services.compose.kb import load_kb

LINKER = Linker(load_kb(DEFAULT_KB))
STORIES = fixture_stories()


def _composer(debounce: float = 1.0) -> Composer:
    return Composer(ComposeSettings(debounce_seconds=debounce), LINKER, {}, {}, {}, {}, {})


def _added(story_id: str, article: pb.Article) -> pb.StoryEvent:
    return pb.StoryEvent(story_id=story_id, kind=pb.StoryEvent.ARTICLE_ADDED, article=article)


def test_a_quiet_story_goes_out_at_once_and_a_busy_one_once_per_interval() -> None:
    c = _composer(debounce=1.0)
    peru = STORIES["quake-peru"]
    assert c.on_event(_added("s1", peru[0]), now=1000.0).briefs  # quiet: at once
    assert not c.on_event(_added("s1", peru[1]), now=1000.3).briefs  # busy: waits
    assert not c.on_event(_added("s1", peru[2]), now=1000.6).briefs
    assert list(c.due_stories(1000.9, rescan=False)) == []
    assert list(c.due_stories(1001.0, rescan=False)) == ["s1"]
    [(brief, _)] = c.rebuild_due(["s1"], 1001.0).briefs
    assert [a.article_id for a in brief.articles] == [a.article_id for a in peru[:3]]
    # Rebuilt: nothing is due any more, and a second request for it does nothing.
    assert list(c.due_stories(1002.0)) == []
    assert not c.rebuild_due(["s1"], 1002.0)
    # Quiet again after the interval: the next article goes out at once.
    assert c.on_event(_added("s1", peru[3]), now=1002.5).briefs


def test_due_stories_of_many_are_rebuilt_in_one_batch() -> None:
    c = _composer(debounce=1.0)
    names = ["quake-peru", "talks"]
    for n, name in enumerate(names):
        sid = f"s{n}"
        c.on_event(_added(sid, STORIES[name][0]), now=1000.0)
        c.on_event(_added(sid, STORIES[name][1]), now=1000.2)
    due = sorted(c.due_stories(1001.0, rescan=False))
    assert due == ["s0", "s1"]
    out = c.rebuild_due(due + due, 1001.0)  # a repeated request rebuilds once
    assert sorted(b.story_id for b, _ in out.briefs) == ["s0", "s1"]
    assert all(b.version == 2 for b, _ in out.briefs)


def test_a_rescan_finds_pending_stories_the_index_never_saw() -> None:
    c = _composer(debounce=1.0)
    c.on_event(_added("s1", STORIES["solo"][0]), now=1000.0)
    fresh = _composer(debounce=1.0)  # a restarted worker: tables recovered, index empty
    fresh.articles, fresh.briefs = c.articles, c.briefs
    fresh.meta = {"s1": {**c.meta["s1"], "pending": True}}
    assert list(fresh.due_stories(1002.0, rescan=False)) == []
    assert list(fresh.due_stories(1002.0, rescan=True)) == ["s1"]


def test_rebuild_requests_pack_the_ids_of_one_partition() -> None:
    ids = ["st_a", "st_b", "st_c"]
    assert unpack_ids(pack_ids(ids)) == ids
    assert unpack_ids(b"st_a") == ["st_a"]  # a request in the older one-id format
    assert {story_partition(sid, 6) for sid in ids} <= set(range(6))
    assert story_partition("st_a", 6) == story_partition("st_a", 6)


def test_a_card_that_only_got_a_new_timestamp_is_not_sent_again() -> None:
    sent: dict[str, bytes] = {}
    card = pb.EntityCard(entity_id="e1", name="Peru", story_ids=["s1"])
    card.updated_at.FromSeconds(1000)
    assert not unchanged_card(card, sent)
    card.updated_at.FromSeconds(2000)
    assert unchanged_card(card, sent)
    card.story_ids.append("s2")
    assert not unchanged_card(card, sent)


def test_the_hub_keeper_gets_the_brief_without_its_history() -> None:
    c = _composer(debounce=0)
    peru = STORIES["quake-peru"]
    c.on_event(_added("s1", peru[0]), now=1000.0)
    [(brief, _)] = c.on_event(_added("s1", peru[1]), now=1001.0).briefs
    view = keeper_view(brief)
    assert len(brief.changes) == 2 and not view.changes
    assert view.articles == brief.articles and view.topics == brief.topics


def test_a_redelivered_event_sends_the_stored_brief_again() -> None:
    # A worker killed after its table writes reached the changelog but before the brief was
    # sent: the next owner recovers the tables and gets the event again.
    dead = _composer(debounce=1.0)
    peru = STORIES["quake-peru"]
    [(lost, _)] = dead.on_event(_added("s1", peru[0]), now=1000.0).briefs
    survivor = Composer(
        ComposeSettings(debounce_seconds=1.0), LINKER, dead.articles, dead.briefs, dead.meta, {}, {}
    )
    out = survivor.on_event(_added("s1", peru[0]), now=1005.0)
    assert [(b.story_id, b.version) for b, _ in out.briefs] == [("s1", lost.version)]


def test_a_repeated_event_of_a_pending_story_waits_for_its_rebuild() -> None:
    c = _composer(debounce=1.0)
    peru = STORIES["quake-peru"]
    c.on_event(_added("s1", peru[0]), now=1000.0)
    c.on_event(_added("s1", peru[1]), now=1000.3)  # pending
    assert not c.on_event(_added("s1", peru[1]), now=1000.4)
