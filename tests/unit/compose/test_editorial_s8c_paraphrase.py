"""Round three of the editorial review: one fact is told once in a brief, whatever the wording
and whichever sections its wordings would have gone to."""

from __future__ import annotations

import pytest
from compose_corpus import example_stories
from s8b_briefs import printed, sample_briefs

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.candidates import BACKGROUND, FACT, Candidate, paraphrase

EXAMPLES = example_stories() or {}
needs_corpus = pytest.mark.skipif(not EXAMPLES, reason="sample corpus not present")


def _said(text: str, kind: str = FACT, core: frozenset[str] = frozenset()) -> Candidate:
    c = Candidate(text, frozenset(), ["a"], {"p"}, 0.0, 0, kind, False)
    c.core = core
    return c


# The sample OPEC story's core vocabulary: the terms each of its publishers uses.
OPEC_CORE = frozenset(
    ["barrel", "brent", "crude", "cut", "day", "energy", "million", "oil", "opec", "pric", "price"]
)


def test_two_wordings_of_one_fact_are_a_paraphrase():
    glut = _said(
        "The cut, agreed in Vienna under the chairmanship of Kuwait's Oil Minister, Faisal "
        "Al-Rashed, is intended to prevent a glut in the first quarter of next year, when demand "
        "typically softens.",
        core=OPEC_CORE,
    )
    surplus = _said(
        "The group says it wants to prevent a surplus of oil building up early next year, when "
        "demand usually weakens.",
        core=OPEC_CORE,
    )
    assert paraphrase(glut, surplus) and paraphrase(surplus, glut)


def test_facts_sharing_names_a_coined_term_or_ages_are_distinct():
    # A law and a demand to apply it both name "critical third parties": two facts.
    regime = _said(
        "Under a regime that came into force in 2025, the Treasury can designate cloud firms as "
        '"critical third parties" to the financial sector, subjecting them to oversight by the '
        "Bank of England and the Financial Conduct Authority.",
        BACKGROUND,
    )
    demand = _said(
        "Angela Birtwistle, chair of the Commons Treasury Committee, has written to the "
        'Chancellor demanding that Stratus Cloud be designated a "critical third party" to the '
        'financial system "by Christmas", following Monday\'s six-hour outage.'
    )
    assert not paraphrase(regime, demand)
    # Two people's ages are no shared fact.
    suspect = _said(
        'The suspect, 38-year-old Anthony LaCalamita, was "deliberately seeking out these '
        'individuals," according to Troy police.'
    )
    tipster = _said(
        "A 50-year-old man from Dexter tipped off authorities to the suspect's location after "
        "hearing a description of his vehicle."
    )
    assert not paraphrase(suspect, tipster)


def test_the_story_core_vocabulary_is_no_sign_of_one_fact():
    rise = "Household energy bills will rise by 8.3% from January, after the cap was raised."
    worry = "Dunmore said she understood the energy bills rise would be a real worry for families."
    core = frozenset(["energy", "bill", "rise"])
    assert not paraphrase(_said(rise, core=core), _said(worry, core=core))


@needs_corpus
@pytest.mark.parametrize(
    ("key", "fact"),
    [
        ("opec-output-cut", "prevent a"),  # "prevent a glut" / "prevent a surplus"
        ("stratus-cloud-outage", "after a six-hour outage"),  # two openings in "What's happened"
        ("uk-energy-price-cap", "targeted winter payment"),  # a paper's line and the background
    ],
)
def test_a_fact_is_told_once_across_the_sections(key: str, fact: str):
    brief: pb.Brief = sample_briefs()[key]
    telling = [t for t in printed(brief) if fact in t]
    assert len(telling) == 1, telling
