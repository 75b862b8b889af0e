"""The whole-article and byte-level quick paths of composing give exactly what the plain
per-sentence versions give, on the sample corpus, the fixture stories and random text full of
edge characters."""

from __future__ import annotations

import random

import ahocorasick_rs
from compose_corpus import example_stories, fixture_stories

from services.compose import bench
from services.compose import cues as C
from services.compose import days as D
from services.compose import text as T
from services.compose.candidates import (
    build_candidates,
    clear_cache,
    newest_news_time,
)
from services.compose.papers import (
    OutletNames,
    _best_line,
    line_score,
    near_repeat,
    paraphrased,
    reportable,
)

_EDGES = "ab’'_-.é “”—…0 9\t\nZ£€\u00a0\u2009&+İßΣσ(;:,Q\r\x1c"


def _stories() -> list[list]:
    return [*(example_stories() or {}).values(), *fixture_stories().values()]


def _random_texts(seed: int, n: int, alphabet: str = _EDGES) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(n)]


def _bodies() -> list[str]:
    bodies = [a.text for story in _stories() for a in story]
    bodies += [a.text for a in bench.story_of(5)]
    # Paragraph layouts: padded lines, blank lines, tabs, runs of spaces, a final space.
    rng = random.Random(3)
    words = ["Peru.", "The quake", "hit", "Dr.", "No. 10", "7.1", "“Yes.”", "U.S.", "x"]
    layouts = ["\n", "\n\n", " \n", "\n ", "  ", "\t", " ", "\r\n", "\u00a0"]
    for _ in range(2000):
        pieces = [rng.choice(words + layouts) for _ in range(rng.randint(0, 14))]
        bodies.append(" ".join(pieces) if rng.random() < 0.5 else "".join(pieces))
    return bodies + _random_texts(4, 2000)


def _plain_sentences(text: str) -> list[str]:
    """Sentences as the plain version splits them: every paragraph normalised on its own."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph:
            continue
        paragraph = T.normalise_space(paragraph)
        body = paragraph.rstrip(T._CLOSING)
        if "." in body or "!" in body or "?" in body:
            out += T._split_paragraph(paragraph)
        elif paragraph:
            out.append(paragraph)
    return out


def test_sentences_of_plain_bodies_match_normalising_every_paragraph():
    bodies = _bodies()
    assert sum(T._single_spaced_lines(b) for b in bodies) > 100  # the quick path is taken
    assert [b for b in bodies if list(T.iter_sentences(b)) != _plain_sentences(b)] == []


def test_terms_of_lines_together_are_each_lines_terms():
    lines = [s for b in _bodies() for s in T.iter_sentences(b)]
    lines += [t.replace("\n", " ") for t in _random_texts(8, 3000)]
    ascii_lines = [line for line in lines if line.isascii() and "'" not in line]
    assert len(ascii_lines) > 500
    for group in (lines, ascii_lines, lines[:1], []):
        expected = [T.terms_of(T.words(line.lower())) for line in group]
        assert T.lowered_terms_of_lines(group) == expected
    # One line at a time, so a line's own quirks cannot hide behind the others'.
    assert [s for s in lines if T.lowered_terms_of_lines([s]) != [T.content_terms(s.lower())]] == []


def test_patterns_find_what_the_text_automaton_finds():
    rng = random.Random(6)
    texts = [t for b in _bodies()[:3000] for t in (b, b.lower())]
    patterns = sorted({t[i : i + rng.randint(1, 4)] for t in texts[:400] for i in range(0, 40, 7)})
    patterns = [p for p in patterns if p]
    quick, plain = T.Patterns(patterns), ahocorasick_rs.AhoCorasick(patterns)
    for text in texts:
        assert quick.found_in(text) == frozenset(
            plain.find_matches_as_strings(text, overlapping=True)
        ), text
        assert quick.any_in(text) == bool(plain.find_matches_as_indexes(text)), text
        expected = plain.find_matches_as_indexes(text, overlapping=True)
        assert quick.matches(text) == expected, text


def _plain_best_line(own_articles, candidates, used, chosen, outlet_names, newest, latest=None):
    """``papers._best_line`` checking every candidate before scoring it."""
    own_ids = {a.article_id: a for a in own_articles}
    allowed = (
        outlet_names.names
        - {a.outlet for a in own_articles}
        - {a.parent_outlet for a in own_articles}
    )
    best = None
    for c in candidates:
        article_id = next((i for i in c.by_article if i in own_ids), None)
        if article_id is None:
            continue
        wording = C.without_dateline(c.by_article[article_id])
        if (
            not wording
            or not reportable(wording)
            or not outlet_names.found(wording).isdisjoint(allowed)
            or D.pinned(wording, D.published_time(own_ids[article_id])) is None
        ):
            continue
        if near_repeat(c, chosen):
            continue
        was_used = any(c is u for u in used)
        if not was_used and paraphrased(c, used):
            continue
        score = line_score(c, was_used, newest, latest)
        if not was_used and near_repeat(c, used):
            score -= 0.25
        if best is None or score > best[0]:
            best = (score, c, own_ids[article_id])
    return None if best is None else (best[1], best[2])


def test_best_papers_line_skipping_hopeless_checks_is_the_plain_choice():
    clear_cache()
    stories = [*_stories(), bench.story_of(30, run=9)]
    compared = 0
    for story in stories:
        candidates, _ = build_candidates(story)
        names = OutletNames({a.outlet for a in story if a.outlet})
        newest = max(c.last_seen for c in candidates)
        latest = newest_news_time(candidates)
        used = candidates[::5]
        for chosen in ([], candidates[:2]):
            for a in story:
                args = ([a], candidates, used, chosen, names, newest, latest)
                assert _best_line(*args) == _plain_best_line(*args)
                compared += 1
    assert compared > 200


def test_names_shared_across_a_story_give_each_article_its_own_analysis():
    from services.compose.config import DEFAULT_KB
    from services.compose.entities import Linker
    from services.compose.kb import load_kb

    kb = load_kb(DEFAULT_KB)
    stories = [*_stories(), bench.story_of(20, run=8)]
    alone, shared = Linker(kb), Linker(kb)
    for story in stories:
        in_kb: dict[str, bool] = {}
        for a in story:
            assert shared.analysed(a, in_kb) == alone.analysed(a)
    assert sum(len(alone.analysed(a).appositives) for s in stories for a in s) > 20


def test_parsed_sentences_are_the_parallel_texts_and_terms():
    from services.compose.candidates import parse_article

    clear_cache()
    for story in _stories():
        for a in story:
            parsed = parse_article(a)
            rows = [(s.text, s.terms, s.position) for s in parsed.sentences]
            expected = [(t, T.content_terms(t.lower()), i) for i, t in enumerate(parsed.texts)]
            assert rows == expected
