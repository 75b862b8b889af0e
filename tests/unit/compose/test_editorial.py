"""What an editor checks when reading a brief, on small stories written for these tests: the
latest toll, a news opening, plain capitals, one clear line per outlet, no sentence leaning on
one the reader never saw, no event told twice, and questions that read as English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from compose_corpus import _article, example_stories

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import cues as C
from services.compose.brief import BriefContext, compose_brief
from services.compose.candidates import dangling_opener, teaser, unnamed_speaker
from services.compose.config import ComposeSettings
from services.compose.hubkeeper import HubKeeper
from services.compose.hubs import StorySignal, candidate_hubs, place_story, subject
from services.compose.papers import attribute, clause, reportable, verb_group
from services.compose.tallies import superseded, tallies

DAY1 = datetime(2026, 3, 2, 7, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1, hours=2)


def _story(*pieces: tuple[str, str, str, datetime, str]) -> list[pb.Article]:
    """Articles from (outlet, title, text, published, kind) tuples."""
    return [
        _article(
            f"https://{outlet.lower().replace(' ', '')}.example/{i}",
            outlet,
            title,
            text,
            at,
            kind=kind,
        )
        for i, (outlet, title, text, at, kind) in enumerate(pieces)
    ]


def _brief(articles: list[pb.Article]) -> pb.Brief:
    return compose_brief("s", articles, BriefContext(now=DAY2.timestamp() + 3600))


def _prose(brief: pb.Brief) -> list[str]:
    return [
        s.text
        for section in (brief.whats_happened, brief.behind_the_headline, brief.how_we_got_here)
        for s in section
    ]


# -- the latest toll wins ---------------------------------------------------------------------
def _flood_story() -> list[pb.Article]:
    return _story(
        (
            "Valley Post",
            "Flash floods hit Velmora valley",
            "Flash floods swept through the Velmora valley on Monday, killing at least 12 people "
            "and forcing hundreds from their homes.\n\n"
            "The river burst its banks after two days of torrential rain, officials said.\n\n"
            "Emergency crews used boats to reach villages cut off by the water.",
            DAY1,
            "",
        ),
        (
            "Harbour Times",
            "Velmora floods: a dozen dead as river bursts its banks",
            "At least 12 people died when flash floods swept through the Velmora valley on "
            "Monday, the regional governor said.\n\n"
            "Emergency crews used boats to reach villages cut off by the water.\n\n"
            "Forecasters said more rain was possible later in the week.",
            DAY1 + timedelta(hours=1),
            "",
        ),
        (
            "Valley Post",
            "Velmora flood toll rises to 19 as waters recede",
            "The death toll from Monday's flash floods in the Velmora valley rose to 19 on "
            "Tuesday as rescuers reached the last villages cut off by the water.\n\n"
            "Engineers began inspecting two bridges weakened by the flood, the regional "
            "governor said.\n\n"
            "Schools in the valley will reopen on Thursday.",
            DAY2,
            "",
        ),
    )


def test_a_later_higher_toll_replaces_the_first_one_in_the_facts():
    brief = _brief(_flood_story())
    happened = " ".join(s.text for s in brief.whats_happened)
    assert "19" in happened, happened
    stated = [t for t in _prose(brief) if tallies(t).get("dead") == 12]
    assert not stated, stated  # the first count is nowhere stated as the current one


def test_tallies_read_the_count_each_measure_qualifies():
    assert tallies("Sixteen people have died after a magnitude 7.1 earthquake hit the coast.") == {
        "dead": 16
    }
    assert tallies("The toll has risen to 41, officials say, with 620 people injured.") == {
        "dead": 41,
        "injured": 620,
    }
    # Decimals, years and units count nothing.
    assert tallies("A magnitude 6.4 quake in 2023 hit 40 km away two days after the storm.") == {}


def test_only_a_later_close_count_supersedes():
    war = (1.0, {"dead": 4000})  # a war's dead since March
    shelling = (2.0, {"dead": 3})  # one shelling, later
    first, revised = (1.0, {"dead": 12}), (2.0, {"dead": 19})
    assert superseded([first, revised]) == [True, False]
    assert superseded([war, shelling]) == [False, False]  # another tally, not a revision
    assert superseded([(1.0, {"dead": 3}), (2.0, {"dead": 4000})]) == [False, False]
    assert superseded([(1.0, {"injured": 12}), (2.0, {"dead": 19})]) == [False, False]


# -- the news first ------------------------------------------------------------------------------
def _cartel_story() -> list[pb.Article]:
    wire = (
        "VIENNA, Mar 2 (WA) - The Norvik cartel agreed on Monday to cut oil output by 900,000 "
        "barrels a day from April, a larger reduction than traders had expected, sending crude "
        "up 5%.\n\n"
        "The cut will run until the end of June and will be shared among members, the cartel "
        "said in a statement."
    )
    return _story(
        ("Wire Agency", "Norvik cartel agrees surprise 900,000 barrel cut", wire, DAY1, ""),
        ("Market Daily", "Norvik cartel cuts output", wire, DAY1 + timedelta(hours=1), ""),
        (
            "City Ledger",
            "Oil surges after Norvik cut",
            "The decision by the Norvik cartel to remove 900,000 barrels a day from the market "
            "was larger than almost anyone had forecast, and crude rose 5%.\n\n"
            "The cut, agreed under the chairmanship of Velmora's oil minister, is intended to "
            "prevent a glut in the spring, when demand usually softens.\n\n"
            "Figures published on Monday showed factory orders falling for a third month in the "
            "eurozone.",
            DAY1 + timedelta(hours=6),
            "",
        ),
        (
            "The Review",
            "The oil shock we chose",
            "Every spring, a few ministers in Vienna remind us who sets the price of our lives."
            "\n\nThis week it was a 900,000 barrel cut and a 5% jump in crude.",
            DAY2,
            "opinion",
        ),
    )


def test_the_brief_opens_with_the_news_itself_not_an_aside():
    # The only report of the decision is the agency's, under a dateline; the later articles
    # open on a forecast that has since come true and go on to asides.
    lead = _brief(_cartel_story()).whats_happened[0].text
    assert lead.startswith("The Norvik cartel agreed on Monday to cut oil output"), lead


# -- capitals, datelines and connectives ---------------------------------------------------
def test_tabloid_capitals_and_wire_datelines_are_printed_plainly():
    assert C.present("A SEVEN-month-old girl was pulled alive from the rubble.") == (
        "A seven-month-old girl was pulled alive from the rubble."
    )
    assert C.present("Experts expect bills to go UP again in the new year.") == (
        "Experts expect bills to go up again in the new year."
    )
    assert C.present("GENEVA, Mar 2 (WA) - The talks resumed on Monday.") == (
        "The talks resumed on Monday."
    )
    assert C.present("But the next few months look difficult for households.") == (
        "The next few months look difficult for households."
    )
    # Acronyms and a "Now that" clause stay as written.
    assert C.present("The US and the UN said NATO would meet.") == (
        "The US and the UN said NATO would meet."
    )
    assert C.present("Now that the deal is done, work resumes.") == (
        "Now that the deal is done, work resumes."
    )


def test_a_shouted_rescue_story_reads_in_normal_case():
    articles = _story(
        (
            "Daily Flash",
            "Tot rescued from rubble after 50 hours",
            "A SEVEN-month-old baby girl has been pulled alive from the ruins of her home in "
            "Velmora, more than two days after the earthquake struck.\n\n"
            "Rescuers burst into applause as the baby was carried out wrapped in a blanket.",
            DAY2,
            "",
        ),
    )
    texts = _prose(_brief(articles))
    assert any(t.startswith("A seven-month-old baby girl") for t in texts), texts
    assert not [t for t in texts if "SEVEN" in t], texts


# -- one clear line per outlet --------------------------------------------------------------
def test_papers_lines_end_as_one_full_sentence():
    quoted_phrase = 'Moyes said the stores would keep trading "while we explore all options".'
    assert attribute("The Ledger", "reports", quoted_phrase).endswith('all options".')
    whole_quote = 'Whitlock said: "We let our customers down today."'
    assert attribute("The Ledger", "reports", whole_quote).endswith('down today."')
    assert attribute("The Ledger", "reports", "The port reopened on Friday.").endswith(
        "reopened on Friday."
    )


def test_papers_lines_need_a_sentence_that_stands_alone():
    assert not reportable("All are trading as normal for now, the administrators said.")
    assert not reportable("Both are understood to be interested in around 40 of the sites.")
    assert not reportable("By 1100 GMT it said engineers had identified the cause of the fault.")
    assert not reportable("Without work, their report said, the wall could fail within ten years.")
    assert reportable("All 112 stores will keep trading while the administrators seek a buyer.")


def test_a_paraphrased_clause_keeps_names_and_lowers_common_words():
    proper = frozenset(["Port", "Britain", "~port"])  # the story writes "Port of X" and "port"
    assert clause("Port agents count 51 vessels diverted or waiting.", proper).startswith("port")
    assert clause("Britain has put up £6m for the talks.", proper).startswith("Britain")
    assert clause("None of it will lower anyone's bill.", proper).startswith("none")
    assert clause("Without the deal, the port would stay shut.", proper).startswith("without")


def test_a_columnist_reporting_what_someone_said_is_not_arguing_it():
    said = "The minister said the changes were needed to make the system fairer."
    assert verb_group(said, "opinion") == ("reports",)


# -- sentences that lean on the one before --------------------------------------------------
def test_sentences_leaning_on_the_one_before_are_recognised():
    assert dangling_opener("Its spokesperson, Jo Marr, said searches were complete.")
    assert dangling_opener("It is also the first thing the two sides have agreed on.")
    assert dangling_opener("On Monday they said the truce still held.")
    assert not dangling_opener("It is unclear whether the truce will hold.")
    assert not dangling_opener("This week the cartel cut output again.")
    assert not dangling_opener('"It is the same story every time," said Ana Ruiz, an engineer.')
    assert not dangling_opener("The agency said it would send more boats.")
    assert teaser("Stripped of diplomatic language, the framework does three things.")
    assert not teaser("The framework provides for 200 observers.")
    assert unnamed_speaker('"Adobe is cheap, and in a strong earthquake it kills."')


def test_no_section_opens_on_a_pronoun_or_a_quantifier():
    articles = _story(
        (
            "Valley Post",
            "Velmora rescue operation winds down",
            "Rescue teams in the Velmora valley ended their search on Wednesday after the last "
            "missing villagers were found alive, the regional emergency agency said.\n\n"
            "Its spokesperson, Jo Marr, said crews would now help villagers clear mud from "
            "their homes.\n\n"
            "Both are expected to reopen to traffic by the weekend, engineers said of the two "
            "damaged bridges.",
            DAY2,
            "",
        ),
    )
    brief = _brief(articles)
    texts = _prose(brief) + [line.text for line in brief.what_the_papers_say]
    assert texts
    assert not [t for t in texts if " Its spokesperson" in t or t.startswith("Its ")], texts
    assert not [t for t in texts if t.startswith("Both ") or "that both are" in t], texts


# -- no event told twice -------------------------------------------------------------------------
def test_two_outlets_intros_to_one_event_appear_once():
    articles = _story(
        (
            "Wire Agency",
            "Rivals initial eight-point framework in Lisbon",
            "LISBON, Mar 3 (WA) - Aranor and Belsk initialled an eight-point framework for a "
            "lasting ceasefire on Tuesday, a day after Belsk walked out of the talks in Lisbon "
            "over maps.\n\n"
            "The framework provides for 150 observers along the border.",
            DAY2,
            "",
        ),
        (
            "City Ledger",
            "Belsk returns to Lisbon table and initials framework",
            "A day after its delegation walked out, Belsk was back at the table in Lisbon on "
            "Tuesday, and by evening its foreign minister had put his initials to an "
            "eight-point framework that both sides now call the Lisbon framework.\n\n"
            "A joint commission will report on the disputed border within six months.",
            DAY2 + timedelta(hours=2),
            "",
        ),
    )
    happened = [s.text for s in _brief(articles).whats_happened]
    intros = [t for t in happened if "eight-point framework" in t]
    assert len(intros) == 1, happened


# -- questions that read as English --------------------------------------------------------------
def test_hub_questions_put_the_before_institutions_and_common_noun_names():
    assert subject("US Geological Survey", "organisation") == "the US Geological Survey"
    assert subject("United Kingdom", "place") == "the United Kingdom"
    assert subject("European Union", "organisation") == "the European Union"
    assert subject("UN", "organisation") == "the UN"
    assert subject("Peru", "place") == "Peru"
    assert subject("OPEC", "organisation") == "OPEC"  # an acronym read as a word
    assert subject("Ofgem", "organisation") == "Ofgem"
    assert subject("Trinidad and Tobago", "place") == "Trinidad and Tobago"
    assert subject(
        "Bank of Velmora", "organisation", "Velmora's retail bank with 40 branches."
    ) == (
        "Bank of Velmora"  # a company, not an institution
    )
    assert subject("Ana Ruiz", "person") == "Ana Ruiz"
    card = pb.EntityCard(entity_id="usgs", name="US Geological Survey", kind="organisation")
    signal = StorySignal("s", 0.0, pb.Sentence(text="Quake"), "A quake hit.", [card])
    assert ("h-e-usgs", "What's the latest on the US Geological Survey?") in candidate_hubs(
        signal, {"usgs": 2}
    )


def test_a_headline_theme_word_counts_for_the_story_hub():
    brief = pb.Brief(story_id="s1")
    brief.headline.text = "Aranor and Belsk initial framework as talks resume"
    brief.whats_happened.add(text="Belsk was back at the table in Lisbon on Tuesday evening.")
    source = brief.articles.add(article_id="a1", outlet="Wire Agency")
    source.published_at.FromDatetime(DAY2)
    keeper = HubKeeper(ComposeSettings(hub_window_days=30), {}, {}, {})
    refs = keeper.on_brief(brief, DAY2.timestamp()).refs
    assert "h-conflict-diplomacy" in [r.hub_id for r in refs]


# -- the sample corpus, as a reader sees it --------------------------------------------------
EXAMPLES = example_stories() or {}
needs_examples = pytest.mark.skipif(not EXAMPLES, reason="sample corpus not present")
SAMPLE = {
    key: compose_brief(key, arts, BriefContext(now=1_800_000_000))
    for key, arts in sorted(EXAMPLES.items())
}


@needs_examples
def test_the_turkey_brief_states_the_risen_toll_and_not_the_first():
    brief = SAMPLE["malatya-earthquake"]
    counts = [tallies(t).get("dead") for t in _prose(brief)]
    assert 57 in counts and 41 not in counts, _prose(brief)


@needs_examples
@pytest.mark.parametrize("key", sorted(SAMPLE))
def test_sample_briefs_read_cleanly(key):
    brief = SAMPLE[key]
    for text in _prose(brief):
        assert not dangling_opener(text) and not teaser(text), text
        assert not C.shouted(text) and not C.DATELINE_RE.match(text), text
    for line in brief.what_the_papers_say:
        assert line.text.endswith((".", '."', ".”", '?"', '!"')), line.text


def test_a_hub_kept_from_before_takes_the_current_question_wording():
    card = pb.EntityCard(entity_id="united-kingdom", name="United Kingdom", kind="place")
    signal = StorySignal("s2", 2.0, pb.Sentence(text="Port strike ends"), "Port reopens.", [card])
    old = pb.Hub(hub_id="h-e-united-kingdom", question="What's the latest on United Kingdom?")
    old.story_ids.append("s1")
    changed = place_story(
        signal,
        {old.hub_id: old},
        {"united-kingdom": 2},
        {"s1": 1.0},
        {"s1": pb.Sentence(text="Storm hits")},
        now=3.0,
        window=100.0,
    )
    hub = next(h for h in changed if h.hub_id == old.hub_id)
    assert hub.question == "What's the latest on the United Kingdom?"
    assert set(hub.story_ids) == {"s1", "s2"}


# -- a story of opinion pieces only still says what happened ---------------------------------
def test_a_story_of_one_opinion_column_still_says_what_happened():
    """Clustering can leave a lone column as a story: its brief must not open empty."""
    column = _story(
        (
            "Harbour Review",
            "The Velmora dam decision is a mistake",
            "The regional council voted on Monday to raise the Velmora dam by four metres. "
            "That choice will flood two villages and it should be reversed.\n\n"
            "Councillors ignored the engineers who warned that the valley floor is unstable.",
            DAY1,
            "opinion",
        ),
    )
    brief = _brief(column)
    assert brief.whats_happened, brief
    assert all(s.text.strip() for s in brief.whats_happened)
