"""Merges across compose workers: the absorbed story's articles move to the survivor's worker.

Each worker holds only its own partitions' stories, as faust tables do; the messages the
service sends through its handoff and forward topics are delivered here by hand.
"""

from __future__ import annotations

from compose_corpus import fixture_stories

from newsbrief.codec import decode
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.composer import Composer, Outputs
from services.compose.config import DEFAULT_KB, ComposeSettings
from services.compose.entities import Linker
from services.compose.kb import load_kb

LINKER = Linker(load_kb(DEFAULT_KB))
STORIES = fixture_stories()
OWNER = {"s1": 0, "s2": 1}


def _workers() -> list[Composer]:
    settings = ComposeSettings(debounce_seconds=0)
    return [Composer(settings, LINKER, {}, {}, {}, {}, {}, inline_merges=False) for _ in range(2)]


def _deliver(workers: list[Composer], worker: int, out: Outputs, now: float) -> list[pb.Brief]:
    """Route merge messages to their owners, as the topics would; return every brief built."""
    briefs = [brief for brief, _ in out.briefs]
    for old, survivor in out.handoffs:
        owner = OWNER[old]
        briefs += _deliver(workers, owner, workers[owner].on_handoff(old, survivor, now), now)
    for event in out.forwards:
        owner = OWNER[event.story_id]
        briefs += _deliver(workers, owner, workers[owner].on_event(event, now), now)
    for old in out.drops:  # the service drops them once the forwards are acknowledged
        workers[OWNER[old]].drop_forwarded(old)
    for earlier, follower in out.links:
        workers[OWNER[earlier]].on_link(earlier, follower)
    return briefs


def _added(story_id: str, article: pb.Article) -> pb.StoryEvent:
    return pb.StoryEvent(story_id=story_id, kind=pb.StoryEvent.ARTICLE_ADDED, article=article)


def test_merge_moves_the_absorbed_articles_from_the_other_worker() -> None:
    workers = _workers()
    a, b = STORIES["talks"]
    workers[0].on_event(_added("s1", a), now=1000)
    workers[1].on_event(_added("s2", b), now=1000)
    merge = pb.StoryEvent(story_id="s1", kind=pb.StoryEvent.MERGED, absorbed_story_ids=["s2"])
    briefs = _deliver(workers, 0, workers[0].on_event(merge, now=2000), now=2000)

    survivor = decode(pb.Brief, workers[0].briefs["s1"])
    assert {x.article_id for x in survivor.articles} == {a.article_id, b.article_id}
    assert list(survivor.merged_from) == ["s2"]
    tombstone = decode(pb.Brief, workers[1].briefs["s2"])
    assert tombstone.merged_into == "s1"
    assert "s2" not in workers[1].articles  # nothing left behind to serve twice
    assert any(brief.story_id == "s2" and brief.merged_into == "s1" for brief in briefs)
    # A redelivered merge sends nothing more.
    assert not workers[0].on_event(merge, now=3000)


def test_a_late_article_of_an_absorbed_story_reaches_the_survivor() -> None:
    workers = _workers()
    talks = STORIES["talks"]
    workers[0].on_event(_added("s1", talks[0]), now=1000)
    workers[1].on_event(_added("s2", talks[1]), now=1000)
    merge = pb.StoryEvent(story_id="s1", kind=pb.StoryEvent.MERGED, absorbed_story_ids=["s2"])
    _deliver(workers, 0, workers[0].on_event(merge, now=2000), now=2000)
    late = STORIES["quake-peru"][0]  # any article the cluster sent to s2 before the merge
    _deliver(workers, 1, workers[1].on_event(_added("s2", late), now=2100), now=2100)

    survivor = decode(pb.Brief, workers[0].briefs["s1"])
    assert late.article_id in {x.article_id for x in survivor.articles}
    assert "s2" not in workers[1].articles


def test_a_follow_up_is_recorded_by_the_earlier_storys_own_worker() -> None:
    workers = _workers()
    talks = STORIES["talks"]
    workers[0].on_event(_added("s1", talks[0]), now=1000)
    follow_up = _added("s2", talks[1])
    follow_up.follows_story_id = "s1"
    out = workers[1].on_event(follow_up, now=2000)
    assert out.links == [("s1", "s2")]
    assert "s1" not in workers[1].meta  # no write to a story this worker does not own
    _deliver(workers, 1, out, now=2000)
    assert workers[0].meta["s1"]["followups"] == ["s2"]
    # A redelivered event links nothing twice.
    assert not workers[1].on_event(follow_up, now=3000).links
    workers[0].on_link("s1", "s2")
    assert workers[0].meta["s1"]["followups"] == ["s2"]
