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
from services.compose.entities import _SUFFIX_RE, Linker, _surname_alone
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


def _alias_patterns(kb: list[Entity]) -> tuple[dict, dict]:
    """Each alias as a whole-word pattern of its own: names as written, phrases lower-cased;
    a bare surname's pattern marked, as it names its person only where it stands alone."""
    names: dict[str, str] = {}
    phrases: dict[str, str] = {}
    for e in kb:
        for alias in (e.name, *e.aliases):
            if alias[:1].islower():
                phrases.setdefault(T.normalise_space(alias.lower()), e.id)
            else:
                names.setdefault(T.normalise_space(alias), e.id)
    surnames: dict[str, set[str]] = {}
    for e in kb:
        if e.kind == "person" and len(e.name.split()) > 1:
            surnames.setdefault(e.name.split()[-1], set()).add(e.id)
    bare = set()
    for surname, ids in surnames.items():
        if len(ids) == 1 and surname not in names and not _SUFFIX_RE.match(surname):
            names[surname] = next(iter(ids))
            bare.add(surname)

    def compiled(aliases: dict[str, str]) -> dict:
        out = {}
        for alias, entity_id in aliases.items():
            head = r"(?<!\w)" if alias[0].isalnum() or alias[0] == "_" else ""
            tail = r"(?!\w)" if alias[-1].isalnum() or alias[-1] == "_" else ""
            pattern = re.compile(f"(?={head}{re.escape(alias)}{tail})")
            out[alias] = (pattern, entity_id, alias in bare)
        return out

    return compiled(names), compiled(phrases)


def _reference_known(patterns: tuple[dict, dict], text: str) -> list[str]:
    """KB ids named in a text the plain way: every alias searched for on its own, as a whole
    word, leftmost-longest, no overlaps."""
    text = T.normalise_space(text)
    found = []
    for haystack, aliases in ((text, patterns[0]), (text.lower(), patterns[1])):
        hits = [
            (m.start(), -len(alias), entity_id)
            for alias, (pattern, entity_id, bare) in aliases.items()
            if alias in haystack
            for m in pattern.finditer(haystack)
            if not bare or _surname_alone(haystack, m.start(), m.start() + len(alias))
        ]
        end = 0
        for start, negative_length, entity_id in sorted(hits):
            if start >= end:
                found.append((start, entity_id))
                end = start - negative_length
    return [entity_id for _, entity_id in sorted(found)]


def test_linker_automaton_finds_what_searching_each_alias_finds():
    kb = load_kb(DEFAULT_KB)
    linker, patterns = Linker(kb), _alias_patterns(kb)
    rng = random.Random(5)
    aliases = [a for e in kb for a in (e.name, *e.aliases)]
    texts = TEXTS[:400]
    for _ in range(1000):  # aliases run together with edge characters
        parts = [
            rng.choice(aliases) if rng.random() < 0.4 else rng.choice(_EDGES) * rng.randint(0, 3)
            for _ in range(rng.randint(1, 8))
        ]
        texts.append(rng.choice(["", " ", "\n"]).join(parts))
    assert [t for t in texts if linker.known(t) != _reference_known(patterns, t)] == []


def test_appositives_near_their_markers_are_every_match_of_the_pattern():
    from services.compose.entities import _APPOSITIVE_RE, _appositive_matches

    rng = random.Random(9)
    tokens = ["Ab", "Cd", "of", "de", "von", "J.", "x", "The", "Ef-Gh", "O’Neil", "A", "an"]
    separators = [" ", "  ", "\n", ", ", ". "]
    texts = list(TEXTS)
    for _ in range(5000):  # names of every length, runs of capitals, initials, near misses
        name = "".join(
            rng.choice(tokens) + rng.choice(separators) for _ in range(rng.randint(1, 12))
        )
        marker = rng.choice([", the ", ", a ", ", an "])
        description = rng.choice(["big boss", "x", "a b c d", "long " * 20])
        texts.append(name + marker + description + rng.choice([",", "", ".", ", and Ab Cd, a y,"]))

    def spans(matches):
        return [(m.span(), m.group("name"), m.group("desc")) for m in matches]

    assert [
        t for t in texts if spans(_appositive_matches(t)) != spans(_APPOSITIVE_RE.finditer(t))
    ] == []


def test_a_paragraph_taken_whole_has_no_sentence_boundary():
    paragraphs = {T.normalise_space(p) for t in TEXTS for p in t.split("\n")} - {""}
    # The quick test: every ".", "!" and "?" is in the closing run, with no space after it.
    whole = [p for p in paragraphs if not any(c in p.rstrip(T._CLOSING) for c in ".!?")]
    assert len(whole) > 500
    assert [p for p in whole if T._BOUNDARY_RE.search(p)] == []
    assert all(T._split_paragraph(p) == [p] for p in whole)


def test_first_person_by_word_runs_is_the_pattern():
    from services.compose.candidates import has_first_person

    first_person = re.compile(r"\b(I|we|We|our|Our|us|my|My|me)\b")
    quoted = re.compile(r"[\"“][^\"”]*[\"”]")
    extra = ['"We will," he said', "we're here", "I’m", "Us and them", "US troops", "“my” case"]
    texts = SENTENCES + TEXTS[400:] + extra
    expected = [bool(first_person.search(quoted.sub(" ", t))) for t in texts]
    assert sum(expected) > 50
    assert [has_first_person(t) for t in texts] == expected
