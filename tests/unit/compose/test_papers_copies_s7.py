""" "What the papers say" and the count of publishers behind a sentence know a wire copy as the
headline does: a copy earns its outlet no line and no independent support, and the agency's
original earns the agency its line even when ingest met the copy first and marked the
original as the duplicate. Outlets quoting one official are not copies. Fixtures in our own
words."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from compose_corpus import _article, candidate_with

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import brief as brief_mod
from services.compose import copies as copies_mod
from services.compose.brief import BriefContext, compose_brief
from services.compose.candidates import parse_article, support_publishers
from services.compose.copies import (
    VERBATIM_SENTENCES,
    VERBATIM_SHARE,
    _verbatim_groups,
    story_copies,
    wire_copies,
)

T0 = datetime(2026, 6, 2, 7, tzinfo=UTC)
T1 = datetime(2026, 6, 2, 8, tzinfo=UTC)
T2 = datetime(2026, 6, 2, 11, tzinfo=UTC)
T3 = datetime(2026, 6, 2, 12, tzinfo=UTC)

AGENCY = "Continental Press Agency"
DATELINE = "VALLETTA, June 2 (CPA) - "
WIRE = [
    "Malta's harbour authority closed the Grand Harbour to cruise ships on Tuesday after a "
    "tanker ran aground near the breakwater and spilled diesel into the bay.",
    "The authority said booms had been laid around the tanker and that about 40 tonnes of fuel "
    "had leaked before divers sealed the hull.",
    "Three cruise ships due on Wednesday were diverted to the southern port of Marsaxlokk, the "
    "port operator said.",
    "Environment officials warned that the spill could reach the swimming beaches of Sliema "
    "within two days if the wind turned north.",
]
GAZETTE_OWN = (
    "Fishermen in Kalkara said the diesel had coated their moorings and nets by Tuesday evening.",
    "Several restaurants along the Kalkara waterfront closed their terraces because of the smell "
    "of fuel drifting in from the bay.",
)


def _wire_text(sentences=WIRE, dateline: str = DATELINE) -> str:
    return dateline + "\n\n".join(sentences)


def _agency(**extra) -> pb.Article:
    return _article(
        "https://cpa.example/malta-tanker-aground",
        AGENCY,
        "Tanker runs aground in Malta's Grand Harbour, spilling diesel",
        _wire_text(),
        T1,
        **extra,
    )


def _courier(text: str | None = None, at: datetime = T0, **extra) -> pb.Article:
    return _article(
        "https://dailycourier.example/world/malta-oil-spill",
        "Daily Courier",
        "Diesel slick shuts Malta harbour to cruise ships",
        _wire_text() if text is None else text,
        at,
        **extra,
    )


def _herald(**extra) -> pb.Article:
    return _article(
        "https://harbourherald.example/malta-spill",
        "Harbour Herald",
        "Cruise ships diverted as diesel leaks into Valletta bay",
        _wire_text(),
        T2,
        **extra,
    )


def _gazette(extra_sentences=()) -> pb.Article:
    return _article(
        "https://islandgazette.example/kalkara-fishermen-spill",
        "Island Gazette",
        "Kalkara fishermen count the cost of the harbour diesel spill",
        "\n\n".join([*GAZETTE_OWN, *extra_sentences]),
        T3,
    )


def _brief(articles: list[pb.Article]) -> pb.Brief:
    return compose_brief("spill", articles, BriefContext(now=1_800_000_000))


def _lines(articles: list[pb.Article]) -> dict[str, pb.PaperLine]:
    lines = _brief(articles).what_the_papers_say
    by_outlet = {line.outlet: line for line in lines}
    assert len(by_outlet) == len(lines), "one line per outlet"
    return by_outlet


def test_the_agency_gets_its_line_when_ingest_met_the_copy_first():
    # The Courier's copy arrived first, so ingest marked the agency's report as the duplicate.
    courier = _courier()
    agency = _agency(duplicate_of=courier.article_id)
    gazette = _gazette()
    articles = [courier, agency, gazette]
    assert wire_copies(articles) == {courier.article_id}
    lines = _lines(articles)
    assert "Daily Courier" not in lines  # the Courier wrote none of those words
    assert lines[AGENCY].article_id == agency.article_id
    assert lines["Island Gazette"].article_id == gazette.article_id


def test_a_copy_without_the_agencys_dateline_is_still_the_copy_when_ingest_marked_the_agency():
    # The Courier dropped the dateline and reworded half the report: no word-for-word match
    # and no dateline tell it; only ingest's mark, read the right way round, does.
    reworded = [
        "A tanker that ran aground near the breakwater on Tuesday shut Malta's Grand Harbour "
        "to cruise ships as diesel seeped into the bay.",
        "Booms now ring the stricken vessel, and about 40 tonnes of fuel escaped before divers "
        "managed to seal the hull, harbour officials said.",
        *WIRE[2:],
    ]
    courier = _courier("\n\n".join(reworded))
    agency = _agency(duplicate_of=courier.article_id)
    articles = [courier, agency, _gazette()]
    assert wire_copies(articles) == {courier.article_id}
    lines = _lines(articles)
    assert "Daily Courier" not in lines
    assert lines[AGENCY].article_id == agency.article_id


def test_a_copy_never_counts_as_independent_support():
    courier = _courier()
    agency = _agency(duplicate_of=courier.article_id)
    articles = [courier, agency, _gazette()]
    publishers = support_publishers(articles)
    # The copy counts for the agency, not the agency for the copy ingest marked it after.
    assert publishers[courier.article_id] == publishers[agency.article_id] == AGENCY.lower()
    # The wire's sentence is in two articles but has one publisher behind it.
    diverted = candidate_with(articles, "diverted to the southern port")
    assert set(diverted.article_ids) == {courier.article_id, agency.article_id}
    assert len(diverted.publishers) == 1


@pytest.mark.parametrize("mark", ["dateline", "ingest"])
def test_copies_of_a_report_missing_from_the_story_earn_no_line_and_one_voice(mark):
    # Ingest's mark (the original clustered elsewhere) or the "(CPA)" dateline alone.
    if mark == "ingest":
        courier = _courier(_wire_text(dateline=""), duplicate_of="a_not_in_this_story")
        herald = _herald()
        herald.text = _wire_text(dateline="")
        herald.duplicate_of = "a_not_in_this_story"
    else:
        courier, herald = _courier(), _herald()
    gazette = _gazette()
    articles = [courier, herald, gazette]
    assert wire_copies(articles) == {courier.article_id, herald.article_id}
    lines = _lines(articles)
    assert set(lines) == {"Island Gazette"}
    publishers = support_publishers(articles)
    assert publishers[courier.article_id] == publishers[herald.article_id]
    assert publishers[courier.article_id] not in ("daily courier", "harbour herald")
    assert len(candidate_with(articles, "diverted to the southern port").publishers) == 1


def test_an_agencys_own_dateline_earns_its_line_whatever_ingest_marked():
    agency = _agency(duplicate_of="a_not_in_this_story")
    gazette = _gazette()
    articles = [agency, gazette]
    assert wire_copies(articles) == frozenset()
    lines = _lines(articles)
    assert lines[AGENCY].article_id == agency.article_id
    assert lines["Island Gazette"].article_id == gazette.article_id


STATEMENT = [
    '"The harbour will reopen only when every litre of fuel is out of the water," the harbour '
    "master, Joseph Camilleri, said in a statement.",
    '"We have asked the owners of the tanker to pay for the whole of the clean-up," the '
    "statement said.",
    '"Divers will inspect the breakwater again on Thursday before any ship is allowed near '
    'it," it added.',
]
POST_OWN = (
    "Tourism operators in Valletta said cancelled cruise calls would cost them the busiest "
    "week of June.",
    "The stranded tanker, a Liberian-flagged vessel, had been waiting to unload at the Marsa "
    "fuel terminal since Monday night.",
)


def _post(quotes) -> pb.Article:
    return _article(
        "https://vallettapost.example/tanker-owners-clean-up",
        "Valletta Post",
        "Harbour master orders tanker owners to pay for Malta clean-up",
        "\n\n".join([*POST_OWN, *quotes]),
        T2,
    )


@pytest.mark.parametrize("shared", [1, 3])
def test_two_outlets_quoting_one_official_are_both_credited(shared):
    quotes = STATEMENT[:shared]
    post, gazette = _post(quotes), _gazette(quotes)
    articles = [post, gazette]
    # Three statements quoted word for word in two short reports are still two reports.
    assert wire_copies(articles) == frozenset()
    lines = _lines(articles)
    assert lines["Valletta Post"].article_id == post.article_id
    assert lines["Island Gazette"].article_id == gazette.article_id
    quoted = candidate_with(articles, "every litre of fuel")
    assert quoted.publishers == {"valletta post", "island gazette"}


def test_each_line_is_the_outlets_own_article_and_words():
    courier = _courier()
    agency = _agency(duplicate_of=courier.article_id)
    articles = [courier, agency, _gazette(), _post(STATEMENT[:1])]
    by_id = {a.article_id: a for a in articles}
    for line in _brief(articles).what_the_papers_say:
        article = by_id[line.article_id]
        assert article.outlet == line.outlet
        assert line.article_id not in wire_copies(articles)
        clause = line.text.split(" that ", 1)[1].rstrip(".")
        assert clause[1:] in article.text  # its own words (the clause may open in lower case)


def test_copies_are_worked_out_once_per_brief(monkeypatch):
    calls = []

    def counted(articles):
        calls.append(len(articles))
        return story_copies(articles)

    def refused(articles):
        raise AssertionError("copies worked out again inside the brief")

    monkeypatch.setattr(brief_mod, "story_copies", counted)
    monkeypatch.setattr(copies_mod, "story_copies", refused)  # what candidates would import
    courier = _courier()
    articles = [courier, _agency(duplicate_of=courier.article_id), _gazette()]
    brief = _brief(articles)
    assert calls == [3]
    assert brief.what_the_papers_say


def _all_pairs_groups(articles: list[pb.Article]) -> set[frozenset[str]]:
    """The word-for-word sets as a comparison of every pair of reports finds them."""
    keys = {a.article_id: set(parse_article(a).verbatim) for a in articles}
    group = {a.article_id: {a.article_id} for a in articles}
    for i, a in enumerate(articles):
        for b in articles[i + 1 :]:
            ka, kb = keys[a.article_id], keys[b.article_id]
            n = len(ka & kb)
            if n >= VERBATIM_SENTENCES and n >= VERBATIM_SHARE * min(len(ka), len(kb)):
                merged = group[a.article_id] | group[b.article_id]
                for member in merged:
                    group[member] = merged
    return {frozenset(g) for g in group.values() if len(g) > 1}


def test_the_quick_comparison_finds_every_set_a_comparison_of_all_pairs_finds():
    pool = [*WIRE, *GAZETTE_OWN, *POST_OWN, *STATEMENT[1:]]
    rng = random.Random(11)
    found = 0
    for story in range(300):
        articles = [
            _article(
                f"https://outlet{i}.example/{story}",
                f"Outlet {i}",
                "Tanker aground in Malta",
                "\n\n".join(rng.sample(pool, rng.randint(2, len(pool)))),
                T0,
            )
            for i in range(rng.randint(2, 7))
        ]
        parsed = {a.article_id: parse_article(a) for a in articles}
        quick = {frozenset(a.article_id for a in g) for g in _verbatim_groups(articles, parsed)}
        assert quick == _all_pairs_groups(articles)
        found += bool(quick)
    assert found > 100  # the stories did hold sets of copies
