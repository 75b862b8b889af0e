"""A quotation out of its article needs its speaker: '"...," he told Radio Dunmore on Sunday'
names nobody, however much follows "he told". Fixtures in our own words."""

from __future__ import annotations

from datetime import UTC, datetime

from compose_corpus import _article

from services.compose.brief import BriefContext, compose_brief
from services.compose.candidates import unnamed_speaker

T0 = datetime(2026, 3, 8, 9, tzinfo=UTC)
T1 = datetime(2026, 3, 8, 14, tzinfo=UTC)


def test_a_pronoun_telling_a_named_outlet_is_still_no_speaker():
    assert unnamed_speaker('"We found him at first light," he told Radio Dunmore on Sunday.')
    assert unnamed_speaker('"The ice was too thin," she told the Associated Press.')
    assert unnamed_speaker('"We will go back," he said, as the rescue team looked on.')
    # A named speaker, before or after the quotation, is one.
    assert not unnamed_speaker('"We found him at first light," Inspector Dana Hoult said.')
    assert not unnamed_speaker('"We found him at first light," said rescuer Tom Iles.')


def test_a_brief_prints_no_quotation_whose_speaker_is_only_he():
    first = _article(
        "https://alpine.example/climber-1",
        "Alpine News",
        "Climber dies in fall on Mount Arden",
        "A climber has died after falling about 150 metres on Mount Arden, police said on "
        "Sunday.\n\n"
        "The man, 36, was climbing with three friends when he slipped on ice below the summit "
        "ridge, police said.\n\n"
        '"We reached him at first light and it was clear there were no signs of life," he told '
        "Radio Dunmore on Sunday.\n\n"
        "Inspector Dana Hoult said the party had been well equipped but had started late.",
        T0,
    )
    second = _article(
        "https://valley.example/climber-2",
        "Valley Times",
        "Second death on Mount Arden in a week",
        "A second climber in a week has died on Mount Arden, where ice has made the upper "
        "slopes dangerous.\n\n"
        '"Conditions up there are as bad as I have seen them," mountain guide Tom Iles said.\n\n'
        "Rescuers recovered the body by helicopter on Sunday afternoon.",
        T1,
    )
    brief = compose_brief("c", [first, second], BriefContext(now=1_800_000_000))
    printed = [s.text for s in [*brief.whats_happened, *brief.behind_the_headline]]
    printed += [s.text for s in brief.how_we_got_here]
    printed += [line.text for line in brief.what_the_papers_say]
    assert not [t for t in printed if "first light" in t], printed
