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
_CLOSING = ".!?\"'”’)"
_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

# Compose also drops pronoun contractions: its word pattern keeps them whole ("it's").
STOPWORDS = ENGLISH_STOPWORDS | frozenset(["it's", "he's", "she's", "they're", "we're"])


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace into single spaces and trim."""
    if "  " not in text and text[:1] != " " and text[-1:] != " " and spaces_only(text):
        return text  # already single-spaced (the usual paragraph): no split and join
    return " ".join(text.split())  # str.split in C: several times faster than a regex sub


# The whitespace str.split() splits on in ASCII text, besides the space.
_ASCII_OTHER_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"


def spaces_only(text: str) -> bool:
    """True when a text holds no whitespace but the plain space (a non-ASCII text holding any
    character Python cannot print counts as holding some)."""
    if text.isascii():
        # A handful of substring scans in C rather than a printable test of every character.
        for space in _ASCII_OTHER_SPACE:  # noqa: SIM110 (a plain loop: no generator per text)
            if space in text:
                return False
        return True
    return text.isprintable()  # every whitespace character but the space is unprintable


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
    # Splitting at every newline gives the same paragraphs as the pattern (blank pieces drop).
    for paragraph in text.split("\n"):
        if not paragraph:
            continue  # the blank line between two paragraphs
        paragraph = normalise_space(paragraph)
        # A boundary is a ".", "!" or "?" with a space after it (past closing quotes): when
        # every one of them is in the paragraph's closing run, the paragraph is one sentence.
        body = paragraph.rstrip(_CLOSING)
        if "." in body or "!" in body or "?" in body:
            yield from _split_paragraph(paragraph)
        elif paragraph:
            yield paragraph


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
    words = chunk.rstrip("\"'”’)").rsplit(None, 1)  # only the last word matters
    if not words or not words[-1].endswith("."):
        return False
    last = words[-1][:-1].lower().lstrip("(\"'“‘")
    if last == "no" and not following.isdigit():
        return False  # "No. 10" abbreviates; "No. Last week's quake..." answers a question
    # Single capital initials ("John F. Kennedy") and known abbreviations do not end sentences.
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def words(text: str) -> list[str]:
    """The words of a text, in order, original case (exactly ``_WORD_RE.findall(text)``)."""
    return _split_words(text, _WORD_SEPARATORS, _WORD_RE)


def first_word(text: str) -> str | None:
    """``words(text)[0]``, or None for a text without words, found without splitting it all."""
    m = _WORD_RE.search(text)
    return m.group() if m else None


def word_runs(text: str) -> list[str]:
    """Runs of word characters (letters, digits, "_"): exactly ``re.findall(r"\\w+", text)``."""
    return _split_words(text, _RUN_SEPARATORS, _RUN_RE)


fast_words = words  # the name older call sites use

_RUN_RE = re.compile(r"\w+")


def _separators(keep: str) -> bytes:
    # Every ASCII byte that is not a letter, a digit or in ``keep`` becomes a space; bytes from
    # 0x80 up (the UTF-8 of non-ASCII characters) stay as they are.
    return bytes(b if b >= 0x80 or chr(b).isalnum() or chr(b) in keep else 0x20 for b in range(256))


_WORD_SEPARATORS = _separators("'")
_RUN_SEPARATORS = _separators("_")


def _split_words(text: str, separators: bytes, pattern: re.Pattern[str]) -> list[str]:
    """``pattern.findall(text)`` for a pattern that tells characters apart only as word
    character, ``keep`` character or other: turning an "other" into a space never changes the
    words found. The regex engine walks a text about a hundred times slower than translating
    its UTF-8 bytes and splitting on whitespace, both in C; only a token holding a non-ASCII
    character or a kept one is split again by the pattern ("Peru's", "Perú”").
    """
    spaced = text.encode("utf-8", "surrogatepass").translate(separators)
    tokens = spaced.decode("utf-8", "surrogatepass").split()
    if "".join(tokens).isalnum() and spaced.isascii():
        return tokens  # every token a plain ASCII run of letters and digits
    out: list[str] = []
    for token in tokens:
        if token.isalnum() and token.isascii():
            out.append(token)
        else:
            out += pattern.findall(token)
    return out


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


class _TermTable(dict):
    """Word as written -> its content term ("" for a stopword), filled on first sight."""

    def __missing__(self, word: str) -> str:
        term = "" if len(word) <= 1 or word.lower() in STOPWORDS else norm_word(word)
        if len(self) > 200_000:
            self.clear()  # bounded so it cannot grow forever
        self[word] = term
        return term


_TERM_OF = _TermTable()


def content_terms(text: str) -> frozenset[str]:
    """Normalised content words of a text (stopwords dropped), for overlap measures."""
    return terms_of(words(text))


def terms_of(words_) -> frozenset[str]:
    """Normalised content words of a text already split into words."""
    # map() over the table's lookup runs in C; only unseen words reach Python (__missing__).
    terms = set(map(_TERM_OF.__getitem__, words_))
    terms.discard("")
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
