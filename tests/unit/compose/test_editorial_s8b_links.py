"""A knowledge-base card only where the story backs the link: "GM" is General Motors in a
story about carmakers, not the general manager in a baseball one ("Angels GM Tony Reagins");
"Democratic Party" is the American party only in a story naming the United States."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from compose_corpus import _article
from s8b_briefs import linker, sample_briefs

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _story(*texts: tuple[str, str]):
    return [
        _article(f"https://o{i}.example/{i}", f"Outlet {i}", title, text, T0 + timedelta(hours=i))
        for i, (title, text) in enumerate(texts)
    ]


def _card_names(articles) -> set[str]:
    return {card.name for card in linker().cards(articles)}


BASEBALL = _story(
    (
        "Angels GM Tony Reagins makes offer to Teixeira",
        "Los Angeles Angels GM Tony Reagins said the team had made an eight-year offer to first "
        "baseman Mark Teixeira.\n\nThe offer came during the winter meetings in Las Vegas.",
    ),
    (
        "Teixeira weighs Angels offer",
        "Angels GM Tony Reagins would not say how much the offer was worth.\n\nTeixeira hit 33 "
        "home runs last season.",
    ),
)
CARMAKER = _story(
    (
        "GM to cut 1,000 jobs at Detroit plant",
        "GM said it would cut 1,000 jobs at its Detroit plant as demand for its Chevrolet "
        "pickups slowed.\n\nThe carmaker's shares fell 3%.",
    ),
    (
        "GM shares fall on job cuts",
        "Shares in GM fell after the job cuts were announced.\n\nAnalysts said more cuts "
        "could follow.",
    ),
)
TURKMENISTAN = _story(
    (
        "Turkmenistan holds parliamentary election",
        "Turkmenistan held a parliamentary election on Sunday in which the ruling Democratic "
        "Party faced a second party for the first time.\n\nThe Party of Industrialists and "
        "Entrepreneurs was founded in 2012.",
    ),
    (
        "Turkmen vote in election with two parties",
        "Voters in Turkmenistan chose between the Democratic Party and a new party.\n\n"
        "Observers said the vote was neither free nor fair.",
    ),
)
WASHINGTON = _story(
    (
        "Democratic Party picks new chair",
        "The Democratic Party chose a new chair on Saturday as it prepares for the US midterm "
        "elections.\n\nThe vote was held in Washington.",
    ),
    (
        "Democrats elect chair",
        "The Democratic Party's members elected their new chair after a long contest.\n\n"
        "She promised to win back voters across America.",
    ),
)


def test_a_general_managers_gm_gets_no_carmakers_card():
    assert "General Motors" not in _card_names(BASEBALL)


def test_gm_in_a_story_about_its_cars_is_general_motors():
    assert "General Motors" in _card_names(CARMAKER)


def test_a_party_of_another_country_gets_no_american_card():
    names = _card_names(TURKMENISTAN)
    assert "Democratic Party" not in names
    assert "Turkmenistan" in names


def test_the_american_party_in_an_american_story_keeps_its_card():
    assert "Democratic Party" in _card_names(WASHINGTON)


def test_sample_briefs_keep_their_acronym_and_party_cards():
    briefs = sample_briefs()
    if not briefs:
        pytest.skip("examples/ not present")
    names = {card.name for b in briefs.values() for card in b.topics}
    # Named by acronyms in the sample stories ("EU", "UN", "ONS"), and by name too.
    assert {"European Union", "United Nations", "Office for National Statistics"} <= names
