"""Compose's Redis writer on a real Redis: batched writes, and never an older brief version."""

from __future__ import annotations

import asyncio

import pytest
import redis
import redis.asyncio as aioredis

from newsbrief.keys import Keys
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.serving import Batch, ServingWriter, current_briefs

pytestmark = pytest.mark.integration


def _brief(story_id: str, version: int, headline: str = "Quake hits Peru") -> pb.Brief:
    brief = pb.Brief(story_id=story_id, version=version)
    brief.headline.text = f"{headline} v{version}"
    brief.updated_at.FromSeconds(1000 + version)
    return brief


def test_current_briefs_keeps_the_newest_per_story_and_drops_superseded_ones() -> None:
    v4, v5, v6 = (_brief("s1", v) for v in (4, 5, 6))
    other = _brief("s2", 1)
    kept = current_briefs([(v5, v4), (other, None), (v6, v5), (v6, v5)], latest={"s1": 6})
    assert [(b.story_id, b.version) for b, _ in kept] == [("s2", 1), ("s1", 6)]
    assert current_briefs([(v5, v4)], latest={"s1": 6}) == []


def test_a_retried_older_version_never_replaces_a_newer_one(redis_url, redis_key_prefix) -> None:
    keys = Keys(redis_key_prefix)

    async def run() -> None:
        client = aioredis.from_url(redis_url)
        writer = ServingWriter(client, keys)
        v5, v6 = _brief("s1", 5), _brief("s1", 6)
        writer.built([v5])
        writer.built([v6])  # v6 built while v5 still waited to be written
        await asyncio.gather(
            writer.write(Batch(briefs=[(v6, v5)])), writer.write(Batch(briefs=[(v5, None)]))
        )
        await writer.write(Batch(briefs=[(v5, None)]))  # a late retry of v5
        await client.aclose()

    asyncio.run(run())
    stored = redis.Redis.from_url(redis_url).hget(keys.story("s1"), "version")
    assert int(stored) == 6


def test_concurrent_writers_share_batches_and_all_return(redis_url, redis_key_prefix) -> None:
    keys = Keys(redis_key_prefix)
    briefs = [_brief(f"s{n}", 1) for n in range(20)]

    async def run() -> None:
        client = aioredis.from_url(redis_url)
        writer = ServingWriter(client, keys)
        writer.built(briefs)
        await asyncio.gather(*(writer.write(Batch(briefs=[(b, None)])) for b in briefs))
        await client.aclose()

    asyncio.run(run())
    sync = redis.Redis.from_url(redis_url)
    assert sync.zcard(keys.stories) == 20
