"""A brief introduces a person once: after "Energy Commissioner Henrik Aalto" the reader
meets "Aalto", not the full title and name again in every section. Fixtures in our own words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from compose_corpus import _article, candidate_with, example_stories

from services.compose import people as P
from services.compose.brief import BriefContext, PeopleNamer, compose_brief

T0 = datetime(2026, 3, 3, 9, tzinfo=UTC)
T1 = datetime(2026, 3, 3, 15, tzinfo=UTC)

WIRE = _article(
    "https://wire.example/gas-1",
    "Wire",
    "Ministers extend joint gas buying",
    "Energy ministers agreed on Tuesday to extend joint gas buying for two more years, Energy "
    "Commissioner Henrik Aalto said after the meeting in Brussels.\n\n"
    '"We buy more cheaply when we buy together," Energy Commissioner Henrik Aalto told '
    "reporters.\n\n"
    "Work and Pensions Secretary Liam Ferris was not at the meeting.",
    T0,
)
LEDGER = _article(
    "https://ledger.example/gas-2",
    "Ledger",
    "Joint gas buying to continue",
    "Energy Commissioner Henrik Aalto has said the scheme is open to close partners, but no "
    "other country has yet joined on full terms.\n\n"
    "Critics, led by the former minister Ruth Pengelly, want the scheme reviewed.",
    T1,
)
ARTICLES = [WIRE, LEDGER]


def _printed(*words: str) -> list[str]:
    chosen = [candidate_with(ARTICLES, w) for w in words]
    return [s.text for s in PeopleNamer(ARTICLES).sentences(chosen, frozenset())]


def test_a_person_introduced_once_is_named_by_surname_after():
    first, quote, later = _printed("extend joint gas buying", "cheaply", "open to close")
    assert "Energy Commissioner Henrik Aalto said" in first
    assert quote == '"We buy more cheaply when we buy together," Aalto told reporters.'
    assert later.startswith("Aalto has said the scheme is open")


def test_the_first_mention_keeps_the_full_introduction():
    [quote] = _printed("cheaply")
    assert "Energy Commissioner Henrik Aalto told reporters" in quote


def test_a_name_is_not_cut_where_the_cut_would_not_read():
    aalto = P.Person("Aalto", "Henrik Aalto", [P.NameForm(P.FULL, "Henrik Aalto", "a")], True)
    people = {"Aalto": aalto}
    titled = P.NameForm(P.TITLED, "Energy Commissioner Henrik Aalto", "a")
    aalto.forms.append(titled)
    for sentence in (
        "He met the Henrik Aalto of the gas markets.",  # after "the"
        "Ministers and Energy Commissioner Henrik Aalto agreed.",  # more people than him
        "Ministers and Henrik Aalto agreed.",  # after "and"
        "They met Commissioner Henrik Aalto.",  # inside a longer name
        "Critics, led by former minister Henrik Aalto, objected.",  # after a role
    ):
        [m] = P.mentions(sentence, people)
        assert P.second_reference(sentence, m, aalto) == sentence


def test_a_title_in_several_words_is_cut_whole():
    ferris = P.Person("Ferris", "Liam Ferris", [], True)
    ferris.forms.append(P.NameForm(P.TITLED, "Pensions Secretary Liam Ferris", "a"))
    sentence = "Work and Pensions Secretary Liam Ferris, closing the debate, told MPs."
    [m] = P.mentions(sentence, {"Ferris": ferris})
    assert P.second_reference(sentence, m, ferris) == "Ferris, closing the debate, told MPs."


EXAMPLES = example_stories() or {}


@pytest.mark.skipif(not EXAMPLES, reason="sample corpus not present")
def test_no_sample_brief_introduces_the_same_person_twice_in_the_same_words():
    for key, articles in sorted(EXAMPLES.items()):
        brief = compose_brief(key, articles, BriefContext(now=1_800_000_000))
        texts = [s.text for s in [*brief.whats_happened, *brief.behind_the_headline]]
        texts += [line.text for line in brief.what_the_papers_say]
        texts += [s.text for s in brief.how_we_got_here]
        for full in ("EU Energy Commissioner Henrik Aalto", "Work and Pensions Secretary Liam"):
            assert sum(full in t for t in texts) <= 1, (key, full)
