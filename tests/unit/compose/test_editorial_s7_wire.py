"""A wire copy's title never heads a brief, whether or not the agency's original is in the
story: copies are told by ``duplicate_of``, by a dateline crediting another agency, or by
text shared word for word. Fixtures in our own words."""

from __future__ import annotations

from datetime import UTC, datetime

from compose_corpus import _article

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.brief import BriefContext, compose_brief
from services.compose.copies import wire_copies

T0 = datetime(2026, 5, 6, 9, tzinfo=UTC)
T1 = datetime(2026, 5, 6, 10, tzinfo=UTC)
T2 = datetime(2026, 5, 6, 13, tzinfo=UTC)

WIRE_BODY = (
    "LISBON, May 6 (NPA) - Portugal's national airline cancelled 140 flights on Wednesday as "
    "cabin crew began a two-day strike over pay, stranding thousands of passengers at Lisbon "
    "and Porto airports.\n\n"
    "The crew union said the airline had refused to restore pay cut during the pandemic, and "
    "that a further strike in June was likely if talks did not resume.\n\n"
    "The airline said it had rebooked about 9,000 passengers and that long-haul flights to "
    "Brazil were largely unaffected.\n\n"
    "Union leader Rosa Matos said the crew had been left with no choice."
)
ORIGINAL_TITLE = "Portugal's national airline cancels 140 flights as cabin crew strike"
COPY_TITLE = "Airline strike chaos: 140 flights cancelled as crew walk out"


def _original(**extra) -> pb.Article:
    return _article(
        "https://npa.example/airline-strike",
        "National Press Agency",
        ORIGINAL_TITLE,
        WIRE_BODY,
        T0,
        **extra,
    )


def _copy(**extra) -> pb.Article:
    return _article(
        "https://evening-star.example/airline-strike-chaos",
        "Evening Star",
        COPY_TITLE,
        WIRE_BODY,
        T1,
        **extra,
    )


def _own_report() -> pb.Article:
    return _article(
        "https://coastal-times.example/airline-strike-porto",
        "Coastal Times",
        "Cabin crew strike grounds flights at Porto airport",
        "Cabin crew at Portugal's national airline walked out on Wednesday, and 140 flights "
        "were cancelled at Lisbon and Porto airports.\n\n"
        "At Porto, queues for the rebooking desk stretched the length of the departures hall "
        "by mid-morning.\n\n"
        "The crew union said another strike in June was likely.",
        T2,
    )


def _headline(articles: list[pb.Article]) -> str:
    return compose_brief("strike", articles, BriefContext(now=1_800_000_000)).headline.text


def test_a_copy_whose_original_is_not_in_the_story_gives_no_headline():
    copy = _copy(duplicate_of="a_not_in_this_story")
    articles = [copy, _own_report()]
    assert wire_copies(articles) == {copy.article_id}
    assert _headline(articles) != COPY_TITLE


def test_an_agencys_own_dateline_makes_it_the_original_even_when_ingest_met_the_copy_first():
    # Ingest saw the republication first, so it marked the agency's report as the copy.
    copy = _copy()
    original = _original(duplicate_of=copy.article_id)
    articles = [original, copy]
    assert wire_copies(articles) == {copy.article_id}
    assert _headline(articles) == ORIGINAL_TITLE


def test_a_dateline_crediting_another_agency_marks_a_syndicated_copy():
    copy = _copy()  # no duplicate mark: only its "(NPA)" dateline tells
    articles = [copy, _own_report()]
    assert wire_copies(articles) == {copy.article_id}
    assert _headline(articles) != COPY_TITLE


def test_reports_sharing_their_text_word_for_word_leave_only_the_earliest_original():
    body = WIRE_BODY.split(" - ", 1)[1]  # datelines stripped, no duplicate marks either
    first = _article("https://a.example/strike", "Outlet A", ORIGINAL_TITLE, body, T0)
    second = _article("https://b.example/strike", "Outlet B", COPY_TITLE, body, T1)
    articles = [first, second]
    assert wire_copies(articles) == {second.article_id}
    assert _headline(articles) == ORIGINAL_TITLE


def test_a_story_of_copies_only_is_headed_by_its_own_lead_not_a_copys_title():
    copy = _copy(duplicate_of="a_not_in_this_story")
    head = _headline([copy])
    assert head != COPY_TITLE
    assert "140 flights" in head


def test_an_outlets_own_report_is_no_copy():
    articles = [_original(), _own_report()]
    assert wire_copies(articles) == frozenset()
