"""Papers lines read as an editor writes them: a common word after "that" is in lower case
("notes that sixty-year-old Sharron Smith..."), and a column passing on a report "reports"
it rather than "argues" it."""

from __future__ import annotations

import pytest
from s8b_briefs import printed, sample_briefs

from services.compose.papers import StoryVocabulary, attribute, verb_group

STORY = [
    "Sixty-year-old Sharron Smith is now accused of murdering two women in 1967.",
    "Police said Smith was arrested at her home in Staunton.",
    "Rolls-Royce said its Derby plant would stay open.",
    "A well-known local historian said the case had haunted the town.",
]


@pytest.mark.parametrize(
    ("sentence", "line"),
    [
        (
            STORY[0],
            "Outlet 0 notes that sixty-year-old Sharron Smith is now accused of murdering two "
            "women in 1967.",
        ),
        (
            "Well-known historian Ann Lee said the case haunted the town.",
            "Outlet 0 notes that well-known historian Ann Lee said the case haunted the town.",
        ),
        (
            "Three-time champion Ann Lee said she would race again in May.",
            "Outlet 0 notes that three-time champion Ann Lee said she would race again in May.",
        ),
        # names keep their capital, hyphenated or not
        (STORY[2], "Outlet 0 notes that Rolls-Royce said its Derby plant would stay open."),
        (STORY[1], "Outlet 0 notes that police said Smith was arrested at her home in Staunton."),
    ],
)
def test_the_word_after_that_is_lower_case_unless_a_name(sentence, line):
    vocabulary = StoryVocabulary(STORY + ["Shares in Rolls-Royce rose."])
    assert attribute("Outlet 0", "notes", sentence, vocabulary) == line


@pytest.mark.parametrize(
    "sentence",
    [
        "The Energy Secretary has reportedly sought a targeted winter payment and been refused.",
        "The Treasury is understood to have turned down the request last week.",
        "According to officials, the payment was never costed.",
    ],
)
def test_a_column_passing_on_a_report_reports_it(sentence):
    assert verb_group(sentence, "opinion") == ("reports",)


@pytest.mark.parametrize(
    "sentence",
    [
        "The minister has reportedly sought a payment, and that is shameful.",
        "The Treasury should pay for a targeted winter payment this year.",
    ],
)
def test_a_columns_own_judgement_is_still_argued(sentence):
    assert "argues" in verb_group(sentence, "opinion")


def test_the_energy_bills_column_reports_the_secretarys_request():
    brief = sample_briefs().get("uk-energy-price-cap")
    if brief is None:
        pytest.skip("examples/ not present")
    # The request is told once (round three: "How we got here" already tells it, so no paper's
    # line repeats it); a paper's line telling it would "report" it (verb_group, above).
    told = [t for t in printed(brief) if "targeted winter payment" in t]
    assert len(told) == 1, told
    lines = [line.text for line in brief.what_the_papers_say if "reportedly sought" in line.text]
    assert all(" reports that " in t for t in lines), lines
