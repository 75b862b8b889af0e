"""Round three of the editorial review: an honorific opening a paper's line keeps its capital
("Outlet 3 says that Mr Robert Pitman, of High Street, ..."), as a common word would not."""

from __future__ import annotations

import pytest

from services.compose.papers import StoryVocabulary, attribute, clause


@pytest.mark.parametrize("title", ["Mr", "Mrs", "Ms", "Dr", "Dr."])
def test_an_honorific_keeps_its_capital(title: str):
    sentence = f"{title} Robert Pitman, of High Street, entered a not guilty plea."
    assert clause(sentence).startswith(f"{title} Robert Pitman"), clause(sentence)


def test_a_line_opening_on_an_honorific_reads_as_written():
    sentence = "Mr Felt was at the heart of the FBI investigation."
    line = attribute("Outlet 2", "says", sentence, StoryVocabulary([sentence]))
    assert line == "Outlet 2 says that Mr Felt was at the heart of the FBI investigation."
