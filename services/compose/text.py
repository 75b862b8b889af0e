"""Text helpers for composing: sentence splitting, word normalisation, similarity."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from newsbrief.text import ENGLISH_STOPWORDS

# Abbreviations whose period does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "st",
        "jr",
        "sr",
        "rep",
        "sen",
        "gov",
        "pres",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "approx",
        "dept",
        "est",
    ]
)
_BOUNDARY_RE = re.compile(r"([.!?][\"'”’)]*)\s+(?=[\"'“‘(]?[A-Z0-9])")
_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_PARAGRAPH_RE = re.compile(r"\n\s*\n|\n")

# Compose also drops pronoun contractions: its word pattern keeps them whole ("it's").
STOPWORDS = ENGLISH_STOPWORDS | frozenset(["it's", "he's", "she's", "they're", "we're"])


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace into single spaces and trim."""
    return " ".join(text.split())  # str.split in C: several times faster than a regex sub


def split_sentences(text: str, limit: int | None = None) -> list[str]:
    """Split body text into sentences; paragraphs (blank lines) always break.

    With ``limit``, stop once that many sentences are found.
    """
    sentences: list[str] = []
    for sentence in iter_sentences(text):
        sentences.append(sentence)
        if limit is not None and len(sentences) >= limit:
            break
    return sentences


def iter_sentences(text: str) -> Iterator[str]:
    """Sentences of body text, lazily: composing reads only an article's top."""
    for paragraph in _PARAGRAPH_RE.split(text):
        paragraph = normalise_space(paragraph)
        if paragraph:
            yield from _split_paragraph(paragraph)


def _split_paragraph(paragraph: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(paragraph):
        end = match.end(1)
        if _ends_with_abbreviation(paragraph[start:end], paragraph[match.end() : match.end() + 1]):
            continue
        piece = paragraph[start:end].strip()
        if piece:
            out.append(piece)
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return out


def _ends_with_abbreviation(chunk: str, following: str = "") -> bool:
    words = chunk.rstrip("\"'”’)").split()
    if not words or not words[-1].endswith("."):
        return False
    last = words[-1][:-1].lower().lstrip("(\"'“‘")
    if last == "no" and not following.isdigit():
        return False  # "No. 10" abbreviates; "No. Last week's quake..." answers a question
    # Single capital initials ("John F. Kennedy") and known abbreviations do not end sentences.
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def words(text: str) -> list[str]:
    """The words of a text, in order, original case."""
    return _WORD_RE.findall(text)


@lru_cache(maxsize=65536)
def norm_word(word: str) -> str:
    """Lower-case a word and strip common inflections so that near forms compare equal."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return w


# Word as written -> its content term ("" for a stopword); bounded so it cannot grow forever.
_TERM_OF: dict[str, str] = {}


def _term(word: str) -> str:
    term = "" if len(word) <= 1 or word.lower() in STOPWORDS else norm_word(word)
    if len(_TERM_OF) > 200_000:
        _TERM_OF.clear()
    _TERM_OF[word] = term
    return term


def content_terms(text: str) -> frozenset[str]:
    """Normalised content words of a text (stopwords dropped), for overlap measures."""
    return terms_of(_WORD_RE.findall(text))


def terms_of(words_: list[str]) -> frozenset[str]:
    """Normalised content words of a text already split into words."""
    get = _TERM_OF.get
    terms = set()
    for word in words_:
        term = get(word)
        if term is None:
            term = _term(word)
        if term:
            terms.add(term)
    return frozenset(terms)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two term sets (0 when both are empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set's terms found in the other set."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def comparable(text: str) -> str:
    """A form of text for verbatim checks: curly quotes straightened, spaces collapsed."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return normalise_space(text)
