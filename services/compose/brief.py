"""Compose a story's brief from its articles: a pure function, no I/O."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import cues as C
from services.compose import days as D
from services.compose import people as P
from services.compose import tallies as tallies_mod
from services.compose import text as T
from services.compose.candidates import (
    ANALYSIS,
    BACKGROUND,
    FACT,
    RECENT_SECONDS,
    RETOLD_SHARED_TERMS,
    Candidate,
    build_candidates,
    centrality,
    dangling_opener,
    day_gone,
    earlier_day,
    has_first_person,
    lead_day,
    newest_news_time,
    newest_time,
    overtaken,
    parse_article,
    parsed_memo,
    retold,
    seconds,
    stale,
    story_acronyms,
    teaser,
    unnamed_speaker,
)
from services.compose.copies import story_copies
from services.compose.papers import StoryVocabulary, papers_say

MAX_WHATS_HAPPENED = 4
MAX_BEHIND = 3
MAX_BACKGROUND = 3

_TITLE_PREFIX_RE = re.compile(
    r"^(?:live(?: updates)?|breaking(?: news)?|watch|video|opinion|analysis|exclusive|update[d]?|"
    r"explainer|in pictures)\s*[:|\-–—]\s*",
    re.IGNORECASE,
)
_CLICKBAIT_RE = re.compile(
    r"(you won't believe|here's why|here is why|this is why|what we know|everything you need|"
    r"shocking|must see|you need to know|\bthis\b.*\bwill\b.*\byou\b)",
    re.IGNORECASE,
)


# A tabloid label in capitals opening a title ("MIRACLE BABY: Tot pulled alive..."); a single
# acronym ("UN", "NHS strike") is not one.
_SHOUTED_TITLE_RE = re.compile(
    r"^[A-Z][A-Z'’-]+(?:\s+[A-Z][A-Z'’-]+)*\s*[:!]|^[A-Z][A-Z'’-]+\s+[A-Z]{2,}\b"
)


@dataclass(frozen=True)
class Related:
    """Another story the timeline links to (an earlier story this follows, or a follow-up)."""

    story_id: str
    headline: str
    at: float
    article_ids: tuple[str, ...] = ()


@dataclass
class BriefContext:
    """What a brief needs besides its articles; everything the I/O edge looks up."""

    now: float
    follows_story_id: str = ""
    related: Sequence[Related] = ()
    hubs: Sequence[pb.HubRef] = ()
    merged_from: Sequence[str] = ()
    # A split's two sides name each other: the story this one's articles were split off, and
    # the stories that took articles split off this one.
    split_from: str = ""
    split_into: Sequence[str] = ()
    # (articles, what the brief printed first: headline and "What's happened") -> cards
    cards: Callable[[Sequence[pb.Article], Sequence[str]], list[pb.EntityCard]] | None = None
    max_papers_lines: int = 5
    max_topics: int = 6
    # Words the knowledge base writes as names (Linker.name_words); None: the shipped one's.
    name_words: Container[str] | None = None
    extra: dict = field(default_factory=dict)


def prepare_article(article: pb.Article, linker=None) -> None:
    """Analyse an article once, ahead of any brief: its sentences and, given a linker, its
    entities. Both are remembered per article version, so a composer that calls this when an
    article arrives pays for it then, and a later rebuild of the story only composes."""
    parse_article(article)
    if linker is not None:
        linker.analysed(article)


# An article's entity analysis holds about a twentieth of what its parsed sentences do: a
# sixteenth of the budget lets its memo keep at least as many articles.
ENTITY_MEMO_SHARE = 1 / 16


def bound_article_memos(linker, max_articles: int, max_bytes: int) -> None:
    """Bound what is remembered per article, by count and approximate bytes: its parsed
    sentences (one memo per process) and, in the linker, its entities."""
    entity_bytes = int(max_bytes * ENTITY_MEMO_SHARE)
    parsed_memo().limit(max_articles, max_bytes - entity_bytes)
    linker.memo.limit(max_articles, entity_bytes)


def compose_brief(story_id: str, articles: Sequence[pb.Article], context: BriefContext) -> pb.Brief:
    """Build every section of a story's brief from its articles (version left at 0)."""
    articles = sorted(articles, key=lambda a: (seconds(a.published_at), a.article_id))
    brief = pb.Brief(story_id=story_id, follows_story_id=context.follows_story_id)
    brief.merged_from.extend(context.merged_from)
    brief.split_from = context.split_from
    brief.split_into.extend(context.split_into)
    brief.updated_at.FromSeconds(int(context.now))
    if not articles:
        return brief
    copies = story_copies(articles)
    candidates, weights = build_candidates(articles, copies)
    happened = whats_happened(candidates)
    behind = behind_the_headline(candidates, happened)
    background = how_we_got_here(candidates, happened + behind)
    recase = title_case_fixer(candidates, context.name_words)
    head = headline(articles, weights, happened, candidates, copies=copies.ids)
    head.text = recase(head.text)
    days = D.article_days(articles)
    # A headline is never left out: one whose day cannot be pinned stays as written.
    head.text = D.pinned(head.text, days.get(next(iter(head.article_ids), ""))) or head.text
    brief.headline.CopyFrom(head)
    acronyms = _acronyms_if_shouting(articles, happened + behind + background)
    used = happened + behind + background
    day = lead_day(happened[0]) if happened else None
    lines = papers_say(
        articles,
        candidates,
        used,
        context.max_papers_lines,
        context.name_words,
        day,
        copies=copies,
    )
    # In reading order, each person is named in full at their first mention.
    namer = PeopleNamer(articles, days)
    namer.read(brief.headline.text)
    brief.whats_happened.extend(namer.sentences(happened, acronyms))
    brief.behind_the_headline.extend(namer.sentences(behind, acronyms))
    brief.what_the_papers_say.extend(namer.lines(lines))
    brief.how_we_got_here.extend(namer.sentences(background, acronyms))
    brief.timeline.extend(
        timeline(
            story_id, articles, brief.headline, context.related, weights, recase, copies=copies.ids
        )
    )
    brief.go_deeper.extend(context.hubs[:3])
    if context.cards is not None:
        printed = [brief.headline.text, *(s.text for s in brief.whats_happened)]
        brief.topics.extend(context.cards(articles, printed)[: context.max_topics])
    _sources(brief, articles)
    return brief


def _sentence(c: Candidate, acronyms: frozenset[str] = frozenset()) -> pb.Sentence:
    # Printed as an editor would: no wire dateline, tabloid capitals or opening "But".
    text = C.present(c.text, acronyms)
    return pb.Sentence(text=text, article_ids=list(dict.fromkeys(c.article_ids)))


class PeopleNamer:
    """Reads a brief in order and sees that no one appears as a bare surname ("Salas said")
    before the brief has said who they are: a sentence naming them only so is printed in
    another outlet's wording that names them in full, or with the name and role the story's
    articles give ("INDECI head Rodrigo Salas said"), or, when the story gives none, left out.
    """

    def __init__(self, articles: Sequence[pb.Article], days: dict[str, float | None] | None = None):
        self._articles = articles
        # Article id -> publication time, for pinning "yesterday" to a weekday (``days``).
        self._days = D.article_days(articles) if days is None else days
        self._texts: list[tuple[str, str]] | None = None
        self._asked: set[str] = set()
        self.people: dict[str, P.Person] = {}  # the story's people the brief may name
        self.named: set[str] = set()  # surnames the brief has said who they are
        self._printed: list[str] = []  # the brief's texts so far, in reading order
        self._printed_full: set[str] = set()  # surnames they write after a given name

    def _learn(self, text: str) -> None:
        """Ask the story about the words of a text that could be a bare surname: only those,
        as reading every article for every name costs more than composing the brief."""
        self._ask(P.lone_names(text))

    def _ask(self, surnames: set[str]) -> None:
        new = surnames - self._asked
        if not new:
            return
        self._asked |= new
        if self._texts is None:
            self._texts = _people_texts(self._articles)
        self.people.update(P.story_people(self._texts, new))

    def _meets_bare(self, text: str) -> bool:
        """True when a reader would meet someone in the text as a bare surname first."""
        self._learn(text)
        return bool(self.people) and self.unnamed(text) is not None

    def read(self, text: str) -> None:
        """Note a printed text: whom it names in full counts from here on."""
        self._printed.append(text)
        self._printed_full |= P.full_names(text)

    def _named_before(self, surname: str) -> bool:
        if surname not in self.named and any(
            not m.bare for t in self._printed for m in P.mentions(t, (surname,))
        ):
            self.named.add(surname)  # learnt of after the text naming them was printed
        return surname in self.named

    def unnamed(self, text: str) -> P.Mention | None:
        """The first mention the reader would meet as a bare surname, if any."""
        named = set()
        for m in P.mentions(text, self.people):
            if not m.bare:
                named.add(m.surname)
            elif m.surname not in named and not self._named_before(m.surname):
                return m
        return None

    def introduced(self, text: str, source: str) -> tuple[str, list[str]] | None:
        """The text with each bare surname of someone not yet named replaced by a form saying
        who they are, and the articles those forms come from; None when the story gives none."""
        sources: list[str] = []
        for _ in range(8):  # each pass names one person: a sentence names few
            m = self.unnamed(text)
            if m is None:
                return text, sources
            if P.quoted_at(text, m.start):
                return None  # a speaker's own words are not ours to add to
            possessive = text[m.end : m.end + 2] in ("'s", "’s")
            form = self.people[m.surname].introduction(source, possessive)
            if form is None:
                return None
            text = P.introduce(text, m, form)
            sources.append(form.source)
        return None

    def shortened(self, text: str) -> str:
        """The text with each full introduction of someone already introduced cut to their
        surname: a brief says "EU Energy Commissioner Henrik Aalto" once, then "Aalto"."""
        # Only someone an earlier text named in full can be cut to a surname: the story is
        # asked about those alone (most sentences name nobody the brief has named before).
        again = P.full_names(text) & self._printed_full
        if not again:
            return text
        self._ask(again)
        for m in reversed(P.mentions(text, self.people)):  # from the end: spans stay valid
            if not m.bare and self._named_before(m.surname) and not P.quoted_at(text, m.start):
                text = P.second_reference(text, m, self.people[m.surname])
        return text

    def sentences(self, chosen: Sequence[Candidate], acronyms: frozenset[str]) -> list[pb.Sentence]:
        """The chosen sentences as printed, each person named in full at first mention and
        by surname after it."""
        out = []
        for c in chosen:
            sentence = _sentence(c, acronyms)
            if self._meets_bare(sentence.text):
                sentence = self._named_in_full(c, sentence, acronyms)
            if sentence is not None:
                sentence = self._dated(sentence)
            if sentence is not None:
                sentence.text = self.shortened(sentence.text)
                self.read(sentence.text)
                out.append(sentence)
        return out

    def _dated(self, sentence: pb.Sentence) -> pb.Sentence | None:
        """The sentence with its relative days pinned to weekdays, counted from the article
        its wording comes from; None when they cannot be (``days.pinned``)."""
        text = D.pinned(sentence.text, self._days.get(sentence.article_ids[0]))
        if text is None:
            return None
        sentence.text = text
        return sentence

    def _named_in_full(
        self, c: Candidate, sentence: pb.Sentence, acronyms: frozenset[str]
    ) -> pb.Sentence | None:
        # Another outlet's wording that names the person in full, if one does.
        for article_id, wording in c.by_article.items():
            text = C.present(wording, acronyms)
            if not self._meets_bare(text):
                ids = [article_id, *(i for i in sentence.article_ids if i != article_id)]
                return pb.Sentence(text=text, article_ids=ids)
        found = self.introduced(sentence.text, sentence.article_ids[0])
        if found is None:
            return None  # nobody in the story says who they are: the sentence cannot stand
        text, sources = found
        ids = list(dict.fromkeys([*sentence.article_ids, *sources]))
        return pb.Sentence(text=text, article_ids=ids)

    def lines(self, lines: Sequence[pb.PaperLine]) -> list[pb.PaperLine]:
        """Papers lines, each person named in full at first mention and by surname after it;
        a line naming someone the story never says who they are is left out."""
        out = []
        for line in lines:
            head, sep, body = line.text.partition(" that ")
            if self._meets_bare(body):
                found = self.introduced(body, line.article_id)
                if found is None:
                    continue
                body = found[0]
            body = self.shortened(body)
            if head + sep + body != line.text:
                line = pb.PaperLine(
                    outlet=line.outlet,
                    text=head + sep + body,
                    article_id=line.article_id,
                    url=line.url,
                )
            self.read(line.text)
            out.append(line)
        return out


def _people_texts(articles: Sequence[pb.Article]) -> list[tuple[str, str]]:
    """(article id, title and text) of each article, oldest first: where people are named."""
    return [(a.article_id, f"{a.title}\n\n{a.text or a.summary}") for a in articles]


def _acronyms_if_shouting(
    articles: Sequence[pb.Article], chosen: Sequence[Candidate]
) -> frozenset[str]:
    """The story's acronyms, looked up only when a chosen sentence opens in capitals."""
    # The acronyms only ever make an opening in capitals less shouted.
    if any(C.shouted(C.without_connective(C.without_dateline(c.text))) for c in chosen):
        return story_acronyms(articles)
    return frozenset()


# How much being the newest articles' lead outweighs being central: briefs state the latest.
FRESH_WEIGHT = 0.5
# Shouted openings and datelines are fine: a brief prints them tidied (``C.present``).
_PROSE_UNFIT = frozenset({C.UNBALANCED})


def _pick(
    pool: Sequence[Candidate],
    limit: int,
    avoid: Sequence[Candidate],
    rank: Callable[[Candidate], float] = lambda c: c.score,
) -> list[Candidate]:
    chosen: list[Candidate] = []
    for c in sorted(pool, key=lambda c: (-rank(c), c.first_seen, c.text)):
        if len(chosen) >= limit:
            break
        if not retold(c, chosen) and not retold(c, avoid):
            chosen.append(c)
    return chosen


def prose_fit(c: Candidate) -> bool:
    """True when a sentence stands alone and is current: no half quote, a columnist's "I" and
    "we", a quotation whose speaker is only "he" or "she", an opening that leans on the
    sentence before ("Its spokesperson..."), or a casualty count a later report has raised."""
    if c.standalone is None:  # asked for by every section: worked out once
        c.standalone = _prose_fit(c)
    return c.standalone


def _prose_fit(c: Candidate) -> bool:
    return (
        not (c.flags & _PROSE_UNFIT)
        and not c.hook
        and not c.superseded
        and not has_first_person(c.text)
        and not (c.quoted and unnamed_speaker(c.text))
        and not dangling_opener(c.text)
        and not teaser(c.text)
    )


def _latest_rank(newest: float) -> Callable[[Candidate], float]:
    def rank(c: Candidate) -> float:
        return c.score + FRESH_WEIGHT * c.fresh - (0.5 if stale(c, newest) else 0.0)

    return rank


# Two reports' opening sentences this close in time, sharing this much wording, are two intros
# to one event; a fact using less than this share of the opener's centrality is an aside.
SAME_HOURS = 12 * 3600
SAME_OPENING_CONTAINMENT = 0.3
OFF_CENTRE = 0.55


def news_lead(pool: Sequence[Candidate], rank: Callable[[Candidate], float]) -> Candidate | None:
    """The opening sentence of a news report that best states the latest development: what a
    brief opens with, rather than a columnist's aside or a line of background."""
    leads = [c for c in pool if c.lead and not c.quoted and C.OPINION not in c.flags]
    return max(leads, key=lambda c: (rank(c), -c.first_seen, c.text), default=None)


def _same_opening(c: Candidate, lead: Candidate | None) -> bool:
    """True for another report's opening sentence, from the same hours, that shares much of
    the opener's wording: two outlets' intros to one event, even in different words."""
    if lead is None or not c.lead or abs(c.first_seen - lead.first_seen) >= SAME_HOURS:
        return False
    shared = len(c.terms & lead.terms)
    smaller = min(len(c.terms), len(lead.terms))
    return shared >= RETOLD_SHARED_TERMS and shared / smaller >= SAME_OPENING_CONTAINMENT


def whats_happened(candidates: Sequence[Candidate]) -> list[Candidate]:
    """2-4 central facts of the latest developments, no two alike: a news lead first, then
    the rest newest first."""
    newest = newest_time(candidates)
    rank = _latest_rank(newest)
    fit = [
        c
        for c in candidates
        if not c.text.endswith("?")
        and prose_fit(c)
        and not stale(c, newest)
        and not day_gone(c, newest)
    ]
    lead = news_lead(fit, rank)
    opening = [lead] if lead is not None else []
    facts = [
        c
        for c in fit
        if c.kind == FACT and c is not lead and not (c.lead and _same_opening(c, lead))
    ]
    latest = newest_news_time(candidates)
    recent = [c for c in facts if latest - c.last_seen < RECENT_SECONDS]
    if len(recent) >= 2 - len(opening):
        facts = recent
    if lead is not None:
        # A fact far off the story's centre is an aside of one article, and so is one dated
        # to a day before the lead's ("Figures published on Wednesday showed...", in a report
        # of Thursday's decision): neither is a development of this story.
        floor = OFF_CENTRE * lead.central
        day = lead_day(lead)
        facts = [c for c in facts if c.central >= floor and not earlier_day(c, day)]
    chosen = opening + _pick(facts, MAX_WHATS_HAPPENED - len(opening), opening, rank)
    if chosen:
        floor = max(rank(c) for c in chosen) * 0.55
        chosen = chosen[:2] + [c for c in chosen[2:] if rank(c) >= floor]
    if len(chosen) < 2:
        # Too few plain facts: statements with a reporting verb are still facts of the story.
        spare = [
            c
            for c in candidates
            if c.kind in (FACT, ANALYSIS)
            and not c.quoted
            and C.OPINION not in c.flags
            and prose_fit(c)
            and not any(c is h for h in chosen)
        ]
        chosen += _pick(spare, 2 - len(chosen), chosen, rank)
    if not chosen:  # every sentence is unfit: the facts still come first
        chosen = _pick([c for c in candidates if c.kind == FACT], 2, (), rank)
    if not chosen:
        # A story of opinion pieces only (a lone column): the events the column reports
        # ("A configuration change at Stratus Cloud's Dublin region knocked out banking
        # apps") are what happened, never its argument ("The instinct will be to treat this
        # as a technical failure"); a brief never opens empty.
        plain = [c for c in candidates if not c.text.endswith("?") and prose_fit(c)]
        reported = [c for c in plain if column_fact(c.text)]
        chosen = _pick(reported, 2, (), rank) or _pick(plain or list(candidates), 1, (), rank)
    rest = sorted((c for c in chosen if c is not lead), key=lambda c: (-c.first_seen, c.position))
    return [lead, *rest] if lead is not None else rest  # the opener is always chosen


# Words of a column's own voice: a sentence holding one argues, whatever else it names.
_COLUMN_VOICE_RE = re.compile(
    r"\b(?:we|us|our|i|my|perhaps|instinct|should|ought|never|always|every|nobody|"
    r"surely|obviously|clearly|actually|just)\b",
    re.IGNORECASE,
)
# A name inside a sentence (not its first word, nor a weekday or month): what makes a
# column's sentence a report of one event rather than a generality.
_INNER_NAME_RE = re.compile(
    r"(?<=[\s(])(?!(?:" + "|".join(T.WEEKDAYS + T.MONTHS) + r")\b)[A-Z][a-z]+"
)


def column_fact(text: str) -> bool:
    """True for a sentence of an opinion piece that, read on its own, reports an event: a
    plain past fact with a name or a figure in it, free of the writer's own voice. Ingest
    marks every sentence of a column as opinion; these few are the news it comments on."""
    return (
        C.plain_fact(text)
        and not _COLUMN_VOICE_RE.search(text)
        and bool(_INNER_NAME_RE.search(text) or re.search(r"\d", text))
    )


def behind_rank(c: Candidate, newest: float, latest_news: float | None = None) -> float:
    """Assessments, attributed quotes and what comes next rank first; stale forecasts last,
    and what was said days before the latest news after what is said about it."""
    bonus = 0.15 if c.quoted and C.ATTRIBUTED in c.flags else 0.0
    bonus += 0.1 if C.FORWARD in c.flags and not stale(c, newest) else 0.0
    bonus -= 0.6 if stale(c, newest) else 0.0
    if latest_news is not None and latest_news - c.last_seen >= RECENT_SECONDS:
        bonus -= OLD_ANALYSIS_PENALTY * (2 if overtaken(c, latest_news) else 1)
    return c.score + 0.25 * c.fresh + bonus


# An assessment from before the latest development ("the offer was fair", said during the
# strike) ranks below one made since, unless nothing newer is worth as much.
OLD_ANALYSIS_PENALTY = 0.3


def behind_the_headline(
    candidates: Sequence[Candidate], happened: Sequence[Candidate]
) -> list[Candidate]:
    """Analysis, assessments and attributed quotes, never a repeat of "What's happened"."""
    newest = newest_time(candidates)
    pool = [
        c
        for c in candidates
        if c.kind == ANALYSIS
        and prose_fit(c)
        and not day_gone(c, newest)
        and not any(c is h for h in happened)
    ]
    latest = newest_news_time(candidates)
    # What was to happen next, said a day and more before the latest news ("talks would
    # continue over the weekend"), has happened or not by now: no assessment of the story.
    pool = [c for c in pool if not overtaken(c, latest)]
    return _pick(pool, MAX_BEHIND, happened, lambda c: behind_rank(c, newest, latest))


def how_we_got_here(candidates: Sequence[Candidate], used: Sequence[Candidate]) -> list[Candidate]:
    """Background sentences: earlier events and context, oldest context first."""
    newest, latest = newest_time(candidates), newest_news_time(candidates)
    pool = [
        c
        for c in candidates
        if c.kind == BACKGROUND
        and prose_fit(c)
        and not day_gone(c, newest)
        and not overtaken(c, latest)  # "the envoy would hold meetings", days ago: no history
        and not any(c is u for u in used)
    ]
    return _pick(pool, MAX_BACKGROUND, used)


def title_case_fixer(
    candidates: Sequence[Candidate], names: Container[str] | None = None
) -> Callable[[str], str]:
    """Prints a story's titles in sentence case: one in Title Case ("Storm Iona Cuts Power
    To 40,000") keeps capitals only on its first word, acronyms and the story's names; other
    titles are left as written. The story's sentences tell its names from common words."""
    state: dict[str, object] = {}

    def recase(title: str) -> str:
        if not T.title_cased(title):
            return title  # the usual title: nothing to look up
        if not state:
            texts = [c.text for c in candidates]
            state["vocabulary"] = StoryVocabulary(texts, names)
            state["text"] = "\n".join(texts)
        return T.sentence_case(title, state["vocabulary"], state["text"])

    return recase


def clean_title(title: str, outlets: set[str]) -> str:
    """A title without outlet suffixes ("... - The Ledger") and desk prefixes ("LIVE:")."""
    title = T.normalise_space(title)
    for sep in (" | ", " - ", " – ", " — "):
        head, _, tail = title.rpartition(sep)
        if head and (tail.strip().lower() in outlets or len(tail.split()) <= 3):
            title = head.strip()
    return _TITLE_PREFIX_RE.sub("", title).strip()


def neutral(title: str) -> bool:
    """True when a title reads as a plain statement: no question, exclamation or bait."""
    return (
        bool(title)
        and "?" not in title
        and "!" not in title
        and not _CLICKBAIT_RE.search(title)
        and not _SHOUTED_TITLE_RE.match(title)
    )


def _titles(
    articles: Sequence[pb.Article], outlets: set[str], copies: Container[str] = frozenset()
) -> dict[str, list[pb.Article]]:
    """Neutral cleaned titles of news articles -> the articles carrying them; none of a
    wire copy (``copies``): a republisher's own title for an agency's report ("Oil price
    rockets after OPEC cut") is no title of the story's own reporting."""
    titles: dict[str, list[pb.Article]] = {}
    for a in articles:
        if a.kind in ("opinion", "analysis") or a.article_id in copies:
            continue
        title = clean_title(a.title, outlets)
        if neutral(title) and len(title.split()) >= 3:
            titles.setdefault(title, []).append(a)
    return titles


def _best_title(
    titles: dict[str, list[pb.Article]], weights: dict[str, float], recency
) -> tuple[str, list[str]]:
    def rank(t: str) -> tuple[float, str]:
        newest = max(recency(a) for a in titles[t])
        central = centrality(T.content_terms(t), weights)
        return (central + 0.05 * len(titles[t]) + HEADLINE_FRESH_WEIGHT * newest, t)

    best = max(titles, key=rank)
    return best, [a.article_id for a in titles[best]]


# A story's headline follows its latest development, as long as that title stays central.
HEADLINE_FRESH_WEIGHT = 0.2
# A title of the latest day leads if it is at least this central compared with the story's
# most central title: a late side angle ("Adobe homes bore the brunt") does not.
LATEST_TITLE_CENTRALITY = 0.7


def _latest_titles(
    titles: dict[str, list[pb.Article]], weights: dict[str, float]
) -> dict[str, list[pb.Article]]:
    """The central titles of the newest day that has any: the latest development, which the
    first reports' figures ("kills at least 9") no longer match once the toll has risen.
    Among them the most central leads, whatever their order within the day."""
    central = {t: centrality(T.content_terms(t), weights) for t in titles}
    floor = LATEST_TITLE_CENTRALITY * max(central.values())
    newest_day = {t: max(_day(a) for a in arts) for t, arts in titles.items()}
    fit = [t for t in titles if central[t] >= floor]
    if not fit:
        return {}
    day = max(newest_day[t] for t in fit)
    return {t: [a for a in titles[t] if _day(a) == day] for t in fit if newest_day[t] == day}


# A title states the lede's news when the lede holds at least this share of its words.
LEDE_TITLE_SHARE = 0.5


def _title_day(arts: Sequence[pb.Article]) -> int:
    return max(_day(a) for a in arts)


def _lede_title(
    titles: dict[str, list[pb.Article]], happened: Sequence[Candidate], day: int
) -> tuple[str, list[str]] | None:
    """The title of the report "What's happened" opens with, when it is of a later day than
    ``day`` (the chosen title's) and the lede states its news: a reader takes the headline
    for the latest development, and the brief opens with it ("Rival bidders circle
    Brightwater's best stores" over the first day's "Brightwater enters administration"),
    even when that title uses less of the story's vocabulary than the first day's did."""
    lede = happened[0] if happened and happened[0].lead else None
    if lede is None:
        return None
    own = set(lede.article_ids)
    stated = T.short_stems(lede.terms)
    fit = []
    for title, arts in titles.items():
        mine = [a for a in arts if a.article_id in own]
        words = T.short_stems(T.content_terms(title))
        if (
            mine
            and _title_day(mine) > day
            and words
            and len(words & stated) >= LEDE_TITLE_SHARE * len(words)
        ):
            fit.append((-_title_day(mine), -len(words & stated), title))
    if not fit:
        return None
    title = min(fit)[2]
    return title, [a.article_id for a in titles[title]]


def _outlets(articles: Sequence[pb.Article]) -> set[str]:
    return {a.outlet.lower() for a in articles} | {a.parent_outlet.lower() for a in articles}


def _recency(articles: Sequence[pb.Article]):
    first, last = seconds(articles[0].published_at), seconds(articles[-1].published_at)
    span = last - first
    return lambda a: (seconds(a.published_at) - first) / span if span > 0 else 1.0


# The label a story of comment alone carries before its piece's title, as papers print it.
_COMMENT_LABELS = {"opinion": "Opinion", "analysis": "Analysis"}


def _column_headline(
    articles: Sequence[pb.Article], outlets: set[str], copies: Container[str]
) -> pb.Sentence | None:
    """For a story made only of opinion or analysis pieces, the newest piece's own title
    labelled as what it is ("Opinion: We built the economy on someone else's computer"): the
    reader sees a column, not a 200-character sentence of it taken for news. None when any
    article is a news report or no piece has a title of three words."""
    if not articles or any(a.kind not in _COMMENT_LABELS for a in articles):
        return None
    pieces = [a for a in articles if a.article_id not in copies] or list(articles)
    for piece in sorted(pieces, key=lambda a: (-seconds(a.published_at), a.article_id)):
        title = clean_title(piece.title, outlets)
        if len(title.split()) >= 3:
            label = _COMMENT_LABELS[piece.kind]
            return pb.Sentence(text=f"{label}: {title}", article_ids=[piece.article_id])
    return None


def headline(
    articles: Sequence[pb.Article],
    weights: dict[str, float],
    happened: Sequence[Candidate],
    candidates: Sequence[Candidate] = (),
    *,
    copies: frozenset[str],
) -> pb.Sentence:
    """One neutral line: the most central plain title of the latest news, else the lead fact.
    Its casualty figures are the story's current ones: a toll a later report has raised is
    stated as raised ("toll rises to 14" -> "... to 16", citing that report), and a title
    whose raised toll cannot be restated gives way to one whose figures stand. ``copies``: the
    story's wire copies, whose titles are not the story's own."""
    outlets = _outlets(articles)
    titles = _titles(articles, outlets, copies)
    if not titles and copies and happened and happened[0].lead:
        # Only copies carry titles: the agency's own opening states the news plainer than a
        # republisher's headline for it.
        lead = happened[0]
        return pb.Sentence(text=C.present(lead.text).rstrip("."), article_ids=lead.article_ids)
    if titles:
        latest = _latest_titles(titles, weights)
        # Within the latest day the most central title leads, whatever the hour.
        recency = (lambda a: 0.0) if latest else _recency(articles)
        pool = latest or titles
        text, ids = _best_title(pool, weights, recency)
        told = _lede_title(titles, happened, _title_day(titles[text]))
        if told is not None:
            text, ids = told
        if not tallies_mod.tallies(text):
            return pb.Sentence(text=text, article_ids=ids)  # the usual title: no toll
        reports = _standing_counts(candidates)
        current = _current_figures(text, ids, titles[text], reports)
        if current is None:
            # A raised toll it cannot restate: a title whose figures still stand, if any.
            standing = {t: a for t, a in pool.items() if not _revised(t, a, reports)}
            text, ids = _best_title(standing or pool, weights, recency)
            current = pb.Sentence(text=text, article_ids=ids)
        return current
    column = _column_headline(articles, outlets, copies)
    if column is not None:
        return column
    if happened:
        lead = max(happened, key=lambda c: c.score)
        return pb.Sentence(text=lead.text.rstrip("."), article_ids=lead.article_ids)
    first = articles[0]
    return pb.Sentence(text=clean_title(first.title, outlets), article_ids=[first.article_id])


def _standing_counts(
    candidates: Sequence[Candidate],
) -> list[tuple[float, dict[str, int], Candidate]]:
    """(time, counts, sentence) of each of the story's current casualty counts: the facts
    stating one that no later report has revised (background tells of other events)."""
    out = []
    for c in candidates:
        if c.kind != BACKGROUND and not c.superseded and tallies_mod.may_state_tally(c.terms):
            counts = tallies_mod.tallies(c.text)
            if counts:
                out.append((c.last_seen, counts, c))
    return out


def _revised(title: str, arts: Sequence[pb.Article], reports) -> dict[str, tuple[int, int]]:
    counts = tallies_mod.tallies(title)
    if not counts or not reports:
        return {}
    at = max(seconds(a.published_at) for a in arts)
    return tallies_mod.revisions(at, counts, [(t, n) for t, n, _ in reports])


def _current_figures(
    text: str, ids: list[str], arts: Sequence[pb.Article], reports
) -> pb.Sentence | None:
    """The title with each casualty figure a later report revised stated as that report's
    count ("rises to 14" -> "rises to 16"), citing that report too; None when such a figure
    cannot be told apart in the title (two figures state the old count)."""
    revised = _revised(text, arts, reports)
    cited = list(ids)
    old = tallies_mod.tallies(text)
    for measure, (index, count) in sorted(revised.items()):
        restated = tallies_mod.restate(text, old[measure], count)
        if restated is None:
            return None
        text = restated
        cited.extend(reports[index][2].article_ids)
    return pb.Sentence(text=text, article_ids=list(dict.fromkeys(cited)))


def _day(a: pb.Article) -> int:
    return a.published_at.seconds // 86400


def timeline(
    story_id: str,
    articles: Sequence[pb.Article],
    head: pb.Sentence,
    related: Sequence[Related],
    weights: dict[str, float] | None = None,
    recase: Callable[[str], str] = str,
    *,
    copies: Container[str],
) -> list[pb.TimelineEntry]:
    """One entry per day of this story (its main development that day) and one per linked
    earlier or follow-up story, oldest first. ``recase`` prints a title in house style;
    ``copies``: the story's wire copies."""
    outlets, entries = _outlets(articles), []
    by_day: dict[int, list[pb.Article]] = {}
    for a in articles:
        by_day.setdefault(_day(a), []).append(a)
    for day_articles in by_day.values():
        # A day told only in wire copies still happened: then a copy's title dates it.
        titles = _titles(day_articles, outlets, copies) or _titles(day_articles, outlets)
        if not titles:
            continue  # a day of only comment and analysis is no development of its own
        text, ids = _best_title(titles, weights or {}, lambda a: 0.0)
        chosen = [a for a in day_articles if a.article_id in ids]
        entry = pb.TimelineEntry(text=recase(text), story_id=story_id, article_ids=ids)
        entry.at.CopyFrom(min(chosen, key=seconds_of).published_at)
        entries.append(entry)
    if not entries:
        entry = pb.TimelineEntry(
            text=head.text,
            story_id=story_id,
            article_ids=list(head.article_ids) or [articles[0].article_id],
        )
        entry.at.CopyFrom(articles[0].published_at)
        entries.append(entry)
    for r in related:
        entry = pb.TimelineEntry(
            text=r.headline, story_id=r.story_id, article_ids=list(r.article_ids)
        )
        entry.at.FromSeconds(int(r.at))
        entries.append(entry)
    return sorted(entries, key=lambda e: (e.at.seconds, e.story_id))


def seconds_of(a: pb.Article) -> float:
    """Publication time of an article in epoch seconds."""
    return seconds(a.published_at)


def _sources(brief: pb.Brief, articles: Sequence[pb.Article]) -> None:
    for a in articles:
        source = pb.SourceArticle(
            article_id=a.article_id,
            outlet=a.outlet,
            url=a.url,
            title=a.title,
            duplicate_of=a.duplicate_of,
        )
        source.published_at.CopyFrom(a.published_at)
        brief.articles.append(source)
    brief.outlets.extend(dict.fromkeys(a.outlet for a in articles if a.outlet))
    languages = Counter(a.language for a in articles if a.language)
    brief.language = languages.most_common(1)[0][0] if languages else ""
    brief.first_published_at.CopyFrom(articles[0].published_at)
