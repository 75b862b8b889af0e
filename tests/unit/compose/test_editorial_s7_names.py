"""People in a brief: nobody appears as a bare surname ("Okafor said") before the brief has
said who they are. Small fixtures in our own words, and a check of every sample brief."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from compose_corpus import _article, candidate_with, example_stories

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import people as P
from services.compose.brief import BriefContext, PeopleNamer, compose_brief

T0 = datetime(2026, 3, 2, 7, tzinfo=UTC)
T1 = datetime(2026, 3, 2, 11, tzinfo=UTC)

# The Tribune names the council leader in full; the Herald, later, only by her surname.
TRIBUNE = _article(
    "https://tribune.example/floods-1",
    "The Tribune",
    "River Leven floods 300 homes in Dunmere",
    "The River Leven burst its banks in Dunmere overnight, flooding 300 homes and closing the "
    "town's two bridges.\n\n"
    "Council leader Nkem Okafor said every flooded household would be offered a place in "
    "temporary accommodation by the weekend.\n\n"
    "Forecasters expect the river to fall slowly over the next two days.",
    T0,
)
HERALD = _article(
    "https://herald.example/floods-2",
    "The Herald",
    "Dunmere families spend night in school hall after River Leven floods",
    "Dozens of families from Dunmere spent the night in the town's school hall after the River "
    "Leven flooded 300 homes.\n\n"
    '"We are moving every family who needs a bed into the school hall tonight," Okafor said.\n\n'
    "Volunteers from the rowing club ferried elderly residents across the flooded high street.",
    T1,
)


# -- the story's people ---------------------------------------------------------------------
def test_the_story_knows_a_person_by_full_name_and_role():
    people = P.story_people([(a.article_id, a.text) for a in (TRIBUNE, HERALD)])
    okafor = people["Okafor"]
    assert okafor.name == "Nkem Okafor"
    assert okafor.introduction().text.lower() == "council leader nkem okafor"


def test_places_and_organisations_are_not_people():
    text = (
        "Police Scotland said the road was closed. Highland Power Networks said 40,000 homes "
        "were cut off. Stratus said the fault was fixed. The energy networks worked all night."
    )
    assert P.story_people([("a", text)]) == {}


def test_a_bare_surname_and_a_full_name_are_told_apart():
    people = {"Okafor": None}
    bare, full = P.mentions("Okafor said it. Ms Okafor agreed. Nkem Okafor left.", people)[0:3:2]
    assert bare.bare and not full.bare
    assert P.mentions("Ms Okafor agreed.", people)[0].start == 0  # the honorific goes too


# -- a brief's sentences --------------------------------------------------------------------
def test_a_quote_by_surname_only_is_printed_with_the_name_and_role_the_story_gives():
    articles = [TRIBUNE, HERALD]
    quote = candidate_with(articles, "school hall tonight")
    namer = PeopleNamer(articles)
    [printed] = namer.sentences([quote], frozenset())
    # The speaker's "tonight" stays theirs; the attribution says when (T1 was a Monday).
    assert printed.text.lower().endswith('tonight," council leader nkem okafor said on monday.')
    # The quotation is untouched, and the article the name comes from is cited too.
    assert printed.text.startswith('"We are moving every family who needs a bed')
    assert list(printed.article_ids) == [HERALD.article_id, TRIBUNE.article_id]


def test_a_person_named_in_full_before_keeps_the_surname_after():
    articles = [TRIBUNE, HERALD]
    first = candidate_with(articles, "temporary accommodation")
    quote = candidate_with(articles, "school hall tonight")
    printed = PeopleNamer(articles).sentences([first, quote], frozenset())
    assert printed[1].text.endswith("tonight,\u201d Okafor said on Monday.") or printed[
        1
    ].text.endswith('tonight," Okafor said on Monday.')


def test_another_outlets_wording_that_names_the_person_in_full_is_preferred():
    # Two outlets print one sentence; only the second names the engineer in full.
    a = _article(
        "https://a.example/bridge",
        "Outlet A",
        "Dunmere bridge to stay shut for a month",
        "Inspectors found cracks in the piers of Dunmere's old bridge after the floods.\n\n"
        "The bridge will stay closed for at least a month while repairs are carried out, "
        "Mbeki told the council.",
        T0,
    )
    b = _article(
        "https://b.example/bridge",
        "Outlet B",
        "Old bridge closed after flood damage",
        "The old bridge will stay closed for at least a month while repairs are carried out, "
        "Thandi Mbeki told the council.\n\n"
        "Thandi Mbeki, the council's chief engineer, said the cracks were found on Tuesday.",
        T1,
    )
    sentence = candidate_with([a, b], "at least a month")
    [printed] = PeopleNamer([a, b]).sentences([sentence], frozenset())
    assert "Thandi Mbeki told the council" in printed.text
    assert printed.article_ids[0] == b.article_id


def test_a_sentence_naming_someone_the_story_never_introduces_is_dropped():
    a = _article(
        "https://a.example/rota",
        "Outlet A",
        "Volunteers keep Dunmere rest centre open",
        "Volunteers kept the Dunmere rest centre open through a second night of flooding.\n\n"
        "Ms Achebe, who runs the centre, said blankets were running short by midnight.\n\n"
        "The council said more supplies would arrive on Wednesday morning.",
        T0,
    )
    sentence = candidate_with([a], "blankets were running short")
    assert PeopleNamer([a]).sentences([sentence], frozenset()) == []


def test_a_bare_surname_inside_a_quotation_is_never_rewritten():
    a = _article(
        "https://a.example/praise",
        "Outlet A",
        "Residents praise council response to Dunmere floods",
        "Council leader Nkem Okafor said the rest centre would stay open all week.\n\n"
        '"Okafor has been here every night, which says a lot," said resident Jim Dale, 71.',
        T0,
    )
    sentence = candidate_with([a], "every night")
    assert PeopleNamer([a]).sentences([sentence], frozenset()) == []


def test_a_papers_line_names_the_person_in_full():
    articles = [TRIBUNE, HERALD]
    line = pb.PaperLine(
        outlet="The Herald",
        text="The Herald reports that Okafor said the school hall would stay open all week.",
        article_id=HERALD.article_id,
        url=HERALD.url,
    )
    [printed] = PeopleNamer(articles).lines([line])
    assert printed.text.lower() == (
        "the herald reports that council leader nkem okafor said the school hall would stay "
        "open all week."
    )


def test_the_whole_brief_never_meets_a_bare_surname_first():
    brief = compose_brief("floods", [TRIBUNE, HERALD], BriefContext(now=1_800_000_000))
    texts = _reading_order(brief)
    assert any("Okafor" in t for t in texts)
    assert _unintroduced([TRIBUNE, HERALD], texts) == []


# -- the sample corpus ----------------------------------------------------------------------
EXAMPLES = example_stories() or {}
needs_examples = pytest.mark.skipif(not EXAMPLES, reason="sample corpus not present")

_VERBS = r"(?:said|says|told|added|warned|insisted|acknowledged|argued|moved|secures|wrote)"
# A surname-only attribution: "Salas said", "said Salas", "Ms Lindqvist moved".
_ATTRIBUTION_RE = re.compile(
    rf"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?:['’]s)? {_VERBS}\b|\b(?:said|says) ([A-Z][a-z]+)[.,]"
)
_NOT_GIVEN = {"Mr", "Mrs", "Ms", "Dr", "The", "A", "An", "In", "On", "At", "But", "And"}


def _reading_order(brief: pb.Brief) -> list[str]:
    return [
        brief.headline.text,
        *(s.text for s in brief.whats_happened),
        *(s.text for s in brief.behind_the_headline),
        *(p.text for p in brief.what_the_papers_say),
        *(s.text for s in brief.how_we_got_here),
    ]


def _unintroduced(articles: list[pb.Article], texts: list[str]) -> list[str]:
    """Sentences with a surname-only attribution of someone the story names in full ("Given
    Surname") but the brief has not named so before: checked apart from the code under
    test, by plain patterns."""
    story = "\n".join(a.text for a in articles)
    found = []
    for i, text in enumerate(texts):
        for m in _ATTRIBUTION_RE.finditer(text):
            surname = m.group(1) or m.group(2)
            at = m.start(1) if m.group(1) else m.start(2)
            previous = (text[:at].split() or [""])[-1]
            if previous[:1].isupper() and previous not in _NOT_GIVEN:
                continue  # "Rodrigo Salas said", "Trade Association said": a full name
            full = re.compile(rf"\b[A-Z][\w'’-]+ {re.escape(surname)}\b")
            givens = {g.split()[0] for g in full.findall(story)} - _NOT_GIVEN
            if not givens:
                continue  # the story never names such a person in full: no one's surname
            before = "\n".join(texts[:i]) + "\n" + text[: m.start()]
            if not any(f"{g} {surname}" in before for g in givens):
                found.append(text)
    return found


@needs_examples
@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_no_sample_brief_attributes_by_a_surname_it_never_introduced(key):
    brief = compose_brief(key, EXAMPLES[key], BriefContext(now=1_800_000_000))
    assert _unintroduced(EXAMPLES[key], _reading_order(brief)) == []


@needs_examples
def test_the_peru_brief_says_who_salas_is_where_it_first_quotes_him():
    brief = compose_brief(
        "arequipa-earthquake", EXAMPLES["arequipa-earthquake"], BriefContext(now=1_800_000_000)
    )
    texts = _reading_order(brief)
    first = next(t for t in texts if "Salas" in t)
    assert "Rodrigo Salas" in first
