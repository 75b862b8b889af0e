"""The brief's own lead counts: a name in the headline or "What's happened" puts the entity
forward like one more article's lead, so a place one article leads with and the brief prints
gets its card ("More on these topics"), while a place one article names once, further down,
still gets none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from compose_corpus import _article

from services.compose.brief import BriefContext, compose_brief
from services.compose.config import DEFAULT_KB
from services.compose.entities import Linker
from services.compose.kb import load_kb

LINKER = Linker(load_kb(DEFAULT_KB))
AT = datetime(2026, 3, 2, 7, tzinfo=UTC)
OUTLETS = ["Harbour Times", "Valley Post", "Wire Agency", "Evening Star"]

# Four articles: from four on, a single article's lead is not enough for a card on its own.
WALES_LEAD = "Household energy bills in Wales will rise by 8% from January, the regulator said."
PLAIN_LEAD = "Household energy bills will rise by 8% from January, the regulator said."
MIDDLE = "The typical annual bill will go up by 147 pounds. | Suppliers must pass on the change."
FOURTH = "Prices in Norway have also climbed this winter."


def _story(*bodies: str) -> list:
    """One article per body, each from its own outlet an hour apart; paragraphs split on |."""
    return [
        _article(
            f"https://lead{i}.example/story",
            OUTLETS[i],
            "Energy price cap to rise in January",
            "\n\n".join(p.strip() for p in body.split("|")),
            AT + timedelta(hours=i),
        )
        for i, body in enumerate(bodies)
    ]


ARTICLES = _story(
    f"{WALES_LEAD} | {MIDDLE} | {FOURTH}",
    f"{PLAIN_LEAD} | {MIDDLE} | Customers were urged to submit meter readings.",
    f"{PLAIN_LEAD} | {MIDDLE} | Charities called for more help.",
    f"{PLAIN_LEAD} | {MIDDLE} | The cap is reviewed every quarter.",
)


def _brief():
    return compose_brief("cap", ARTICLES, BriefContext(now=0, cards=LINKER.cards))


def test_a_place_one_article_leads_with_and_the_brief_prints_gets_its_card():
    brief = _brief()
    printed = [brief.headline.text, *(s.text for s in brief.whats_happened)]
    assert any("Wales" in text for text in printed), printed  # the brief leads with it
    assert "Wales" in [c.name for c in brief.topics]


def test_a_place_one_article_names_in_its_fourth_paragraph_gets_no_card():
    brief = _brief()
    printed = " ".join([brief.headline.text, *(s.text for s in brief.whats_happened)])
    assert "Norway" not in printed
    assert "Norway" not in [c.name for c in brief.topics]


def test_one_articles_lead_alone_is_not_enough_without_the_brief_printing_it():
    # The same story, asked without the brief's text: as before, one lead of four is too few.
    assert "wales" not in [c.entity_id for c in LINKER.cards(ARTICLES)]
    assert "wales" in [c.entity_id for c in LINKER.cards(ARTICLES, [WALES_LEAD])]


def test_printing_a_name_nobody_puts_forward_is_not_enough_in_a_larger_story():
    # Norway is said once, in a fourth paragraph: the brief naming it adds one voice, not two.
    printed = ["Energy price cap to rise in January", FOURTH]
    assert "norway" not in [c.entity_id for c in LINKER.cards(ARTICLES, printed)]
