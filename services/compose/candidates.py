"""Candidate sentences of a story: split, merged across copies, classified and scored."""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import cues as C
from services.compose import days as D
from services.compose import tallies as tallies_mod
from services.compose import text as T

if TYPE_CHECKING:  # copies imports this module: for annotations only
    from services.compose.copies import StoryCopies

# Only the top of an article is considered: news puts its facts first, and it bounds the work.
MAX_SENTENCES_PER_ARTICLE = 18
MIN_WORDS, MAX_WORDS = 6, 55

V = TypeVar("V")
FACT, ANALYSIS, BACKGROUND = C.FACT, C.ANALYSIS, C.BACKGROUND
_FIRST_PERSON = frozenset(["I", "we", "We", "our", "Our", "us", "my", "My", "me"])
_QUOTED_SPAN_RE = re.compile(r"[\"“][^\"”]*[\"”]")


class ParsedSentence(NamedTuple):
    """One usable sentence of an article (a tuple: cheap to build)."""

    text: str
    terms: frozenset[str]
    position: int


@dataclass(frozen=True)
class ParsedArticle:
    """What composing needs from one article; articles never change, so it is cached.

    A sentence's cues (kind and flags) are worked out only when it is first asked for: only a
    sentence that opens a candidate of its story needs them, while a copy of a sentence another
    outlet already wrote merges into that candidate on its terms alone. The acronyms wait too:
    only a sentence opening in capitals needs them.

    The sentences are kept as two parallel tuples (texts, term sets) rather than a tuple per
    sentence: a remembered article then holds no object per sentence for the garbage collector
    to walk each time it runs, and composing reads them in a row anyway.
    """

    texts: tuple[str, ...]
    term_sets: tuple[frozenset[str], ...]  # each sentence's terms, by position
    terms: frozenset[str]  # title and sentence terms: the article's vocabulary
    kind: str = ""
    year: int = 0  # the year it was published (0 when unknown): later years are no history
    # What tells a republication (``copies``), worked out once per article rather than at
    # every rebuild of its story: its distinct sentences in the reporter's own words (no
    # quotation: two outlets quoting one minister are not copies), without a wire dateline,
    # as the ones another report may repeat word for word; and the agency its opening
    # dateline credits ("CPA" in "VIENNA, Nov 19 (CPA) - ...", or "").
    verbatim: tuple[str, ...] = ()
    agency: str = ""
    _cues: list = field(default_factory=list, compare=False, repr=False)
    _acronyms: list = field(default_factory=list, compare=False, repr=False)

    @property
    def sentences(self) -> tuple[ParsedSentence, ...]:
        """Each usable sentence with its terms and position (built when asked for)."""
        return tuple(map(ParsedSentence, self.texts, self.term_sets, range(len(self.texts))))

    @property
    def acronyms(self) -> frozenset[str]:
        """Words its sentences write in capitals mid-sentence (found once, when first asked)."""
        if not self._acronyms:
            self._acronyms.append(C.caps_words("\n".join(self.texts)))
        return self._acronyms[0]

    def cues(self, position: int) -> tuple[str, frozenset[str]]:
        """(kind, flags) of the sentence at this position, analysed once."""
        if not self._cues:
            self._cues.extend([None] * len(self.texts))
        found = self._cues[position]
        if found is None:
            text = self.texts[position]
            lowered = text.lower()
            found = C.analyse_lowered(
                text, lowered, set(T.fast_words(lowered)), self.kind, self.year
            )
            self._cues[position] = found
        return found


@dataclass
class Candidate:
    """One sentence (or its near-copies) of the story, with where it came from."""

    text: str
    terms: frozenset[str]
    article_ids: list[str]
    publishers: set[str]
    first_seen: float
    position: int
    kind: str
    quoted: bool
    score: float = 0.0
    by_article: dict[str, str] = field(default_factory=dict)  # article id -> its own wording
    flags: frozenset[str] = frozenset()
    fresh: float = 0.0  # 1 for the newest article's lead sentence, 0 for the oldest articles
    last_seen: float = 0.0
    lead: bool = False  # the opening sentence of a news report (not comment or analysis)
    superseded: bool = False  # states a casualty count that a later report has revised
    standalone: bool | None = None  # whether it reads well out of its article (brief.prose_fit)
    central: float = 0.0  # how much of the story's shared vocabulary it uses (``centrality``)
    hook: bool = False  # a column's scene-setting opening (``hook``) or its sequel
    # The story's core vocabulary (terms most of its publishers use): shared by every pair of
    # its sentences, so no sign that two of them tell one fact (``paraphrase``).
    core: frozenset[str] = frozenset()
    fact_stems: frozenset[str] | None = None  # ``fact_stems``, worked out when first asked


def seconds(ts) -> float:
    """Epoch seconds of a protobuf timestamp."""
    return ts.seconds + ts.nanos / 1e9


def publisher(article: pb.Article) -> str:
    """The publisher an article counts for: editions of one parent count once."""
    return (article.parent_outlet or article.outlet or article.source).strip().lower()


def support_publishers(
    articles: Sequence[pb.Article], copies: StoryCopies | None = None
) -> dict[str, str]:
    """Article id -> publisher it counts for: a wire copy (``copies.StoryCopies``, found when
    not given) counts for whoever's report it carries, never as support of its own."""
    if copies is None:
        # copies reads the parsed articles of this module: imported when needed, not above.
        from services.compose.copies import story_copies

        copies = story_copies(articles)
    voices = copies.voices
    return {a.article_id: voices.get(a.article_id) or publisher(a) for a in articles}


class ArticleMemo(Generic[V]):
    """Per-article analysis, remembered across rebuilds of a story, bounded in count and bytes.

    Keyed by article id and content hash: an article re-sent with new text is analysed anew.
    The least recently used entries go first: a story is recomposed soon after it grows, so
    the articles of stories still moving are the ones worth keeping. ``size`` estimates an
    entry's bytes (an analysed article holds a few times its kept text), so that a burst of
    long articles cannot grow the process the way a count alone would let it.
    """

    def __init__(
        self,
        capacity: int = 20000,
        max_bytes: int | None = None,
        size: Callable[[V], int] | None = None,
    ):
        self.capacity, self.max_bytes = capacity, max_bytes
        self._size = size
        self._values: OrderedDict[tuple[str, str], tuple[V, int]] = OrderedDict()
        self.bytes = 0  # estimated bytes of the entries held
        self.evicted = 0

    def limit(self, capacity: int, max_bytes: int | None) -> None:
        """Change the bounds (settings are read when the service starts), evicting to fit."""
        self.capacity, self.max_bytes = capacity, max_bytes
        self._fit()

    def get(self, article: pb.Article) -> V | None:
        """The remembered value for this version of the article, if any."""
        key = (article.article_id, article.content_hash)
        entry = self._values.get(key)
        if entry is None:
            return None
        self._values.move_to_end(key)
        return entry[0]

    def put(self, article: pb.Article, value: V) -> None:
        """Remember a value for this version of the article."""
        key = (article.article_id, article.content_hash)
        old = self._values.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        n = self._size(value) if self._size is not None else 0
        self._values[key] = (value, n)
        self.bytes += n
        self._fit()

    def _fit(self) -> None:
        values = self._values
        while values and (
            len(values) > self.capacity
            or (self.max_bytes is not None and self.bytes > self.max_bytes)
        ):
            _, (_, n) = values.popitem(last=False)
            self.bytes -= n
            self.evicted += 1

    def clear(self) -> None:
        """Forget everything (the benchmark times a cold start with it)."""
        self._values.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._values)


def parsed_bytes(parsed: ParsedArticle) -> int:
    """Approximate bytes an analysed article holds with its memo entry (fitted with tracemalloc
    on the sample corpus and the bench story: within a few percent): its sentences' text and
    tuples, their term sets and its vocabulary; the term strings themselves are shared."""
    chars = sum(map(len, parsed.texts))
    terms = sum(map(len, parsed.term_sets))
    return (
        1200 + chars + PER_SENTENCE_BYTES * len(parsed.texts) + 60 * terms + 40 * len(parsed.terms)
    )


# Its text object and term set (no tuple per sentence), and its slot among the sentences
# kept to tell a republication (``ParsedArticle.verbatim``: the same text objects).
PER_SENTENCE_BYTES = 188


_PARSED: ArticleMemo[ParsedArticle] = ArticleMemo(size=parsed_bytes)


def parsed_memo() -> ArticleMemo[ParsedArticle]:
    """The process's memo of parsed articles (the composer bounds it from its settings)."""
    return _PARSED


def parse_article(
    article: pb.Article, shared: dict[str, frozenset[str]] | None = None
) -> ParsedArticle:
    """Usable sentences of an article with terms, kind and cues (remembered per article).

    ``shared`` maps sentences to their terms across the articles of one story being parsed
    together: wire copies and shared quotes repeat sentences word for word.
    """
    cached = _PARSED.get(article)
    if cached is None:
        cached = _parse(
            article.text or article.summary,
            article.title,
            article.kind,
            shared,
            _year(article.published_at.seconds),
        )
        _PARSED.put(article, cached)
    return cached


def clear_cache() -> None:
    """Forget every parsed article (the benchmark times a cold start with it)."""
    _PARSED.clear()


def _year(epoch_seconds: int) -> int:
    """The UTC year of a publication time, or 0 for an article without one."""
    if epoch_seconds <= 0:
        return 0
    return datetime.fromtimestamp(epoch_seconds, UTC).year


def _parse(
    body: str,
    title: str,
    kind: str,
    shared: dict[str, frozenset[str]] | None = None,
    year: int = 0,
) -> ParsedArticle:
    texts: list[str] = []
    shared = {} if shared is None else shared
    # Furniture is rare: when no marker appears anywhere in the body, no sentence needs the check.
    furniture = C.boilerplate_anywhere(body.lower())
    for seen, sentence in enumerate(T.iter_sentences(body)):
        if seen >= MAX_SENTENCES_PER_ARTICLE * 2 or len(texts) >= MAX_SENTENCES_PER_ARTICLE:
            break
        n = sentence.count(" ") + 1
        if n < MIN_WORDS or n > MAX_WORDS or sentence[-1] not in ".!?\"'”’":
            continue  # fragments, run-ons, headings, captions, bylines
        if furniture and C.boilerplate_lowered(sentence.lower()):
            continue
        texts.append(sentence)
    # Tokenised lower-cased, all the sentences not met before at once; the terms are all the
    # parse keeps (cues wait until asked for).
    unseen = [s for s in dict.fromkeys(texts) if s not in shared]
    shared.update(zip(unseen, T.lowered_terms_of_lines(unseen), strict=True))
    term_sets = tuple(map(shared.__getitem__, texts))
    terms = T.content_terms(title).union(*term_sets)
    verbatim = tuple(dict.fromkeys(C.without_dateline(t) for t in texts if not _quoting(t)))
    agency = C.wire_agency(texts[0]) if texts else ""
    return ParsedArticle(tuple(texts), term_sets, terms, kind, year, verbatim, agency)


def _quoting(sentence: str) -> bool:
    """True when a sentence quotes someone (a closing ’ is also an apostrophe: not asked)."""
    # Four substring searches in C: many times quicker than a set test walking the string.
    return '"' in sentence or "“" in sentence or "”" in sentence or "‘" in sentence


def classify(sentence: str, article_kind: str) -> str:
    """Fact, analysis or background, from cue words (analysis articles lean to analysis)."""
    return C.analyse(sentence, article_kind)[0]


def is_quote(sentence: str) -> bool:
    """True when the sentence carries a direct quotation."""
    return any(c in sentence for c in '"“”')


def has_first_person(sentence: str) -> bool:
    """True when the sentence speaks as I/we outside quotation marks."""
    quoted = '"' in sentence or "“" in sentence
    outside = _QUOTED_SPAN_RE.sub(" ", sentence) if quoted else sentence
    # ``\bwe\b`` matches exactly where "we" is a whole run of word characters: one split into
    # runs (in C) and a set test, rather than trying the pattern at every character.
    return not _FIRST_PERSON.isdisjoint(T.word_runs(outside))


# What is left of a quotation once its quoted words are gone, when it names no speaker:
# ' he said.', ', she added.', ' they told reporters.', ' he told NZ Newswire on Sunday.'.
# Whoever "he" told, and whenever, the speaker stays "he": a few more words of any kind
# after the verb still name nobody who speaks.
_PRONOUN_ATTRIBUTION_RE = re.compile(
    r"^[\s,.;:]*(?:he|she|they|it|we)\s+(?:said|says|added|adds|told|tells|insisted|"
    r"explained|continued|warned|stated)\b(?:[\s,.;:]+[\w'’.&-]+){0,8}[\s,.;:]*$",
    re.IGNORECASE,
)


def unnamed_speaker(sentence: str) -> bool:
    """True for a quotation attributed only by a pronoun (\"...,\" he said.): out of its
    article, nobody can tell who speaks."""
    if not is_quote(sentence):
        return False
    # Every stretch outside the quotation marks is only "he said" and the like, or there is
    # none: a sentence that is all quotation names nobody.
    parts = [p for p in _QUOTED_SPAN_RE.split(sentence) if p.strip(" ,.;:")]
    return all(_PRONOUN_ATTRIBUTION_RE.match(p) for p in parts)


def term_weights(articles: Sequence[pb.Article], publishers: dict[str, str]) -> dict[str, float]:
    """Share of the story's publishers whose articles use each term: the story's centre."""
    by_publisher: dict[str, list[frozenset[str]]] = {}
    for a in articles:
        by_publisher.setdefault(publishers[a.article_id], []).append(parse_article(a).terms)
    # A publisher's vocabulary is its one article's, or the union of its articles' terms.
    vocabularies = [v[0] if len(v) == 1 else frozenset().union(*v) for v in by_publisher.values()]
    counts = Counter(chain.from_iterable(vocabularies))
    total = max(1, len(vocabularies))
    return {term: n / total for term, n in counts.items()}


def centrality(terms: frozenset[str], weights: dict[str, float]) -> float:
    """Mean weight of a sentence's terms, damped for very short sentences."""
    if not terms:
        return 0.0
    # fsum, not sum: a frozenset of strings iterates in an order set by each process's string
    # hashing, and a float sum's last bit depends on the order. Titles differing in one equally
    # weighted figure ("kills 10", "kills 11") would then tie in one process and not in the
    # next, and a restarted worker would publish another headline for an unchanged story.
    # fsum is exactly rounded, so the same terms give the same total in any order.
    try:  # a story's own sentences use only terms it weighs: map in C, no generator
        total = math.fsum(map(weights.__getitem__, terms))
    except KeyError:
        total = math.fsum(weights.get(t, 0.0) for t in terms)
    return total / (len(terms) + 2)


def parse_story(articles: Sequence[pb.Article]) -> list[ParsedArticle]:
    """Each of a story's articles parsed (remembered per article); the ones not met before
    are parsed together, as wire copies and shared quotes repeat sentences word for word."""
    shared: dict[str, frozenset[str]] = {}
    return [parse_article(a, shared) for a in articles]


def build_candidates(
    articles: Sequence[pb.Article], copies: StoryCopies | None = None
) -> tuple[list[Candidate], dict[str, float]]:
    """Every usable sentence of the story, near-copies merged, scored by centrality and support
    (a wire copy in ``copies``, found when not given, supports only whom it republishes)."""
    parse_story(articles)
    publishers = support_publishers(articles, copies)
    weights = term_weights(articles, publishers)
    ordered = sorted(articles, key=lambda a: (seconds(a.published_at), a.article_id))
    recency = _recency(ordered)
    rarity = _rarity(weights)
    rank, by_rank = rarity.__getitem__, list(rarity)  # term -> place, and place -> term
    candidates: list[Candidate] = []
    known_terms: list[frozenset[str]] = []  # each candidate's terms, by index
    exact: dict[str, int] = {}
    postings: dict[str, list[int]] = defaultdict(list)
    for a in ordered:
        parsed = parse_article(a)
        aid, pub, at, rec = (
            a.article_id,
            publishers[a.article_id],
            seconds(a.published_at),
            recency[a.article_id],
        )
        for position, text in enumerate(parsed.texts):
            terms = parsed.term_sets[position]
            match = exact.get(text)
            rare: list[str] = []
            if match is None:
                # The three rarest terms, once: to find a copy, then to file it. Places are
                # distinct ints: sorting them needs no key and gives the same order.
                rare = [by_rank[i] for i in sorted(map(rank, terms))[:3]]
                match = _find_near_copy(known_terms, postings, terms, rare)
                if match is not None:
                    # Another outlet's copy of this wording finds the same candidate again (the
                    # lowest match stays the lowest): remember it rather than search again.
                    exact[text] = match
            fresh = rec / (1 + 0.5 * position)
            if match is not None:
                c = candidates[match]
                if position == 0 and a.kind not in _COMMENT:
                    c.lead = True
                c.article_ids.append(aid)
                c.publishers.add(pub)
                if aid not in c.by_article:
                    c.by_article[aid] = text
                if fresh > c.fresh:
                    c.fresh = fresh
                c.last_seen = at
                continue
            index = len(candidates)
            exact[text] = index
            candidates.append(
                _candidate(aid, at, text, terms, position, parsed.cues(position), pub, fresh)
            )
            candidates[-1].lead = position == 0 and a.kind not in _COMMENT
            if a.kind in _COMMENT and position <= 1:
                # A column's scene-setting opening, and the sentence that plays on it ("On
                # Friday the verdict came in: ..."), which leans on its image.
                candidates[-1].hook = hook(parsed.texts[0])
            known_terms.append(terms)
            for term in rare:
                postings[term].append(index)
    shouting = [c for c in candidates if C.SHOUTED in c.flags]
    if shouting:
        acronyms = story_acronyms(ordered)
        for c in shouting:
            if not C.shouted(c.text, acronyms):
                c.flags = c.flags - {C.SHOUTED}  # an acronym the story also uses mid-sentence
    # A story of one or two publishers has no vocabulary of its own apart from theirs.
    many = len(set(publishers.values())) >= CORE_MIN_PUBLISHERS
    core = (
        frozenset(t for t, share in weights.items() if share >= CORE_SHARE) if many else frozenset()
    )
    for c in candidates:
        c.score = _score(c, weights)
        c.core = core
    mark_superseded(candidates)
    return candidates, weights


_COMMENT = ("analysis", "opinion")


def mark_superseded(candidates: Sequence[Candidate]) -> None:
    """Flag the sentences stating a casualty count a later report of the story has raised.

    Background (a past disaster's toll) neither revises nor is revised by today's count."""
    stating = [
        c for c in candidates if c.kind != BACKGROUND and tallies_mod.may_state_tally(c.terms)
    ]
    if len(stating) < 2:
        return  # one report revises nothing
    reports = [(c.last_seen, tallies_mod.tallies(c.text)) for c in stating]
    for c, old in zip(stating, tallies_mod.superseded(reports), strict=True):
        c.superseded = old


def story_acronyms(articles: Sequence[pb.Article]) -> frozenset[str]:
    """Words the story's articles write in capitals mid-sentence ("NHS", "UN")."""
    return frozenset().union(*(parse_article(a).acronyms for a in articles))


def _candidate(
    aid: str,
    at: float,
    text: str,
    terms: frozenset[str],
    position: int,
    cues: tuple[str, frozenset[str]],
    pub: str,
    fresh: float,
) -> Candidate:
    kind, flags = cues
    return Candidate(
        text=text,
        terms=terms,
        article_ids=[aid],
        publishers={pub},
        first_seen=at,
        position=position,
        kind=kind,
        quoted=C.QUOTED in flags,
        by_article={aid: text},
        flags=flags,
        fresh=fresh,
        last_seen=at,
    )


def _recency(ordered: Sequence[pb.Article]) -> dict[str, float]:
    """Article id -> 0 (oldest) .. 1 (newest), by publication time within the story."""
    first, last = seconds(ordered[0].published_at), seconds(ordered[-1].published_at)
    span = last - first
    return {
        a.article_id: (seconds(a.published_at) - first) / span if span > 0 else 1.0 for a in ordered
    }


def _rarity(weights: dict[str, float]) -> dict[str, int]:
    """Term -> its place from the least shared term of the story to the most shared.

    Ties go by the term itself: were they left to a set's iteration order, which changes with
    each process's string hashing, a restarted worker could file a sentence under other
    anchors, merge near-copies differently and publish a new version of an unchanged story.
    """
    ordered = sorted(weights.items(), key=_WEIGHT_THEN_TERM)
    return {term: place for place, (term, _) in enumerate(ordered)}


_WEIGHT_THEN_TERM = itemgetter(1, 0)


def _find_near_copy(known_terms, postings, terms, rare) -> int | None:
    """Index of the first candidate sharing an anchor with these terms whose Jaccard overlap
    with them reaches NEAR_COPY_JACCARD, else None."""
    # The lowest matching index, whatever order the anchors come in: output stays deterministic.
    # Each anchor's list is in index order, so the lowest match is the least of each list's
    # first match; a list is read only below the best match found so far. A candidate filed
    # under two anchors may be compared twice, which costs less than merging the lists.
    best: int | None = None
    size = len(terms)
    for term in rare:
        ids = postings.get(term)
        if ids is None:
            continue
        for index in ids:
            if best is not None and index >= best:
                break
            other = known_terms[index]
            # T.jaccard inline (same arithmetic): this runs for most sentences of a story.
            shared = len(terms & other)
            if shared and shared / (size + len(other) - shared) >= NEAR_COPY_JACCARD:
                best = index
                break
    return best


NEAR_COPY_JACCARD = 0.7


def shouted(sentence: str) -> bool:
    """True for a tabloid opening in capitals ("A MAN died", "SCOTS are"), not an acronym."""
    return C.shouted(sentence)


def _score(c: Candidate, weights: dict[str, float]) -> float:
    lead = 0.25 / (1 + c.position)
    support = 0.15 * math.log2(1 + len(c.publishers))
    # Shouted tabloid openings ("A MAN died") and wire datelines read badly in a brief.
    style = 0.3 if c.flags & {C.SHOUTED, C.DATELINE} else 0.0
    c.central = centrality(c.terms, weights)
    return c.central + support + lead - style


# A warning or forecast ("talks are due to resume", "an amber warning") this long before the
# story's newest article is stale: the story has moved past it.
STALE_SECONDS = 12 * 3600


def newest_time(candidates: Sequence[Candidate]) -> float:
    """When the story's newest article was published."""
    return max((c.last_seen for c in candidates), default=0.0)


# Facts reported this long before the story's newest news report belong to earlier days:
# "What's happened" states the latest development, and the timeline keeps the rest.
RECENT_SECONDS = 36 * 3600


def newest_news_time(candidates: Sequence[Candidate]) -> float:
    """When the story's newest news report (not comment) was published."""
    return max((c.last_seen for c in candidates if c.lead), default=newest_time(candidates))


def stale(c: Candidate, newest: float) -> bool:
    """True for a warning or forecast written well before the story's latest development."""
    return C.ALERT in c.flags and newest - c.last_seen >= STALE_SECONDS


def day_gone(c: Candidate, newest: float) -> bool:
    """True for a sentence dating itself from its article's day ("yesterday", "this
    morning") when that day is before the story's newest article's: a brief prints it word
    for word, and by the story's latest day its "yesterday" is wrong."""
    return int(c.first_seen // 86400) < int(newest // 86400) and C.relative_day(c.text)


def overtaken(c: Candidate, latest_news: float) -> bool:
    """True for what was to happen next ("talks will continue over the weekend"), said a day
    and more before the story's latest news: by now it has happened, or has not."""
    return C.FORWARD in c.flags and latest_news - c.last_seen >= RECENT_SECONDS


_NUMBER_RE = re.compile(r"\d[\d,.]*\d|\d")


@lru_cache(maxsize=8192)
def figures(sentence: str) -> frozenset[str]:
    """The numbers a sentence states ("8.3", "1,912", "104"): the facts paraphrases share."""
    if not any(c in sentence for c in "0123456789"):
        return frozenset()
    return frozenset(n.replace(",", "") for n in _NUMBER_RE.findall(sentence))


def near_repeat(a: Candidate, chosen: Sequence[Candidate]) -> bool:
    """True when a says what one of the chosen sentences already says."""
    return any(_same_fact(a, b) for b in chosen)


def _same_fact(a: Candidate, b: Candidate) -> bool:
    # Content-word overlap: two reports of one warning share most of their specific words.
    if T.jaccard(a.terms, b.terms) >= 0.35 or T.containment(a.terms, b.terms) >= 0.5:
        return True
    # Paraphrases of one fact across outlets share its figures and some words.
    shared = figures(a.text) & figures(b.text)
    return len(shared) >= 2 or (len(shared) == 1 and T.containment(a.terms, b.terms) >= 0.3)


# Words that, opening a sentence, point back to something only the sentence before names.
_DANGLING_OPENERS = frozenset(
    T.words("it its they their them he his him she her this these those that such")
)
# "Both are...", "All were...": a quantifier standing for people or things named before.
_QUANTIFIERS = frozenset(T.words("all both neither none many most some several others"))
_BACK_REFERENCES = frozenset(["two", "three", "pair", "former", "latter"])
_BARE_VERBS = frozenset(
    T.words("are were is was have has had will would could can may might say said remain")
)
# "This week...", "That evening...": a demonstrative before a time word points at a time.
_TIME_WORDS = frozenset(
    T.words(
        "week weekend month year morning afternoon evening night time summer winter autumn "
        "spring season decade century"
    )
)
# "It is unclear whether...", "It was the first...": an "it" that stands for nothing.
_EMPTY_IT_RE = re.compile(
    r"^it(?:'s| is| was| has been| remains| seems| appears)(?: not)?"
    r" (?:unclear|clear|likely|unlikely|possible|impossible|expected|understood|thought|"
    r"believed|feared|hoped|estimated|too early|not yet|the first|the largest|the biggest|"
    r"the worst|the latest|time)\b",
    re.IGNORECASE,
)
# "By 1100 GMT it said...": a pronoun speaking before the sentence has named anyone.
_PRONOUN_SPEAKERS = frozenset(["it", "he", "she", "they"])
_REPORTING = frozenset(
    T.words("said says added told announced confirmed insisted warned stated explained")
)

_PRONOUN_NEAR_START_RE = re.compile(r" (?:it|he|she|they) ")
_THE_BACK_REFERENCE_RE = re.compile(r"the (?:two|three|pair|former|latter)\b", re.IGNORECASE)
# "Expect that line to return", "complicate that story": a demonstrative pointing at what the
# article said just before.
_BACK_REFERENCE_RE = re.compile(
    r"\b(?:[Tt]his|[Tt]hat|[Tt]hese|[Tt]hose) (?:line|story|argument|claim|view|message|idea|"
    r"approach|promise|pledge|sentiment|remark|remarks|comment|comments|point|response|reaction|"
    r"lesson|mistake)\b"
)


# A pronoun standing for what a quantifier counts ("none of it"), or for the subject of an
# opening clause ("What made it deadly was...", "Since they left, ...").
_OBJECTS = frozenset(T.words("it them this these those that"))
_CLAUSE_OPENERS = frozenset(
    T.words("what when since after as because if while although though once before until how why")
)
_SUBJECT_PRONOUNS = frozenset(T.words("it they them he she him her its their"))
# Set phrases whose "it" stands for nothing: "As it stands", "When it comes to".
_IDIOM_VERBS = frozenset(T.words("stands stood comes came turns turned happens happened"))


# "A spokeswoman warned that...": whose spokeswoman, the sentence before said.
_SPOKESPEOPLE = frozenset(T.words("spokeswoman spokesman spokesperson representative"))


def _unnamed_spokesperson(head: str) -> bool:
    words = T.words(head)
    return len(words) > 2 and words[1].lower() in _SPOKESPEOPLE and words[2].lower() in _REPORTING


def _pronoun_subject(words: list[str]) -> bool:
    for i in (1, 2):
        if i < len(words) and words[i].lower() in _SUBJECT_PRONOUNS:
            following = words[i + 1].lower() if i + 1 < len(words) else ""
            return following not in _IDIOM_VERBS
        if i < len(words) and words[i][:1].isupper():
            return False  # a name comes first: "When Ofgem raised its cap"
    return False


def _early_pronoun_speaker(words: list[str]) -> bool:
    for i in range(1, min(len(words) - 1, 6)):
        if words[i] in _PRONOUN_SPEAKERS and words[i + 1] in _REPORTING:
            # Only times and dates before it ("By 1100 GMT", "On Monday"): no one named.
            return all(
                not w[:1].isupper() or w.isupper() or w in T.CALENDAR_NAMES for w in words[1:i]
            )
    return False


# "..., their report said, ...", "..., they asked, ...": an aside whose speaker is a pronoun.
_PRONOUN_ASIDE_RE = re.compile(
    r",\s(?:he|she|they|it|(?:his|her|their|its)\s\w+)\s(?:said|says|asked|added|argued|"
    r"warned|noted|wrote|insisted),",
    re.IGNORECASE,
)


# "It's", "That's", "They're", "He'd": a pronoun and its verb in one word.
_CONTRACTION_RE = re.compile(r"['’](?:s|re|ve|ll|d)$")


def _uncontracted(word: str) -> str:
    """The pronoun of a contraction ("it's" -> "it"); other words as they are."""
    return _CONTRACTION_RE.sub("", word) if "'" in word or "’" in word else word


# "Britain's equivalent is...", "Its counterpart was...": a thing's match, but of what? The
# sentence before named it; one that says ("the equivalent of X") reads on its own.
_MATCH_OF_WHAT_RE = re.compile(
    r"^(?:the |its |their |[A-Z][\w-]*['’]s )(?:[a-z][\w-]* )?"
    r"(?:equivalent|counterpart|answer|version)s? (?:is|are|was|were|has|had|remains)\b",
    re.IGNORECASE,
)


# Remembered by text: a story's rebuild, and each outlet's pass for a papers line, ask again.
@lru_cache(maxsize=16384)
def dangling_opener(sentence: str) -> bool:
    """True when a sentence leans on the one before it ("Its spokesperson...", "Both are...",
    "By 1100 GMT it said..."): out of its article, nobody can tell who or what it means."""
    if "," in sentence and _PRONOUN_ASIDE_RE.search(sentence):
        return True
    head = sentence[:60]
    # A demonstrative points back from a sentence's opening or its close ("Expect that line
    # to...", "...complicate that story."): only those two stretches are searched.
    if _BACK_REFERENCE_RE.search(sentence, 0, 60) or _BACK_REFERENCE_RE.search(
        sentence, max(0, len(sentence) - 40)
    ):
        return True
    opener = _uncontracted(head.split(" ", 1)[0].strip(",;:").lower())
    if opener in ("a", "an") and _unnamed_spokesperson(head):
        return True
    if _MATCH_OF_WHAT_RE.match(head):
        return True
    if (
        opener not in _DANGLING_OPENERS
        and opener not in _QUANTIFIERS
        and opener not in _CLAUSE_OPENERS
        and not (opener == "the" and _THE_BACK_REFERENCE_RE.match(head))
        and _PRONOUN_NEAR_START_RE.search(head) is None
    ):
        return False  # the usual sentence: no pronoun or quantifier near its start
    words = T.words(head)
    if not words or sentence[0] in "\"“‘'":
        return False  # a quotation's words are the speaker's, named after it
    first = _uncontracted(words[0].lower())
    if first in _DANGLING_OPENERS:
        if first in ("this", "that", "these", "those") and len(words) > 1:
            return words[1].lower() not in _TIME_WORDS
        return not (first == "it" and _EMPTY_IT_RE.match(sentence))
    if first in _QUANTIFIERS:
        if len(words) > 2 and words[1].lower() == "of" and words[2].lower() in _OBJECTS:
            return True  # "None of it will...", "Most of them were...": of what?
        return len(words) > 1 and words[1].lower() in _BARE_VERBS
    if first in _CLAUSE_OPENERS and _pronoun_subject(words):
        return True  # "What made it deadly...", "When they arrived...": who, what?
    if first == "the" and len(words) > 2 and words[1].lower() in _BACK_REFERENCES:
        # "The two are not linked", "The latter said": which two, which latter?
        return words[1].lower() in ("former", "latter") or words[2].lower() in _BARE_VERBS
    return _early_pronoun_speaker(words)


# "There is a joke among engineers that...", "Every quarter, the country waits...": how a
# column sets its scene before it says anything of the story.
_HOOK_OPENING_RE = re.compile(r"^(?:There(?: is|'s|’s| are| was| were) |Every )")
_MID_CAPITAL_RE = re.compile(r"\s[A-Z]")


def hook(sentence: str) -> bool:
    """True for a sentence that could open a column on anything: an existential or
    "Every ..." opening, or one naming no one, nothing and no figure ("A map is an argument
    that looks like a fact."). Only a column's first sentence is asked."""
    if _HOOK_OPENING_RE.match(sentence):
        return True
    if any(ch.isdigit() for ch in sentence) or _MID_CAPITAL_RE.search(sentence):
        return False  # a figure or a name: it says something of its story
    words = T.words(sentence)
    opener = words[0].removesuffix("'s").removesuffix("’s") if words else ""
    # "Thursday's cut of one million barrels...": a day and a count are of the story too.
    return opener not in T.CALENDAR_NAMES and _COUNT_WORDS.isdisjoint(w.lower() for w in words)


_COUNT_WORDS = frozenset(
    T.words("two three four five six seven eight nine ten hundred thousand million billion")
)


# "... does three things.", "There are two reasons:": a sentence that only announces the ones
# after it in its article.
_TEASER_COUNTS = frozenset(["two", "three", "four", "five", "several", "few"])
_TEASER_NOUNS = frozenset(
    T.words("things reasons questions lessons ways points problems changes options steps")
)


def teaser(sentence: str) -> bool:
    """True for a sentence that announces what its article says next ("... does three
    things."): out of the article, it promises what the brief does not give."""
    end = sentence.rstrip("\"'”’")
    if end.endswith(":"):
        return True
    if not end.endswith("."):
        return False
    # Only the last two words matter: a split of the tail, not a search of the sentence.
    last = end[-40:-1].rsplit(" ", 2)[-2:]
    return (
        len(last) == 2
        and last[1].lower() in _TEASER_NOUNS
        and (last[0].lower() in _TEASER_COUNTS or last[0].isdigit())
    )


# -- the day a sentence tells of ------------------------------------------------------------
_AHEAD = frozenset({C.FORWARD, C.ALERT})


def named_day(c: Candidate) -> int | None:
    """The day (days since the epoch, UTC) a sentence says it tells of: the latest weekday or
    relative day ("yesterday") it names, counted back from its article's publication; None
    when it names none, or tells of what is to come ("talks will resume on Monday")."""
    if c.flags & _AHEAD:
        return None
    published = int(c.first_seen // 86400)
    # A weekday ("on Monday") or a relative day ("yesterday"), which the brief prints as the
    # weekday it meant (``days.pinned``). 1 January 1970 was a Thursday.
    weekday = C.days_back(c.text, (published + 3) % 7)
    backs = [b for b in (weekday, D.days_back(c.text)) if b is not None]
    return published - min(backs) if backs else None


def lead_day(lead: Candidate) -> int:
    """The day the story's lead tells of: the one it names, else its publication day."""
    day = named_day(lead)
    return int(lead.first_seen // 86400) if day is None else day


def earlier_day(c: Candidate, day: int) -> bool:
    """True for a sentence dated to a day before ``day``."""
    told = named_day(c)
    return told is not None and told < day


# Two sentences sharing this many content words, most of the shorter one's, tell one event
# in two wordings ("initialled a nine-point framework" / "put her initials to a nine-point
# document ... the Geneva framework"), even below ``near_repeat``'s overlap.
RETOLD_SHARED_TERMS = 6
RETOLD_CONTAINMENT = 0.35


def retold(c: Candidate, chosen: Sequence[Candidate]) -> bool:
    """True when c says what one of the chosen sentences already says, in any wording."""
    if near_repeat(c, chosen) or paraphrased(c, chosen):
        return True
    for other in chosen:
        shared = len(c.terms & other.terms)
        if (
            shared >= RETOLD_SHARED_TERMS
            and shared / min(len(c.terms), len(other.terms)) >= RETOLD_CONTAINMENT
        ):
            return True
    return False


# Paraphrase of one fact across sections ("is intended to prevent a glut in the first quarter
# of next year, when demand typically softens" / "wants to prevent a surplus of oil building up
# early next year, when demand usually weakens"). What two wordings of one fact share is their
# plain words (prevent, next year, demand), not the names every sentence of the story repeats
# (OPEC+, Vienna, Stratus Cloud) nor the story's core vocabulary, which any two of its facts
# share. Plain words are cut to a short stem (``T.short_stems``).
CORE_SHARE = 1.0  # a term every publisher of the story uses is its core vocabulary...
CORE_MIN_PUBLISHERS = 3  # ...when it has at least this many
_AGE_RE = re.compile(r"\b[\w]+\s*-?\s*years?\s*-?\s*old\b", re.IGNORECASE)
PARAPHRASE_MIN_SHARED = 3  # plain stems shared, with at least half of the shorter one's
PARAPHRASE_HALF = 0.5  # and a quarter of the longer one's (three words make no fact of ten)...
PARAPHRASE_QUARTER = 0.25
PARAPHRASE_MORE_SHARED = 4  # ...or this many, with this share
PARAPHRASE_SHARE = 0.36


def fact_stems(c: Candidate) -> frozenset[str]:
    """The stems of a sentence's plain words: no name (a capitalised word), no figure, nothing
    in quotation marks, none of the story's core vocabulary."""
    if c.fact_stems is None:
        c.fact_stems = T.short_stems(_plain_terms(c.text) - c.core)
    return c.fact_stems


@lru_cache(maxsize=16384)
def _plain_terms(text: str) -> frozenset[str]:
    # Remembered by text: a story's sentences come back at every rebuild of its brief.
    # The first word too: a capital there may open a name as well as a sentence. Words in
    # quotation marks are someone's, or a coined term ("critical third parties") that a law
    # and a demand to apply it both name: no more a sign of one fact than a name is.
    told = _QUOTED_SPAN_RE.sub(" ", text) if '"' in text or "“" in text else text
    # An age ("a 38-year-old suspect", "Sixty-year-old Smith") describes a person, as a name
    # does: two people's ages are no shared fact.
    told = _AGE_RE.sub(" ", told) if "old" in told else told
    return T.terms_of([w for w in T.words(told) if not (w[:1].isupper() or w[:1].isdigit())])


def paraphrase(a: Candidate, b: Candidate) -> bool:
    """True when a and b tell one fact in two wordings: they share most of the plain words of
    the shorter one."""
    fa, fb = fact_stems(a), fact_stems(b)
    shared = len(fa & fb)
    if shared < PARAPHRASE_MIN_SHARED:
        return False
    share = shared / min(len(fa), len(fb))
    if share >= PARAPHRASE_HALF and shared / max(len(fa), len(fb)) >= PARAPHRASE_QUARTER:
        return True
    return shared >= PARAPHRASE_MORE_SHARED and share >= PARAPHRASE_SHARE


def paraphrased(c: Candidate, chosen: Sequence[Candidate]) -> bool:
    """True when c tells, in other words, a fact one of the chosen sentences tells."""
    return any(c is not other and paraphrase(c, other) for other in chosen)
