"""Each worker's in-memory copy of the briefs and story pages it serves, kept current by Redis.

The briefs are read on a connection of their own with RESP3 ``CLIENT TRACKING`` on: Redis
remembers which keys this connection read and, when any of them is written, deleted, renamed,
expired or evicted, pushes an ``invalidate`` message on the same connection; ``FLUSHALL`` and
``FLUSHDB`` push one for every key. Every writer is covered (compose, ``rebuild-cache``, an
operator's ``redis-cli``) without any of them knowing the cache exists.

Why a copy is current: replies and pushes travel on one connection in the order Redis produced
them, and a reply is stored in the cache as soon as it is parsed, before any later push is
looked at (``fastredis`` hooks). So a cached brief was read before any later change, and that
change's invalidation is the next thing about the key this worker will read from the socket.

Staleness bound: none for a reader that saw the change announced. Redis does not always flush
an invalidation to this connection before a client elsewhere has heard of the write (the
pipeline benchmark caught a worker serving a brief one version behind what ``/v1/updates`` had
announced, 13 reads in 2,433), so a cached copy is served only after a ``PING`` on the tracking
connection comes back: every invalidation Redis produced before it ran arrives ahead of its
reply. A hit still costs that round trip, but not the body's transfer and parsing. ``max_age``
(1 s by default) caps a copy's life whatever happens; a lost connection (Redis restarted,
replaced or unreachable) empties the cache at once.

Pages of ``GET /v1/stories`` depend on several keys (the sorted set, then each summary), read
in two steps on the tracking connection. A page is kept only if no invalidation at all arrived
between the first read and the last (``epoch``): it was then current as a whole, and any later
change to one of its keys drops it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from newsbrief import documents as docs
from services.api.fastredis import FastRedis

FIELDS = ("json", "etag")
# Memory bound per worker: once this many bytes of bodies were stored since the cache was last
# emptied, it is emptied again (live copies never exceed what was stored since). Refilling the
# briefs readers actually ask for costs one read each, so a plain reset is enough.
MAX_BYTES = 32 * 1024 * 1024
T = TypeVar("T", bound=tuple[bytes, Any, Any])

Entry = tuple[bytes, bytes, float]


def drop(entries: dict[bytes, Entry], keys: list[bytes] | None) -> None:
    """Forget the invalidated keys; ``None`` (a flush) forgets everything."""
    if keys is None:
        entries.clear()
        return
    for key in keys:
        entries.pop(key, None)


def fresh(entry: Entry | None, now: float, max_age: float) -> tuple[bytes, bytes] | None:
    """The cached body and ETag while the copy is young enough to serve, else None."""
    if entry is None or now - entry[2] >= max_age:
        return None
    return entry[0], entry[1]


class BriefCache:
    """Story briefs (``json``, ``etag``) and story pages, read through a tracking connection."""

    def __init__(self, url: str, timeout: float, max_age: float) -> None:
        self.max_age = max_age
        self.entries: dict[bytes, Entry] = {}
        self.pages: dict[Hashable, tuple[Any, float]] = {}
        # Which cached pages each key's invalidation must drop.
        self.readers: dict[bytes, set[Hashable]] = {}
        # Bumped by every invalidation: a page read across it may mix old and new keys.
        self.epoch = 0
        self.stored = 0
        self.fast = FastRedis(url, timeout, tracking=self)
        self.hits = 0
        self.misses = 0

    def invalidate(self, keys: list[bytes] | None) -> None:
        """Redis says these keys changed (fastredis' listener)."""
        self.epoch += 1
        drop(self.entries, keys)
        if keys is None:
            self.pages.clear()
            self.readers.clear()
            return
        for key in keys:
            for name in self.readers.pop(key, ()):
                self.pages.pop(name, None)

    def reset(self) -> None:
        """The tracking connection is gone: nothing cached is known current any more."""
        self.invalidate(None)

    def _budget(self, size: int) -> None:
        """Count bytes about to be stored; empty everything first when over the budget."""
        if self.stored + size > MAX_BYTES:
            self.entries.clear()
            self.pages.clear()
            self.readers.clear()
            self.stored = 0
        self.stored += size

    async def read(self, key: str) -> tuple[bytes | None, bytes | None]:
        """The story hash's body and ETag (None, None when absent); RedisError on failure.

        In today's shape (``documents.current_stored``): a copy is upgraded once, as it is
        stored, rather than on every request that it serves.
        """
        name = key.encode()
        now = asyncio.get_running_loop().time()
        cached = fresh(self.entries.get(name), now, self.max_age)
        if cached is not None:
            await self._barrier()
            cached = fresh(self.entries.get(name), now, self.max_age)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1

        served: tuple[bytes, bytes] | None = None

        def store(reply: Any) -> None:
            # Runs as the reply is parsed, so an invalidation that follows it wins.
            nonlocal served
            body, etag = reply
            if body is not None and etag is not None:
                served = docs.current_stored(body, etag)
                self._budget(len(served[0]))
                self.entries[name] = (*served, asyncio.get_running_loop().time())

        body, etag = await self.fast.execute_hooked(("HMGET", key, *FIELDS), store)
        return served if served is not None else (body, etag)

    async def _barrier(self) -> None:
        """Return once every invalidation Redis produced so far has been applied."""
        await self.fast.execute("PING")

    async def page(
        self,
        name: Hashable,
        first: Callable[[FastRedis], Any],
        keys_of: Callable[[Any], tuple[list[str], list[str]]],
        build: Callable[[Any, list[Any]], T],
    ) -> T:
        """A page, from memory while current, else read in two steps and kept.

        ``first`` runs the first read (which must name every key it reads as a script KEY or
        command key, so Redis tracks them); ``keys_of`` gives, from its reply, the keys it read
        and the keys to MGET next; ``build`` makes the page, ``(body, ...)``, from both
        replies. ``name`` must determine the page entirely.
        """
        loop = asyncio.get_running_loop()
        cached = self.pages.get(name)
        if cached is not None:
            await self._barrier()
            cached = self.pages.get(name)
        if cached is not None and loop.time() - cached[1] < self.max_age:
            self.hits += 1
            return cached[0]
        self.misses += 1
        epoch = self.epoch
        reply = await first(self.fast)
        read, more = keys_of(reply)
        found = await self.fast.execute("MGET", *more) if more else []
        result = build(reply, found)
        if self.epoch == epoch:
            self._budget(len(result[0]))
            self.pages[name] = (result, loop.time())
            for key in (*read, *more):
                self.readers.setdefault(key.encode(), set()).add(name)
        return result

    async def close(self) -> None:
        """Close the tracking connection (which empties the cache)."""
        await self.fast.close()
        self.invalidate(None)
