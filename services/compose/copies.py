"""Wire copies: which of a story's articles republish another's report, and whose report each
carries. Worked out once per brief; the headline, the timeline, "What the papers say" and the
count of publishers supporting a sentence all ask this one answer."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import cues as C
from services.compose.candidates import ParsedArticle, parse_story, publisher, seconds

# Two reports sharing this many of their sentences word for word, and this share of the
# shorter one's, are one report and its republication.
VERBATIM_SENTENCES = 3
VERBATIM_SHARE = 0.6

_COMMENT = ("opinion", "analysis")


@dataclass(frozen=True)
class StoryCopies:
    """The story's wire copies (``ids``) and, for each, the publisher whose report it carries
    (``voices``): the original's when the story holds it, else a name standing for the absent
    original ("agency cpa", "duplicate of a1b2..."), so copies of one report count as one."""

    ids: frozenset[str] = frozenset()
    voices: Mapping[str, str] = field(default_factory=dict)


def wire_copies(articles: Sequence[pb.Article]) -> frozenset[str]:
    """Ids of the story's articles that are recognisably another's republication, whether
    or not the original is in the story (see ``story_copies``)."""
    return story_copies(articles).ids


def story_copies(articles: Sequence[pb.Article]) -> StoryCopies:
    """The story's articles that are recognisably another's republication, whether or not
    the original is in the story: one whose dateline credits an agency other than its outlet
    ("VIENNA, Nov 19 (CPA) -" in the Daily Courier), one ingest found a near duplicate of an
    earlier article (``duplicate_of``), and every report but the original of a set that share
    their own sentences word for word (quotations do not count: outlets quoting one official
    are not copies). An agency's report under its own dateline is never a copy: ingest may
    have met a republication first, so a report it marked as the agency's original is the copy."""
    parsed = dict(zip((a.article_id for a in articles), parse_story(articles), strict=True))
    own, flagged = set(), set()
    for a in articles:
        tag = parsed[a.article_id].agency
        if tag and C.names_outlet(tag, a.parent_outlet or a.outlet):
            own.add(a.article_id)
        elif tag or a.duplicate_of:
            flagged.add(a.article_id)
    origin: dict[str, str] = {}  # copy id -> the story's article it republishes
    for a in articles:
        # Ingest met the copy first and marked the agency's report as its duplicate.
        if a.article_id in own and a.duplicate_of in parsed and a.duplicate_of not in own:
            flagged.add(a.duplicate_of)
            origin[a.duplicate_of] = a.article_id
    for group in _verbatim_groups(articles, parsed):
        original = min(
            group,
            key=lambda a: (
                a.article_id not in own,
                seconds(a.published_at),
                bool(a.duplicate_of),
                a.article_id,
            ),
        )
        for a in group:
            if a is not original:
                flagged.add(a.article_id)
                origin.setdefault(a.article_id, original.article_id)
    ids = frozenset(flagged - own)
    return StoryCopies(ids, _voices(articles, parsed, ids, origin))


def _voices(
    articles: Sequence[pb.Article],
    parsed: Mapping[str, ParsedArticle],
    ids: frozenset[str],
    origin: dict[str, str],
) -> dict[str, str]:
    """Copy id -> the publisher whose report it carries."""
    by_id = {a.article_id: a for a in articles}
    for a in articles:
        if a.article_id in ids and a.article_id not in origin:
            found = _original_in_story(a, parsed[a.article_id].agency, by_id, ids)
            if found:
                origin[a.article_id] = found
    voices: dict[str, str] = {}
    for copy_id in sorted(ids):  # ids is a frozenset: the same order in every process
        source = _carried(copy_id, ids, origin)
        if source in ids:  # its original is not in the story
            voices[copy_id] = _absent_voice(by_id[source], parsed[source].agency)
        else:
            voices[copy_id] = publisher(by_id[source])
    return voices


def _carried(copy_id: str, ids: frozenset[str], origin: Mapping[str, str]) -> str:
    """The article whose report a copy carries: its original, or the original's original
    (a reprint of the Courier's reprint of CPA carries CPA's report); a copy when the chain
    ends outside the story. Marks that loop ("a duplicates b", "b duplicates a") end at the
    loop's first article by id, as if its original were missing: the loop is one voice."""
    source, seen = copy_id, set()
    while source in ids and source in origin:
        if source in seen:
            return min(seen)
        seen.add(source)
        source = origin[source]
    return source


def _original_in_story(
    copy: pb.Article, agency: str, by_id: Mapping[str, pb.Article], ids: frozenset[str]
) -> str:
    """The story's article a copy republishes, when its marks name one: the article ingest
    found it duplicates, else the earliest of the agency's own that its dateline credits."""
    if copy.duplicate_of in by_id:
        return copy.duplicate_of
    if agency:
        for a in by_id.values():  # oldest first (``by_id`` is filed in the story's order)
            if a.article_id not in ids and C.names_outlet(agency, a.parent_outlet or a.outlet):
                return a.article_id
    return ""


def _absent_voice(copy: pb.Article, agency: str) -> str:
    """A name for the report a copy carries when the story lacks it: ingest's mark names the
    very article, the dateline only the agency."""
    if copy.duplicate_of:
        return f"duplicate of {copy.duplicate_of}"
    return f"agency {agency.lower()}"


def _verbatim_groups(
    articles: Sequence[pb.Article], parsed: Mapping[str, ParsedArticle]
) -> list[list[pb.Article]]:
    """Sets of the story's news reports that share most of their sentences word for word.

    Each article's sentences are normalised once, when it is parsed (``verbatim``). Here set
    operations in C find the sentences that more than one report holds, and only reports that
    could pass the test are compared: the usual story, whose outlets each write their own
    sentences, costs one pass over its articles."""
    news = [a for a in articles if a.kind not in _COMMENT]
    keys = [parsed[a.article_id].verbatim for a in news]
    seen: set[str] = set()
    shared: set[str] = set()  # sentences of more than one report
    for held in keys:
        shared.update(seen.intersection(held))
        seen.update(held)
    if not shared:
        return []
    holding = {}  # report -> its sentences that another report holds too, if enough of them
    for index, held in enumerate(keys):
        common = shared.intersection(held)
        if len(common) >= VERBATIM_SENTENCES:
            holding[index] = common
    if len(holding) < 2:
        return []
    sizes = [len(held) for held in keys]  # the reporters' own sentences
    parent = list(range(len(news)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in _pairs_to_compare(holding, sizes):
        n = len(holding[i] & holding[j])
        if n >= VERBATIM_SENTENCES and n >= VERBATIM_SHARE * min(sizes[i], sizes[j]):
            parent[root(i)] = root(j)
    groups: dict[int, list[pb.Article]] = {}
    for index, a in enumerate(news):
        groups.setdefault(root(index), []).append(a)
    return [g for g in groups.values() if len(g) > 1]


def _pairs_to_compare(holding: Mapping[int, set[str]], sizes: Sequence[int]):
    """The pairs of reports that may share enough sentences, each once (a prefix filter).

    No pair passes sharing fewer than ``least`` sentences, the test's count for the shortest
    report holding any. Put the shared sentences in one order: two reports sharing ``least``
    or more then share one of the first ``len(common) - least + 1`` of each's (the first
    sentence they share is at most that far in, in both). So only reports sharing one of those
    are compared: a report sharing fewer than ``least`` sentences with all the others together
    is compared with none, and most pairs of outlets sharing a few stock sentences never are."""
    least = max(VERBATIM_SENTENCES, math.ceil(VERBATIM_SHARE * min(sizes[i] for i in holding)))
    rank = {text: place for place, text in enumerate(set().union(*holding.values()))}
    by_first: dict[int, list[int]] = {}  # a sentence's place -> reports it opens the prefix of
    pairs: set[tuple[int, int]] = set()
    for i, common in holding.items():
        if len(common) < least:
            continue  # shares too few with all the others together to pass with any one
        prefix = sorted(map(rank.__getitem__, common))[: len(common) - least + 1]
        for place in prefix:
            others = by_first.setdefault(place, [])
            pairs.update((j, i) for j in others)
            others.append(i)
    return sorted(pairs)
