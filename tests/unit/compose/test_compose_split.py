"""Splits across compose workers: the moved articles leave one brief and make another.

Each worker holds only its own partitions' stories, as faust tables do; the messages the
service sends through its forward topic are delivered here by hand.
"""

from __future__ import annotations

from compose_corpus import fixture_stories

from newsbrief.codec import decode
from newsbrief.documents import brief_document, versions_document
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


def _deliver(
    workers: list[Composer], out: Outputs, now: float, acked: bool = True
) -> list[pb.Brief]:
    """Route forwards to their owners, as the topic would; drops follow acknowledged sends.
    Returns every brief built on the way."""
    briefs = [brief for brief, _ in out.briefs]
    for event in out.forwards:
        owner = OWNER[event.story_id]
        briefs += _deliver(workers, workers[owner].on_event(event, now), now)
    if acked:
        for sid, ids in out.moved:
            workers[OWNER[sid]].drop_moved(sid, ids)
    return briefs


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


# -- what a client sees: the two sides of a split name each other -----------------------------


def _created(moved: list[pb.Article]) -> pb.StoryEvent:
    """The cluster's announcement of the split-off story (no article: compose moves them)."""
    return pb.StoryEvent(
        story_id="split-off",
        kind=pb.StoryEvent.CREATED,
        article_ids=[a.article_id for a in moved],
        split_from_story_id="mixed",
    )


def _brief(workers: list[Composer], sid: str) -> pb.Brief:
    return decode(pb.Brief, workers[OWNER[sid]].briefs[sid])


def _split_across_workers() -> tuple[list[Composer], list[pb.Article], list[pb.Article]]:
    workers = _workers()
    peru, taiwan = _mixed_story(workers)
    _deliver(workers, workers[0].on_event(_split(taiwan), now=2000), now=2000)
    _deliver(workers, workers[1].on_event(_created(taiwan), now=2001), now=2001)
    return workers, peru, taiwan


def test_each_side_of_a_split_names_the_other_in_the_served_documents() -> None:
    workers = _workers()
    peru, taiwan = _mixed_story(workers)
    before = _brief(workers, "mixed")
    _deliver(workers, workers[0].on_event(_split(taiwan), now=2000), now=2000)

    kept, new = _brief(workers, "mixed"), _brief(workers, "split-off")
    story, split_off = brief_document(kept), brief_document(new)
    assert story["split_into"] == ["split-off"] and story["split_from"] is None
    assert split_off["split_from"] == "mixed" and split_off["split_into"] == []
    # The story's new version says what left it, and that its split_into changed.
    assert kept.version == before.version + 1
    change = versions_document(kept)[-1]
    assert change["version"] == kept.version
    assert set(change["removed_article_ids"]) == {a.article_id for a in taiwan}
    assert change["added_article_ids"] == []
    assert {"articles", "split_into"} <= set(change["sections"])
    # The new story's very first version already names its origin: the forwards carry it.
    assert new.changes[0].version == 1 and "split_from" in new.changes[0].sections


def test_the_cluster_announcement_alone_tells_the_new_story_its_origin() -> None:
    """Forwards without the origin (sent by an older compose worker) build the new story
    first; the cluster's CREATED event, arriving later, adds split_from in a new version."""
    workers = _workers()
    peru, taiwan = _mixed_story(workers)
    out = workers[0].on_event(_split(taiwan), now=2000)
    for event in out.forwards:
        event.ClearField("split_from_story_id")
    _deliver(workers, out, now=2000)
    before = _brief(workers, "split-off")
    assert before.split_from == ""

    built = _deliver(workers, workers[1].on_event(_created(taiwan), now=2001), now=2001)
    new = _brief(workers, "split-off")
    assert [b.version for b in built] == [before.version + 1] and new.split_from == "mixed"
    assert list(new.changes[-1].sections) == ["split_from"]
    assert list(new.changes[-1].removed_article_ids) == []


def test_the_announcement_before_any_article_changes_nothing_visible() -> None:
    workers = _workers()
    peru, taiwan = _mixed_story(workers)
    assert not _deliver(workers, workers[1].on_event(_created(taiwan), now=1999), now=1999)
    _deliver(workers, workers[0].on_event(_split(taiwan), now=2000), now=2000)
    new = _brief(workers, "split-off")
    assert new.split_from == "mixed" and "split_from" in new.changes[0].sections
    assert _ids(new) == {a.article_id for a in taiwan}


def test_replayed_split_messages_change_no_brief() -> None:
    workers, peru, taiwan = _split_across_workers()
    versions = {sid: _brief(workers, sid).version for sid in OWNER}
    hashes = {sid: _brief(workers, sid).content_hash for sid in OWNER}

    replays = [
        (0, _split(taiwan)),
        (1, _created(taiwan)),
        *[(1, _added("split-off", a)) for a in taiwan],
        *[(0, _added("mixed", a)) for a in peru],
    ]
    for worker, event in replays:
        assert not _deliver(workers, workers[worker].on_event(event, now=3000), now=3000)
    assert {sid: _brief(workers, sid).version for sid in OWNER} == versions
    assert {sid: _brief(workers, sid).content_hash for sid in OWNER} == hashes


def test_a_split_recorded_by_a_killed_worker_reaches_the_brief_on_redelivery() -> None:
    """The split's meta landed in the changelog, the rebuilt brief did not: the successor
    (same tables, fresh memory) sees the stored brief is stale and builds it."""
    workers = _workers()
    peru, taiwan = _mixed_story(workers)
    old = workers[0].briefs["mixed"]
    workers[0].on_event(_split(taiwan), now=2000)  # killed before its writes after the meta
    workers[0].briefs["mixed"] = old
    successor = Composer(
        ComposeSettings(debounce_seconds=0),
        LINKER,
        workers[0].articles,
        workers[0].briefs,
        workers[0].meta,
        {},
        {},
        inline_merges=False,
    )
    workers[0] = successor
    out = successor.on_event(_split(taiwan), now=2100)
    kept = _brief(workers, "mixed")
    assert [b.story_id for b, _ in out.briefs] == ["mixed"]
    assert list(kept.split_into) == ["split-off"]
    assert _ids(kept) == {a.article_id for a in peru}
    assert set(kept.changes[-1].removed_article_ids) == {a.article_id for a in taiwan}


def _merge_back(composer: Composer, survivor: str, absorbed: str, now: float) -> Outputs:
    merge = pb.StoryEvent(
        story_id=survivor, kind=pb.StoryEvent.MERGED, absorbed_story_ids=[absorbed]
    )
    return composer.on_event(merge, now=now)


def test_after_a_merge_back_the_story_names_it_in_merged_from_not_split_into() -> None:
    workers = _workers(inline=True)
    composer = workers[0]
    peru, taiwan = _mixed_story(workers)
    composer.on_event(_split(taiwan), now=2000)
    composer.on_event(_created(taiwan), now=2001)
    split_version = decode(pb.Brief, composer.briefs["mixed"]).version

    _merge_back(composer, "mixed", "split-off", now=3000)
    story = brief_document(decode(pb.Brief, composer.briefs["mixed"]))
    assert story["merged_from"] == ["split-off"] and story["split_into"] == []
    assert story["split_from"] is None
    assert {a["article_id"] for a in story["articles"]} == {a.article_id for a in peru + taiwan}
    assert story["version"] > split_version
    tombstone = decode(pb.Brief, composer.briefs["split-off"])
    assert tombstone.merged_into == "mixed"  # the API redirects the split-off id here

    # Replays of the split and its announcement after the merge back move nothing again.
    for event in (_split(taiwan), _created(taiwan)):
        out = composer.on_event(event, now=3100)
        assert not out.forwards and not out.briefs
    again = decode(pb.Brief, composer.briefs["mixed"])
    assert again.version == story["version"] and list(again.split_into) == []
    assert _ids(again) == {a.article_id for a in peru + taiwan}


def test_a_split_off_story_that_absorbs_its_origin_no_longer_names_it() -> None:
    workers = _workers(inline=True)
    composer = workers[0]
    peru, taiwan = _mixed_story(workers)
    composer.on_event(_split(taiwan), now=2000)

    _merge_back(composer, "split-off", "mixed", now=3000)
    survivor = brief_document(decode(pb.Brief, composer.briefs["split-off"]))
    assert survivor["split_from"] is None and survivor["merged_from"] == ["mixed"]
    assert {a["article_id"] for a in survivor["articles"]} == {a.article_id for a in peru + taiwan}
    assert decode(pb.Brief, composer.briefs["mixed"]).merged_into == "split-off"
    # A late announcement naming the absorbed origin does not bring the link back.
    assert not composer.on_event(_created(taiwan), now=3100).briefs
    assert decode(pb.Brief, composer.briefs["split-off"]).split_from == ""
