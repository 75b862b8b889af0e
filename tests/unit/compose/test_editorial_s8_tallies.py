"""A headline restates a toll only with a later count of the same dead, hurt or missing: a
score, a date, an age or a count of something else is no revision. Fixtures in our own words."""

from __future__ import annotations

from datetime import UTC, datetime

from compose_corpus import _article

from services.compose.brief import BriefContext, compose_brief
from services.compose.tallies import tallies

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
T1 = datetime(2026, 3, 2, 13, tzinfo=UTC)
NOW = 1_800_000_000


def _headline(*articles) -> str:
    return compose_brief("s", list(articles), BriefContext(now=NOW)).headline.text


def test_a_score_or_a_date_in_a_later_report_does_not_rewrite_a_headline_figure():
    title = "Injured Harbour City striker Tomas Vell to miss last 2 games"
    first = _article(
        "https://sport.example/vell-1",
        "Sport Daily",
        title,
        "Harbour City striker Tomas Vell will miss the last two games of the season with a "
        "sprained ankle, the club said on Monday.\n\n"
        "Vell was injured in the 13-10 defeat by Northport on Saturday, his first start since "
        "he hurt the same ankle on Oct. 19.\n\n"
        "The club has already been knocked out of the title race.",
        T0,
    )
    second = _article(
        "https://league.example/vell-2",
        "League Wire",
        "Harbour City rule Vell out for the season",
        "Harbour City have ruled striker Tomas Vell out for the rest of the season after he was "
        "injured during the 13-10 loss to Northport.\n\n"
        "The club said the ankle did not need surgery but would take three weeks to heal.",
        T1,
    )
    head = _headline(first, second)
    assert "last 2 games" in head, head  # not "last 13 games", the score of the defeat
    # The figures themselves, as the toll reader takes them.
    assert tallies("He was injured during the 13-10 loss to Northport.") == {}
    assert tallies("He hurt the same ankle on Oct. 19.") == {}
    assert tallies(title) == {}


def test_one_count_qualifies_one_measure():
    # "two" are the wounded here, not the dead; the gunman killed one.
    assert tallies("A former clerk shot and killed a woman and wounded two men on Monday.") == {
        "injured": 2
    }
    assert tallies("He is accused of wounding two bosses and killing a receptionist.") == {
        "injured": 2
    }
    # A count as near to two measures is each one's nearest: the toll keeps its 14.
    assert tallies("Death toll rises to 14 as 300 hurt") == {"dead": 14, "injured": 300}
    assert tallies("At least 12 people were killed and 40 injured.") == {"dead": 12, "injured": 40}
    assert tallies("The person killed was a 63-year-old woman from Warren.") == {}
    assert tallies("The receptionist was shot dead and two managers were taken to hospital.") == {}


def test_a_shooting_headline_keeps_its_toll_when_a_later_report_counts_the_wounded():
    first = _article(
        "https://metro.example/office-1",
        "Metro News",
        "Gunman kills 1, wounds 2 at accounting office",
        "A gunman killed one person and wounded two others at an accounting office in Eastvale "
        "on Monday morning, police said.\n\n"
        "Officers arrested a 38-year-old man on the ring road an hour after the shooting.\n\n"
        "The firm had dismissed the man the week before, according to police.",
        T0,
    )
    second = _article(
        "https://state.example/office-2",
        "State Herald",
        "Eastvale office shooting: fired clerk arrested",
        "A former clerk who had been dismissed the week before shot and killed a woman and "
        "wounded two men at the Eastvale accounting office where he worked, police said.\n\n"
        "He was arrested on the ring road an hour later after a short chase.",
        T1,
    )
    head = _headline(first, second)
    assert "kills 1" in head and "kills 2" not in head, head
