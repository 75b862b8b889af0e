"""Entity cards ("More on these topics") only for what a story is about: a name in a title, in
the leads of the story's articles, or dwelt on, gets a card; a name the articles say once,
further down, does not, however many of them say it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from compose_corpus import _article

from services.compose.brief import BriefContext, compose_brief
from services.compose.config import DEFAULT_KB
from services.compose.entities import Linker
from services.compose.kb import load_kb

LINKER = Linker(load_kb(DEFAULT_KB))
AT = datetime(2026, 3, 2, 7, tzinfo=UTC)
OUTLETS = ["Harbour Times", "Valley Post", "Wire Agency", "Evening Star", "Coast Radio"]


def _story(*bodies: str, titles: tuple[str, ...] = ()) -> list:
    """One article per body, each from its own outlet an hour apart; paragraphs split on |."""
    return [
        _article(
            f"https://n{i}.example/story",
            OUTLETS[i % len(OUTLETS)],
            titles[i] if i < len(titles) else f"Gales batter the coast, report {i}",
            "\n\n".join(p.strip() for p in body.split("|")),
            AT + timedelta(hours=i),
        )
        for i, body in enumerate(bodies)
    ]


def _topics(articles) -> list[str]:
    """The card names a reader sees under "More on these topics"."""
    brief = compose_brief("s", articles, BriefContext(now=0, cards=LINKER.cards))
    return [c.name for c in brief.topics]


STORM_LEAD = "Gales cut power to 30,000 homes across Scotland overnight, the utility said."
STORM_MIDDLE = "Ferries were cancelled and schools in the islands stayed closed on Tuesday."
STORM_TAIL = "Forecasters said the storm would move on towards Norway by the evening."


def test_a_place_every_article_names_once_far_down_gets_no_card():
    articles = _story(
        *(f"{STORM_LEAD} | {STORM_MIDDLE} | Crews worked through the night. | {STORM_TAIL}",) * 4
    )
    names = _topics(articles)
    assert "Scotland" in names
    assert "Norway" not in names, names


def test_countries_listed_in_the_body_are_not_topics_of_the_story():
    body = (
        "European Union ministers agreed on Tuesday to buy gas together through 2027. | "
        "The scheme pools orders from member states for the winter. | "
        "Storage must reach 85% by November, officials said. | "
        "A windfall levy, backed by France, Spain and Italy, was left for December."
    )
    names = _topics(_story(body, body, body, body.replace("France, Spain and Italy", "some")))
    assert "European Union" in names
    assert not {"France", "Spain", "Italy"} & set(names), names


def test_a_name_in_the_second_paragraph_of_two_articles_is_a_topic():
    lead = "Ministers signed a minerals partnership in Lisbon on Saturday."
    second = "The first refineries will be built in Namibia from next year."
    articles = _story(
        f"{lead} | {second} | Details were not published.",
        f"{lead} | {second} | Shares in miners rose.",
        f"{lead} | Critics said the money was too little. | Talks went on for months.",
        f"{lead} | Campaigners welcomed the deal. | A review is due in 2028.",
    )
    assert "Namibia" in _topics(articles)


def test_a_name_two_articles_dwell_on_is_a_topic_and_one_articles_aside_is_not():
    lead = "Ministers signed a minerals partnership in Lisbon on Saturday."
    filler = "Details of the financing were not published. | Shares in miners rose."
    dwelt = "Zambia will host the first refinery. | Zambia hopes to double its copper earnings."
    aside = "Peru, a copper producer, was not part of it. | Peru has signed similar deals."
    articles = _story(
        f"{lead} | {filler} | {dwelt}",
        f"{lead} | {filler} | {dwelt}",
        f"{lead} | {filler} | {aside}",
        f"{lead} | {filler} | A review is due in 2028.",
    )
    names = _topics(articles)
    assert "Zambia" in names
    assert "Peru" not in names, names


def test_a_name_in_one_articles_title_is_a_topic():
    body = f"{STORM_LEAD} | {STORM_MIDDLE} | {STORM_TAIL}"
    titles = ("Storm hits Scotland", "Storm latest", "What the storm means for Norway's coast")
    names = _topics(_story(body, body, body, body, titles=titles))
    assert "Norway" in names


def test_a_one_article_story_carries_its_lead_names_and_not_its_asides():
    body = (
        "Teachers in Wales began a two-day strike over pay on Monday. | "
        "Most schools closed and exams were moved to next week. | "
        "Union leaders met ministers on Sunday but no offer was made. | "
        "A similar dispute in Ireland was settled last year."
    )
    names = _topics(_story(body, titles=("Teachers strike over pay",)))
    assert "Wales" in names
    assert "Ireland" not in names, names


def test_an_articles_lead_is_its_summary_and_first_two_paragraphs():
    article = _story(
        "Gales hit Scotland. | The storm reached Northern Ireland at noon. | It moved on to Norway."
    )[0]
    found = LINKER.analysed(article)
    assert found.lead == {"scotland", "northern-ireland"}
    assert found.mentions == ("scotland", "northern-ireland", "norway")  # in order, as before
    assert found.prominent == {"scotland", "northern-ireland"}
