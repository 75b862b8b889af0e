"""Entity hubs ("Go deeper: What's the latest on X?") only for what a story leads with: its
headline, "What's happened" or an article's title names X. A card the story carries for a
source it cites (the agency that measured a quake) opens no hub."""

from __future__ import annotations

import pytest
from compose_corpus import example_stories, feed_in_published_order

from newsbrief.codec import decode
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import hubs as H
from services.compose.composer import Composer
from services.compose.config import DEFAULT_KB, ComposeSettings
from services.compose.entities import Linker
from services.compose.hubkeeper import HubKeeper
from services.compose.kb import load_kb

DAY = 86400
SETTINGS = ComposeSettings(debounce_seconds=0, hub_window_days=60)
USGS = ("usgs", "US Geological Survey", "organisation")
CHILE = ("chile", "Chile", "place")
JAPAN = ("japan", "Japan", "place")
SCOTLAND = ("scotland", "Scotland", "place")
OPEC = ("opec", "OPEC", "organisation")


def _brief(sid: str, day: float, headline: str, title: str, *cards: tuple[str, str, str]):
    brief = pb.Brief(story_id=sid)
    brief.headline.text = headline
    brief.whats_happened.add(text=headline + ".", article_ids=[f"a-{sid}"])
    for entity_id, name, kind in cards:
        brief.topics.add(entity_id=entity_id, name=name, kind=kind)
    source = brief.articles.add(article_id=f"a-{sid}", title=title)
    source.published_at.FromSeconds(int(day * DAY))
    return brief


class Keeper:
    def __init__(self):
        self.keeper = HubKeeper(SETTINGS, {}, {}, {})
        self.refs: dict[str, list[str]] = {}

    def send(self, brief: pb.Brief) -> None:
        now = brief.articles[0].published_at.seconds + 3600
        answer = self.keeper.on_brief(brief, now)
        self.refs[brief.story_id] = [r.question for r in answer.refs]
        # Other stories whose hubs changed hear of it, as their workers would.
        self.refs.update({s: [r.question for r in refs] for s, refs in answer.others.items()})

    def live(self) -> dict[str, list[str]]:
        hubs = (decode(pb.Hub, v) for v in self.keeper.hubs.values())
        return {h.hub_id: list(h.story_ids) for h in hubs if not h.retired}


def test_a_cited_source_opens_no_hub_while_the_place_a_story_leads_with_does():
    k = Keeper()
    quake = "Magnitude 7 earthquake shakes {} as aftershock follows quake"
    k.send(_brief("c1", 1, quake.format("Chile"), "Quake in Chile", CHILE, USGS))
    k.send(_brief("j1", 2, quake.format("Japan"), "Quake in Japan", JAPAN, USGS))
    k.send(_brief("c2", 3, quake.format("Chile"), "Chile counts the cost", CHILE, USGS))
    assert "h-e-usgs" not in k.live()
    assert not [q for q in k.refs["c2"] if "Geological" in q], k.refs["c2"]
    assert k.live()["h-e-chile"] == ["c2", "c1"]
    assert "What's the latest on Chile?" in k.refs["c2"]


def test_a_name_in_an_article_title_or_by_alias_or_surname_is_led_with():
    uk = pb.EntityCard(
        entity_id="united-kingdom", name="United Kingdom", kind="place", aliases=["Britain"]
    )
    minister = pb.EntityCard(entity_id="x-maria-ortega", name="Maria Ortega", kind="person")
    bank = pb.EntityCard(entity_id="bank-of-england", name="Bank of England", kind="organisation")
    text = "Ortega says talks will go on.\nBritain watches from outside as the EU pools gas"
    assert H.leading_entities([uk, minister, bank], text) == {"united-kingdom", "x-maria-ortega"}
    # Names match as written: "us" and "britain's" lower-case words are not the names.
    us = pb.EntityCard(
        entity_id="united-states", name="United States", kind="place", aliases=["US"]
    )
    assert H.leading_entities([us], "Let us hope the cap holds") == frozenset()


def test_a_story_that_stops_leading_with_a_place_leaves_its_hub_and_index():
    k = Keeper()
    k.send(_brief("s1", 1, "Gales cut power across Scotland", "Scotland storm", SCOTLAND))
    k.send(_brief("s2", 2, "Energy cap rises in Scotland", "Scotland bills", SCOTLAND))
    assert k.live()["h-e-scotland"] == ["s2", "s1"]
    assert "What's the latest on Scotland?" in k.refs["s1"]
    # s2 grows into a UK-wide story: its new brief neither leads with Scotland nor carries it.
    k.send(_brief("s2", 3, "Energy price cap to rise 8%", "Bills to rise"))
    assert [e[0] for e in k.keeper.entity_stories["scotland"]] == ["s1"]
    # A hub on Scotland holding only s1 would lead its reader back to s1: it closes.
    assert "h-e-scotland" not in k.live()
    assert "What's the latest on Scotland?" not in k.refs["s1"]
    # A story that carries the card but does not lead with Scotland does not reopen it...
    k.send(_brief("s3", 4, "Ferries cancelled on the west coast", "Ferry chaos", SCOTLAND))
    assert "h-e-scotland" not in k.live()
    assert not [q for q in k.refs["s3"] if "Scotland" in q], k.refs["s3"]
    # ...one that leads with it does, with the story it had kept.
    k.send(_brief("s4", 5, "Snow closes roads across Scotland", "Scotland snow", SCOTLAND))
    assert k.live()["h-e-scotland"] == ["s4", "s1"]
    assert "What's the latest on Scotland?" in k.refs["s1"]


def test_a_storm_is_a_natural_disaster():
    assert H.themes("Storm Iona cuts power to 40,000. The storm brought down trees.") == [
        "disasters"
    ]


EXAMPLES = example_stories() or {}


@pytest.mark.skipif(not EXAMPLES, reason="sample corpus not present")
def test_no_sample_brief_offers_a_hub_on_an_entity_it_does_not_lead_with():
    linker = Linker(load_kb(DEFAULT_KB))
    composer = Composer(SETTINGS, linker, {}, {}, {}, {}, {})
    feed_in_published_order(composer, EXAMPLES)
    for key in EXAMPLES:
        brief = decode(pb.Brief, composer.briefs[key])
        shown = " ".join(
            [brief.headline.text, *(s.text for s in brief.whats_happened)]
            + [a.title for a in brief.articles]
        )
        for ref in brief.go_deeper:
            if ref.hub_id.startswith("h-e-") and H.CHILD not in ref.hub_id:
                [card] = [c for c in brief.topics if c.entity_id == ref.hub_id[4:]]
                assert H.leading_entities([card], shown), (key, ref.question)


def test_a_source_two_stories_cite_names_no_split_of_a_theme_hub():
    k = Keeper()
    flood = "Floods hit Chile as flood waters rise"
    quake = "Earthquake of magnitude 7 shakes {} as aftershock follows quake"
    survey = "US Geological Survey budget cut by a fifth"
    k.send(_brief("u1", 0.5, survey, "US Geological Survey budget cut", USGS))
    for i in range(3):
        k.send(_brief(f"f{i}", 1 + i, flood, "Chile floods", CHILE))
    k.send(_brief("q1", 4, quake.format("Japan"), "Japan quake", JAPAN, USGS))
    k.send(_brief("q2", 5, quake.format("Peru"), "Peru quake", ("peru", "Peru", "place"), USGS))
    assert not [h for h in k.live() if "usgs" in h and h != "h-e-usgs"], k.live()
    assert k.live()["h-disasters"] == ["q2", "q1", "f2", "f1", "f0"]
    assert not [q for q in k.refs["q2"] if "Geological" in q], k.refs["q2"]


def test_a_closed_entity_hub_takes_back_the_story_of_its_dissolved_half():
    russia, ukraine = ("russia", "Russia", "place"), ("ukraine", "Ukraine", "place")
    talks = "Russia and Ukraine resume ceasefire talks as negotiators meet for peace talks"
    oil = "Russia oil exports fall as gas pipeline prices rise and fuel costs climb"
    k = Keeper()
    k.send(_brief("g1", 0.5, "OPEC oil output cut lifts fuel and gas prices", "OPEC cut", OPEC))
    for i, day in enumerate((1, 2, 3), 1):
        k.send(_brief(f"t{i}", day, talks, "Russia talks", russia, ukraine))
    k.send(_brief("o1", 4, oil, "Russia oil", russia, OPEC))
    k.send(_brief("o2", 5, oil, "Russia oil", russia, OPEC))
    assert k.live()["h-e-russia~t-energy-prices"] == ["o2", "o1"]
    # Two of the talks stories turn out to be about Ukraine alone: Russia's hub is down to t3.
    for sid, day in (("t1", 6), ("t2", 7)):
        k.send(_brief(sid, day, "Ukraine rebuilds its grid", "Ukraine grid", ukraine))
    assert "h-e-russia" not in k.live()
    # o1 leaves the oil half too: o2 goes back to Russia's hub, which opens again with t3.
    k.send(_brief("o1", 8, "Ukraine rebuilds its grid", "Ukraine grid", ukraine))
    assert "h-e-russia~t-energy-prices" not in k.live()
    assert k.live()["h-e-russia"] == ["o2", "t3"]
