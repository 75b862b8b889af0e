""" "What the papers say": one attributed line per publisher, in reported speech."""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from functools import lru_cache

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import cues as C
from services.compose import days as D
from services.compose import people as P
from services.compose import text as T
from services.compose.candidates import (
    ANALYSIS,
    BACKGROUND,
    FACT,
    RECENT_SECONDS,
    Candidate,
    dangling_opener,
    day_gone,
    earlier_day,
    has_first_person,
    near_repeat,
    newest_news_time,
    newest_time,
    overtaken,
    paraphrased,
    publisher,
    retold,
    seconds,
    stale,
    story_acronyms,
    teaser,
)
from services.compose.config import DEFAULT_KB
from services.compose.copies import StoryCopies
from services.compose.kb import load_kb, name_words

# Verbs by what the sentence is: a fact or attributed statement is reported; an analyst's
# reading is noted or observed; only opinion argues or contends.
FACT_VERBS = ("reports", "says")
ANALYSIS_VERBS = ("notes", "writes", "points out", "observes")
OPINION_VERBS = ("argues", "contends")
ALL_VERBS = (*FACT_VERBS, *ANALYSIS_VERBS, *OPINION_VERBS)
_LEADING_CONNECTIVES_RE = re.compile(
    r"^(?:but|and|so|however|meanwhile|still|yet|also|in addition|moreover|now)\b,?\s+",
    re.IGNORECASE,
)
# Titles and honorifics: an opening one keeps its capital, as part of the name after it.
_HONORIFICS = frozenset(["Mr", "Mrs", "Ms", "Dr", "Mx"])  # never a common word
_TITLES = P.TITLES | _HONORIFICS


def papers_say(
    articles: Sequence[pb.Article],
    candidates: Sequence[Candidate],
    used: Sequence[Candidate],
    max_lines: int,
    names: Container[str] | None = None,
    lead_day: int | None = None,
    *,
    copies: StoryCopies,
) -> list[pb.PaperLine]:
    """One line per publisher (editions counted once), each for its own words, up to
    max_lines.

    names: the words the knowledge base writes as names (``Linker.name_words``); None for the
    shipped knowledge base's. lead_day: the day the brief's lead tells of (days since the
    epoch), when known: a line dated to a day before it tells of another event, or of an
    earlier day of this one that the timeline keeps. copies: the story's wire copies: a copy
    earns its outlet no line, as its words are another's, and its original earns its own outlet
    one even when ingest marked it as the duplicate."""
    originals = [a for a in articles if a.article_id not in copies.ids]
    groups: dict[str, list[pb.Article]] = {}
    for a in sorted(originals, key=lambda a: (seconds(a.published_at), a.article_id)):
        groups.setdefault(publisher(a), []).append(a)
    outlet_names = OutletNames(
        {a.outlet for a in articles if a.outlet}
        | {a.parent_outlet for a in articles if a.parent_outlet}
    )
    vocabulary = StoryVocabulary([c.text for c in candidates], names)
    lines: list[pb.PaperLine] = []
    chosen: list[Candidate] = []
    newest = newest_time(candidates)
    latest = newest_news_time(candidates)
    holding = _holding(candidates)
    told = ToldAlready(used)
    for own_articles in groups.values():
        if len(lines) >= max_lines:
            break
        # Only the candidates an outlet's own articles hold, in the story's candidate order.
        own = [candidates[i] for i in sorted(_union(holding, own_articles))]
        own = [c for c in own if _may_say(c, lead_day, newest, latest)]
        picking = (told, chosen, outlet_names, newest, latest)
        pick = _latest_take(own_articles, own, *picking) or _pick_line(own_articles, own, *picking)
        if pick is None:
            continue
        candidate, article = pick
        chosen.append(candidate)
        wording = C.without_dateline(candidate.by_article[article.article_id])
        if C.shouted(wording):  # the story's acronyms only ever make an opening less shouted
            wording = C.unshout(wording, story_acronyms(articles))
        verb = _verb(verb_group(wording, article.kind), len(lines), lines)
        # "yesterday" as the weekday it meant (``_best_line`` took only wordings that pin).
        wording = D.pinned(wording, D.published_time(article)) or wording
        text = attribute(article.outlet, verb, wording, vocabulary)
        lines.append(
            pb.PaperLine(
                outlet=article.outlet, text=text, article_id=article.article_id, url=article.url
            )
        )
    return lines


def _latest_take(own_articles, own, told, chosen, outlet_names, newest, latest):
    """The outlet's line from its latest reporting (its articles of the last
    ``RECENT_SECONDS`` before its newest), when that holds one the brief does not already
    tell; None otherwise. A week-long story's line for an outlet is what it says now, not
    what it said when the strike was in its third day."""
    last = seconds(own_articles[-1].published_at)  # the outlet's articles are oldest first
    recent = [a for a in own_articles if last - seconds(a.published_at) < RECENT_SECONDS]
    if len(recent) == len(own_articles):
        return None  # nothing older to leave out: the usual choice
    ids = {a.article_id for a in recent}
    mine = [c for c in own if not ids.isdisjoint(c.by_article)]
    pick = _pick_line(recent, mine, told, chosen, outlet_names, newest, latest)
    if pick is None or told.tells(pick[0]):
        return None  # only what the brief tells already: the outlet's older angle is worth more
    return pick


def _pick_line(own_articles, own, told, chosen, outlet_names, newest, latest):
    """``_best_line`` with what the brief and the other outlets' lines tell already counted:
    a plain fact another line tells is no line, and one the brief tells in other words is
    worth as little as one it prints. Whether a sentence retells one is asked only of the
    sentences that come out best, not of every sentence of the story: once a winner retells,
    it is marked and the choice made again, so the result is as if all had been asked."""
    while True:
        pick = _best_line(
            own_articles, own, told.used, chosen, outlet_names, newest, latest, told.retellings
        )
        if pick is None:
            return None
        c = pick[0]
        if chosen and _plain(c) and retold(c, chosen):
            own = [o for o in own if o is not c]  # another outlet's line tells it
        elif told.judged(c) or not told.retells(c):
            return pick


class ToldAlready:
    """The sentences the brief prints, and the plain statements found to retell one of them in
    other words: as an outlet's line, either is worth as little (``line_score``), since a
    line is there for what the other sections do not tell. An assessment of a fact ("the cut
    was a show of strength") is the outlet's own angle, and is not counted."""

    def __init__(self, used: Sequence[Candidate]):
        self.used = list(used)
        self.retellings: list[Candidate] = []  # grows as they are found
        self._printed = {id(u) for u in used}
        self._verdicts: dict[int, bool] = {}

    def judged(self, c: Candidate) -> bool:
        """True when the brief prints c or c has been asked about already."""
        return id(c) in self._printed or id(c) in self._verdicts

    def retells(self, c: Candidate) -> bool:
        """Whether c, not printed itself, is a plain statement retelling a printed one."""
        verdict = self._verdicts.get(id(c))
        if verdict is None:
            verdict = id(c) not in self._printed and _plain(c) and retold(c, self.used)
            self._verdicts[id(c)] = verdict
            if verdict:
                self.retellings.append(c)
        return verdict

    def tells(self, c: Candidate) -> bool:
        """True when the brief prints c or it retells what the brief prints."""
        return id(c) in self._printed or self.retells(c)


# Plain statements, of the story or of its history, as against an outlet's assessment.
_PLAIN = (FACT, BACKGROUND)


def _plain(c: Candidate) -> bool:
    """A plain statement by its own words, whatever kind of article it came from: an
    explainer's "The bill passed by 318 votes to 247" states a fact."""
    if c.kind in _PLAIN:
        return True
    if c.quoted or C.OPINION in c.flags:
        return False  # someone's words, or a columnist's view
    return C.analyse(c.text, "")[0] in _PLAIN


def _may_say(c: Candidate, lead_day: int | None, newest: float, latest: float) -> bool:
    """Whether a sentence may be an outlet's line at all: not a column's scene-setting
    opening, not of an earlier day than the lead's, no "yesterday" of a day gone, no "talks
    would continue" of days ago."""
    return (
        not c.hook
        and not _off_the_day(c, lead_day)
        and not day_gone(c, newest)
        and not overtaken(c, latest)
    )


def _off_the_day(c: Candidate, lead_day: int | None) -> bool:
    """True for a sentence dated to a day before the brief's lead ("Figures published on
    Wednesday showed..." in a report of Thursday's decision): another event's fact, or a day
    of this story that the timeline tells."""
    return lead_day is not None and earlier_day(c, lead_day)


def _holding(candidates: Sequence[Candidate]) -> dict[str, list[int]]:
    """Article id -> indices of the candidates it holds a wording of."""
    out: dict[str, list[int]] = {}
    for index, c in enumerate(candidates):
        for article_id in c.by_article:
            out.setdefault(article_id, []).append(index)
    return out


def _union(holding: dict[str, list[int]], articles: Sequence[pb.Article]) -> set[int]:
    found: set[int] = set()
    for a in articles:
        found.update(holding.get(a.article_id, ()))
    return found


def line_score(c, used: bool, newest: float, latest: float | None = None) -> float:
    """How much a sentence is worth as an outlet's line, before the paraphrase check."""
    score = c.score + (0.3 if len(c.publishers) == 1 else 0.0) + (0.15 if c.kind == ANALYSIS else 0)
    score -= 0.8 if used else 0.0  # say something the brief does not
    score += 0.25 * c.fresh - (0.5 if stale(c, newest) else 0.0)
    score -= 0.8 if c.superseded else 0.0  # an outlet's first toll, since raised
    if latest is not None and overtaken(c, latest):
        score -= 0.3  # "talks will go on over the weekend", a week ago
    return score


def _best_line(
    own_articles, candidates, used, chosen, outlet_names, newest, latest=None, retellings=()
):
    """The outlet's sentence worth a line: its own angle, current, not told elsewhere in the
    brief. ``latest`` is when the story's newest news report came out, if known;
    ``retellings`` are sentences that retell ``used`` ones and count as used."""
    own_ids = {a.article_id: a for a in own_articles}
    allowed = (
        outlet_names.names
        - {a.outlet for a in own_articles}
        - {a.parent_outlet for a in own_articles}
    )
    best = None
    used_ids = {id(u) for u in used} | {id(r) for r in retellings}
    for c in candidates:
        score = line_score(c, id(c) in used_ids, newest, latest)
        if best is not None and score <= best[0]:
            continue  # could not win whatever the checks say: skip them
        # The outlet's first article holding the sentence (the wordings are filed in the
        # order the ids were, so the first own key of by_article is the first own id).
        article_id = next((i for i in c.by_article if i in own_ids), None)
        if article_id is None:
            continue
        wording = C.without_dateline(c.by_article[article_id])
        if (
            not wording
            or not reportable(wording)
            or not outlet_names.found(wording).isdisjoint(allowed)
        ):
            continue  # never let a line carry another outlet's name
        if D.pinned(wording, D.published_time(own_ids[article_id])) is None:
            continue  # a "yesterday" of no known day, or in a speaker's words
        if near_repeat(c, chosen):
            continue
        if id(c) not in used_ids and paraphrased(c, used):
            continue  # a fact the brief tells already, in other words: no line of its own
        if id(c) not in used_ids and near_repeat(c, used):
            score -= 0.25  # a paraphrase of a fact the brief states already
            if best is not None and score <= best[0]:
                continue
        best = (score, c, own_ids[article_id])
    return None if best is None else (best[1], best[2])


class OutletNames:
    """The story's outlet names, and which of them a sentence holds (anywhere in it)."""

    def __init__(self, names: set[str]):
        self.names = frozenset(names)
        # One automaton pass per sentence, rather than a substring scan per outlet name.
        self._automaton = T.Patterns(sorted(self.names)) if self.names else None

    def found(self, sentence: str) -> frozenset[str]:
        """The outlet names occurring in a sentence, as substrings."""
        if self._automaton is None:
            return frozenset()
        return self._automaton.found_in(sentence)


def reportable(sentence: str) -> bool:
    """True when a sentence can be turned into "X reports that ..." without garbling it."""
    n = len(sentence.split())
    if n < 7 or n > 45 or sentence.rstrip("\"'”’").endswith(("?", "!")):
        return False
    if sentence[0] in "\"“‘'(" or has_first_person(sentence):
        return False
    if dangling_opener(sentence) or teaser(sentence):
        return False  # "It said...", "Both are...": whose words, out of context?
    return sentence.count('"') % 2 == 0 and sentence.count("“") == sentence.count("”")


def proper_vocabulary(sentences) -> frozenset[str]:
    """Words the story capitalises mid-sentence: names, kept capitalised at a clause start."""
    return frozenset(w for s in sentences for w in T.words(s)[1:] if w[:1].isupper())


# Hearsay a writer passes on rather than argues: "has reportedly sought", "is understood to".
_HEARSAY_RE = re.compile(
    r"\b(?:reportedly|allegedly|according to|(?:is|are|was|were) (?:understood|said|reported) "
    r"to|sources (?:say|said))\b"
)


def verb_group(sentence: str, article_kind: str) -> tuple[str, ...]:
    """The reporting verbs that fit a sentence: opinion argues, analysis notes, news reports."""
    kind, flags = C.analyse(sentence, article_kind)
    if C.ATTRIBUTED in flags:
        # "reports that X said": never "says that X said", nor a columnist "arguing" it.
        return FACT_VERBS[:1]
    if C.OPINION in flags and _hearsay(sentence):
        # A column passing on a report ("has reportedly sought..."): a fact it reports, not
        # its argument, unless the sentence's own words judge it.
        return FACT_VERBS[:1]
    if C.OPINION in flags and article_kind == "opinion" and _plain_alone(sentence):
        # A column's sentence with no judging word of its own ("People stood at tills
        # unable to pay"): the columnist writes it; "argues" would make a fact a claim.
        return ("writes",)
    if C.OPINION in flags:
        return OPINION_VERBS
    if C.QUOTED in flags:
        return FACT_VERBS[:1]
    if article_kind == "analysis" or kind in (ANALYSIS, BACKGROUND):
        return ANALYSIS_VERBS
    return FACT_VERBS


# An event told in the past: a short plain subject, then a past verb ("People stood at
# tills", "The first prisoners came home"), as against a judgment ("the cut was a show of
# strength"), a claim in the present ("is a blunt instrument") or a clause set off by commas.
_PAST_EVENT_RE = re.compile(
    r"^(?:[\w'’-]+ ){1,4}(?:\w{3,}ed|stood|came|went|fell|rose|took|made|told|said|hit|lost|"
    r"won|left|began|broke|shut|ran|sent|sold|paid|spent)\b"
)
_CLAIM_RE = re.compile(
    r"\b(?:is|are|am|was|were|will|would|should|could|can|may|might|must|be|been|being)\b"
)


def _plain_alone(sentence: str) -> bool:
    """True for a sentence that, read without its article's kind, tells a past event in
    plain words: what the column recounts rather than what it claims."""
    lowered = sentence.lower()
    return (
        C.plain_fact(sentence)
        and _PAST_EVENT_RE.match(lowered) is not None
        and _CLAIM_RE.search(lowered) is None
    )


def _hearsay(sentence: str) -> bool:
    """True for a sentence passing on a report, with no opinion word of its own."""
    lowered = sentence.lower()
    if not _HEARSAY_RE.search(lowered):
        return False
    return C.OPINION not in C.analyse(sentence, "")[1]


def _verb(verbs: tuple[str, ...], index: int, lines: Sequence[pb.PaperLine]) -> str:
    taken = {line.text for line in lines}
    for offset in range(len(verbs)):
        verb = verbs[(index + offset) % len(verbs)]
        if not any(f" {verb} that " in t for t in taken):
            return verb
    return verbs[index % len(verbs)]


def _lowercase_vocabulary(sentences) -> frozenset[str]:
    # Marked with a leading "~": words the story also writes in lower case are common words.
    return frozenset("~" + w for s in sentences for w in T.words(s) if w[:1].islower())


class StoryVocabulary:
    """``proper_vocabulary(sentences) | _lowercase_vocabulary(sentences)``, asked lazily, plus
    ``"=" + word`` for the words the knowledge base writes as names (``names``; None for the
    shipped knowledge base's).

    A brief asks about one word per papers line, so instead of splitting every sentence of the
    story into words, only the sentences holding the word as a substring (a C scan) are split.
    """

    def __init__(self, sentences: list[str], names: Container[str] | None = None):
        self._sentences = sentences
        self._names = known_names() if names is None else names
        self._memo: dict[str, bool] = {}

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._find(key)
        return found

    def _find(self, key: str) -> bool:
        if key.startswith("="):
            return key[1:] in self._names
        lowercase = key.startswith("~")
        word = key[1:] if lowercase else key
        if not (word[:1].islower() if lowercase else word[:1].isupper()):
            return False
        for sentence in self._sentences:
            if word in sentence:
                words = T.words(sentence)
                if word in (words if lowercase else words[1:]):
                    return True
        return False


def clause(sentence: str, proper: Container[str] = frozenset()) -> str:
    """The sentence as a "that" clause: connective dropped, first word lowered if common."""
    body = _LEADING_CONNECTIVES_RE.sub("", sentence.strip())
    body = body.rstrip()
    while body and body[-1] in ".!;:":
        body = body[:-1]
    first, _, rest = body.partition(" ")
    if first and not _keeps_capital(first, rest, proper):
        first = first[0].lower() + first[1:]
    return (first + " " + rest).strip()


def _keeps_capital(first: str, rest: str, proper: Container[str]) -> bool:
    bare = first.removesuffix("'s").removesuffix("’s").rstrip(",")
    if bare == "I" or (len(bare) > 1 and bare.isupper()):
        return True  # "I", or an acronym
    if bare.rstrip(".") in _HONORIFICS:
        return True  # "Mr Robert Pitman, of High Street": not "mr Robert Pitman"
    if bare.lower() in T.STOPWORDS or bare.lower() in _NUMBER_WORDS:
        return False
    if "-" in bare and _common_compound(bare, proper):
        return False  # "Sixty-year-old Sharron Smith": an adjective before the name
    if rest[:1].isupper():
        # "Police Scotland", "Energy Secretary": part of a name; but "Backpacker Chloe
        # Benson, 26,": a common noun describing the person named after it.
        return not _describes_person(bare, rest, proper)
    if bare in _TITLES:
        return True
    if bare in proper and not (rest[:1].islower() and "~" + bare.lower() in proper):
        # A name, unless the story also writes the word in lower case and no name follows
        # it here ("Port agents count..." in a story about the Port of Felixstowe).
        return True
    lowered = bare.lower()
    if lowered in _CONNECTING_WORDS or "~" + lowered in proper:
        return False  # the story uses it as a common word
    # The story never writes it inside a sentence, in either case: a name only if the knowledge
    # base knows it as one ("Britain", "French"); "Core inflation, which..." and "Anyone who
    # has read..." open on common words, capitalised only because they open the sentence.
    return "=" + bare in proper


def _common_compound(bare: str, proper: Container[str]) -> bool:
    """True for a hyphenated word capitalised only because it opens the sentence: a number's
    ("Sixty-year-old", "Three-time") or one whose later parts are lower case ("Well-known",
    "Ex-minister"); not a name ("Rolls-Royce", "Al-Rashed"), nor one the story or knowledge
    base writes as a name."""
    if bare in proper or "=" + bare in proper:
        return False
    head, *tail = bare.split("-")
    if head.lower() in _NUMBER_WORDS or head.isdigit():
        return True
    return bool(tail) and all(part[:1].islower() for part in tail)


# Nouns for a person, written before their name in tabloid style ("Granny Isobel Munro").
_PERSON_NOUNS = frozenset(
    T.words(
        "boss granny gran grandma grandad mum dad mother father widow widower tot toddler teen "
        "teenager schoolgirl schoolboy student nurse pupil victim hero mum-of-two dad-of-two"
    )
)
# Endings of nouns for what a person does or is: backpacker, pensioner, tourist, Bristolian.
_AGENT_ENDINGS = ("er", "ers", "or", "ist", "ian", "ant", "ee")
_NAME_RE = re.compile(r"^[A-Z][a-z'’-]+ [A-Z][a-z'’-]+(?:,|\s+[a-z]|$)")


def _describes_person(bare: str, rest: str, proper: Container[str]) -> bool:
    """True when the opening word is a common noun describing the person whose given name
    and surname follow ("Backpacker Chloe Benson, 26,"), not part of a name or a title."""
    if bare in _TITLES or bare in proper or "=" + bare in proper:
        return False  # a title, or a word the story or knowledge base writes as a name
    if not _NAME_RE.match(rest):
        return False  # "Energy Secretary Rachel Dunmore", "Power Networks said": no person
    lowered = bare.lower()
    return lowered in _PERSON_NOUNS or lowered.endswith(_AGENT_ENDINGS)


@lru_cache(maxsize=1)
def known_names() -> frozenset[str]:
    """The words the shipped knowledge base writes as names on their own (``kb.name_words``)."""
    return name_words(load_kb(DEFAULT_KB))


# Prepositions and conjunctions that open sentences but are no stopwords of ours.
_CONNECTING_WORDS = frozenset(
    T.words(
        "without within despite although though whereas unless until since amid among across "
        "beyond following according none nobody nothing everyone everything neither either "
        "officials police authorities residents rescuers prices talks troops leaders investors "
        "markets scientists doctors experts analysts critics voters several many"
    )
)


_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "dozens",
    ]
) | frozenset(
    f"{t}-{u}"
    for t in ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    for u in ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
)


def attribute(outlet: str, verb: str, sentence: str, proper: Container[str] = frozenset()) -> str:
    """ "The Northern Ledger reports that ..." from an outlet, a verb and its own sentence."""
    body = clause(sentence, proper)
    return f"{outlet} {verb} that {body}{_full_stop(body)}"


def _full_stop(body: str) -> str:
    """The full stop a line needs: none after a quotation that ends its own sentence
    ("... down today."), one after a quoted phrase ("... in part".)."""
    inner = body.rstrip("\"'”’")
    if inner != body and inner[-1:] in (".", "!", "?"):
        return ""
    return "."
