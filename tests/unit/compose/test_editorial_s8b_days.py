"""Relative days in a brief: a reader opens it days after its articles came out, so the
article's "yesterday", "today" and "this morning" are printed as the weekdays they meant, in
every section, papers lines included; a quotation keeps its speaker's words and its closing
attribution is dated; a sentence whose day cannot be known is left out."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from compose_corpus import _article
from s8b_briefs import printed, sample_briefs

from services.compose.brief import BriefContext, compose_brief

MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)  # 2 March 2026 was a Monday
TUESDAY = datetime(2026, 3, 3, 10, tzinfo=UTC)
_RELATIVE = re.compile(
    r"\b(?:yesterday|today|tomorrow|tonight|last night|this (?:morning|afternoon|evening))\b",
    re.IGNORECASE,
)


def _outside_quotes(text: str) -> str:
    return re.sub(r'"[^"]*"|“[^”]*”', "", text)


# -- the sample corpus ----------------------------------------------------------------------
def test_no_sample_brief_prints_a_relative_day_outside_a_quotation():
    briefs = sample_briefs()
    if not briefs:
        pytest.skip("examples/ not present")
    found = [t for b in briefs.values() for t in printed(b) if _RELATIVE.search(_outside_quotes(t))]
    assert found == []


def test_the_sea_wall_meeting_is_dated_to_its_weekday():
    brief = sample_briefs().get("felixstowe-sea-wall")
    if brief is None:
        pytest.skip("examples/ not present")
    texts = printed(brief)
    # The Harbourside Gazette of Wednesday 25 November wrote "yesterday".
    assert any("packed into the Spa Pavilion on Tuesday" in t for t in texts), texts


def test_a_papers_line_is_dated_too():
    brief = sample_briefs().get("uk-inflation-october")
    if brief is None:
        pytest.skip("examples/ not present")
    lines = [line.text for line in brief.what_the_papers_say]
    vienna = [t for t in lines if "OPEC+ ministers meet in Vienna" in t]
    assert vienna and all("Vienna on Thursday" in t for t in vienna), lines


# -- small stories in our own words ---------------------------------------------------------
def _mill_story(published_b: datetime = TUESDAY, **extra):
    a = _article(
        "https://tribune.example/mill-1",
        "The Tribune",
        "Fire destroys Dunmere mill",
        "Fire destroyed the disused Dunmere wool mill on Sunday night, sending smoke across the "
        "town.\n\nFirefighters said the roof of the mill had collapsed before they arrived.",
        MONDAY,
    )
    b = _article(
        "https://herald.example/mill-2",
        "The Herald",
        "Dunmere mill to be demolished after fire",
        "Dunmere council said yesterday that the fire-damaged wool mill would be demolished "
        "within a month.\n\n"
        "Demolition crews will begin clearing the site of the Dunmere mill this morning, the "
        "council said.",
        published_b,
        **extra,
    )
    return [a, b]


def _texts(articles) -> list[str]:
    return printed(compose_brief("mill", articles, BriefContext(now=TUESDAY.timestamp())))


def test_yesterday_and_this_morning_become_the_weekdays_they_meant():
    texts = " ".join(_texts(_mill_story()))
    assert not _RELATIVE.search(texts), texts
    assert "council said on Monday that the fire-damaged wool mill would be demolished" in texts


def test_an_article_whose_date_ingest_guessed_has_its_relative_days_left_out():
    articles = _mill_story()
    articles[1].flags.append("published_missing")  # ingest stamped it with the fetch time
    texts = " ".join(_texts(articles))
    assert not _RELATIVE.search(texts), texts
    assert "would be demolished" not in texts  # its day is unknown: no "on Monday" either


# -- the rule itself ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "printed_as"),
    [
        ("Hundreds packed into the hall yesterday.", "Hundreds packed into the hall on Sunday."),
        ("Ministers meet in Vienna today.", "Ministers meet in Vienna on Monday."),
        ("Police will speak this afternoon.", "Police will speak on Monday afternoon."),
        ("No one was hurt in the fire last night.", "No one was hurt in the fire on Sunday night."),
        ("Yesterday, police said the fire was set.", "On Sunday, police said the fire was set."),
        ("Today is the deadline for bids.", "Monday is the deadline for bids."),
        ("Yesterday's vote was close.", "Sunday's vote was close."),
        ("The strike lasted until today.", "The strike lasted until Monday."),
        ("Results are due later today.", "Results are due later on Monday."),
        ("Talks resume tomorrow morning.", "Talks resume on Tuesday morning."),
        # "today" as "nowadays", and a title, read as written at any time
        ("Even today the scars are visible.", "Even today the scars are visible."),
        ("He spoke on the Today programme.", "He spoke on the Today programme."),
        # a speaker's words stay theirs; the attribution says when
        ('"We vote tonight," the leader said.', '"We vote tonight," the leader said on Monday.'),
        ('"We vote tonight," she said, adding more.', None),
    ],
)
def test_relative_days_are_pinned_to_the_articles_weekday(written, printed_as):
    from services.compose.days import pinned

    assert pinned(written, MONDAY.timestamp()) == printed_as


def test_a_relative_day_without_a_known_date_cannot_be_pinned():
    from services.compose.days import pinned

    assert pinned("The mill burned yesterday.", None) is None
    assert pinned("The mill burned on Sunday.", None) == "The mill burned on Sunday."


def test_yesterday_dates_a_sentence_to_the_day_before_like_its_weekday_would():
    # Older-day handling (What's happened, papers lines) counts "yesterday" as a named day.
    from compose_corpus import Candidate

    from services.compose.candidates import named_day
    from services.compose.cues import FACT

    def sentence(text):
        return Candidate(text, frozenset(), ["a"], {"p"}, MONDAY.timestamp(), 0, FACT, False)

    monday = int(MONDAY.timestamp() // 86400)
    assert named_day(sentence("The mill burned yesterday.")) == monday - 1
    assert named_day(sentence("The mill burned on Sunday.")) == monday - 1
    assert named_day(sentence("The mill burned this morning.")) == monday
