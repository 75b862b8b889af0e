"""A compose worker killed between its table writes: the next owner finishes the job.

Every table assignment is its own changelog record, and a kill -9 can land after some of an
event's records reached the changelog and before the others (or the messages the event sends)
did. Each test builds the tables as such a kill leaves them, starts a fresh composer on them
(a new worker: recovered tables, empty memory) and replays the event, as Kafka redelivers it.
"""

from __future__ import annotations

from compose_corpus import fixture_stories

from newsbrief.codec import decode
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.composer import Composer, Outputs, pack_articles
from services.compose.config import DEFAULT_KB, ComposeSettings
from services.compose.entities import Linker
from services.compose.kb import load_kb

LINKER = Linker(load_kb(DEFAULT_KB))
STORIES = fixture_stories()
OWNER = {"s1": 0, "s2": 1}


def _composer(articles: dict, briefs: dict, meta: dict, debounce: float = 1.0) -> Composer:
    settings = ComposeSettings(debounce_seconds=debounce)
    return Composer(settings, LINKER, articles, briefs, meta, inline_merges=False)


def _restarted(dead: Composer) -> Composer:
    """A new worker on the tables a dead one left behind."""
    return _composer(dead.articles, dead.briefs, dead.meta, dead.settings.debounce_seconds)


def _added(story_id: str, article: pb.Article) -> pb.StoryEvent:
    return pb.StoryEvent(story_id=story_id, kind=pb.StoryEvent.ARTICLE_ADDED, article=article)


def _ids(brief: pb.Brief) -> set[str]:
    return {a.article_id for a in brief.articles}


def _stored(c: Composer, sid: str) -> pb.Brief:
    return decode(pb.Brief, c.briefs[sid])


# -- 1. the article landed, the pending flag or the brief did not --------------------------------
def test_an_article_whose_brief_was_lost_is_built_in_on_redelivery() -> None:
    peru = STORIES["quake-peru"]
    c = _composer({}, {}, {})
    [(v1, _)] = c.on_event(_added("s1", peru[0]), now=1000.0).briefs
    # Killed handling peru[1]: its articles record landed, the rebuild's meta and brief did not.
    c.articles["s1"] = pack_articles(peru[:2])
    fresh = _restarted(c)
    [(brief, previous)] = fresh.on_event(_added("s1", peru[1]), now=1005.0).briefs
    assert _ids(brief) == {peru[0].article_id, peru[1].article_id}
    assert previous.version == v1.version and brief.version == v1.version + 1


def test_a_first_article_whose_brief_was_lost_is_built_on_redelivery() -> None:
    article = STORIES["solo"][0]
    fresh = _composer({"s1": pack_articles([article])}, {}, {})
    [(brief, previous)] = fresh.on_event(_added("s1", article), now=1000.0).briefs
    assert previous is None and brief.version == 1 and _ids(brief) == {article.article_id}


def test_a_lost_brief_within_the_interval_waits_for_the_next_rebuild() -> None:
    peru = STORIES["quake-peru"]
    c = _composer({}, {}, {})
    c.on_event(_added("s1", peru[0]), now=1000.0)
    before = dict(c.briefs)
    c.on_event(_added("s1", peru[1]), now=1002.0)  # quiet again: rebuilt at once
    c.briefs.clear()
    c.briefs.update(before)  # ...but the rebuilt brief never reached the changelog
    fresh = _restarted(c)
    assert not fresh.on_event(_added("s1", peru[1]), now=1002.5).briefs  # built 0.5 s ago
    assert list(fresh.due_stories(1003.0, rescan=False)) == ["s1"]
    [(brief, _)] = fresh.rebuild_due(["s1"], 1003.0).briefs
    assert _ids(brief) == {peru[0].article_id, peru[1].article_id} and brief.version == 2


def test_a_redelivered_event_after_a_complete_write_changes_no_version() -> None:
    peru = STORIES["quake-peru"]
    c = _composer({}, {}, {})
    c.on_event(_added("s1", peru[0]), now=1000.0)
    [(v2, _)] = c.on_event(_added("s1", peru[1]), now=1005.0).briefs
    fresh = _restarted(c)
    out = fresh.on_event(_added("s1", peru[1]), now=1010.0)
    assert [(b.version, b.content_hash) for b, _ in out.briefs] == [(v2.version, v2.content_hash)]
    assert not fresh.on_event(_added("s1", peru[1]), now=1011.0)  # now a plain duplicate
    assert _stored(fresh, "s1").version == v2.version


# -- 2-4. merges and follow-ups across two workers -----------------------------------------------
def _workers() -> list[Composer]:
    return [_composer({}, {}, {}, debounce=0) for _ in range(2)]


def _deliver(workers: list[Composer], out: Outputs, now: float) -> None:
    """Route merge messages to their owners as the topics would, to the last message."""
    for old, survivor in out.handoffs:
        owner = workers[OWNER[old]]
        _deliver(workers, owner.on_handoff(old, survivor, now), now)
    for event in out.forwards:
        _deliver(workers, workers[OWNER[event.story_id]].on_event(event, now), now)
    for old in out.drops:  # the service drops them once the forwards are acknowledged
        workers[OWNER[old]].drop_forwarded(old)
    for earlier, follower in out.links:
        workers[OWNER[earlier]].on_link(earlier, follower)


def _two_stories() -> tuple[list[Composer], pb.Article, pb.Article]:
    workers = _workers()
    a, b = STORIES["talks"]
    workers[0].on_event(_added("s1", a), now=1000)
    workers[1].on_event(_added("s2", b), now=1000)
    return workers, a, b


MERGE = pb.StoryEvent(story_id="s1", kind=pb.StoryEvent.MERGED, absorbed_story_ids=["s2"])


def test_a_redelivered_merge_sends_the_handoff_a_killed_worker_never_sent() -> None:
    workers, a, b = _two_stories()
    workers[0].on_event(MERGE, now=2000)  # merge recorded; killed before the handoff went out
    workers[0] = _restarted(workers[0])
    out = workers[0].on_event(MERGE, now=2100)
    assert out.handoffs == [("s2", "s1")]
    _deliver(workers, out, now=2100)
    assert _ids(_stored(workers[0], "s1")) == {a.article_id, b.article_id}
    assert _stored(workers[1], "s2").merged_into == "s1"
    assert not workers[0].on_event(MERGE, now=2200)  # now a plain duplicate


def test_a_merge_whose_survivor_brief_was_lost_is_rebuilt_on_redelivery() -> None:
    workers, a, b = _two_stories()
    before = dict(workers[0].briefs)
    _deliver(workers, workers[0].on_event(MERGE, now=2000), now=2000)
    workers[0].briefs.clear()
    workers[0].briefs.update(before)  # the survivor's merged brief never reached the changelog
    workers[0] = _restarted(workers[0])
    out = workers[0].on_event(MERGE, now=2100)
    _deliver(workers, out, now=2100)
    [(brief, _)] = [(b, p) for b, p in out.briefs if b.story_id == "s1"]
    assert list(brief.merged_from) == ["s2"] and _ids(brief) == {a.article_id, b.article_id}


def test_a_redelivered_follow_up_sends_the_link_a_killed_worker_never_sent() -> None:
    workers = _workers()
    talks = STORIES["talks"]
    workers[0].on_event(_added("s1", talks[0]), now=1000)
    follow_up = _added("s2", talks[1])
    follow_up.follows_story_id = "s1"
    workers[1].on_event(follow_up, now=2000)  # link recorded; killed before it went out
    workers[1] = _restarted(workers[1])
    out = workers[1].on_event(follow_up, now=2100)
    assert out.links == [("s1", "s2")]
    _deliver(workers, out, now=2100)
    assert workers[0].meta["s1"]["followups"] == ["s2"]
    assert not workers[1].on_event(follow_up, now=2200)  # now a plain duplicate


def test_a_redelivered_handoff_still_forwards_the_absorbed_articles() -> None:
    workers, a, b = _two_stories()
    workers[1].on_handoff("s2", "s1", now=2000)  # tables written; killed before the forwards
    workers[1] = _restarted(workers[1])
    out = workers[1].on_handoff("s2", "s1", now=2100)
    assert [e.article.article_id for e in out.forwards] == [b.article_id]
    _deliver(workers, out, now=2100)
    assert _ids(_stored(workers[0], "s1")) == {a.article_id, b.article_id}
    tombstone = _stored(workers[1], "s2")
    assert tombstone.merged_into == "s1" and tombstone.version == 2  # not bumped by the replay
    assert "s2" not in workers[1].articles  # dropped once forwarded
    assert not workers[1].on_handoff("s2", "s1", now=2200)  # now a plain duplicate


# -- the same for the hub keeper's answer and for events that record nothing ---------------------
def test_redelivered_hub_refs_whose_brief_was_lost_rebuild_the_brief() -> None:
    article = STORIES["solo"][0]
    c = _composer({}, {}, {})  # no hub tables: the keeper runs apart and answers with refs
    c.on_event(_added("s1", article), now=1000.0)
    before = dict(c.briefs)
    refs = [pb.HubRef(hub_id="h1", question="What next?", summary="Two stories.")]
    [(built, _)] = c.on_hub_refs("s1", refs, now=1005.0).briefs
    c.briefs.clear()
    c.briefs.update(before)  # the hubs landed in the story's meta, the rebuilt brief did not
    fresh = _restarted(c)
    [(brief, _)] = fresh.on_hub_refs("s1", refs, now=1010.0).briefs
    assert list(brief.go_deeper) == refs and brief.version == built.version
    assert not fresh.on_hub_refs("s1", refs, now=1020.0)  # now a plain duplicate


def test_an_event_that_records_nothing_resends_nothing_after_a_restart() -> None:
    c = _composer({}, {}, {})
    c.on_event(_added("s1", STORIES["solo"][0]), now=1000.0)
    closed = pb.StoryEvent(story_id="s1", kind=pb.StoryEvent.CLOSED)
    assert not _restarted(c).on_event(closed, now=1005.0)


def _debounced_rebuild() -> tuple[Composer, dict, pb.Brief]:
    """A busy story rebuilt by the debounce timer; returns the briefs table from before."""
    peru = STORIES["quake-peru"]
    c = _composer({}, {}, {})
    c.on_event(_added("s1", peru[0]), now=1000.0)
    c.on_event(_added("s1", peru[1]), now=1000.3)  # pending
    before = dict(c.briefs)
    [(built, _)] = c.rebuild_due(["s1"], 1001.0).briefs
    return c, before, built


def test_a_redelivered_rebuild_request_whose_brief_was_lost_rebuilds() -> None:
    c, before, built = _debounced_rebuild()
    c.briefs.clear()
    c.briefs.update(before)  # the rebuild's meta (no longer pending) landed, its brief did not
    fresh = _restarted(c)
    [(brief, _)] = fresh.rebuild_due(["s1"], 1001.5).briefs
    assert (brief.version, brief.content_hash) == (built.version, built.content_hash)


def test_a_redelivered_rebuild_request_resends_a_brief_never_sent() -> None:
    c, _, built = _debounced_rebuild()  # every table write landed; the brief never went out
    fresh = _restarted(c)
    [(brief, _)] = fresh.rebuild_due(["s1"], 1001.5).briefs
    assert (brief.version, brief.content_hash) == (built.version, built.content_hash)
    assert not fresh.rebuild_due(["s1"], 1002.0)  # now a plain duplicate
