"""An editor's sixth read of the briefs, on small stories written for these tests: an outlet's
line is about this story and says what the brief does not, names keep their capitals and
common words lose them, Title Case titles print in sentence case, a column's scene-setting
opening is no assessment, no "yesterday" from a day gone, history only when the sentence
tells of history, and no sentence that leans on the one before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from compose_corpus import _article, example_stories

from newsbrief.ids import article_id
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import cues as C
from services.compose import text as T
from services.compose.brief import (
    BriefContext,
    behind_the_headline,
    compose_brief,
    whats_happened,
)
from services.compose.candidates import (
    build_candidates,
    dangling_opener,
    figures,
    hook,
    newest_news_time,
    newest_time,
    retold,
)
from services.compose.papers import (
    FACT_VERBS,
    OutletNames,
    StoryVocabulary,
    ToldAlready,
    _best_line,
    _pick_line,
    _plain,
    attribute,
    reportable,
    verb_group,
)

WEDNESDAY = datetime(2026, 11, 18, 9, tzinfo=UTC)
THURSDAY = datetime(2026, 11, 19, 9, tzinfo=UTC)
EXAMPLES = example_stories() or {}
needs_examples = pytest.mark.skipif(not EXAMPLES, reason="sample corpus not present")


def _story(*pieces: tuple) -> list[pb.Article]:
    """Articles from (outlet, title, text, published[, kind]) tuples."""
    out = []
    for i, (outlet, title, text, at, *kind) in enumerate(pieces):
        url = f"https://{outlet.lower().replace(' ', '')}.example/{i}"
        out.append(_article(url, outlet, title, text, at, kind=kind[0] if kind else ""))
    return out


def _brief(articles: list[pb.Article]) -> pb.Brief:
    last = max(a.published_at.seconds for a in articles)
    return compose_brief("s", articles, BriefContext(now=last + 3600))


def _prose(brief: pb.Brief) -> list[str]:
    return [s.text for s in (*brief.whats_happened, *brief.behind_the_headline)] + [
        s.text for s in brief.how_we_got_here
    ]


def _line_of(brief: pb.Brief, outlet: str) -> str:
    return next((p.text for p in brief.what_the_papers_say if p.outlet == outlet), "")


# -- an outlet's line is about this story --------------------------------------------------
def _cartel_story() -> list[pb.Article]:
    cut = "The cartel agreed on Thursday to cut output by one million barrels a day from March."
    return _story(
        (
            "Wire Agency",
            "Cartel agrees surprise output cut; crude jumps 5%",
            f"{cut}\n\nCrude rose 5% to $88 a barrel after the decision in Vienna.\n\n"
            "The cut will be shared among members in proportion to their quotas, ministers said.",
            THURSDAY,
        ),
        (
            "Valley Post",
            "Crude jumps after cartel cut",
            "Oil producers in the cartel agreed on Thursday to reduce supply by one million "
            "barrels a day, sending crude up 5% to $88 a barrel.\n\n"
            "Figures published on Wednesday showed consumer price inflation in Ardenia rising "
            "to 4.1 per cent in October.\n\n"
            "Importers warned that dearer crude would reach petrol pumps within weeks.",
            THURSDAY + timedelta(hours=3),
        ),
    )


def test_an_outlets_line_leaves_out_another_days_news():
    brief = _brief(_cartel_story())
    line = _line_of(brief, "Valley Post")
    assert line, [p.text for p in brief.what_the_papers_say]
    assert "Wednesday" not in line and "inflation" not in line, line


def test_an_outlets_line_does_not_retell_what_the_brief_states():
    brief = _brief(_cartel_story())
    stated = " ".join(_prose(brief))
    line = _line_of(brief, "Valley Post")
    assert "$88" in stated
    assert "$88" not in line and "one million barrels" not in line, line


@needs_examples
def test_the_opec_brief_has_no_line_about_uk_inflation():
    brief = compose_brief("opec", EXAMPLES["opec-output-cut"], BriefContext(now=1_800_000_000))
    lines = [p.text for p in brief.what_the_papers_say]
    assert lines and not [t for t in lines if "inflation rising" in t or "3.9" in t], lines


@needs_examples
@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_no_papers_line_restates_the_figures_of_whats_happened(key):
    brief = compose_brief(key, EXAMPLES[key], BriefContext(now=1_800_000_000))
    for line in brief.what_the_papers_say:
        for s in brief.whats_happened:
            shared = figures(line.text) & figures(s.text)
            assert len(shared) < 2, (line.text, s.text)


# -- "says that" goes on in lower case: a describing word is no name -----------------------
def test_a_common_noun_before_a_persons_name_is_lowered():
    vocabulary = StoryVocabulary(["Police Scotland said the road would stay shut."])
    line = attribute(
        "The Post", "says", "Hiker Maya Lund, 31, was camping by the lake.", vocabulary
    )
    assert line.startswith("The Post says that hiker Maya Lund, 31,"), line
    line = attribute("The Post", "says", "Pensioner Ivo Brandt said bills had doubled.")
    assert " that pensioner Ivo Brandt said" in line, line
    for kept in (
        "Police Scotland said the road would stay shut.",
        "Energy Secretary Ada Brook said help was available.",
        "Coastal Power Networks said engineers were at work.",
        "Chief Whip Tom Reed said the vote would be close.",
        "Councillor Jan Moss said the plans would be shown in May.",
    ):
        line = attribute("The Post", "reports", kept, vocabulary)
        assert f" that {kept[:12]}" in line, line


# -- Title Case titles are printed in sentence case ---------------------------------------
def _title_case_story() -> list[pb.Article]:
    body = (
        "Storm Nell cut power to 30,000 homes in Wales overnight and closed two bridges.\n\n"
        "Engineers from Valley Power Networks worked through the night to restore supplies."
    )
    return _story(
        (
            "Wire Agency",
            "Storm Nell Cuts Power To 30,000 Homes In Wales",
            body,
            THURSDAY,
        ),
        (
            "Valley Post",
            "Storm Nell Leaves Wales Counting The Cost",
            "Storm Nell left roads blocked across Wales, and the storm's gusts reached 80mph.",
            THURSDAY + timedelta(hours=2),
        ),
    )


def test_a_title_case_headline_reads_in_sentence_case_with_its_names():
    brief = _brief(_title_case_story())
    assert brief.headline.text in (
        "Storm Nell cuts power to 30,000 homes in Wales",
        "Storm Nell leaves Wales counting the cost",
    )
    for entry in brief.timeline:
        assert not T.title_cased(entry.text), entry.text


def test_sentence_case_keeps_names_acronyms_and_figures():
    texts = [
        "Storm Nell cut power to homes, and the storm moved east.",
        "Engineers from Valley Power Networks restored power to 9,000 homes.",
        "The EU energy ministers met, said EU Energy Commissioner Ada Brook.",
    ]
    vocabulary = StoryVocabulary(texts)
    joined = "\n".join(texts)
    assert (
        T.sentence_case("Storm Nell Cuts Power To 9,000 Homes", vocabulary, joined)
        == "Storm Nell cuts power to 9,000 homes"
    )
    assert (
        T.sentence_case("EU Energy Ministers Agree Gas Deal", vocabulary, joined)
        == "EU energy ministers agree gas deal"
    )
    assert (
        T.sentence_case("Valley Power Networks Restores Supplies", vocabulary, joined)
        == "Valley Power Networks restores supplies"
    )
    plain = "Storm Nell cuts power to 9,000 homes in Wales"
    assert T.sentence_case(plain, vocabulary, joined) == plain  # already sentence case


def test_a_wire_copys_own_title_does_not_become_the_headline():
    original = "https://wire.example/cut"
    copy = _article(
        "https://post.example/cut",
        "Valley Post",
        "Cartel output cut of one million barrels a day rocks markets",
        "The cartel agreed on Thursday to cut output by one million barrels a day from March.",
        THURSDAY + timedelta(hours=1),
        duplicate_of=article_id(original),
    )
    agency = _article(
        original,
        "Wire Agency",
        "Cartel agrees one million barrel output cut",
        "The cartel agreed on Thursday to cut output by one million barrels a day from March.",
        THURSDAY,
    )
    assert _brief([agency, copy]).headline.text == "Cartel agrees one million barrel output cut"


# -- a column's scene-setting opening is no assessment of the story -------------------------
def test_column_hooks_are_recognised():
    assert hook("There is a joke among engineers that the network is only someone's laptop.")
    assert hook("Every winter, the country waits for the regulator's verdict on bills.")
    assert hook("A map is an argument that looks like a fact.")
    assert not hook("Thursday's cut of one million barrels a day was a show of strength.")
    assert not hook("The obituaries for Brightline have blamed online shopping.")


def test_a_columns_hook_is_neither_an_assessment_nor_a_papers_line():
    articles = _title_case_story() + _story(
        (
            "The Review",
            "Storms expose a fragile grid",
            "There is a saying among line engineers that every storm finds the weakest pole.\n\n"
            "Storm Nell found hundreds of them, and Valley Power Networks was slow to respond.",
            THURSDAY + timedelta(hours=6),
            "opinion",
        )
    )
    brief = _brief(articles)
    printed = _prose(brief) + [p.text for p in brief.what_the_papers_say]
    assert not [t for t in printed if "saying among line engineers" in t], printed


# -- no "yesterday" from a day gone --------------------------------------------------------
def test_a_sentence_dated_from_a_day_gone_is_left_out():
    articles = _story(
        (
            "Wire Agency",
            "Port strike enters second day",
            "Dock workers at the port of Harwell stayed out on strike on Wednesday.\n\n"
            "Union officials said yesterday that members would not return for less than 8%.",
            WEDNESDAY,
        ),
        (
            "Wire Agency",
            "Harwell dockers accept deal, ending strike",
            "Dock workers at the port of Harwell voted on Thursday to accept a 7% pay deal.\n\n"
            "Cranes were turning again by the afternoon shift, the port operator said.",
            THURSDAY,
        ),
    )
    brief = _brief(articles)
    printed = _prose(brief) + [p.text for p in brief.what_the_papers_say]
    assert not [t for t in printed if "yesterday" in t], printed
    assert C.relative_day("Officials said yesterday that talks would go on.")
    assert C.relative_day("Ministers meet in Vienna this morning.")
    assert not C.relative_day("Ministers met in Vienna on Thursday morning.")


# -- history only when the sentence tells of history ----------------------------------------
def test_history_in_an_aside_or_a_record_is_not_background():
    for now in (
        "The migration pilot was more modest than its sponsors had hoped.",
        "As talks began on Friday, importers asked how long the delays would last.",
        "Helicopters flew tents to the valley, where landslides had blocked roads.",
        "The store, which opened in 1931, is the largest shop in the town centre.",
        "Chief executive Ana Holt, who joined in 2024, said the board had tried everything.",
        "Crude rose 6% to $91, its biggest one-day gain since 2023.",
        "Prices shot up last month, according to official figures published today.",
    ):
        assert C.analyse(now, "", year=2026)[0] != C.BACKGROUND, now
    for history in (
        "The province was devastated by the earthquakes of February 2023.",
        "The chain reported a pre-tax loss of £48m in its last financial year.",
        "Many of its leases were signed in the mid-2000s with upward-only rent reviews.",
        "The union has not received an above-inflation pay rise since 2021.",
    ):
        assert C.analyse(history, "", year=2026)[0] == C.BACKGROUND, history
    forecast = "Battery makers could have a second supply chain in the 2030s."
    assert C.analyse(forecast, "", year=2026)[0] != C.BACKGROUND


# -- no sentence that leans on the one before ----------------------------------------------
def test_sentences_pointing_back_are_not_printed_or_reported():
    for leaning in (
        "None of it will lower anyone's bill by January.",
        "What made it deadly was where people were sleeping.",
        "After they walked out, talks stalled for two days.",
        "A spokeswoman warned that some customers might wait until Friday.",
        "The last time the cartel pushed prices this hard, it spurred exactly that response.",
    ):
        assert dangling_opener(leaning), leaning
        assert not reportable(leaning), leaning
    for alone in (
        "None of the 40 stores will close before Christmas, the administrators said.",
        "When Ofgem raised its cap in October, bills rose by £100.",
        "A spokeswoman for the envoy said the truce remained in force.",
        "When it comes to energy, the price cap sets what suppliers may charge.",
    ):
        assert not dangling_opener(alone), alone


def test_what_was_to_happen_days_ago_is_no_assessment_now():
    said = "The two sides said in a joint statement that talks would continue over the weekend."
    assert C.FORWARD in C.analyse(said, "")[1]
    articles = _story(
        (
            "Wire Agency",
            "Harwell port talks adjourn",
            "Talks to end the strike at the port of Harwell adjourned on Monday without a deal.\n\n"
            f'{said[:-1]} "if progress is made", union official Bo Lind said.',
            WEDNESDAY - timedelta(days=2),
        ),
        (
            "Wire Agency",
            "Harwell dockers accept deal, ending strike",
            "Dock workers at the port of Harwell voted on Thursday to accept a 7% pay deal.\n\n"
            '"This is a fair result for our members," union official Bo Lind said.',
            THURSDAY,
        ),
    )
    brief = _brief(articles)
    printed = _prose(brief) + [p.text for p in brief.what_the_papers_say]
    assert not [t for t in printed if "over the weekend" in t], printed


def test_a_rule_stated_with_must_is_reported_not_argued():
    fact = "A deal has been agreed, but it must still be approved by union members."
    assert set(verb_group(fact, "")) <= set(FACT_VERBS)
    assert verb_group("Ministers must act now to protect households.", "") == (
        "argues",
        "contends",
    )


# -- the lazy check of retellings chooses as the check of every sentence would --------------
@needs_examples
def test_asking_only_the_winners_whether_they_retell_gives_the_full_choice():
    compared = 0
    for key in sorted(EXAMPLES):
        articles = EXAMPLES[key]
        candidates, _ = build_candidates(articles)
        happened = whats_happened(candidates)
        used = happened + behind_the_headline(candidates, happened)
        names = OutletNames({a.outlet for a in articles})
        newest, latest = newest_time(candidates), newest_news_time(candidates)
        every = [c for c in candidates if ToldAlready(used).retells(c)]
        for chosen in ([], candidates[:2]):
            plain_chosen = [c for c in candidates if chosen and _plain(c) and retold(c, chosen)]
            for a in articles:
                told = ToldAlready(used)
                lazy = _pick_line([a], candidates, told, chosen, names, newest, latest)
                own = [c for c in candidates if not any(c is p for p in plain_chosen)]
                full = _best_line([a], own, used, chosen, names, newest, latest, every)
                assert lazy == full, key
                compared += 1
    assert compared > 150
