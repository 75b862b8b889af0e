"""More of what a demanding reader checks, on small stories written for these tests: a headline
that does not contradict the brief's toll, no aside of another day's event in "What's
happened", plain lower case after "reports that", no forecast read as history, no trade-union
theme for the African Union, and no "the" before a name that already has its determiner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from compose_corpus import _article

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import cues as C
from services.compose.brief import BriefContext, compose_brief
from services.compose.hubs import StorySignal, candidate_hubs, subject, themes
from services.compose.kb import Entity, name_words
from services.compose.papers import StoryVocabulary, attribute, known_names
from services.compose.tallies import restate, tallies

SUNDAY = datetime(2026, 11, 22, 9, tzinfo=UTC)  # a Sunday
THURSDAY = datetime(2026, 11, 19, 14, tzinfo=UTC)


def _story(*pieces: tuple[str, str, str, datetime]) -> list[pb.Article]:
    """Articles from (outlet, title, text, published) tuples."""
    return [
        _article(f"https://{outlet.lower().replace(' ', '')}.example/{i}", outlet, t, x, at)
        for i, (outlet, t, x, at) in enumerate(pieces)
    ]


def _brief(articles: list[pb.Article]) -> pb.Brief:
    last = max(a.published_at.seconds for a in articles)
    return compose_brief("s", articles, BriefContext(now=last + 3600))


# -- 1. the headline states the toll the brief states -----------------------------------------
def _quake_story() -> list[pb.Article]:
    quake = "A magnitude 7.0 earthquake struck the Velmora coast before dawn on Sunday."
    return _story(
        (
            "Wire Agency",
            "Velmora earthquake kills at least 9; tsunami warning lifted",
            f"{quake} At least nine people were killed, officials said.\n\n"
            "The navy lifted a tsunami warning two hours after the quake.",
            SUNDAY,
        ),
        (
            "Valley Post",
            "Quake kills nine on Velmora coast",
            f"{quake} Nine people died in collapsed homes, the civil defence agency said.",
            SUNDAY + timedelta(hours=2),
        ),
        (
            "Wire Agency",
            "Velmora earthquake death toll rises to 14; state of emergency declared",
            "The death toll from Sunday's earthquake on the Velmora coast rose to 14 on Monday, "
            "and the government declared a 60-day state of emergency in three provinces.\n\n"
            "Rescuers searched collapsed homes in the coastal towns for a second day.",
            SUNDAY + timedelta(days=1, hours=6),
        ),
        (
            "Harbour Times",
            "Velmora earthquake: what we know so far",
            "Sixteen people are now confirmed to have died after the earthquake struck the "
            "Velmora coast on Sunday, the civil defence agency said on Tuesday.\n\n"
            "More than 1,400 homes were damaged, about 400 of them beyond repair.",
            SUNDAY + timedelta(days=2),
        ),
    )


def test_the_headline_states_the_toll_the_brief_states_when_the_last_title_is_unusable():
    articles = _quake_story()
    brief = _brief(articles)
    stated = {tallies(s.text).get("dead") for s in brief.whats_happened} - {None}
    assert stated == {16}, [s.text for s in brief.whats_happened]
    head = brief.headline
    assert tallies(head.text).get("dead") == 16, head.text
    # An earlier day's title, its figure restated: it cites the report of sixteen too.
    assert not set(head.article_ids) <= {articles[3].article_id}
    assert articles[3].article_id in head.article_ids


def test_a_raised_figure_is_restated_only_where_the_title_states_it_once():
    assert restate("Toll rises to 14; emergency declared", 14, 16) == (
        "Toll rises to 16; emergency declared"
    )
    assert restate("Quake kills nine in Velmora", 9, 16) == "Quake kills 16 in Velmora"
    assert restate("14 dead as 14 homes collapse", 14, 16) is None  # which 14?


# -- 2. "What's happened" keeps to the story's own day -----------------------------------------
def _cut_story() -> list[pb.Article]:
    inflation = (
        "Figures published on Wednesday showed Velmora's consumer price inflation rising to "
        "3.9 per cent in October, driven in part by energy prices and fuel."
    )
    return _story(
        (
            "Wire Agency",
            "Oil alliance agrees surprise output cut; crude jumps 6%",
            "The Aranor oil alliance agreed on Thursday to cut output by 1.2 million barrels a "
            "day from January, sending crude prices up more than 6%.\n\n"
            "The cut was agreed in Vienna and will run until the end of March.\n\n"
            f"{inflation}",
            THURSDAY,
        ),
        (
            "Valley Post",
            "Oil prices surge after alliance cut",
            "Crude prices jumped more than 6% on Thursday after the Aranor oil alliance agreed "
            "in Vienna to cut output by 1.2 million barrels a day.\n\n"
            "Energy prices and fuel costs are already pushing Velmora's inflation higher, and "
            "consumer price inflation rose to 3.9 per cent in October.\n\n"
            "Traders said the cut was larger than markets had expected.",
            THURSDAY + timedelta(hours=3),
        ),
        (
            "Harbour Times",
            "Alliance cut lifts crude as importers brace for dearer fuel",
            "The decision by the Aranor oil alliance on Thursday to remove 1.2 million barrels "
            "a day from the market lifted crude prices by 6%.\n\n"
            f"{inflation}\n\n"
            "Importers warned that dearer fuel would feed through to energy prices within weeks.",
            THURSDAY + timedelta(hours=6),
        ),
    )


def test_a_fact_dated_to_a_day_before_the_news_is_no_development_of_it():
    happened = [s.text for s in _brief(_cut_story()).whats_happened]
    assert happened and "alliance on Thursday" in happened[0], happened
    assert not [s for s in happened if "published on Wednesday" in s], happened


def test_weekdays_are_counted_back_from_the_day_of_publication():
    assert C.days_back("Figures published on Wednesday showed a rise.", 3) == 1  # a Thursday
    assert C.days_back("The alliance agreed on Thursday to cut output.", 3) == 0
    assert C.days_back("On Sunday, the minister offered a concession.", 1) == 2  # a Tuesday
    assert C.days_back("The alliance agreed to cut output.", 3) is None


# -- 3. "reports that" goes on in lower case unless a name follows ----------------------------
def test_a_common_word_opening_an_outlets_line_is_lowered_and_a_name_is_not():
    sentences = [
        "Core inflation, which strips out energy and food, edged up to 3.6% from 3.5%.",
        "UK inflation rose to 3.9% in October, official figures show.",
    ]
    vocabulary = StoryVocabulary(sentences)
    line = attribute("PBN News", "reports", sentences[0], vocabulary)
    assert line.startswith("PBN News reports that core inflation, which"), line
    anyone = "Anyone who has read the claimants' testimony knows why the question matters."
    assert " that anyone who " in attribute("The Review", "argues", anyone, vocabulary)
    # Names the story never writes mid-sentence keep their capital when the knowledge base
    # knows them: a country's other name, a nationality, an acronym.
    for name in ("Britain has put up £6m", "French ministers said", "OPEC+ agreed"):
        text = attribute("The Ledger", "reports", f"{name} on Thursday.", vocabulary)
        assert f"that {name} on" in text, text


def test_the_knowledge_base_gives_names_and_nationalities_not_description_openings():
    kb = [
        Entity("uk", "United Kingdom", "place", "Country in northwestern Europe.", ("Britain",)),
        Entity("b", "Bank of Velmora", "organisation", "Danish bank with 40 branches.", ()),
        Entity("c", "Velmora Council", "organisation", "Public body that runs Velmora.", ()),
    ]
    words = name_words(kb)
    assert {"Britain", "Europe", "Danish", "Velmora"} <= words
    assert not {"Country", "Public", "United", "Kingdom"} & words
    assert {"Britain", "French", "OPEC"} <= known_names() and "Core" not in known_names()


# -- 4. a year still to come is no history ------------------------------------------------------
def test_a_future_year_is_not_background_and_a_past_one_is():
    forecast = "Analysts estimate that a levy could cut sector earnings by 4% to 7% in 2027."
    assert C.analyse(forecast, "", year=2026)[0] != C.BACKGROUND
    assert C.analyse(forecast, "", year=2028)[0] == C.BACKGROUND  # by then, it is history
    plan = "The £14.6m scheme, approved last week, is due to start in March 2027."
    assert C.analyse(plan, "", year=2026)[0] != C.BACKGROUND


def test_how_we_got_here_holds_no_sentence_about_a_later_year():
    at = datetime(2026, 11, 24, 9, tzinfo=UTC)
    articles = _story(
        (
            "Valley Post",
            "Velmora sea wall designs shown to residents",
            "Hundreds of residents packed into the Spa Pavilion on Monday for a first look at "
            "designs for Velmora's new sea wall.\n\n"
            "The £14.6m scheme, approved last week, is due to start in March 2027.\n\n"
            "Engineers warned earlier this year that sections of the wall had been undermined "
            "by scour.\n\n"
            "The wall was built in 1953 after a storm surge flooded the town.",
            at,
        ),
        (
            "Harbour Times",
            "Residents see Velmora sea wall plans",
            "Residents got a first look on Monday at the designs for Velmora's new sea wall.\n\n"
            "Analysts estimate that the works could cost the seafront traders 4% to 7% of their "
            "takings in 2027.\n\n"
            "The sea wall was built in 1953 after a storm surge flooded the town.",
            at + timedelta(hours=2),
        ),
    )
    background = [s.text for s in _brief(articles).how_we_got_here]
    assert background and not [s for s in background if "2027" in s], background


# -- 5. a union that is an organisation is no trade union --------------------------------------
def test_the_african_union_does_not_make_a_story_about_strikes():
    text = (
        "EU and African Union sign minerals partnership in Lisbon. The European Union and the "
        "African Union signed a €4.5bn partnership to fund minerals processing in Africa."
    )
    assert "labour" not in themes(text)
    signal = StorySignal("s", 0.0, pb.Sentence(text="EU and AU sign pact"), text, [])
    assert "h-labour" not in [h for h, _ in candidate_hubs(signal, {})]
    strike = "Union members voted to strike over pay. The strike closed the port for ten days."
    assert themes(strike)[0] == "labour"
    assert "energy-prices" in themes("OPEC cut oil output. OPEC ministers met in Vienna.")


# -- 6. no article before a name that carries its own -------------------------------------------
def test_names_that_carry_their_own_determiner_take_no_the():
    assert subject("HM Treasury", "organisation", "The UK's finance ministry.") == "HM Treasury"
    assert subject("His Majesty's Revenue and Customs", "organisation") == (
        "His Majesty's Revenue and Customs"
    )
    assert subject("Police Scotland", "organisation") == "Police Scotland"
    # Names built on a common noun still take it, companies still do not.
    assert subject("US Treasury", "organisation") == "the US Treasury"
    assert subject("Treasury", "organisation") == "the Treasury"
    assert subject("Police Service of Northern Ireland", "organisation") == (
        "the Police Service of Northern Ireland"
    )
    regulator = "The UK regulator of financial firms and markets."
    assert subject("Financial Conduct Authority", "organisation", regulator) == (
        "the Financial Conduct Authority"
    )
    assert subject("Kestrel Bank", "organisation", "Velmora investment bank.") == "Kestrel Bank"
    card = pb.EntityCard(entity_id="hm-treasury", name="HM Treasury", kind="organisation")
    signal = StorySignal("s", 0.0, pb.Sentence(text="Budget"), "The budget.", [card])
    questions = [q for _, q in candidate_hubs(signal, {"hm-treasury": 2})]
    assert "What's the latest on HM Treasury?" in questions
