"""Text normalisation: tokens, stems, capitalised-span entities, numbers and dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

import Stemmer

from newsbrief.text import ENGLISH_STOPWORDS

_STEMMER = Stemmer.Stemmer("english")

# Letters (incl. accented) with inner apostrophes/hyphens, or numbers with inner separators.
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*", re.UNICODE)
_URL_LINE_RE = re.compile(r"^\s*https?\s*:\s*/\s*/\S*(?:\s+\S+)*?$", re.IGNORECASE)
_SENT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|\n+")
# Pre-tokenised corpora write "2 . 6 million" and "1 , 500": glue such numbers back.
_SPLIT_NUM_RE = re.compile(r"(\d) ?(\.) ?(\d)|(\d) ?(,) ?(\d{3})(?!\d)")
_YEAR_RE = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")

# News-specific noise on top of the shared English set: contraction stems, numbers, dates,
# URL parts, agency names and filler. Must stay exactly this set: model.json was learned on it.
_NEWS_NOISE_WORDS = """
    aren didn doesn don isn wasn weren
    herself himself myself ours ourselves theirs themselves yours yourself yourselves us
    one two three four five six seven eight nine ten first second last
    year years day days week weeks month months time today yesterday tomorrow
    monday tuesday wednesday thursday friday saturday sunday st
    http https www com html htm org net co uk php asp index
    news article articles story stories report reported reports reuters ap afp upi cnn bbc
    may might must shall since still yet however though although even many much another
    back made make get got go going went like well way around per via
"""
STOPWORDS = ENGLISH_STOPWORDS | frozenset(_NEWS_NOISE_WORDS.split())

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9

# Words that are capitalised mostly because they start a sentence or are titles/weekdays.
_NOT_ENTITY = (
    STOPWORDS
    | frozenset(MONTHS)
    | frozenset(
        [
            "police",
            "officials",
            "official",
            "president",
            "minister",
            "governor",
            "mayor",
            "chief",
            "judge",
            "prosecutors",
            "authorities",
            "sources",
            "friday",
        ]
    )
)


def stem(word: str) -> str:
    """Snowball stem of a lowercase word."""
    return _stem_cached(word)


@lru_cache(maxsize=200_000)
def _stem_cached(word: str) -> str:
    return _STEMMER.stemWord(word)


def split_url_lines(text: str) -> tuple[str, str]:
    """Separate leading URL lines (scraped pages often start with one) from the prose."""
    urls, body = [], []
    for line in text.split("\n"):
        (urls if _URL_LINE_RE.match(line) and not body else body).append(line)
    return " ".join(urls), "\n".join(body)


def tokens(text: str) -> list[str]:
    """Raw word/number tokens in order, case preserved."""
    return _TOKEN_RE.findall(text)


def terms(text: str) -> list[tuple[str, str]]:
    """(stem, lowercase surface word) of content words (no stopwords, numbers, 1-letter)."""
    out = []
    for tok in _TOKEN_RE.findall(text):
        if tok[0].isdigit():
            continue
        low = tok.lower()
        if len(low) < 2 or low in STOPWORDS:
            continue
        out.append((stem(low), low))
    return out


def _is_cap(tok: str) -> bool:
    """True for Capitalised or ACRONYM tokens (letters only)."""
    return tok[0].isupper() and not tok[0].isdigit()


def _mostly_upper(text: str) -> bool:
    """Headlines in ALL CAPS carry no capitalisation signal."""
    # Uppercase letters vs lowercase ones (map over str methods: this runs per sentence).
    upper = sum(map(str.isupper, text))
    return upper > 0 and upper > 1.5 * sum(map(str.islower, text))


def entities(text: str, common: callable[[str], bool] = lambda w: False) -> list[str]:
    """Capitalised spans (lowercased, space-joined); sentence-initial common words dropped.

    `common(word)` says whether a lowercase word is frequent in general English, so a
    sentence-initial "Police" is skipped while a sentence-initial "Lohan" is kept.
    """
    out: list[str] = []
    for sent in _SENT_SPLIT_RE.split(text):
        if not sent or _mostly_upper(sent):
            continue
        toks = _TOKEN_RE.findall(sent)
        span: list[str] = []
        for i, tok in enumerate(toks):
            low = tok.lower()
            keep = _is_cap(tok) and low not in _NOT_ENTITY and len(low) > 1
            if keep and i == 0 and common(low):
                keep = False
            if keep:
                span.append(low)
                continue
            if span:
                out.append(" ".join(span))
                span = []
        if span:
            out.append(" ".join(span))
    return out


def numbers(text: str) -> list[str]:
    """Numbers that identify facts (counts, amounts, scores); years, dates, tiny ints excluded.

    Day-of-month numbers next to a month name ("May 03", "3 May") are calendar noise: two
    events share them by chance and one event's copies disagree on them.
    """
    out = []
    toks = _TOKEN_RE.findall(_SPLIT_NUM_RE.sub(_glue, text))
    for i, tok in enumerate(toks):
        if not tok[0].isdigit():
            continue
        if _next_to_month(toks, i):
            continue
        norm = tok.replace(",", "")
        if _YEAR_RE.fullmatch(norm):
            continue
        try:
            val = float(norm)
        except ValueError:
            continue
        if val < 2 and "." not in norm:
            continue
        out.append(norm.rstrip("0").rstrip(".") if "." in norm else norm)
    return out


def _glue(m: re.Match) -> str:
    """'2 . 6' -> '2.6', '1 , 500' -> '1,500' (groups of whichever alternative matched)."""
    return "".join(g for g in m.groups() if g)


def _next_to_month(toks: list[str], i: int) -> bool:
    """True when token i is a short number right after or before a month name."""
    if len(toks[i]) > 2:
        return False
    before = toks[i - 1].lower().rstrip(".") if i > 0 else ""
    after = toks[i + 1].lower().rstrip(".") if i + 1 < len(toks) else ""
    return before in MONTHS or after in MONTHS


def lead(body: str, sentences: int = 2, min_tokens: int = 6) -> str:
    """The opening sentences of a body (news puts the who/where/how-many first).

    Sentences shorter than min_tokens (datelines, bylines, dates) do not count.
    """
    out: list[str] = []
    for sent in _SENT_SPLIT_RE.split(body):
        if len(_TOKEN_RE.findall(sent)) >= min_tokens:
            out.append(sent)
            if len(out) >= sentences:
                break
    return "\n".join(out)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# A weekday or month word, then (for months) an optional day of the month.
_WHEN_RE = re.compile(
    r"\b(" + "|".join(WEEKDAYS + tuple(sorted(MONTHS, key=len, reverse=True))) + r")\b"
    r"\.?(?:\s+(\d{1,2})\b(?![.,]\d))?",
    re.IGNORECASE,
)


def when(text: str) -> list[str]:
    """Calendar mentions: weekdays ("wd:friday"), months ("m:5"), month days ("md:5-3").

    Two events of one kind rarely happen on the same weekday and month, while reports of one
    event repeat them ("on Saturday", "Dec. 12"). Bare "may" counts only before a number.
    """
    out: set[str] = set()
    for word, day in _WHEN_RE.findall(text):
        word = word.lower()
        if word in WEEKDAYS:
            out.add("wd:" + word)
            continue
        day = day if day and 1 <= int(day) <= 31 else ""
        if word == "may" and not day:
            continue
        month = MONTHS[word]
        out.add(f"m:{month}")
        if day:
            out.add(f"md:{month}-{int(day)}")
    return sorted(out)


def years(text: str) -> list[int]:
    """Four-digit years mentioned in the text (1950-2049)."""
    return [int(y) for y in _YEAR_RE.findall(text)]


def parse_published(value) -> float | None:
    """ISO-8601 string (or epoch number) -> UTC epoch seconds; None when absent/bad."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()
