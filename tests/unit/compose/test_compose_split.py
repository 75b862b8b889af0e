"""Splits across compose workers: the moved articles leave one brief and make another.

Each worker holds only its own partitions' stories, as faust tables do; the messages the
service sends through its forward topic are delivered here by hand.
"""

from __future__ import annotations

from compose_corpus import fixture_stories

from newsbrief.codec import decode
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.composer import Composer, Outputs, unpack_articles
from services.compose.config import DEFAULT_KB, ComposeSettings
from services.compose.entities import Linker
from services.compose.kb import load_kb

LINKER = Linker(load_kb(DEFAULT_KB))
STORIES = fixture_stories()
OWNER = {"mixed": 0, "split-off": 1}


def _workers(inline: bool = False) -> list[Composer]:
    settings = ComposeSettings(debounce_seconds=0)
    return [Composer(settings, LINKER, {}, {}, {}, {}, {}, inline_merges=inline) for _ in range(2)]


def _deliver(workers: list[Composer], out: Outputs, now: float, acked: bool = True) -> None:
    """Route forwards to their owners, as the topic would; drops follow acknowledged sends."""
    for event in out.forwards:
        owner = OWNER[event.story_id]
        _deliver(workers, workers[owner].on_event(event, now), now)
    if acked:
        for sid, ids in out.moved:
            workers[OWNER[sid]].drop_moved(sid, ids)


def _added(story_id: str, article: pb.Article) -> pb.StoryEvent:
    return pb.StoryEvent(story_id=story_id, kind=pb.StoryEvent.ARTICLE_ADDED, article=article)


def _split(moved: list[pb.Article]) -> pb.StoryEvent:
    return pb.StoryEvent(
        story_id="mixed",
        kind=pb.StoryEvent.SPLIT,
        moved_article_ids=[a.article_id for a in moved],
        split_story_id="split-off",
    )


def _mixed_story(workers: list[Composer]) -> tuple[list[pb.Article], list[pb.Article]]:
    """Two Peru quake reports and two Taiwan quake reports in one story, on worker 0."""
    peru, taiwan = STORIES["quake-peru"][:2], STORIES["quake-taiwan"][:2]
    for n, article in enumerate([peru[0], taiwan[0], peru[1], taiwan[1]]):
        workers[0].on_event(_added("mixed", article), now=1000 + n)
    return peru, taiwan


def _ids(brief: pb.Brief) -> set[str]:
    return {a.article_id for a in brief.articles}


def test_a_split_moves_the_articles_to_the_new_story_on_another_worker() -> None:
    workers = _workers()
    peru, taiwan = _mixed_story(workers)
    _deliver(workers, workers[0].on_event(_split(taiwan), now=2000), now=2000)

    kept = decode(pb.Brief, workers[0].briefs["mixed"])
    new = decode(pb.Brief, workers[1].briefs["split-off"])
    assert _ids(kept) == {a.article_id for a in peru}
    assert _ids(new) == {a.article_id for a in taiwan}
    assert "Taiwan" not in kept.headline.text and "Taiwan" in new.headline.text
    stored = unpack_articles(workers[0].articles["mixed"])
    assert {a.article_id for a in stored} == {a.article_id for a in peru}  # nothing served twice


def test_unacknowledged_moves_are_sent_again_on_redelivery() -> None:
    workers = _workers()
    peru, taiwan = _mixed_story(workers)
    split = _split(taiwan)
    lost = workers[0].on_event(split, now=2000)  # the worker dies before the forwards land
    assert {e.article.article_id for e in lost.forwards} == {a.article_id for a in taiwan}
    kept = decode(pb.Brief, workers[0].briefs["mixed"])
    assert _ids(kept) == {a.article_id for a in peru}  # they left the brief at once

    again = workers[0].on_event(split, now=2100)
    assert {e.article.article_id for e in again.forwards} == {a.article_id for a in taiwan}
    _deliver(workers, again, now=2100)
    assert _ids(decode(pb.Brief, workers[1].briefs["split-off"])) == {a.article_id for a in taiwan}
    assert not workers[0].on_event(split, now=2200).forwards  # done: nothing left to send


def test_a_split_off_story_merged_back_returns_its_articles() -> None:
    workers = _workers(inline=True)  # one composer holding every story
    composer = workers[0]
    peru, taiwan = _mixed_story(workers)
    composer.on_event(_split(taiwan), now=2000)
    assert _ids(decode(pb.Brief, composer.briefs["split-off"])) == {a.article_id for a in taiwan}

    merge = pb.StoryEvent(
        story_id="mixed", kind=pb.StoryEvent.MERGED, absorbed_story_ids=["split-off"]
    )
    composer.on_event(merge, now=3000)
    kept = decode(pb.Brief, composer.briefs["mixed"])
    assert _ids(kept) == {a.article_id for a in peru + taiwan}
