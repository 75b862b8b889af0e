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
    r"(?:last|earlier this) (?:financial |calendar )?"
    r"(?:year|month|week|decade|spring|summer|autumn|winter)|"
    r"in the (?:early |mid-|late )?(?:19|20)\d0s|"
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
# The run ends before a lower-case word or, in a shouted compound, its hyphen ("A SEVEN-month-old").
_LEADING_CAPS_RE = re.compile(
    r"^((?:[A-Z][A-Z'’-]*\s+)*[A-Z][A-Z'’-]*)\b(?=\s+(?:[a-z]|[A-Z][a-z])|-[a-z])"
)
# "GENEVA, Nov 18 (CPA) - " and "AREQUIPA, Peru, Nov 23 (CPA) - ".
DATELINE_RE = re.compile(
    r"^[A-Z][A-Z .'-]+,(?:\s+[A-Z][\w.' -]*,)?\s+\w+\.?\s+\d+\s*"
    r"(?:\((?P<agency>[A-Za-z]+)\))?\s*[-–—]+\s*"
)


def without_dateline(sentence: str) -> str:
    """The sentence without an opening wire dateline ("GENEVA, Nov 18 (CPA) - ")."""
    # A dateline opens with a capital and then a capital, space, period, apostrophe or hyphen;
    # most sentences fail that at once, with no regex run.
    if sentence[:1].isupper() and (sentence[1:2].isupper() or sentence[1:2] in " .'-"):
        return DATELINE_RE.sub("", sentence)
    return sentence


def wire_agency(sentence: str) -> str:
    """The agency a wire dateline credits ("CPA" in "VIENNA, Nov 19 (CPA) - "), or ""."""
    m = DATELINE_RE.match(sentence) if sentence[:1].isupper() else None
    return (m.group("agency") or "") if m else ""


def names_outlet(tag: str, outlet: str) -> bool:
    """True when an agency's tag is the outlet's own: its initials ("CPA" for Continental
    Press Agency) or its name ("Reuters")."""
    words = [w for w in outlet.replace("-", " ").split() if w[:1].isupper()]
    initials = "".join(w[0] for w in words)
    return tag.upper() == initials.upper() or tag.lower() in {w.lower() for w in words}


# Capitalised words are rare: find them first (the engine skips ahead to a capital in C) and
# check the two characters before each, rather than try a look-behind at every character.
_CAPS_WORD_RE = re.compile(r"[A-Z][A-Z0-9]+\b")
_CAPS_CONTEXT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789,;:(")


def boilerplate(sentence: str) -> bool:
    """True for furniture: links, sign-ups, credits, captions."""
    return boilerplate_lowered(sentence.lower())


def boilerplate_anywhere(lowered_text: str) -> bool:
    """False when no sentence of a (lower-cased) text can be furniture."""
    # One pass of an automaton in compiled code, not one substring scan of the body per marker.
    return _FURNITURE.any_in(lowered_text)


# A DFA: a handful of short markers make a small table, and it walks a body fastest.
_FURNITURE = T.Patterns([*_BOILERPLATE, *_BOILERPLATE_START], dfa=True)


def boilerplate_lowered(lowered: str) -> bool:
    """``boilerplate`` of a sentence already lower-cased."""
    return lowered.startswith(_BOILERPLATE_START) or any(b in lowered for b in _BOILERPLATE)


def analyse(
    sentence: str, article_kind: str, words: list[str] | None = None, year: int = 0
) -> tuple[str, frozenset[str]]:
    """(kind, flags) of one sentence: fact, analysis or background, and its cue flags.
    ``year``, when known, is the year the article was published: a later year is no history."""
    lowered = sentence.lower()
    vocab = set(T.fast_words(lowered) if words is None else map(str.lower, words))
    return analyse_lowered(sentence, lowered, vocab, article_kind, year)


_NOT_PLAIN = frozenset([OPINION, QUOTED, FORWARD])


def plain_fact(sentence: str) -> bool:
    """True for a sentence that, read without its article's kind (a column marks every one
    as opinion), states a fact: no opinion, quotation or forecast cue of its own."""
    kind, flags = analyse(sentence, "")
    return kind == FACT and not flags & _NOT_PLAIN


def analyse_lowered(
    sentence: str, lowered: str, vocab: set[str], article_kind: str, year: int = 0
) -> tuple[str, frozenset[str]]:
    """``analyse`` given the sentence already lower-cased and its set of lower-case words."""
    # One set intersection finds every cue word at once; each carries the cues it signals.
    cues = 0
    hits = vocab.intersection(_CUE_WORDS)
    for word in hits:
        cues |= _CUE_BITS[word]
    flags = 0
    if '"' in sentence or "“" in sentence or "”" in sentence:
        flags |= _F_QUOTED
        if sentence.count('"') % 2 or sentence.count("“") != sentence.count("”"):
            flags |= _F_UNBALANCED
    if cues & _ATTRIBUTION:
        flags |= _F_ATTRIBUTED
    if (
        article_kind == "opinion"
        or (cues & _OPINION and not _only_a_requirement(lowered, hits))
        or (cues & _OPINION_START and _has_phrase(lowered, hits, _OPINION_INDEX))
    ):
        flags |= _F_OPINION
    if cues & _FORWARD or (cues & _FORWARD_START and _has_phrase(lowered, hits, _FORWARD_INDEX)):
        flags |= _F_FORWARD
    if cues & _ALERT or (cues & _ALERT_START and _has_phrase(lowered, hits, _ALERT_INDEX)):
        flags |= _F_ALERT
    if sentence[:2].isupper():  # both a shouted opening and a dateline start this way
        if shouted(sentence):
            flags |= _F_SHOUTED
        if DATELINE_RE.match(sentence):
            flags |= _F_DATELINE
    return _kind(lowered, hits, cues, flags, article_kind, year), _flag_set(flags)


# "must still be approved by union members", "must then be brought back": a rule or a step
# of a process, stated as fact; "ministers must act" is the writer's demand.
_MUST_PASSIVE_RE = re.compile(
    r"\bmust (?:\w+ly |still |first |then |now |also )?be \w+(?:ed|en|wn|ght)\b"
)


def _only_a_requirement(lowered: str, hits: set[str]) -> bool:
    """True when a sentence's only opinion word is a "must" of what has to be done to it."""
    if hits & _OPINION_WORDS != {"must"}:
        return False
    return _MUST_PASSIVE_RE.search(lowered) is not None and "must " not in _MUST_PASSIVE_RE.sub(
        "", lowered
    )


def _kind(
    lowered: str, hits: set[str], cues: int, flags: int, article_kind: str, year: int = 0
) -> str:
    if _history(lowered, hits, cues, flags, year) and not names_later_year(lowered, year):
        return BACKGROUND
    if (
        flags & (_F_QUOTED | _F_OPINION)
        or cues & _ANALYSIS
        or (cues & _ANALYSIS_START and _has_phrase(lowered, hits, _ANALYSIS_INDEX))
        or article_kind in ("analysis", "opinion")
    ):
        return ANALYSIS
    return FACT


def _history(lowered: str, hits: set[str], cues: int, flags: int, year: int) -> bool:
    """True when a sentence tells of what came before the story: history cues in its own
    clauses, not only in an aside; no record the news sets; not dated to its article's day."""
    if not _history_cues(lowered, hits, cues, flags, year):
        return False
    hinted = "today" in lowered or "tonight" in lowered or "this " in lowered
    if hinted and _NOW_RE.search(lowered):
        return False  # "figures published today": the news of its day
    if "since" in lowered and _RECORD_RE.search(lowered):
        return False  # "their biggest one-day gain since 2023": today's record
    main = _main_clauses(lowered)
    if main == lowered:
        return True
    words = set(T.fast_words(main))
    main_hits = words.intersection(_CUE_WORDS)
    main_cues = 0
    for word in main_hits:
        main_cues |= _CUE_BITS[word]
    return _history_cues(main, main_hits, main_cues, flags, year)


# "... more modest than its sponsors had hoped": a comparison's past perfect is no history.
_THAN_RE = re.compile(r"\bthan [^,;:]*")
# "As talks began on Friday, ...": a day of this week is the story's own time.
_STORY_DAY_RE = re.compile(
    r"\b(?:began|started|opened) on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)


def _main_clauses(lowered: str) -> str:
    """The sentence without its asides, comparisons and days of this week: where its own
    history, if any, is told."""
    main = _ASIDE_RE.sub(",", lowered) if ", " in lowered else lowered
    if " than " in main:
        main = _THAN_RE.sub("", main)
    if "on " in main:
        main = _STORY_DAY_RE.sub("", main)
    return main


def _history_cues(lowered: str, hits: set[str], cues: int, flags: int, year: int) -> bool:
    return bool(
        cues & _BACKGROUND
        or (cues & _BACKGROUND_START and _has_phrase(lowered, hits, _BACKGROUND_INDEX))
        or (cues & _BACKGROUND_TRIGGER and _background_date(lowered))
        or (cues & _HAD and not flags & _F_ATTRIBUTED and _PAST_PERFECT_RE.search(lowered))
        or names_earlier_year(lowered, year)
    )


def names_earlier_year(lowered: str, year: int) -> bool:
    """True when a sentence names a year before ``year`` (its article's): "the twin
    earthquakes of February 2023", "the 2007 Pisco earthquake"."""
    if year <= 0 or not ("19" in lowered or "20" in lowered):
        return False
    return any(1900 <= int(y) < year for y in _YEAR_RE.findall(lowered))


# An aside of a sentence, set off by commas: ", who joined in 2024 to lead a turnaround," or
# ", where landslides had blocked roads.": the history it holds is not the sentence's point.
_ASIDE_RE = re.compile(
    r", (?:(?:some|many|most|all|none|several|one|two|both) of )?"
    r"(?:who|whom|which|where|whose|when) [^,;:]*(?:,|[.!?\"”’]*$)"
)
# A record the news sets: "their biggest one-day gain since 2023", "the largest ... since".
_RECORD_RE = re.compile(
    r"\b(?:biggest|largest|highest|lowest|worst|best|sharpest|steepest|strongest|weakest|"
    r"fastest|slowest|deepest|most|least)\b[^.;:]*\bsince\b"
)
# Words that date a sentence to the day of its article: it tells of now, not of before.
_NOW_RE = re.compile(r"\b(?:today|tonight|this morning|this afternoon|this evening)\b")


def _background_date(lowered: str) -> bool:
    # Every form the pattern matches holds one of these strings; most sentences hold none, and a
    # few substring tests cost far less than a regex search that starts at every character.
    for hint in _BACKGROUND_HINTS:
        if hint in lowered:
            return _BACKGROUND_RE.search(lowered) is not None
    return False


_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")
_DECADE_RE = re.compile(r"\b((?:19|20)\d0)s\b")


def names_later_year(lowered: str, year: int) -> bool:
    """True when a sentence names a year after ``year`` (its article's): it tells of a plan or
    a forecast ("is due to start in March 2027"), which is no history, whatever else it says."""
    if year <= 0:
        return False
    # A decade still to come ("supply chains in the 2030s") is a forecast too.
    return any(int(y) > year for y in _YEAR_RE.findall(lowered)) or any(
        int(d) > year for d in _DECADE_RE.findall(lowered)
    )


_BACKGROUND_HINTS = (
    " 19",
    " 20",
    "since ",
    "last ",
    "earlier this ",
    "early",
    "late",
    "mid-",
    "in the ",
)


def _phrase_index(phrases: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    # Phrases by their first word: a sentence is searched only for phrases it could hold.
    index: dict[str, list[str]] = {}
    for phrase in phrases:
        index.setdefault(T.words(phrase)[0], []).append(phrase)
    return {k: tuple(v) for k, v in index.items()}


def _has_phrase(lowered: str, hits: set[str], index: dict[str, tuple[str, ...]]) -> bool:
    # ``hits`` are the sentence's cue words, which include every phrase's first word.
    for word in hits:  # plain loops: no generator per sentence
        for phrase in index.get(word, ()):
            if phrase in lowered:
                return True
    return False


_ANALYSIS_INDEX = _phrase_index(_ANALYSIS_PHRASES)
_ALERT_INDEX = _phrase_index(
    ("expected to", "due to", "set to", "ahead of", "urged to", "being urged", "braced for")
)
_BACKGROUND_INDEX = _phrase_index(_BACKGROUND_PHRASES)
_OPINION_INDEX = _phrase_index(_OPINION_PHRASES)
# What was to happen next, in reported speech: "talks would continue over the weekend".
_FORWARD_INDEX = _phrase_index(
    (
        "would continue",
        "would resume",
        "would meet",
        "would hold",
        "would return",
        "would reopen",
        "would be held",
    )
)
_BACKGROUND_TRIGGERS = _wordset("in since until last earlier")

# Cue words as bits: what a word signals, and which phrase lists it may open.
(
    _ATTRIBUTION,
    _OPINION,
    _FORWARD,
    _ALERT,
    _BACKGROUND,
    _ANALYSIS,
    _BACKGROUND_TRIGGER,
    _HAD,
    _OPINION_START,
    _ALERT_START,
    _BACKGROUND_START,
    _ANALYSIS_START,
    _FORWARD_START,
) = (1 << i for i in range(13))
_CUE_BITS: dict[str, int] = {}
for _words, _bit in (
    (_ATTRIBUTION_WORDS, _ATTRIBUTION),
    (_OPINION_WORDS, _OPINION),
    (_FORWARD_WORDS, _FORWARD),
    (_ALERT_WORDS, _ALERT),
    (_BACKGROUND_WORDS, _BACKGROUND),
    (_ANALYSIS_WORDS, _ANALYSIS),
    (_BACKGROUND_TRIGGERS, _BACKGROUND_TRIGGER),
    (frozenset(["had"]), _HAD),
    (frozenset(_OPINION_INDEX), _OPINION_START),
    (frozenset(_ALERT_INDEX), _ALERT_START),
    (frozenset(_BACKGROUND_INDEX), _BACKGROUND_START),
    (frozenset(_ANALYSIS_INDEX), _ANALYSIS_START),
    (frozenset(_FORWARD_INDEX), _FORWARD_START),
):
    for _word in _words:
        _CUE_BITS[_word] = _CUE_BITS.get(_word, 0) | _bit
_CUE_WORDS = frozenset(_CUE_BITS)

# Flags as bits while a sentence is analysed, then one shared frozenset per combination.
_FLAG_NAMES = (QUOTED, ATTRIBUTED, OPINION, FORWARD, ALERT, SHOUTED, DATELINE, UNBALANCED)
(
    _F_QUOTED,
    _F_ATTRIBUTED,
    _F_OPINION,
    _F_FORWARD,
    _F_ALERT,
    _F_SHOUTED,
    _F_DATELINE,
    _F_UNBALANCED,
) = (1 << i for i in range(len(_FLAG_NAMES)))
_FLAG_SETS = [
    frozenset(name for i, name in enumerate(_FLAG_NAMES) if mask >> i & 1)
    for mask in range(1 << len(_FLAG_NAMES))
]


def _flag_set(flags: int) -> frozenset[str]:
    return _FLAG_SETS[flags]


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
    found = set()
    for m in _CAPS_WORD_RE.finditer(text):
        at = m.start()
        if at >= 2 and text[at - 1] == " " and text[at - 2] in _CAPS_CONTEXT:
            found.add(m.group())
    return frozenset(found)


# Plain words a tabloid capitalises for emphasis mid-sentence ("bills will go UP again"). Only
# words that are never an acronym: "US", "IT" and "AM" are left alone.
_EMPHASIS_WORDS = frozenset(
    T.words(
        "UP DOWN NOT NO NEVER ALL MORE LESS EVERY ONLY AGAIN NOW STILL EVEN OUT OFF TOO VERY "
        "MUST WILL BIG HUGE FREE BACK OVER"
    )
)
_EMPHASIS_RE = re.compile(r"(?<=[a-z,;:] )([A-Z]{2,})\b(?![-'’][A-Z])")
_CAPS_AFTER_SPACE_RE = re.compile(r" [A-Z][A-Z]")


def calm(sentence: str) -> str:
    """Mid-sentence emphasis in capitals back in lower case ("go UP again" -> "go up again")."""
    if _CAPS_AFTER_SPACE_RE.search(sentence) is None:
        return sentence  # the usual sentence: no word in capitals after its first
    return _EMPHASIS_RE.sub(
        lambda m: m.group(1).lower() if m.group(1) in _EMPHASIS_WORDS else m.group(1), sentence
    )


# A connective that ties a sentence to the one before it in its article; out of it, the
# sentence reads as well without ("But the next few months look difficult" -> "The next...").
# "Now", "Still" and "Yet" only before a comma or a name: "Now that...", "Still photographs".
_OPENING_CONNECTIVE_RE = re.compile(
    r"^(?:(?:But|And|However|Meanwhile|Moreover|Nevertheless|In addition|Separately)\b,?"
    r"|(?:Now|Still|Yet|Also)(?:,|(?= [A-Z])))\s+(?=\S)"
)


def without_connective(sentence: str) -> str:
    """The sentence without an opening "But", "However," or "Now", capitalised again."""
    m = _OPENING_CONNECTIVE_RE.match(sentence)
    if m is None:
        return sentence
    rest = sentence[m.end() :]
    return rest[0].upper() + rest[1:]


def present(sentence: str, acronyms: frozenset[str] = frozenset()) -> str:
    """A sentence as a brief prints it: no wire dateline, opening connective or tabloid
    capitals."""
    return calm(unshout(without_connective(without_dateline(sentence)), acronyms))


_WEEKDAYS = tuple(d.lower() for d in T.WEEKDAYS)
_WEEKDAY_RE = re.compile(r"\b(" + "|".join(T.WEEKDAYS) + r")\b")


def days_back(sentence: str, published_weekday: int) -> int | None:
    """How many days before its article's publication the latest weekday a sentence names
    falls ("on Wednesday" in a Thursday paper: 1; "on Thursday": 0), the news convention for
    a past-tense report; None when it names none. ``published_weekday``: Monday is 0."""
    named = _WEEKDAY_RE.findall(sentence)
    if not named:
        return None
    return min((published_weekday - _WEEKDAYS.index(d.lower())) % 7 for d in named)


# -- relative days ---------------------------------------------------------------------------
# "yesterday", "this morning": true on the day an article came out, and wrong in a brief of a
# later day, which prints its sentences word for word.
_RELATIVE_DAY_RE = re.compile(
    r"\b(?:yesterday|today|tomorrow|tonight|last night|this (?:morning|afternoon|evening))\b",
    re.IGNORECASE,
)
_RELATIVE_HINTS = ("yesterday", "today", "tomorrow", "tonight", "last night", "this ")


def relative_day(sentence: str) -> bool:
    """True when a sentence dates itself from its article's day ("yesterday", "today")."""
    lowered = sentence.lower()
    if not any(hint in lowered for hint in _RELATIVE_HINTS):
        return False  # the usual sentence: no regex run
    return _RELATIVE_DAY_RE.search(sentence) is not None
