"""Pure conversions between protobuf messages and the engine's and ledger's plain values."""

from __future__ import annotations

from datetime import UTC, datetime

from newsbrief.v1 import newsbrief_pb2 as pb

from .ledger import EventSpec


def _seconds(ts) -> float | None:
    """Epoch seconds of a protobuf Timestamp, None when unset."""
    if ts.seconds == 0 and ts.nanos == 0:
        return None
    return ts.seconds + ts.nanos / 1e9


def event_time(article: pb.Article) -> float | None:
    """When the article happened for clustering and closing: published, never after ingestion.

    A publisher's clock in the future would otherwise jump the shard's clock ahead and close
    every open story at once.
    """
    published = _seconds(article.published_at)
    ingested = _seconds(article.ingested_at)
    if published is None:
        return ingested
    return published if ingested is None else min(published, ingested)


def article_dict(article: pb.Article) -> dict:
    """The engine's input record (the `bench cluster` JSONL fields) for one article."""
    at = event_time(article)
    return {
        "id": article.article_id,
        "title": article.title,
        "text": article.text or article.summary,
        "outlet": article.outlet,
        "url": article.canonical_url or article.url,
        "published": datetime.fromtimestamp(at, UTC).isoformat() if at is not None else None,
        "lang": article.language,
        "duplicate_of": article.duplicate_of or None,
    }


def story_event(spec: EventSpec, members: list[str], article: pb.Article | None) -> pb.StoryEvent:
    """The StoryEvent message for a spec; members is the story's current member list."""
    event = pb.StoryEvent(
        story_id=spec.story_id,
        kind=pb.StoryEvent.Kind.Value(spec.kind),
        sequence=spec.sequence,
        article_ids=members[: spec.count],
        absorbed_story_ids=spec.absorbed,
        follows_story_id=spec.follows,
        moved_article_ids=spec.moved,
        split_story_id=spec.split_into,
        split_from_story_id=spec.split_from,
    )
    if spec.at is not None:
        event.at.FromNanoseconds(round(spec.at * 1e9))
    if spec.article_id and article is not None and article.article_id == spec.article_id:
        event.article.CopyFrom(article)
    return event
