"""Sentences that lean on the one before them stay out of a brief, contractions included:
"It's "full of wounded," the agency reported." does not say what "it" is, nor does
"Britain's equivalent is..." say equivalent to what."""

from __future__ import annotations

import pytest
from s8b_briefs import printed, sample_briefs

from services.compose.candidates import dangling_opener
from services.compose.papers import reportable


@pytest.mark.parametrize(
    "sentence",
    [
        'It\'s "full of wounded," the agency reported.',
        "That's why the talks failed, officials said on Monday.",
        "He's expected to resign within days, aides say.",
        "She's been named chief executive of the group.",
        "They're due in court in Dunmere on Monday.",
        "They’re due in court in Dunmere on Monday.",
        "Britain's equivalent is a critical minerals strategy last refreshed in 2023.",
        "Its counterpart was signed in Paris on Monday.",
    ],
)
def test_a_sentence_leaning_on_the_one_before_is_dangling(sentence):
    assert dangling_opener(sentence)
    assert not reportable(sentence)  # nor a papers line


@pytest.mark.parametrize(
    "sentence",
    [
        "It's unclear whether the talks will resume next week.",
        "It's time the council published its flood plan.",
        "There's little doubt the mill will be demolished.",
        "The equivalent of 40 Olympic pools of water was lost.",
        "Britain's answer to the crisis is a new fund for miners.",
        "Police said the fire at the mill was started deliberately.",
    ],
)
def test_a_sentence_saying_what_it_means_is_not(sentence):
    assert not dangling_opener(sentence)


def test_the_minerals_brief_no_longer_says_equivalent_to_what():
    brief = sample_briefs().get("eu-au-lisbon-minerals")
    if brief is None:
        pytest.skip("examples/ not present")
    assert not any(t.startswith("Britain's equivalent") for t in printed(brief))
