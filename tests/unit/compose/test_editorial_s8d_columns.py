"""A story made of one opinion column alone (as live clustering makes them): its brief is
headed as a column, "What's happened" holds only the events the column reports, and its
papers line never makes a plain fact the columnist's argument."""

from __future__ import annotations

from datetime import UTC, datetime

from compose_corpus import _article

from services.compose.brief import BriefContext, column_fact, compose_brief
from services.compose.papers import OPINION_VERBS, verb_group

ESSAY = (
    'There is a joke among software engineers that "the cloud" is just someone else\'s '
    "computer. On Monday, for six hours, the joke stopped being funny. A configuration change "
    "at Stratus Cloud's Dublin region, according to the company's own preliminary report, "
    "knocked out banking apps, card terminals, airline check-in desks and hospital booking "
    "systems across these islands. People stood at tills unable to pay. The instinct will be "
    "to treat this as a technical failure with a technical fix: better safeguards, slower "
    "rollouts, a designation under the critical third party regime. Cloud computing is "
    "cheaper, in many respects more secure and far more flexible than the server rooms it "
    "replaced. We used to call that prudence. Perhaps it is time to call it that again."
)


def _column(kind: str = "opinion"):
    return _article(
        "https://www.lanternreview.example/essays/someone-elses-computer",
        "The Lantern Review",
        "We built the economy on someone else's computer",
        ESSAY,
        datetime(2026, 11, 25, 7, 0, tzinfo=UTC),
        kind=kind,
    )


def _brief(*articles):
    return compose_brief("st_column", list(articles), BriefContext(now=1_800_000_000))


def test_a_lone_column_is_headed_as_a_column_with_its_own_title():
    brief = _brief(_column())
    assert brief.headline.text == "Opinion: We built the economy on someone else's computer"
    assert _brief(_column("analysis")).headline.text.startswith("Analysis: We built")


def test_a_lone_columns_whats_happened_holds_the_event_not_the_argument():
    texts = [s.text for s in _brief(_column()).whats_happened]
    assert texts and texts[0].startswith("A configuration change at Stratus Cloud's Dublin")
    for argument in ("The instinct will be", "Cloud computing is cheaper", "Perhaps it is"):
        assert not any(t.startswith(argument) for t in texts), texts


def test_column_fact_tells_a_reported_event_from_the_writers_voice():
    assert column_fact("Brent at $91 is comfortably above the fiscal break-even of members.")
    assert not column_fact("The instinct will be to treat this as a technical failure.")
    assert not column_fact("Perhaps it is time to call it that again.")
    assert not column_fact("Cloud computing is cheaper than the server rooms it replaced.")


def test_a_news_story_keeps_its_news_title():
    news = _article(
        "https://pbn.example/outage",
        "PBN News",
        "Stratus Cloud outage knocks out banking apps",
        "Banking apps and card terminals failed across Ireland and Britain on Monday after an "
        "outage at Stratus Cloud's Dublin region. The company blamed a configuration change.",
        datetime(2026, 11, 24, 18, 0, tzinfo=UTC),
    )
    assert _brief(news, _column()).headline.text == "Stratus Cloud outage knocks out banking apps"


def test_a_plain_fact_in_a_column_is_written_not_argued():
    assert verb_group("People stood at tills unable to pay.", "opinion") == ("writes",)
    assert verb_group("Ministers should stop pretending the cloud is safe.", "opinion") == (
        OPINION_VERBS
    )
