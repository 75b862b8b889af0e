"""Sentence cues: what kind of statement a sentence is, from its words.

Cues are word sets and a few short phrase patterns checked on a lower-cased copy: a set lookup
per word is much cheaper than one large case-insensitive regex alternation per sentence.
"""

from __future__ import annotations

import re

from services.compose import text as T

FACT, ANALYSIS, BACKGROUND = "fact", "analysis", "background"

# Flags a sentence can carry besides its kind.
QUOTED, ATTRIBUTED, OPINION, FORWARD, ALERT, SHOUTED, DATELINE, UNBALANCED = (
    "quoted",
    "attributed",
    "opinion",
    "forward",
    "alert",  # a warning or forecast of what is about to happen: stale once it has
    "shouted",
    "dateline",
    "unbalanced",  # a quotation that opens or closes in another sentence
)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_BOILERPLATE = (
    "click here",
    "sign up",
    "subscribe",
    "newsletter",
    "all rights reserved",
    "©",
    "http://",
    "https://",
    "www.",
    "read more",
    "follow us",
    "cookies",
    "advertisement",
    "this article",
    "contributed to this report",
    "for more on",
    "reporting by",
    "editing by",
)
_BOILERPLATE_START = ("photo", "image", "watch:", "listen:")

_ANALYSIS_WORDS = _wordset(
    "analyst analysts expert experts critic critics observer observers could would might "
    "likely unlikely signal signals signalled signaled suggest suggests suggested means meaning "
    "concern concerns unclear uncertain uncertainty whether why risk risks because impact "
    "implication implications pressure debate hope hopes fear fears underscore underscores "
    "highlight highlights reflect reflects test question questions"
)
_ANALYSIS_PHRASES = (
    "raises questions",
    "raise questions",
    "raises concerns",
    "raise concerns",
    "raises fears",
    "remains to be seen",
    "expected to",
    "next step",
    "will need",
    "is set to",
    "plans to",
    "plan to",
    "aims to",
    "warned that",
    "warns that",
    "warn that",
    "what to watch",
    "the question",
)
_BACKGROUND_WORDS = _wordset("previously historically history")
_BACKGROUND_PHRASES = (
    "years ago",
    "months ago",
    "decades ago",
    "weeks ago",
    "in the past",
    "the first time since",
    "was founded",
    "dating back",
    "the last time",
    "prior to",
    "for years",
    "long-running",
    "began in",
    "began on",
    "began when",
    "started in",
    "broke out",
    "has been going on",
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_BACKGROUND_RE = re.compile(
    r"\b(?:(?:in|since|until) (?:19|20)\d\d|since (?:" + _MONTHS + r")|"
    r"(?:last|earlier this) (?:year|month|week|decade|spring|summer|autumn|winter)|"
    r"(?:in|since) (?:early|late|mid-)\s?(?:" + _MONTHS + r"))\b"
)
# Past perfect outside reported speech ("talks had stalled twice") narrates what came before.
_PAST_PERFECT_RE = re.compile(r"\bhad (?:been|already|\w+ed)\b")
_ATTRIBUTION_WORDS = _wordset(
    "said says told according announced stated added confirmed insisted claimed reported estimated"
)
_OPINION_WORDS = _wordset(
    "should must ought shameful disgrace disgraceful absurd surely frankly scandal "
    "scandalous outrageous reckless betrayal"
)
_OPINION_PHRASES = ("it is time", "it's time", "we need", "needs to", "let us", "let's be")
_FORWARD_WORDS = _wordset("will expected due next tomorrow upcoming forecast plans later resume")
_ALERT_WORDS = _wordset(
    "warning warnings warned warns forecast forecasts forecasters braced bracing prepares "
    "preparing threatens looming imminent"
)
_LEADING_CAPS_RE = re.compile(
    r"^((?:[A-Z][A-Z'’-]*\s+)*[A-Z][A-Z'’-]*)\b(?=\s+(?:[a-z]|[A-Z][a-z]))"
)
# "GENEVA, Nov 18 (CPA) - " and "AREQUIPA, Peru, Nov 23 (CPA) - ".
DATELINE_RE = re.compile(
    r"^[A-Z][A-Z .'-]+,(?:\s+[A-Z][\w.' -]*,)?\s+\w+\.?\s+\d+\s*(?:\([A-Za-z]+\))?\s*[-–—]+\s*"
)
_CAPS_WORD_RE = re.compile(r"(?<=[a-z0-9,;:(] )[A-Z][A-Z0-9]+\b")


def boilerplate(sentence: str) -> bool:
    """True for furniture: links, sign-ups, credits, captions."""
    lowered = sentence.lower()
    return lowered.startswith(_BOILERPLATE_START) or any(b in lowered for b in _BOILERPLATE)


def analyse(
    sentence: str, article_kind: str, words: list[str] | None = None
) -> tuple[str, frozenset[str]]:
    """(kind, flags) of one sentence: fact, analysis or background, and its cue flags."""
    lowered = sentence.lower()
    vocab = set(map(str.lower, T.words(sentence) if words is None else words))
    flags = set()
    quoted = '"' in sentence or "“" in sentence or "”" in sentence
    if quoted:
        flags.add(QUOTED)
    if not vocab.isdisjoint(_ATTRIBUTION_WORDS):
        flags.add(ATTRIBUTED)
    if (
        article_kind == "opinion"
        or not vocab.isdisjoint(_OPINION_WORDS)
        or _has_phrase(lowered, vocab, _OPINION_INDEX)
    ):
        flags.add(OPINION)
    if not vocab.isdisjoint(_FORWARD_WORDS):
        flags.add(FORWARD)
    if not vocab.isdisjoint(_ALERT_WORDS) or _has_phrase(lowered, vocab, _ALERT_INDEX):
        flags.add(ALERT)
    if sentence.count('"') % 2 or sentence.count("“") != sentence.count("”"):
        flags.add(UNBALANCED)
    if sentence[:2].isupper() and shouted(sentence):
        flags.add(SHOUTED)
    if DATELINE_RE.match(sentence):
        flags.add(DATELINE)
    return _kind(lowered, vocab, quoted, flags, article_kind), frozenset(flags)


def _kind(lowered: str, vocab: set[str], quoted: bool, flags: set[str], article_kind: str) -> str:
    if (
        not vocab.isdisjoint(_BACKGROUND_WORDS)
        or _has_phrase(lowered, vocab, _BACKGROUND_INDEX)
        or (not vocab.isdisjoint(_BACKGROUND_TRIGGERS) and _BACKGROUND_RE.search(lowered))
        or ("had" in vocab and ATTRIBUTED not in flags and _PAST_PERFECT_RE.search(lowered))
    ):
        return BACKGROUND
    if (
        quoted
        or not vocab.isdisjoint(_ANALYSIS_WORDS)
        or _has_phrase(lowered, vocab, _ANALYSIS_INDEX)
        or article_kind in ("analysis", "opinion")
        or OPINION in flags
    ):
        return ANALYSIS
    return FACT


def _phrase_index(phrases: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    # Phrases by their first word: a sentence is searched only for phrases it could hold.
    index: dict[str, list[str]] = {}
    for phrase in phrases:
        index.setdefault(T.words(phrase)[0], []).append(phrase)
    return {k: tuple(v) for k, v in index.items()}


def _has_phrase(lowered: str, vocab: set[str], index: dict[str, tuple[str, ...]]) -> bool:
    return any(p in lowered for word in vocab.intersection(index) for p in index[word])


_ANALYSIS_INDEX = _phrase_index(_ANALYSIS_PHRASES)
_ALERT_INDEX = _phrase_index(
    ("expected to", "due to", "set to", "ahead of", "urged to", "being urged", "braced for")
)
_BACKGROUND_INDEX = _phrase_index(_BACKGROUND_PHRASES)
_OPINION_INDEX = _phrase_index(_OPINION_PHRASES)
_BACKGROUND_TRIGGERS = _wordset("in since until last earlier")


def leading_caps(sentence: str) -> str:
    """The run of capitals a sentence opens with before lower-case words ("SCOTS"), or ""."""
    m = _LEADING_CAPS_RE.match(sentence)
    return m.group(1) if m else ""


def shouted(sentence: str, acronyms: frozenset[str] = frozenset()) -> bool:
    """True for a tabloid opening in capitals ("A MAN died", "SCOTS are"), not an acronym."""
    run = leading_caps(sentence).split()
    if not any(len(w) > 1 for w in run):
        return False  # "A magnitude 7.4 earthquake", "I think"
    if len(run) > 1:
        return True
    # One word: an acronym if short ("UN", "NHS") or written in capitals mid-sentence too.
    word = run[0]
    if word in acronyms:
        return False
    return len(word) >= 4 or (len(word) == 3 and word.lower() in T.STOPWORDS)


def unshout(sentence: str, acronyms: frozenset[str] = frozenset()) -> str:
    """The sentence with its shouted opening in normal case ("SCOTS already" -> "Scots already")."""
    if not shouted(sentence, acronyms):
        return sentence
    run = leading_caps(sentence)
    words = run.split()
    fixed = [words[0][0] + words[0][1:].lower()] + [w.lower() for w in words[1:]]
    return " ".join(fixed) + sentence[len(run) :]


def caps_words(text: str) -> frozenset[str]:
    """Words written in capitals mid-sentence (after a lower-case word): the story's acronyms."""
    return frozenset(_CAPS_WORD_RE.findall(text))
