"""Compose a story's brief from its articles: a pure function, no I/O."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import text as T
from services.compose.candidates import (
    ANALYSIS,
    BACKGROUND,
    FACT,
    Candidate,
    build_candidates,
    centrality,
    near_repeat,
    seconds,
)
from services.compose.papers import papers_say

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
    cards: Callable[[Sequence[pb.Article]], list[pb.EntityCard]] | None = None
    max_papers_lines: int = 5
    max_topics: int = 6
    extra: dict = field(default_factory=dict)


def compose_brief(story_id: str, articles: Sequence[pb.Article], context: BriefContext) -> pb.Brief:
    """Build every section of a story's brief from its articles (version left at 0)."""
    articles = sorted(articles, key=lambda a: (seconds(a.published_at), a.article_id))
    brief = pb.Brief(story_id=story_id, follows_story_id=context.follows_story_id)
    brief.merged_from.extend(context.merged_from)
    brief.updated_at.FromSeconds(int(context.now))
    if not articles:
        return brief
    candidates, weights = build_candidates(articles)
    happened = whats_happened(candidates)
    behind = behind_the_headline(candidates, happened)
    background = how_we_got_here(candidates, happened + behind)
    brief.headline.CopyFrom(headline(articles, weights, happened))
    brief.whats_happened.extend(_sentence(c) for c in happened)
    brief.behind_the_headline.extend(_sentence(c) for c in behind)
    brief.how_we_got_here.extend(_sentence(c) for c in background)
    used = happened + behind + background
    brief.what_the_papers_say.extend(
        papers_say(articles, candidates, used, context.max_papers_lines)
    )
    brief.timeline.extend(timeline(story_id, articles, brief.headline, context.related))
    brief.go_deeper.extend(context.hubs[:3])
    if context.cards is not None:
        brief.topics.extend(context.cards(articles)[: context.max_topics])
    _sources(brief, articles)
    return brief


def _sentence(c: Candidate) -> pb.Sentence:
    return pb.Sentence(text=c.text, article_ids=list(dict.fromkeys(c.article_ids)))


def _pick(pool: Sequence[Candidate], limit: int, avoid: Sequence[Candidate]) -> list[Candidate]:
    chosen: list[Candidate] = []
    for c in sorted(pool, key=lambda c: (-c.score, c.first_seen, c.text)):
        if len(chosen) >= limit:
            break
        if not near_repeat(c, chosen) and not near_repeat(c, avoid):
            chosen.append(c)
    return chosen


def whats_happened(candidates: Sequence[Candidate]) -> list[Candidate]:
    """2-4 central facts across outlets, no two alike, newest first."""
    facts = [c for c in candidates if c.kind == FACT and not c.text.endswith("?")]
    chosen = _pick(facts, MAX_WHATS_HAPPENED, ())
    if chosen:
        floor = chosen[0].score * 0.55
        chosen = chosen[:2] + [c for c in chosen[2:] if c.score >= floor]
    if len(chosen) < 2:
        # Too few plain facts: statements with a reporting verb are still facts of the story.
        spare = [c for c in candidates if c.kind == ANALYSIS and not c.quoted]
        chosen += _pick(spare, 2 - len(chosen), chosen)
    return sorted(chosen, key=lambda c: (-c.first_seen, c.position))


def behind_the_headline(
    candidates: Sequence[Candidate], happened: Sequence[Candidate]
) -> list[Candidate]:
    """Analysis, assessments and attributed quotes, never a repeat of "What's happened"."""
    pool = [c for c in candidates if c.kind == ANALYSIS and not any(c is h for h in happened)]
    return _pick(pool, MAX_BEHIND, happened)


def how_we_got_here(candidates: Sequence[Candidate], used: Sequence[Candidate]) -> list[Candidate]:
    """Background sentences: earlier events and context."""
    pool = [c for c in candidates if c.kind == BACKGROUND and not any(c is u for u in used)]
    return _pick(pool, MAX_BACKGROUND, used)


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
    return bool(title) and "?" not in title and "!" not in title and not _CLICKBAIT_RE.search(title)


def headline(
    articles: Sequence[pb.Article], weights: dict[str, float], happened: Sequence[Candidate]
) -> pb.Sentence:
    """One neutral line: the most central plain title, else the lead fact."""
    outlets = {a.outlet.lower() for a in articles} | {a.parent_outlet.lower() for a in articles}
    titles: dict[str, list[str]] = {}
    for a in articles:
        if a.kind in ("opinion", "analysis"):
            continue
        title = clean_title(a.title, outlets)
        if neutral(title) and len(title.split()) >= 3:
            titles.setdefault(title, []).append(a.article_id)
    if titles:
        best = max(
            titles,
            key=lambda t: (centrality(T.content_terms(t), weights) + 0.05 * len(titles[t]), t),
        )
        return pb.Sentence(text=best, article_ids=titles[best])
    if happened:
        lead = max(happened, key=lambda c: c.score)
        return pb.Sentence(text=lead.text.rstrip("."), article_ids=lead.article_ids)
    first = articles[0]
    return pb.Sentence(text=clean_title(first.title, outlets), article_ids=[first.article_id])


def timeline(
    story_id: str, articles: Sequence[pb.Article], head: pb.Sentence, related: Sequence[Related]
) -> list[pb.TimelineEntry]:
    """Dated entries for this story and the stories it follows or that follow it, oldest first."""
    first = articles[0]
    entries = [
        pb.TimelineEntry(
            text=head.text,
            story_id=story_id,
            article_ids=list(head.article_ids) or [first.article_id],
        )
    ]
    entries[0].at.CopyFrom(first.published_at)
    for r in related:
        entry = pb.TimelineEntry(
            text=r.headline, story_id=r.story_id, article_ids=list(r.article_ids)
        )
        entry.at.FromSeconds(int(r.at))
        entries.append(entry)
    return sorted(entries, key=lambda e: (e.at.seconds, e.story_id))


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
