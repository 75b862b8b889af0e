"""Round three of the editorial review: "Go deeper" offers a hub on a country only for a story
about that country, not for every story set in it; a storm is filed as severe weather."""

from __future__ import annotations

import pytest
from compose_corpus import example_stories, feed_in_published_order
from test_cards_s6_hubs import DAY, SETTINGS, Keeper

from newsbrief.codec import decode
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import hubs as H
from services.compose.composer import Composer
from services.compose.config import DEFAULT_KB
from services.compose.entities import Linker
from services.compose.kb import load_kb

UK = ("united-kingdom", "United Kingdom", "Country in northwestern Europe.", ["UK", "Britain"])
CHILE = ("chile", "Chile", "Country in South America.", [])
EXAMPLES = example_stories() or {}


def _brief(sid: str, day: float, headline: str, titles: list[str], *countries) -> pb.Brief:
    brief = pb.Brief(story_id=sid)
    brief.headline.text = headline
    brief.whats_happened.add(text=headline + ".", article_ids=[f"a-{sid}-0"])
    for entity_id, name, description, aliases in countries:
        brief.topics.add(
            entity_id=entity_id, name=name, kind="place", description=description, aliases=aliases
        )
    for i, title in enumerate(titles):
        source = brief.articles.add(article_id=f"a-{sid}-{i}", title=title)
        source.published_at.FromSeconds(int(day * DAY) + i)
    return brief


def test_stories_set_in_a_country_open_no_hub_on_it():
    k = Keeper()
    k.send(
        _brief(
            "shop",
            1,
            "UK department store chain Brightwater enters administration",
            ["Brightwater calls in administrators", "Ipswich staff devastated", "Bidders circle"],
            UK,
        )
    )
    k.send(
        _brief(
            "cloud",
            2,
            "Cloud outage disrupts banks across Britain",
            ["Banking apps down for hours", "Stratus shares fall", "MPs demand cloud rules"],
            UK,
        )
    )
    assert "h-e-united-kingdom" not in k.live()
    assert not [q for refs in k.refs.values() for q in refs if "United Kingdom" in q], k.refs


def test_stories_about_a_country_still_share_its_hub():
    k = Keeper()
    k.send(_brief("c1", 1, "Chile votes on new constitution", ["Chile goes to the polls"], CHILE))
    k.send(
        _brief(
            "c2",
            2,
            "Chile's president reshuffles cabinet",
            ["Chile cabinet shake-up", "New ministers sworn in in Chile"],
            CHILE,
        )
    )
    assert k.live()["h-e-chile"] == ["c2", "c1"]
    assert "What's the latest on Chile?" in k.refs["c2"]


def test_a_country_is_the_main_subject_when_most_titles_name_it():
    card = pb.EntityCard(
        entity_id="peru", name="Peru", kind="place", description="Country in South America."
    )
    assert H.main_subject(card, ["Peru earthquake kills 9", "Quake strikes southern Peru", "Q"])
    assert not H.main_subject(card, ["Peru earthquake kills 9", "Strong quake", "Tsunami alert"])
    # Other entities, and a place that is not a whole country, need no more than a mention.
    region = pb.EntityCard(entity_id="arequipa", name="Arequipa", kind="place")
    assert H.main_subject(region, ["Strong quake", "Tsunami alert"])


def test_a_storm_is_filed_as_severe_weather():
    assert H.themes("Storm Iona cuts power to 40,000. The storm brought down trees.") == [
        "disasters"
    ]
    question = H.THEMES["disasters"][0]
    assert "weather" in question and "earthquakes" not in question


@pytest.mark.skipif(not EXAMPLES, reason="sample corpus not present")
def test_no_sample_brief_offers_the_united_kingdom_hub():
    composer = Composer(SETTINGS, Linker(load_kb(DEFAULT_KB)), {}, {}, {}, {}, {})
    feed_in_published_order(composer, EXAMPLES)
    offered = {
        key: [ref.question for ref in decode(pb.Brief, composer.briefs[key]).go_deeper]
        for key in EXAMPLES
    }
    assert not {k: q for k, q in offered.items() if any("United Kingdom" in x for x in q)}
    assert any(offered.values())  # hubs on themes still come
