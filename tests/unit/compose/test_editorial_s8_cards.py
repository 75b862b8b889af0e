"""Entity cards only for who a story names: a famous person's surname inside another name
("Mt Cook", "Bandar Abbas", "LaCalamita III") is no mention of them. Fixtures in our own
words; KB people as the shipped KB has them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from compose_corpus import _article

from services.compose.brief import BriefContext, compose_brief
from services.compose.config import DEFAULT_KB
from services.compose.entities import Linker
from services.compose.kb import load_kb

LINKER = Linker(load_kb(DEFAULT_KB))
T0 = datetime(2026, 3, 7, 8, tzinfo=UTC)


def _cards(*stories: tuple[str, str]) -> list[str]:
    articles = [
        _article(f"https://o{i}.example/{i}", f"Outlet {i}", title, text, T0 + timedelta(hours=i))
        for i, (title, text) in enumerate(stories)
    ]
    brief = compose_brief("s", articles, BriefContext(now=1_800_000_000, cards=LINKER.cards))
    return [c.name for c in brief.topics]


CLIMB = [
    (
        "Second climber dies on Mt Cook in a week",
        "A second climber has died on Aoraki Mt Cook in a week, police in New Zealand said on "
        "Saturday.\n\nThe man fell about 150 metres near the Linda Glacier below Mt Cook.\n\n"
        "Rescuers reached him by helicopter from Mt Cook village.",
    ),
    (
        "Climber killed in fall on Mt Cook",
        "A climber was killed in a fall on Mt Cook on Saturday, the second death in the Mt Cook "
        "National Park this week.\n\nInspector Dana Hoult said the climbing party had turned "
        "back because of ice.",
    ),
    (
        "Mt Cook deaths prompt safety warning",
        "Guides have urged climbers to take care on Mt Cook after two deaths in a week.\n\n"
        "Conditions on the upper mountain were icy, the Mt Cook guiding company said.",
    ),
]


def test_a_mountain_named_after_a_surname_gets_no_card_of_a_famous_namesake():
    names = _cards(*CLIMB)
    assert "Tim Cook" not in names, names
    assert "New Zealand" in names, names


def test_a_port_and_a_suspect_do_not_name_a_president_or_a_king():
    quake = (
        "Earthquake shakes Bandar Abbas in southern Iran",
        "An earthquake shook the port of Bandar Abbas in Iran on Sunday, state media said.\n\n"
        "Buildings in Bandar Abbas and on Qeshm island were damaged.",
    )
    trial = (
        "Bandar Abbas quake: Anthony LaCalamita III leads rescue",
        "Rescue teams in Bandar Abbas were led by Anthony LaCalamita III, an aid worker.\n\n"
        "LaCalamita III said the damage in Bandar Abbas was severe.",
    )
    names = _cards(quake, trial, quake)
    assert "Mahmoud Abbas" not in names and "Charles III" not in names, names
    assert "Iran" in names, names


def test_a_surname_with_a_title_or_alone_still_names_its_person():
    assert LINKER.known("Mr Cook told shareholders the results were strong.") == ["tim-cook"]
    assert LINKER.known("In Ramallah, Abbas said the talks would resume.")[-1] == "mahmoud-abbas"
    assert LINKER.known("Apple's Cook said so.") == ["apple", "tim-cook"]
    assert LINKER.known("Two climbers died on Mt Cook.") == []


def test_a_described_person_reads_like_a_kb_card():
    names = {
        c.name: c.description
        for c in LINKER.cards(
            [
                _article(
                    f"https://o{i}.example/wall",
                    f"Outlet {i}",
                    "Dunmere sea wall designs go on show",
                    "Residents saw the designs for Dunmere's new sea wall on Tuesday.\n\n"
                    "Cllr Janet Roper, the council's cabinet member for the coast, said beach "
                    "hut owners would be contacted before Christmas.",
                    T0 + timedelta(hours=i),
                )
                for i in range(2)
            ]
        )
    }
    # Named as a card names a person (no honorific), described as the KB describes: a
    # capital and a full stop.
    assert names.get("Janet Roper") == "The council's cabinet member for the coast.", names
    assert "Cllr Janet Roper" not in names
