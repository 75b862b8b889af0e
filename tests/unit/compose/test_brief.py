"""Briefs built from real articles: grounded, attributed, bounded, never repeating."""

from __future__ import annotations

import re

import pytest
from compose_corpus import example_stories, fixture_stories

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import cues as C
from services.compose import days as D
from services.compose import text as T
from services.compose.brief import BriefContext, compose_brief, neutral
from services.compose.candidates import story_acronyms
from services.compose.config import DEFAULT_KB
from services.compose.entities import Linker
from services.compose.kb import load_kb
from services.compose.papers import ALL_VERBS

LINKER = Linker(load_kb(DEFAULT_KB))


def _corpora():
    corpora = [("fixture", fixture_stories())]
    examples = example_stories()
    if examples:
        corpora.append(("examples", examples))
    return corpora


def _briefs():
    out = []
    for name, stories in _corpora():
        for key, articles in sorted(stories.items()):
            context = BriefContext(now=1_720_000_000, cards=LINKER.cards)
            out.append(
                pytest.param(articles, compose_brief(key, articles, context), id=f"{name}:{key}")
            )
    return out


BRIEFS = _briefs()


def _sentences(brief: pb.Brief) -> list[pb.Sentence]:
    return [*brief.whats_happened, *brief.behind_the_headline, *brief.how_we_got_here]


def _sentences_of(article: pb.Article, acronyms: frozenset[str] = frozenset()) -> set[str]:
    """The article's sentences, as written and as a brief prints them: the same words without
    a wire dateline, an opening "But" or tabloid capitals (``C.present``), with "yesterday"
    written as the weekday it meant (``D.pinned``), nothing else."""
    sentences = T.split_sentences(article.text)
    return {
        T.comparable(x)
        for s in sentences
        for x in (s, C.present(s, acronyms), _pinned(C.present(s, acronyms), article))
    }


def _pinned(sentence: str, article: pb.Article) -> str:
    return D.pinned(sentence, D.published_time(article)) or sentence


def _bare_name_variants(text: str, sources: list[pb.Article]) -> list[str]:
    """``text`` with a stretch naming someone in full as one of ``sources`` prints it
    ("INDECI head Rodrigo Salas", "Amara Lindqvist, the UN envoy,") put back as the bare
    surname, with or without an honorific: what it read before the brief introduced them."""
    bodies = [T.comparable(a.text).lower() for a in sources]
    bounds = [0, *(m.end() for m in re.finditer(r"\s+", text)), len(text)]
    variants = []
    for name in re.finditer(r"[A-Z][\w'’-]+", text):
        starts = [b for b in bounds if b <= name.start()][-8:]  # a form is a few words long
        ends = [b for b in bounds if b >= name.end()][:12]
        for p, e in ((p, e) for p in starts for e in ends):
            form = text[p:e].rstrip()
            if not any(form.rstrip(",").lower() in body for body in bodies):
                continue
            for bare in (name.group(), *(f"{h} {name.group()}" for h in ("Mr", "Ms", "Mrs"))):
                variants.append(text[:p] + bare + text[p + len(form) :])
    return variants


def _clauses_of(article: pb.Article) -> set[str]:
    """The article's sentences as a papers line prints one after "that": as a brief prints
    it, without its full stop, opening in capitals or not."""
    out = set()
    for s in T.split_sentences(article.text):
        s = T.comparable(C.present(s)).rstrip(".")
        out |= {s, s[:1].lower() + s[1:]}
    return out


def _cut_to_surname(text: str, written: set[str]) -> bool:
    """True when ``text`` is one of the ``written`` sentences with a person's introduction
    ("EU Energy Commissioner Henrik Aalto") cut to the surname, as a brief refers to someone
    it has already introduced."""
    for surname in re.finditer(r"[A-Z][\w'’-]+", text):
        head, tail = text[: surname.start()], text[surname.start() :]
        for w in written:
            if w.startswith(head) and w.endswith(tail) and len(w) > len(text):
                cut = w[len(head) : len(w) - len(tail)]  # what the brief left out
                if len(cut.split()) <= 6 and cut.endswith(" ") and cut[:1].isupper():
                    return True
    return False


@pytest.mark.parametrize(("articles", "brief"), BRIEFS)
def test_every_sentence_is_traceable_to_an_article_of_the_story(articles, brief):
    by_id = {a.article_id: a for a in articles}
    acronyms = story_acronyms(articles)
    for s in _sentences(brief):
        assert s.article_ids and set(s.article_ids) <= set(by_id)
        written = _sentences_of(by_id[s.article_ids[0]], acronyms)
        # Word for word, or with a bare surname named in full as a cited article names them,
        # or with a full introduction of someone introduced earlier cut to the surname.
        cited = [by_id[i] for i in s.article_ids]
        text = T.comparable(s.text)
        assert (
            text in written
            or not written.isdisjoint(_bare_name_variants(text, cited))
            or _cut_to_surname(text, written)
        ), text
    assert set(brief.headline.article_ids) <= set(by_id)


@pytest.mark.parametrize(("articles", "brief"), BRIEFS)
def test_every_papers_line_is_from_the_named_outlets_own_article(articles, brief):
    by_id = {a.article_id: a for a in articles}
    outlets = {a.outlet for a in articles}
    for line in brief.what_the_papers_say:
        article = by_id[line.article_id]
        assert line.outlet == article.outlet and line.url == article.url
        assert line.text.startswith(f"{article.outlet} ")
        verb_and_clause = line.text[len(article.outlet) + 1 :]
        verb = next(v for v in ALL_VERBS if verb_and_clause.startswith(v))
        clause = verb_and_clause[len(verb) + len(" that ") :].rstrip(".")
        body = T.comparable(article.text).lower()
        pinned_body = T.comparable(_pinned(article.text, article)).lower()
        clause = T.comparable(clause)
        # Word for word, or with a bare surname named in full as the story's articles do, or
        # with a full introduction of someone introduced earlier cut to the surname.
        assert (
            clause.lower() in body
            or clause.lower() in pinned_body
            or any(v.lower() in body for v in _bare_name_variants(clause, articles))
            or _cut_to_surname(clause, _clauses_of(article))
        ), line.text
        # The paraphrased part names no other outlet (an edition's name may contain its parent's).
        for other in outlets - {article.outlet, article.parent_outlet}:
            assert other not in verb_and_clause


@pytest.mark.parametrize(("articles", "brief"), BRIEFS)
def test_no_sentence_appears_twice(articles, brief):
    texts = [s.text for s in _sentences(brief)] + [p.text for p in brief.what_the_papers_say]
    assert len(texts) == len(set(texts))
    assert not {s.text for s in brief.whats_happened} & {s.text for s in brief.behind_the_headline}


@pytest.mark.parametrize(("articles", "brief"), BRIEFS)
def test_section_lengths_are_within_bounds(articles, brief):
    assert 1 <= len(brief.whats_happened) <= 4
    assert len(brief.behind_the_headline) <= 3
    assert len(brief.how_we_got_here) <= 3
    publishers = {a.parent_outlet or a.outlet for a in articles if not a.duplicate_of}
    assert 1 <= len(brief.what_the_papers_say) <= min(5, len(publishers))
    assert len({p.outlet for p in brief.what_the_papers_say}) == len(brief.what_the_papers_say)
    assert len(brief.articles) == len(articles)
    assert neutral(brief.headline.text)


def test_single_outlet_story_has_one_papers_line():
    brief = compose_brief("solo", fixture_stories()["solo"], BriefContext(now=0))
    assert [p.outlet for p in brief.what_the_papers_say] == ["The Northern Ledger"]


def test_wire_copies_and_editions_count_once():
    stories = fixture_stories()
    peru = compose_brief("p", stories["quake-peru"], BriefContext(now=0))
    assert "Daily Meridian" not in {p.outlet for p in peru.what_the_papers_say}  # wire copy
    taiwan = compose_brief("t", stories["quake-taiwan"], BriefContext(now=0))
    harbour = [p for p in taiwan.what_the_papers_say if p.outlet.startswith("Harbour Times")]
    assert len(harbour) == 1  # two editions of one publisher


def test_two_earthquakes_get_separate_briefs_without_cross_contamination():
    stories = fixture_stories()
    for key, other in (("quake-peru", "quake-taiwan"), ("quake-taiwan", "quake-peru")):
        brief = compose_brief(key, stories[key], BriefContext(now=0))
        other_text = " ".join(T.comparable(a.text) for a in stories[other])
        own_ids = {a.article_id for a in stories[key]}
        for s in _sentences(brief):
            assert set(s.article_ids) <= own_ids
            assert T.comparable(s.text) not in other_text


def test_headline_avoids_clickbait_and_questions():
    brief = compose_brief("t", fixture_stories()["quake-taiwan"], BriefContext(now=0))
    assert "believe" not in brief.headline.text and "?" not in brief.headline.text


def test_entities_link_aliases_and_mine_unknown_descriptions():
    brief = compose_brief(
        "talks", fixture_stories()["talks"], BriefContext(now=0, cards=LINKER.cards)
    )
    cards = {c.name: c for c in brief.topics}
    assert cards["Volodymyr Zelensky"].description_source == "kb"
    peskov = [c for c in LINKER.cards(fixture_stories()["talks"]) if c.name == "Dmitry Peskov"]
    assert peskov and peskov[0].description == "The Kremlin spokesman."
    assert peskov[0].description_source == "articles" and peskov[0].article_ids


def test_an_unknown_name_without_appositive_gets_no_card():
    cards = LINKER.cards(fixture_stories()["quake-taiwan"])
    assert "Taroko Gorge" not in {c.name for c in cards}
    assert all(c.description for c in cards)


def test_timeline_links_the_earlier_story():
    from services.compose.brief import Related

    context = BriefContext(
        now=0,
        follows_story_id="s-old",
        related=[Related("s-old", "Earlier talks stall", 1_700_000_000)],
    )
    brief = compose_brief("talks", fixture_stories()["talks"], context)
    assert [e.story_id for e in brief.timeline] == ["s-old", "talks"]
    assert brief.follows_story_id == "s-old"
