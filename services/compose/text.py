"""Text helpers for composing: sentence splitting, word normalisation, similarity."""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from functools import lru_cache

import ahocorasick_rs

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
_ASCII_SPACE_BUT_NEWLINE = _ASCII_OTHER_SPACE.replace("\n", "")


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
    plain = _single_spaced_lines(text)
    for paragraph in text.split("\n"):
        if not paragraph:
            continue  # the blank line between two paragraphs
        if not plain or paragraph[0] == " " or paragraph[-1] == " ":
            paragraph = normalise_space(paragraph)
        # A boundary is a ".", "!" or "?" with a space after it (past closing quotes): when
        # every one of them is in the paragraph's closing run, the paragraph is one sentence.
        body = paragraph.rstrip(_CLOSING)
        if "." in body or "!" in body or "?" in body:
            yield from _split_paragraph(paragraph)
        elif paragraph:
            yield paragraph


def _single_spaced_lines(text: str) -> bool:
    """True when ``normalise_space`` leaves every line of a text as it is, but perhaps for a
    space opening or closing it: checked once for a whole (ASCII) body rather than once per
    paragraph. (The ends of each line are cheaper to check one by one than searching the body
    for a space beside a newline: a scan for a pair of characters is slow.)"""
    if not text.isascii() or "  " in text:
        return False
    for space in _ASCII_SPACE_BUT_NEWLINE:  # noqa: SIM110 (a plain loop: no generator)
        if space in text:
            return False
    return True


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


# Day and month names: capitalised, yet never a person's name nor part of one.
# Monday first, as datetime.weekday() counts.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
CALENDAR_NAMES = frozenset(WEEKDAYS + MONTHS)


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
    # map() over the table's lookup runs in C; only unseen words reach Python (__missing__);
    # filter(None) drops the stopwords' "" in C too, so the set is built once.
    return frozenset(filter(None, map(_TERM_OF.__getitem__, words_)))


# ``_WORD_SEPARATORS`` that keeps the newline: lines translated together stay apart.
_LINE_WORD_SEPARATORS = _WORD_SEPARATORS[:10] + b"\n" + _WORD_SEPARATORS[11:]


def lowered_terms_of_lines(lines: list[str]) -> list[frozenset[str]]:
    """``[terms_of(words(line.lower())) for line in lines]`` for lines holding no newline.

    A sentence's terms are all its parse keeps, and an article has dozens: lowering and
    translating them joined, in one pass each in C, costs far less than one pass per sentence.
    Lowering joined lines gives each line's own lowering (a newline is no cased letter, so even
    a closing sigma stays as it would alone), and translating bytes keeps each line's bytes.
    """
    if not lines:
        return []
    joined = "\n".join(lines).lower().encode("utf-8", "surrogatepass")
    spaced = joined.translate(_LINE_WORD_SEPARATORS)
    term = _TERM_OF.__getitem__
    if spaced.isascii() and b"'" not in spaced:
        # Every token is a plain ASCII run of letters and digits: ``words`` would split it so.
        return [
            frozenset(filter(None, map(term, line.split())))
            for line in spaced.decode("ascii").split("\n")
        ]
    pieces = spaced.decode("utf-8", "surrogatepass").split("\n")
    return [frozenset(filter(None, map(term, _tokens(piece, _WORD_RE)))) for piece in pieces]


def _tokens(spaced: str, pattern: re.Pattern[str]) -> list[str]:
    """The words of a text whose separators are already spaces (the slow half of
    ``_split_words``)."""
    out: list[str] = []
    for token in spaced.split():
        if token.isalnum() and token.isascii():
            out.append(token)
        else:
            out += pattern.findall(token)
    return out


def short_stems(terms) -> frozenset[str]:
    """Terms cut to five letters, a final "e" dropped first: inflections the term normaliser
    keeps apart ("stores"/"store", "airlines"/"airline") meet, for paraphrase checks."""
    return frozenset(t[:-1][:5] if t.endswith("e") else t[:5] for t in terms)


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


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


class Patterns:
    """Many substrings found in one pass of an Aho-Corasick automaton, searched as bytes.

    Given a ``str``, the library first maps every byte of the text to its character index,
    which costs more than the search itself on an article's text. A search on the UTF-8 bytes
    skips that map; it finds exactly the same patterns (UTF-8 is self-synchronising: a pattern's
    bytes occur only where the pattern does), at byte offsets, which are character offsets in
    ASCII text.
    """

    def __init__(self, patterns: list[str], dfa: bool = False):
        kind = {"implementation": ahocorasick_rs.Implementation.DFA} if dfa else {}
        self.patterns = list(patterns)
        self._bytes = ahocorasick_rs.BytesAhoCorasick(list(map(_utf8, patterns)), **kind)

    def any_in(self, text: str) -> bool:
        """True when some pattern occurs in the text."""
        return bool(self._bytes.find_matches_as_indexes(_utf8(text)))

    def found_in(self, text: str) -> frozenset[str]:
        """The patterns occurring in the text (overlapping occurrences included)."""
        found = self._bytes.find_matches_as_indexes(_utf8(text), overlapping=True)
        patterns = self.patterns
        return frozenset([patterns[index] for index, _, _ in found])

    def matches(self, text: str) -> list[tuple[int, int, int]]:
        """(pattern index, start, end) of every occurrence, overlapping, in character offsets:
        what ``AhoCorasick.find_matches_as_indexes(text, overlapping=True)`` gives."""
        if text.isascii():  # byte offsets are character offsets
            return self._bytes.find_matches_as_indexes(text.encode("ascii"), overlapping=True)
        data = _utf8(text)
        found = self._bytes.find_matches_as_indexes(data, overlapping=True)
        if not found:
            return found
        # Only the few offsets matches have are turned into characters, counting the
        # characters of each stretch between two of them (every one is a character boundary).
        chars: dict[int, int] = {}
        last = count = 0
        for offset in sorted({o for _, start, end in found for o in (start, end)}):
            count += len(data[last:offset].decode("utf-8", "surrogatepass"))
            chars[offset] = count
            last = offset
        return [(index, chars[start], chars[end]) for index, start, end in found]


# -- Title Case headlines ---------------------------------------------------------------------
# A title is in Title Case when this share of its words after the first (small words aside)
# open with a capital: a sentence-case title capitalises only its names.
TITLE_CASE_SHARE = 0.75
_TITLE_TOKEN_RE = re.compile(r"\S+")


def title_cased(title: str) -> bool:
    """True for a title written in Title Case ("Storm Iona Cuts Power To 40,000")."""
    lettered = [w for w in _plain_words(title)[1:] if w.lower() not in STOPWORDS]
    if len(lettered) < 3:
        return False
    capitalised = sum(1 for w in lettered if w[:1].isupper())
    return capitalised >= TITLE_CASE_SHARE * len(lettered)


def _plain_words(title: str) -> list[str]:
    return [w for w in (_bare(t) for t in _TITLE_TOKEN_RE.findall(title)) if w[:1].isalpha()]


def _bare(token: str) -> str:
    return token.strip("\"'‘’“”()[],;:.!?")


def sentence_case(title: str, proper: Container[str], story_text: str = "") -> str:
    """A Title Case title as a sentence-case headline: its first word, acronyms and the words
    the story writes as names keep their capitals ("Storm Iona cuts power to 40,000 in
    Scotland"). ``proper`` answers like ``papers.StoryVocabulary``: "Word" when the story
    capitalises it mid-sentence, "~word" when it writes it in lower case, "=Word" when the
    knowledge base knows it as a name. ``story_text``: the story's sentences, to tell a name's
    word ("Highland Power Networks") from the same word used plainly ("power cuts")."""
    if not title_cased(title):
        return title
    tokens = _TITLE_TOKEN_RE.findall(title)
    out = [tokens[0]] if tokens else []
    for i in range(1, len(tokens)):
        out.append(_lowered_unless_name(tokens, i, proper, story_text))
    return " ".join(out)


def _lowered_unless_name(tokens: list[str], i: int, proper: Container[str], text: str) -> str:
    token = tokens[i]
    word = _bare(token)
    head = word.split("-", 1)[0].removesuffix("'s").removesuffix("’s")
    if not head[:1].isupper() or (len(head) > 1 and head.isupper()) or _has_digit(head):
        return token  # already lower case, an acronym ("OPEC", "UK"), a figure ("€4.5bn")
    if "~" + head.lower() in proper:
        # The story writes it as a common word: a name here only as the story writes it
        # beside the same neighbour ("Storm Iona"; not "Felixstowe Port reopens").
        if head in proper and _written_as_name(tokens, i, word, text):
            return token
    elif head in proper or "=" + head in proper:
        return token  # the story, or the knowledge base, only ever writes it as a name
    return token[: len(token) - len(token.lstrip("\"'‘“(["))] + _lower_first(
        token.lstrip("\"'‘“([")
    )


def _written_as_name(tokens: list[str], i: int, word: str, text: str) -> bool:
    """For a word the story writes both ways: True when the story writes it, next to the
    title's neighbouring word, with its capital and never without ("Storm Iona" beside "the
    storm"; "EU energy ministers" despite "EU Energy Commissioner")."""
    lowered_text = text.lower()
    seen_capital = False
    for j in (i - 1, i + 1):
        if not 0 <= j < len(tokens):
            continue
        pair = f"{_bare(tokens[j])} {word}" if j < i else f"{word} {_bare(tokens[j])}"
        offset = 0 if j > i else len(pair) - len(word)
        at = lowered_text.find(pair.lower())
        while at >= 0:
            if text[at + offset].isupper():
                seen_capital = True
            else:
                return False  # the story writes this pair as common words
            at = lowered_text.find(pair.lower(), at + 1)
    return seen_capital


def _lower_first(token: str) -> str:
    return token[:1].lower() + token[1:]


def _has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)
