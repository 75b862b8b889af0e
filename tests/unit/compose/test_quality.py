"""Brief quality rules on the sample corpus and small fixtures: latest facts, no shouting,
verbs that fit, analysis that does not repeat the facts, background and a dated timeline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from compose_corpus import _article, example_stories

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import cues as C
from services.compose import text as T
from services.compose.brief import BriefContext, Related, compose_brief
from services.compose.candidates import (
    Candidate,
    has_first_person,
    near_repeat,
    parse_article,
)
from services.compose.config import DEFAULT_KB
from services.compose.entities import Linker
from services.compose.kb import Entity, load_kb
from services.compose.papers import ANALYSIS_VERBS, FACT_VERBS, OPINION_VERBS, verb_group

LINKER = Linker(load_kb(DEFAULT_KB))
EXAMPLES = example_stories() or {}
needs_examples = pytest.mark.skipif(not EXAMPLES, reason="sample corpus not present")


def _brief(key: str) -> pb.Brief:
    return compose_brief(key, EXAMPLES[key], BriefContext(now=1_800_000_000, cards=LINKER.cards))


BRIEFS = {key: _brief(key) for key in sorted(EXAMPLES)}


def _day(ts) -> int:
    return ts.seconds // 86400


def _acronyms(articles) -> frozenset[str]:
    return frozenset().union(*(parse_article(a).acronyms for a in articles))


# -- What's happened: the latest developments ------------------------------------------------
@needs_examples
def test_storm_brief_states_what_happened_not_the_warning_before_it():
    brief, articles = BRIEFS["storm-iona"], EXAMPLES["storm-iona"]
    by_id = {a.article_id: a for a in articles}
    last_day = max(_day(a.published_at) for a in articles)
    happened = [s.text for s in brief.whats_happened]
    assert not [s for s in happened if "warning" in s.lower() or "urged" in s.lower()], happened
    assert any(_day(by_id[i].published_at) == last_day for i in brief.whats_happened[0].article_ids)
    assert all(_day(by_id[i].published_at) == last_day for i in brief.headline.article_ids)
    behind = [s.text for s in brief.behind_the_headline]
    assert not [s for s in behind if "amber warning" in s.lower()], behind


@needs_examples
def test_developing_story_leads_with_its_newest_development():
    brief, articles = BRIEFS["kaldora-vesnia-talks"], EXAMPLES["kaldora-vesnia-talks"]
    by_id = {a.article_id: a for a in articles}
    news_days = sorted({_day(a.published_at) for a in articles if not a.kind})
    lead_days = {_day(by_id[i].published_at) for i in brief.whats_happened[0].article_ids}
    assert max(lead_days) >= news_days[-2]  # from the last two days of news, not the first
    assert "framework" in brief.headline.text.lower()


def test_fresh_fact_outranks_an_older_warning_in_a_small_story():
    t0 = datetime(2026, 1, 5, 8, tzinfo=UTC)
    t1 = datetime(2026, 1, 6, 9, tzinfo=UTC)
    warn = _article(
        "https://a.example/1",
        "Outlet A",
        "Storm Nell: warning issued for the coast",
        "A yellow warning for wind covers the whole coast from Monday night, forecasters said.\n\n"
        "Storm Nell is expected to bring gusts of 80mph to exposed coastal towns overnight.",
        t0,
    )
    hit = _article(
        "https://b.example/2",
        "Outlet B",
        "Storm Nell cuts power to 9,000 homes along the coast",
        "Storm Nell cut power to 9,000 homes along the coast overnight and closed two bridges.\n\n"
        "Gusts of 84mph were recorded at the harbour, the highest in the region this winter.",
        t1,
    )
    brief = compose_brief("nell", [warn, hit], BriefContext(now=0))
    assert brief.whats_happened[0].article_ids == [hit.article_id]
    assert all(hit.article_id in s.article_ids for s in brief.whats_happened)
    assert brief.headline.text.startswith("Storm Nell cuts power")


# -- shouted tabloid openings ----------------------------------------------------------------
def test_shouted_openings_are_recognised_and_normalised():
    assert C.shouted("SCOTS already struggling to heat their homes face a tougher winter.")
    assert C.shouted("A MAN died after a tree crashed onto his car.")
    assert C.shouted("HARD-PRESSED families were dealt another blow today.")
    assert not C.shouted("A magnitude 7.4 earthquake struck off the coast.")
    assert not C.shouted("UN officials said the talks would resume.")
    assert not C.shouted("OPEC ministers met in Vienna.", frozenset({"OPEC"}))
    assert (
        C.unshout("SCOTS already struggling to heat homes.")
        == "Scots already struggling to heat homes."
    )
    assert C.unshout("A MAN died on Monday.") == "A man died on Monday."
    assert C.unshout("UK inflation rose to 3.9%.") == "UK inflation rose to 3.9%."


@needs_examples
@pytest.mark.parametrize("key", sorted(BRIEFS))
def test_no_brief_shouts(key):
    brief, acronyms = BRIEFS[key], _acronyms(EXAMPLES[key])
    prose = [*brief.whats_happened, *brief.behind_the_headline, *brief.how_we_got_here]
    assert not [s.text for s in prose if C.shouted(s.text, acronyms)]
    assert not [s.text for s in prose if has_first_person(s.text)]  # no columnist's "I"
    for line in brief.what_the_papers_say:
        clause = line.text.split(" that ", 1)[1]
        assert not C.shouted(clause, acronyms), line.text


# -- reporting verbs by sentence type --------------------------------------------------------
def test_verb_groups_follow_the_kind_of_sentence():
    said = "Energy Secretary Rachel Dunmore said help was available through the discount."
    assert verb_group(said, "") == ("reports",)
    assert verb_group(said, "analysis") == ("reports",)
    fact = "Household energy bills will rise by 8.3% from 1 January after the cap rose."
    assert set(verb_group(fact, "")) <= set(FACT_VERBS)
    reading = "The rise makes an interest rate cut at the next meeting less likely."
    assert verb_group(reading, "") == ANALYSIS_VERBS
    assert verb_group("The cap is set every quarter by the regulator Ofgem.", "analysis") == (
        ANALYSIS_VERBS
    )
    assert verb_group("Ministers should stop hiding behind the price cap.", "") == OPINION_VERBS
    assert verb_group("The cap is a blunt instrument for a subtle problem.", "opinion") == (
        OPINION_VERBS
    )


@needs_examples
@pytest.mark.parametrize("key", sorted(BRIEFS))
def test_papers_verbs_fit_their_sentences(key):
    by_id = {a.article_id: a for a in EXAMPLES[key]}
    for line in BRIEFS[key].what_the_papers_say:
        rest = line.text[len(line.outlet) + 1 :]
        verb, clause = rest.split(" that ", 1)
        article = by_id[line.article_id]
        if verb in OPINION_VERBS:  # argues/contends only for opinion
            _, flags = C.analyse(clause, article.kind)
            assert C.OPINION in flags, line.text
        words = set(T.words(clause.lower()))
        if words & {"said", "says", "told", "according"}:
            assert verb == "reports", line.text  # never "argues that X said"


# -- What's behind the headline: analysis, never a repeat ------------------------------------
def _candidate(text: str) -> Candidate:
    return Candidate(text, T.content_terms(text), ["a"], {"p"}, 0.0, 0, C.FACT, False)


def test_two_reports_of_one_warning_are_a_repeat():
    a = _candidate(
        "An amber warning for wind is in force from 18:00 on Wednesday until 12:00 on Thursday, "
        "covering the Western Isles, Argyll and Bute, and parts of the Highlands and the west of "
        "Scotland."
    )
    b = _candidate(
        "The Met Office has issued an amber warning for wind covering the Western Isles, Argyll, "
        "the west Highlands and parts of the central belt from 6pm tonight until noon tomorrow."
    )
    other = _candidate("ScotRail cancelled more than 250 services on the west coast lines.")
    assert near_repeat(a, [b]) and near_repeat(b, [a])
    assert not near_repeat(other, [a, b])


@needs_examples
@pytest.mark.parametrize("key", sorted(BRIEFS))
def test_behind_the_headline_is_analysis_that_does_not_restate_the_facts(key):
    brief = BRIEFS[key]
    happened = [T.content_terms(s.text) for s in brief.whats_happened]
    for s in brief.behind_the_headline:
        terms = T.content_terms(s.text)
        for h in happened:
            assert T.jaccard(terms, h) < 0.35 and T.containment(terms, h) < 0.5, s.text
        kind, flags = C.analyse(s.text, "")
        by_id = {a.article_id: a for a in EXAMPLES[key]}
        from_analysis = any(by_id[i].kind in ("analysis", "opinion") for i in s.article_ids)
        assert kind == C.ANALYSIS or from_analysis or C.QUOTED in flags, s.text


# -- How we got here: background and a dated timeline ----------------------------------------
def test_background_cues():
    for sentence in (
        "Fighting over the Sarn valley began in March and has killed 4,000 people.",
        "The union has not received an above-inflation pay rise since 2021.",
        "Talks had stalled twice over the status of the Halden district.",
        "Ofgem raised the cap last year after a similar rise in wholesale prices.",
        "Earlier this month the regulator warned suppliers over billing errors.",
    ):
        assert C.analyse(sentence, "")[0] == C.BACKGROUND, sentence
    # Reported speech in the past perfect is a statement of the story, not background.
    assert C.analyse("The ministry said 120 people had been injured.", "")[0] != C.BACKGROUND


@needs_examples
def test_most_briefs_have_background():
    with_background = [k for k, b in BRIEFS.items() if b.how_we_got_here]
    assert len(with_background) >= 10, sorted(set(BRIEFS) - set(with_background))


@needs_examples
def test_timeline_has_a_dated_entry_per_day_of_news_with_provenance():
    key = "kaldora-vesnia-talks"
    articles = {a.article_id: a for a in EXAMPLES[key]}
    earlier = Related("s-earlier", "Kaldora and Vesnia agree a truce", 1_762_000_000, ("x",))
    brief = compose_brief(key, EXAMPLES[key], BriefContext(now=0, related=[earlier]))
    own = [e for e in brief.timeline if e.story_id == key]
    news_days = {_day(a.published_at) for a in articles.values() if not a.kind}
    assert sorted(_day(e.at) for e in own) == sorted(news_days)  # one per day of news
    for e in own:
        assert e.article_ids and all(
            _day(articles[i].published_at) == _day(e.at) for i in e.article_ids
        )
        assert any(T.comparable(e.text) in T.comparable(articles[i].title) for i in e.article_ids)
    assert brief.timeline[0].story_id == "s-earlier"
    assert [e.at.seconds for e in brief.timeline] == sorted(e.at.seconds for e in brief.timeline)


# -- the entity scanner that replaced the regex alternation ----------------------------------
def test_linker_matches_aliases_as_whole_tokens():
    linker = Linker(
        [
            Entity("us", "United States", "place", "Country.", ("U.S.", "US")),
            Entity("opec", "OPEC", "organisation", "Cartel.", ("OPEC+",)),
            Entity("bw", "Brightwater & Co", "organisation", "Retailer.", ()),
            Entity("kremlin", "Kremlin", "organisation", "Seat.", ("the Russian presidency",)),
        ]
    )
    assert linker.known("A U.S.-led plan and an OPEC+ cut") == ["us", "opec"]
    assert linker.known("Brightwater &\nCo collapsed; the USSR did not") == ["bw"]
    assert linker.known("The Russian Presidency said") == ["kremlin"]
    assert linker.known("Business in the United States") == ["us"]
