"""Compose's writes to the serving store: batched, retried through outages, never backwards.

Several agents publish concurrently (new articles, debounced rebuilds, merges, hub answers),
and each waits out a Redis outage by retrying. Without care, a retry of version N can land
after version N+1 of the same story went through, and Redis then serves the older brief
(issue 7: "brief version went backwards" after Redis came back). So all writes go through one
writer: one batch at a time, in one MULTI/EXEC, and a brief is dropped from a batch once a
newer version of its story has been built.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from redis.exceptions import RedisError

from newsbrief import store
from newsbrief.keys import Keys
from newsbrief.v1 import newsbrief_pb2 as pb

log = logging.getLogger(__name__)


@dataclass
class Batch:
    """Documents to write to Redis together."""

    briefs: list[tuple[pb.Brief, pb.Brief | None]] = field(default_factory=list)
    hubs: list[pb.Hub] = field(default_factory=list)
    cards: list[pb.EntityCard] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.briefs or self.hubs or self.cards)

    def add(self, other: Batch) -> None:
        """Append another batch."""
        self.briefs += other.briefs
        self.hubs += other.hubs
        self.cards += other.cards


def current_briefs(
    briefs: Iterable[tuple[pb.Brief, pb.Brief | None]], latest: dict[str, int]
) -> list[tuple[pb.Brief, pb.Brief | None]]:
    """The briefs still worth writing: per story only the newest, and none older than built.

    ``latest`` maps a story to the newest version built in this process.
    """
    newest: dict[str, tuple[pb.Brief, pb.Brief | None]] = {}
    for brief, previous in briefs:
        if brief.version < latest.get(brief.story_id, 0):
            continue
        kept = newest.get(brief.story_id)
        if kept is None or brief.version >= kept[0].version:
            newest[brief.story_id] = (brief, previous)
    return list(newest.values())


def queue_batch(pipe, keys: Keys, batch: Batch) -> None:
    """Queue the store writes of a batch on a pipeline."""
    for brief, previous in batch.briefs:
        store.queue_brief(pipe, keys, brief, previous)
    for hub in batch.hubs:
        store.queue_hub(pipe, keys, hub)
    for card in batch.cards:
        store.queue_entity(pipe, keys, card)


class ServingWriter:
    """Writes batches to Redis one at a time; callers waiting meanwhile share the next write."""

    def __init__(self, redis, keys: Keys, max_delay: float = 1.0) -> None:
        self.redis, self.keys, self.max_delay = redis, keys, max_delay
        self.latest: dict[str, int] = {}
        self._queued: list[tuple[Batch, asyncio.Future]] = []
        self._lock = asyncio.Lock()

    def built(self, briefs: Iterable[pb.Brief]) -> None:
        """Record versions as they are built, so an older one still waiting is not written."""
        for brief in briefs:
            if brief.version > self.latest.get(brief.story_id, 0):
                self.latest[brief.story_id] = brief.version

    async def write(self, batch: Batch) -> None:
        """Write a batch, waiting out Redis outages; return once it (or newer) is served."""
        if not batch:
            return
        done = asyncio.get_running_loop().create_future()
        self._queued.append((batch, done))
        async with self._lock:
            if not done.done():
                queued, self._queued = self._queued, []
                merged = Batch()
                for each, _ in queued:
                    merged.add(each)
                try:
                    await self._write_retrying(merged)
                except BaseException as exc:
                    for _, fut in queued:
                        if not fut.done():
                            fut.set_exception(exc)
                    raise
                for _, fut in queued:
                    if not fut.done():
                        fut.set_result(None)
        await done

    async def _write_retrying(self, batch: Batch) -> None:
        # A story event is only done once its documents are served: while Redis is away, wait
        # and retry rather than let the event's offset be committed with nothing written.
        delay = 0.2
        while True:
            # Filtered on every attempt: a newer version may have been built while we waited.
            todo = Batch(current_briefs(batch.briefs, self.latest), batch.hubs, batch.cards)
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    queue_batch(pipe, self.keys, todo)
                    await pipe.execute()
                return
            except (RedisError, OSError) as exc:
                log.warning("redis write failed (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_delay)
