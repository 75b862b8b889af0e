"""Running tallies (deaths, injuries, the missing): which reports a later count supersedes.

A developing disaster story reports its toll again and again ("kills at least 9", "toll rises
to 14", "Sixteen people are now confirmed dead"). Each report was true when written; a brief
states the latest count as the current one and leaves the earlier counts out of its facts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from services.compose import text as T

# What a count is of, by the words around it; norm_word forms, as terms are compared.
_MEASURES = {
    "dead": "dead died die death deaths toll killed kill killing fatalities lives bodies",
    "injured": "injured injuries injuring hurt wounded wounding wound",
    "missing": "missing unaccounted",
}
MEASURE_OF = {T.norm_word(w): m for m, words in _MEASURES.items() for w in words.split()}
# A clause holding none of these word starts names no measure: no need to split it into words.
_MEASURE_RE = re.compile(
    "|".join(sorted({w[:3] for words in _MEASURES.values() for w in words.split()})),
    re.IGNORECASE,
)
_MEASURE_TERMS = frozenset(MEASURE_OF)
# The same, by the lower-cased word as written, so a clause needs no stemming.
_MEASURE_OF_WORD = {w: m for m, words in _MEASURES.items() for w in words.split()}
_MEASURE_OF_WORD |= {w + "s": m for w, m in _MEASURE_OF_WORD.items() if not w.endswith("s")}

_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        T.words(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen twenty"
        )
    )
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_TENS |= {"eighty": 80, "ninety": 90}
_NUMBER_TERMS = frozenset(T.norm_word(w) for w in [*_NUMBER_WORDS, *_TENS])
_NUMBER_STARTS = frozenset("0123456789") | frozenset(w[0] for w in [*_NUMBER_WORDS, *_TENS])
# A figure followed by one of these measures something else ("6.4 magnitude", "50 hours").
_NOT_A_COUNT = frozenset(
    T.words(
        "magnitude km kilometres kilometers miles metres meters mph per percent cent gmt am pm "
        "hours hour days day minutes weeks months years year seconds degrees tonnes kg bpd "
        "barrels billion homes houses buildings games matches points goals"
    )
)
# A figure next to a month is a date ("Oct. 19", "22 November"), not a count.
_MONTHS = frozenset(
    T.words(
        "january february march april may june july august september october november december "
        "jan feb mar apr jun jul aug sep sept oct nov dec"
    )
)
# Words a count stands before, never after: "14 people died", "three dead", "two missing";
# the figure after them belongs to something else ("shot dead and two managers wounded",
# "missing four games").
_COUNT_BEFORE_ONLY = frozenset(T.words("dead died die missing unaccounted"))
# Two figures joined by a dash are a score or a range ("a 27-24 loss"), neither a count.
_SCORE_RE = re.compile(r"\b\d+ ?[-–] ?\d+\b")
_CLAUSE_RE = re.compile(r",(?!\d)|[;:()]| - | – | — ")  # not the comma of "4,000"
_FIGURE_RE = re.compile(r"^\d[\d,]*$")
# Counts more than this far apart are two different tallies (a war's dead and one shelling's),
# not a revision of one.
MAX_REVISION_RATIO = 4.0


def _count(w: str) -> int | None:
    """The number a lower-cased word states ("1,450", "sixteen", "forty-one"), if any."""
    if _FIGURE_RE.match(w):
        return int(w.replace(",", ""))
    if w in _NUMBER_WORDS:
        return _NUMBER_WORDS[w]
    tens, _, unit = w.partition("-")
    if tens in _TENS and (not unit or unit in _NUMBER_WORDS):
        return _TENS[tens] + (_NUMBER_WORDS[unit] if unit else 0)
    return None


# Figures whole ("7.1", "1,450"), words with their hyphens ("forty-one").
_TOKEN_RE = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def _counts(words: list[str]) -> list[tuple[int, int]]:
    """(position, number) of the (lower-cased) words of a clause that count something."""
    out = []
    starts = _NUMBER_STARTS
    for i in [i for i, w in enumerate(words) if w[0] in starts]:  # most words hold no number
        w = words[i]
        n = _count(w)
        if n is None or (i and words[i - 1] == "magnitude"):
            continue  # decimals and magnitudes never count anything
        if w[0].isdigit() and "," not in w and 1900 <= n <= 2099:
            continue  # a year
        following = words[i + 1] if i + 1 < len(words) else ""
        if following in _NOT_A_COUNT or following.startswith("year-"):
            continue  # a unit or an age ("a 63-year-old woman")
        if following in _MONTHS or (i and words[i - 1] in _MONTHS):
            continue  # a date
        out.append((i, n))
    return out


def tallies(sentence: str) -> dict[str, int]:
    """Casualty counts a sentence states, by measure ("dead", "injured", "missing"); where a
    clause gives several for one measure (a total and a part of it), the largest."""
    return dict(_tallies(sentence))


# Remembered by text: a story's every rebuild reads the same sentences again.
@lru_cache(maxsize=8192)
def _tallies(sentence: str) -> tuple[tuple[str, int], ...]:
    found: dict[str, int] = {}
    for clause in _CLAUSE_RE.split(sentence.lower()):
        if _MEASURE_RE.search(clause) is None:
            continue  # most clauses count nothing that dies, is hurt or goes missing
        words = _TOKEN_RE.findall(_SCORE_RE.sub(" score ", clause))
        counts = _counts(words)
        if not counts:
            continue
        measures = [(i, w) for i, w in enumerate(words) if w in _MEASURE_OF_WORD]
        for i, w in measures:
            n = _count_of(i, w, counts, measures)
            if n is not None:
                found[_MEASURE_OF_WORD[w]] = max(found.get(_MEASURE_OF_WORD[w], 0), n)
    return tuple(sorted(found.items()))


def _count_of(
    i: int, word: str, counts: list[tuple[int, int]], measures: list[tuple[int, str]]
) -> int | None:
    """The count the measure word at ``i`` qualifies: the nearest count that no other measure
    word stands nearer to ("killed a woman and wounded two men": the two are the wounded),
    and none after a word that follows its count ("three dead", never "dead and two ...")."""
    best: tuple[int, int, int] | None = None  # (distance, position, count)
    for at, n in counts:
        if not _may_qualify(i, word, at):
            continue
        distance = abs(i - at)
        if any(abs(j - at) < distance for j, w in measures if _may_qualify(j, w, at)):
            continue  # another measure word stands nearer: the count is that one's
        if best is None or (distance, at) < best[:2]:
            best = (distance, at, n)
    return None if best is None else best[2]


def _may_qualify(i: int, word: str, at: int) -> bool:
    return not (i < at and word in _COUNT_BEFORE_ONLY)


def may_state_tally(terms: frozenset[str]) -> bool:
    """Cheap pre-check on a sentence's terms: could it state a casualty count at all?"""
    if _MEASURE_TERMS.isdisjoint(terms):
        return False  # the usual sentence: one set test
    return not _NUMBER_TERMS.isdisjoint(terms) or any(t[0].isdigit() for t in terms)


def superseded(reports: Sequence[tuple[float, dict[str, int]]]) -> list[bool]:
    """For (time, tallies) reports of one story: True where a later report gives a higher
    count of the same measure, close enough to be a revision of it (tolls rise as news comes
    in; a later, smaller figure is more often a part of the total than a correction)."""
    by_measure: dict[str, list[tuple[float, int]]] = {}
    for at, counts in reports:
        for m, n in counts.items():
            by_measure.setdefault(m, []).append((at, n))
    out = []
    for at, counts in reports:
        old = False
        for m, n in counts.items():
            for later, other in by_measure[m]:
                if later > at and n < other <= MAX_REVISION_RATIO * n + 5:
                    old = True
        out.append(old)
    return out


def revisions(
    at: float, counts: dict[str, int], reports: Sequence[tuple[float, dict[str, int]]]
) -> dict[str, tuple[int, int]]:
    """For a report made at ``at`` stating ``counts``: measure -> (index into ``reports``, count)
    of the highest later count that revises it, by ``superseded``'s rule. Empty when nothing
    later revises it: its figures still stand."""
    out: dict[str, tuple[int, int]] = {}
    for i, (later, other) in enumerate(reports):
        if later <= at:
            continue
        for m, n in counts.items():
            newer = other.get(m, 0)
            if n < newer <= MAX_REVISION_RATIO * n + 5 and newer > out.get(m, (0, 0))[1]:
                out[m] = (i, newer)
    return out


def restate(text: str, old: int, new: int) -> str | None:
    """The text with the one figure stating ``old`` written as ``new`` ("toll rises to 14" ->
    "toll rises to 16"), or None when no figure, or more than one, states it."""
    spans = [m.span() for m in _TOKEN_RE.finditer(text) if _count(m.group().lower()) == old]
    if len(spans) != 1:
        return None
    start, end = spans[0]
    return f"{text[:start]}{new:,}{text[end:]}"
