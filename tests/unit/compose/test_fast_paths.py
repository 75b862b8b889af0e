"""The quick paths of composing give exactly what the plain regex versions give, on the sample
corpus, the fixture stories and random text full of edge characters."""

from __future__ import annotations

import random
import re

import pytest
from compose_corpus import example_stories, fixture_stories

from services.compose import cues as C
from services.compose import text as T
from services.compose.config import DEFAULT_KB
from services.compose.entities import Linker
from services.compose.kb import Entity, load_kb
from services.compose.papers import StoryVocabulary

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_RUN = re.compile(r"\w+")
_CAPS = re.compile(r"(?<=[a-z0-9,;:(] )[A-Z][A-Z0-9]+\b")
_EDGES = "ab’'_-.é “”—…0 9\t\nZ£€\u00a0\u2009&+İß(;:,Q"


def _texts() -> list[str]:
    stories = [*(example_stories() or {}).values(), *fixture_stories().values()]
    texts = [t for story in stories for a in story for t in (a.title, a.text)]
    rng = random.Random(11)
    texts += ["".join(rng.choice(_EDGES) for _ in range(rng.randint(0, 40))) for _ in range(5000)]
    return texts


TEXTS = _texts()
SENTENCES = [s for t in TEXTS[:400] for s in T.split_sentences(t)]


def test_words_and_word_runs_match_the_regexes():
    assert [t for t in TEXTS if T.words(t) != _WORD.findall(t)] == []
    assert [t for t in TEXTS if T.word_runs(t) != _RUN.findall(t)] == []


def test_one_line_is_normalise_space():
    from services.compose.entities import _one_line

    extra = ["a\n\n\nb", " a \n b ", "a\u00a0 b", "a\tb\r\n", "\n\na b\n", "x\x1cy"]
    assert [t for t in TEXTS + extra if _one_line(t) != T.normalise_space(t)] == []


def test_caps_words_match_the_look_behind_pattern():
    assert [t for t in TEXTS if C.caps_words(t) != frozenset(_CAPS.findall(t))] == []


def test_story_vocabulary_answers_as_the_full_word_sets_would():
    proper = {w for s in SENTENCES for w in T.words(s)[1:] if w[:1].isupper()}
    lower = {"~" + w for s in SENTENCES for w in T.words(s) if w[:1].islower()}
    vocabulary = StoryVocabulary(SENTENCES)
    asked = {w for s in SENTENCES[:300] for w in T.words(s)} | {"Zzz", "zzz", "9", ""}
    for word in sorted(asked):
        assert (word in vocabulary) == (word in proper), word
        assert ("~" + word.lower() in vocabulary) == ("~" + word.lower() in lower), word


@pytest.mark.parametrize(
    "text, ids",
    [
        ("A U.S.-led plan and an OPEC+ cut", ["us", "opec"]),
        ("Brightwater &\nCo collapsed; the USSR did not", ["bw"]),
        ("Peruvian officials and Peru's president", ["peru"]),
    ],
)
def test_linker_finds_whole_word_aliases_across_line_breaks(text, ids):
    linker = Linker(
        [
            Entity("us", "United States", "place", "", ("U.S.", "US")),
            Entity("opec", "OPEC", "organisation", "", ()),
            Entity("bw", "Brightwater & Co", "organisation", "", ()),
            Entity("peru", "Peru", "place", "", ()),
        ]
    )
    assert linker.known(text) == ids


def test_linker_names_each_kb_alias_once_in_running_text():
    kb = load_kb(DEFAULT_KB)
    linker = Linker(kb)
    aliases = [(e.id, a) for e in kb[:150] for a in (e.name, *e.aliases) if a[:1].isupper()]
    missed = [
        (entity_id, alias)
        for entity_id, alias in aliases
        if linker.known(f"On Monday, {alias} said so.") != [linker.known(alias)[0]]
    ]
    assert missed == []
