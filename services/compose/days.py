"""Relative days pinned to weekdays: a brief is read days after its articles came out.

"Hundreds packed into the Spa Pavilion yesterday" is true on the morning its article came out
and wrong by the time a reader opens the brief; the brief prints "on Monday" instead, counted
from the article's publication date (UTC: the feed's own offset is gone by the time compose
sees an article). A sentence whose day cannot be pinned cleanly (inside a quotation, or from
an article whose date ingest had to guess) is left out of the brief.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from newsbrief.flags import GUESSED_DATE
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import cues as C
from services.compose import people as P
from services.compose import text as T

_PARTS = "morning|afternoon|evening|night"
_RELATIVE_RE = re.compile(
    r"\b(?P<phrase>yesterday|today|tomorrow|tonight|last night|this (?P<this>" + _PARTS + r"))"
    r"(?: (?P<part>" + _PARTS + r"))?(?P<poss> ?['’]s\b)?",
    re.IGNORECASE,
)
# Days after publication, and the part of the day a phrase names by itself.
_OFFSETS = {"yesterday": -1, "last night": -1, "today": 0, "tonight": 0, "tomorrow": 1}
_OWN_PART = {"last night": "night", "tonight": "night"}
# Words after which a day needs no "on": "until Monday", "since Monday", "by Monday night".
_PREPOSITIONS = frozenset(
    ["until", "till", "from", "since", "by", "before", "after", "through", "of", "for", "on"]
)
# "Even today", "the site today is a car park": "today" as "nowadays", still true later.
_NOWADAYS_BEFORE = frozenset(["still", "even", "than"])
_PRESENT_AFTER_RE = re.compile(r" (?:is|are|has|have|remains|remain)\b")
# An opening "Today is...", "Yesterday was...": the day itself is the subject.
_COPULA_AFTER_RE = re.compile(r" (?:is|was|will be|marks|marked)\b")


def article_days(articles: Sequence[pb.Article]) -> dict[str, float | None]:
    """Article id -> its publication time (epoch seconds), or None when ingest guessed it."""
    return {a.article_id: published_time(a) for a in articles}


def published_time(article: pb.Article) -> float | None:
    """An article's publication time (epoch seconds), or None when ingest guessed it."""
    if article.published_at.seconds <= 0 or not GUESSED_DATE.isdisjoint(article.flags):
        return None
    return float(article.published_at.seconds)


def pinned(sentence: str, published: float | None) -> str | None:
    """The sentence with each relative day ("yesterday", "this morning", "last night") written
    as the weekday it meant ("on Monday", "on Tuesday morning", "on Monday night"), counted
    from the article's publication time; unchanged when it names none.

    A speaker's quoted words are theirs: a quotation saying "tonight" keeps it, and the
    attribution closing the sentence says when it was said ('..., Okafor said on Monday.').
    None when a day cannot be pinned so: without a known date, or in a quotation that no
    closing attribution dates."""
    if not C.relative_day(sentence):
        return sentence  # the usual sentence: no relative day
    out, end, quoted = [], 0, False
    for m in _RELATIVE_RE.finditer(sentence):
        if _nowadays(sentence, m) or _proper_name(sentence, m):
            continue
        if published is None:
            return None
        if P.quoted_at(sentence, m.start()):  # its words are the speaker's
            quoted = True
            continue
        out.append(sentence[end : m.start()])
        out.append(_weekday_phrase(sentence, m, published))
        end = m.end()
    out.append(sentence[end:])
    text = "".join(out)
    return _said_on(text, published) if quoted else text


# A sentence closing on its speaker's past-tense verb: '"...," council leader Nkem Okafor said.'
_CLOSING_SAID_RE = re.compile(
    r"[\"”’'] ?[^\"“”]*\b(?P<verb>said|added|warned|insisted|explained|told reporters)"
    r"(?P<end> ?[.!]?)$"
)


def _said_on(sentence: str, published: float) -> str | None:
    """The sentence with its closing "said" dated ("said on Monday"); None without one, or
    when the attribution names a day already."""
    m = _CLOSING_SAID_RE.search(sentence)
    if m is None or C.days_back(sentence[m.start() :], 0) is not None:
        return None
    day = T.WEEKDAYS[datetime.fromtimestamp(published, UTC).weekday()]
    return f"{sentence[: m.end('verb')]} on {day}{m.group('end')}"


def _weekday_phrase(sentence: str, m: re.Match, published: float) -> str:
    phrase = m.group("phrase").lower()
    offset = _OFFSETS.get(phrase, 0)
    day = datetime.fromtimestamp(published + offset * 86400, UTC).weekday()
    part = (m.group("this") or m.group("part") or _OWN_PART.get(phrase, "")).lower()
    named = f"{T.WEEKDAYS[day]} {part}".rstrip()
    if m.group("poss"):
        return named + m.group("poss")  # "yesterday's vote": "Monday's vote"
    before = sentence[: m.start()].rstrip()
    if not before:
        if _COPULA_AFTER_RE.match(sentence, m.end()):
            return named  # "Today is the deadline": "Tuesday is the deadline"
        return "On " + named  # "Yesterday, police said": "On Monday, police said"
    previous = before.rsplit(" ", 1)[-1].lower()
    return named if previous in _PREPOSITIONS else "on " + named


def _nowadays(sentence: str, m: re.Match) -> bool:
    """True for "today" meaning "nowadays": "even today", "Britain today is...", which a
    later reader may read as written."""
    if m.group("phrase").lower() != "today" or m.group("poss") or m.group("part"):
        return False
    before = sentence[: m.start()].rstrip()
    if before.rsplit(" ", 1)[-1].lower() in _NOWADAYS_BEFORE:
        return True
    return bool(before) and _PRESENT_AFTER_RE.match(sentence, m.end()) is not None


def _proper_name(sentence: str, m: re.Match) -> bool:
    """True for a capitalised "Today" inside a sentence: a title ("the Today programme");
    not one opening the sentence or a quotation in it."""
    before = sentence[: m.start()].rstrip()
    return bool(before) and before[-1] not in "\"“‘'(" and sentence[m.start()].isupper()


def days_back(sentence: str) -> int | None:
    """How many days before its article's publication the latest relative day a sentence
    names falls ("yesterday": 1, "this morning": 0); None when it names none, or only days
    to come ("tomorrow") or "today" as "nowadays"."""
    if not C.relative_day(sentence):
        return None
    backs = [
        -_OFFSETS.get(m.group("phrase").lower(), 0)
        for m in _RELATIVE_RE.finditer(sentence)
        if not _nowadays(sentence, m) and not _proper_name(sentence, m)
    ]
    backs = [b for b in backs if b >= 0]
    return min(backs) if backs else None
