"""Test corpora for compose: the hand-written fixture and the sample feeds in examples/."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from newsbrief.ids import article_id, content_hash
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.candidates import Candidate, build_candidates

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "tests" / "fixtures" / "compose" / "stories.jsonl"
EXAMPLES = ROOT / "examples"


def _article(
    url: str, outlet: str, title: str, text: str, published: datetime, **extra: str
) -> pb.Article:
    a = pb.Article(
        article_id=article_id(url),
        canonical_url=url,
        url=url,
        outlet=outlet,
        language="en",
        title=title,
        text=text,
        content_hash=content_hash(text),
        **{k: v for k, v in extra.items() if v},
    )
    a.published_at.FromDatetime(published)
    return a


def fixture_stories() -> dict[str, list[pb.Article]]:
    """The hand-written fixture corpus: story key -> articles."""
    stories: dict[str, list[pb.Article]] = defaultdict(list)
    for line in FIXTURE.read_text().splitlines():
        row = json.loads(line)
        published = datetime.fromisoformat(row["published"].replace("Z", "+00:00"))
        dup = row.get("duplicate_of", "")
        stories[row["story"]].append(
            _article(
                row["url"],
                row["outlet"],
                row["title"],
                row["text"],
                published,
                parent_outlet=row.get("parent", ""),
                kind=row.get("kind", ""),
                duplicate_of=article_id(dup) if dup else "",
            )
        )
    return dict(stories)


def example_stories() -> dict[str, list[pb.Article]] | None:
    """The sample corpus (examples/feeds + stories.tsv) grouped by gold story, or None."""
    feeds_toml, gold = EXAMPLES / "feeds.toml", EXAMPLES / "stories.tsv"
    if not (feeds_toml.exists() and gold.exists()):
        return None
    import tomllib

    import feedparser

    labels, kinds = {}, {}
    with gold.open() as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) >= 2 and not row[0].startswith("#") and row[0] != "link":
                labels[row[0].strip()] = row[1].strip()
                kinds[row[0].strip()] = row[2].strip() if len(row) > 2 else ""
    copies = _wire_copies()
    stories: dict[str, list[pb.Article]] = defaultdict(list)
    config = tomllib.loads(feeds_toml.read_text())
    for feed in config.get("feeds", config.get("feed", [])):
        parsed = feedparser.parse(str(EXAMPLES / feed["url"]))
        for entry in parsed.entries:
            link = entry.get("link", "")
            if link not in labels:
                continue
            body = entry.get("content", [{}])[0].get("value", "") or entry.get("summary", "")
            text = _plain(body)
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            published = (
                datetime(*stamp[:6], tzinfo=UTC) if stamp else datetime(2024, 1, 1, tzinfo=UTC)
            )
            stories[labels[link]].append(
                _article(
                    link,
                    feed.get("outlet", ""),
                    entry.get("title", ""),
                    text,
                    published,
                    parent_outlet=feed.get("parent", ""),
                    # As ingest marks them: opinion/analysis from the source, wire copies as
                    # near-duplicates of the agency's original.
                    kind=kinds[link] if kinds[link] in ("analysis", "opinion") else "",
                    duplicate_of=article_id(copies[link]) if link in copies else "",
                )
            )
    return dict(stories) or None


def _wire_copies() -> dict[str, str]:
    path = EXAMPLES / "wire_copies.tsv"
    if not path.exists():
        return {}
    with path.open() as fh:
        rows = [r for r in csv.reader(fh, delimiter="\t") if len(r) >= 2 and r[0] != "copy_link"]
    return {r[0].strip(): r[1].strip() for r in rows}


def _plain(html: str) -> str:
    import re
    from html import unescape

    html = re.sub(r"(?i)</p\s*>|<br\s*/?>", "\n\n", html)
    return unescape(re.sub(r"<[^>]+>", " ", html)).strip()


def feed_in_published_order(composer, stories: dict[str, list[pb.Article]]) -> float:
    """Every story's articles to the composer as one stream in publication order, then the
    briefs still pending rebuilt; returns the stream's clock at the end."""
    events = sorted((a.published_at.seconds, key, a) for key, arts in stories.items() for a in arts)
    now = 0
    for at, key, article in events:
        now = at + 60
        event = pb.StoryEvent(story_id=key, kind=pb.StoryEvent.ARTICLE_ADDED, article=article)
        composer.on_event(event, now)
    for key in stories:
        if composer.meta.get(key, {}).get("pending"):
            composer.rebuild(key, now + 3600)
    return now


def candidate_with(articles: list[pb.Article], words: str) -> Candidate:
    """The story's first candidate sentence containing ``words``."""
    candidates, _ = build_candidates(articles)
    return next(c for c in candidates if words in c.text)
