"""The stand-in engine: same interface as the real one, state only in the mappings given."""

import json

from services.cluster.simple import StoryClusterer, story_id_for

DAY = "2026-03-0{}T12:00:00+00:00"


def art(aid, title, text, day=1, **extra):
    return {"id": aid, "title": title, "text": text, "published": DAY.format(day), **extra}


def test_similar_articles_join_and_different_ones_open_stories():
    engine = StoryClusterer()
    [c] = engine.add(art("a1", "Earthquake hits Chile", "Earthquake near Valparaiso, Chile."))
    [j] = engine.add(art("a2", "Chile earthquake damage", "Valparaiso earthquake damage in Chile."))
    [o] = engine.add(art("a3", "Central bank raises rates", "Interest rates rise on inflation."))
    assert (c["type"], c["story_id"]) == ("created", story_id_for("a1"))
    assert (j["type"], j["story_id"]) == ("added", c["story_id"])
    assert o["type"] == "created" and o["story_id"] != c["story_id"]


def test_replay_returns_nothing_and_duplicate_joins_original():
    engine = StoryClusterer()
    [c] = engine.add(art("a1", "Earthquake hits Chile", "Valparaiso"))
    assert engine.add(art("a1", "Earthquake hits Chile", "Valparaiso")) == []
    [d] = engine.add(art("a2", "Something else", "entirely", duplicate_of="a1"))
    assert d["story_id"] == c["story_id"] and d["duplicate"]


def test_idle_story_is_not_joined():
    engine = StoryClusterer(idle_seconds=86400)
    [c] = engine.add(art("a1", "Earthquake hits Chile", "Valparaiso earthquake", day=1))
    [late] = engine.add(art("a2", "Earthquake hits Chile", "Valparaiso earthquake", day=5))
    assert late["type"] == "created" and late["story_id"] != c["story_id"]


def test_state_lives_in_the_given_mappings_as_json():
    maps = {name: {} for name in ("stories", "postings", "articles", "df", "meta")}
    engine = StoryClusterer(**maps)
    engine.add(art("a1", "Earthquake hits Chile", "Valparaiso earthquake"))
    assert maps["articles"] == {"a1": story_id_for("a1")}
    assert json.loads(json.dumps(maps)) == maps
    # A fresh engine over the same mappings continues where the first left off.
    [j] = StoryClusterer(**maps).add(art("a2", "Chile earthquake", "Valparaiso earthquake again"))
    assert j["story_id"] == story_id_for("a1")
