"""The compose state machine on dict tables: idempotence, debounce, merges, versions, hubs."""

from __future__ import annotations

from compose_corpus import fixture_stories

from newsbrief.codec import decode
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.composer import Composer
from services.compose.config import DEFAULT_KB, ComposeSettings
from services.compose.entities import Linker
from services.compose.kb import load_kb

LINKER = Linker(load_kb(DEFAULT_KB))
STORIES = fixture_stories()


def _composer(debounce: float = 10.0, window_days: float = 30.0) -> Composer:
    settings = ComposeSettings(debounce_seconds=debounce, hub_window_days=window_days)
    return Composer(settings, LINKER, {}, {}, {}, {}, {})


def _event(story_id: str, article: pb.Article, kind=pb.StoryEvent.ARTICLE_ADDED) -> pb.StoryEvent:
    return pb.StoryEvent(story_id=story_id, kind=kind, article=article)


def test_first_article_builds_a_brief_at_once():
    c = _composer()
    out = c.on_event(_event("s1", STORIES["talks"][0], pb.StoryEvent.CREATED), now=1000)
    [(brief, previous)] = out.briefs
    assert previous is None and brief.version == 1 and brief.headline.text
    assert out.cards and all(card.story_ids == ["s1"] for card in out.cards)


def test_redelivered_article_changes_nothing():
    c = _composer(debounce=0)
    article = STORIES["talks"][0]
    c.on_event(_event("s1", article), now=1000)
    again = c.on_event(_event("s1", article), now=2000)
    assert not again and decode(pb.Brief, c.briefs["s1"]).version == 1


def test_burst_is_debounced_into_one_rebuild():
    c = _composer(debounce=10)
    peru = STORIES["quake-peru"]
    c.on_event(_event("s1", peru[0]), now=1000)  # builds version 1
    assert not c.on_event(_event("s1", peru[1]), now=1001)  # within the interval: deferred
    assert not c.on_event(_event("s1", peru[3]), now=1002)
    assert list(c.due_stories(1005)) == []
    assert list(c.due_stories(1011)) == ["s1"]
    [(brief, previous)] = c.rebuild("s1", 1011).briefs
    assert brief.version == 2 and len(brief.articles) == 3
    assert brief.changes[-1].added_article_ids == [peru[1].article_id, peru[3].article_id]
    assert list(c.due_stories(2000)) == []


def test_version_moves_only_when_content_changes():
    c = _composer(debounce=0)
    c.on_event(_event("s1", STORIES["solo"][0]), now=1000)
    c.meta["s1"] = {**c.meta["s1"], "pending": True}
    assert not c.rebuild("s1", 2000).briefs  # same articles, same content: no new version
    assert decode(pb.Brief, c.briefs["s1"]).version == 1


def test_merge_writes_a_tombstone_and_rebuilds_the_survivor_with_all_articles():
    c = _composer(debounce=0)
    a, b = STORIES["talks"]
    c.on_event(_event("s1", a), now=1000)
    c.on_event(_event("s2", b), now=1000)
    merged = pb.StoryEvent(story_id="s1", kind=pb.StoryEvent.MERGED, absorbed_story_ids=["s2"])
    out = c.on_event(merged, now=2000)
    tombstone = next(brief for brief, _ in out.briefs if brief.story_id == "s2")
    survivor = next(brief for brief, _ in out.briefs if brief.story_id == "s1")
    assert tombstone.merged_into == "s1" and tombstone.version == 2
    assert {x.article_id for x in survivor.articles} == {a.article_id, b.article_id}
    assert list(survivor.merged_from) == ["s2"]
    assert not c.on_event(merged, now=3000)  # redelivered merge: nothing new


def test_follow_up_story_links_the_earlier_one_in_its_timeline():
    c = _composer(debounce=0)
    c.on_event(_event("old", STORIES["talks"][0]), now=1000)
    event = _event("new", STORIES["talks"][1], pb.StoryEvent.CREATED)
    event.follows_story_id = "old"
    [(brief, _)] = c.on_event(event, now=2000).briefs
    assert brief.follows_story_id == "old"
    assert "old" in [entry.story_id for entry in brief.timeline]


def test_related_stories_share_a_question_hub_newest_first():
    c = _composer(debounce=0, window_days=60)  # the two quakes are a month apart
    now = STORIES["quake-peru"][0].published_at.seconds + 3600
    c.on_event(_event("taiwan", STORIES["quake-taiwan"][0]), now=now)
    out = c.on_event(_event("peru", STORIES["quake-peru"][0]), now=now)
    [hub] = [h for h in out.hubs if h.hub_id == "h-disasters"]
    assert hub.question.endswith("?") and list(hub.story_ids) == ["peru", "taiwan"]
    [(brief, _)] = out.briefs
    assert "h-disasters" in [ref.hub_id for ref in brief.go_deeper] and len(brief.go_deeper) <= 3


def test_hub_retires_when_its_stories_leave_the_window():
    c = _composer(debounce=0)
    t0 = STORIES["quake-taiwan"][0].published_at.seconds
    c.on_event(_event("taiwan", STORIES["quake-taiwan"][0]), now=t0)
    later = t0 + 100 * 86400
    out = c.on_event(_event("solo", STORIES["solo"][0]), now=later)
    retired = [h for h in out.hubs if h.hub_id == "h-disasters"]
    assert retired and retired[0].retired and not retired[0].story_ids


def test_what_a_process_remembers_sending_is_bounded(monkeypatch):
    from services.compose import composer as composer_module

    monkeypatch.setattr(composer_module, "SENT_MEMORY", 3)
    sent = composer_module.RecentlySent()
    for story in ("s1", "s2", "s3"):
        sent[story] = 1
    sent["s1"] = 2  # written again: now the most recent
    sent["s4"] = 1
    assert list(sent) == ["s3", "s1", "s4"]
    assert sent["s1"] == 2 and "s2" not in sent
