"""Sending what one event or rebuild produced, in an order a kill -9 cannot turn into a loss.

The order is the point of this module, so it is kept apart from the faust wiring (app.py) and
tested with in-memory sinks (tests/unit/compose/test_publishing.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from newsbrief.codec import encode
from services.compose.composer import Outputs, keeper_view
from services.compose.serving import Batch


class Channel(Protocol):
    """A topic: ``send`` returns once the message is queued, with a future of its delivery."""

    async def send(self, *, key: bytes, value: bytes) -> Awaitable[Any]: ...


class Writer(Protocol):
    """The serving store (services.compose.serving.ServingWriter)."""

    def built(self, briefs) -> None: ...

    async def write(self, batch: Batch) -> None: ...


@dataclass
class Channels:
    """The topics compose publishes to."""

    briefs: Channel
    hubs: Channel
    entities: Channel
    hub_signals: Channel
    handoffs: Channel
    forwards: Channel
    links: Channel


class Publisher:
    """Publishes a composer's Outputs: briefs to the briefs topic and Redis, then the rest.

    ``flush_tables`` returns once every table write queued so far is acknowledged by Kafka.
    ``drop_forwarded(old)`` forgets an absorbed story's articles (Composer.drop_forwarded),
    ``drop_moved(story, ids)`` the articles a split sent on (Composer.drop_moved).
    """

    def __init__(
        self,
        channels: Channels,
        writer: Writer,
        flush_tables: Callable[[], Awaitable[None]],
        drop_forwarded: Callable[[str], None],
        drop_moved: Callable[[str, list[str]], None],
    ) -> None:
        self.channels, self.writer = channels, writer
        self.flush_tables, self.drop_forwarded = flush_tables, drop_forwarded
        self.drop_moved = drop_moved

    async def __call__(self, out: Outputs) -> None:
        if not out:
            return
        c = self.channels
        if out.briefs:
            # A brief's version is the stored brief's plus one, and faust sends table writes
            # from a buffer that can run seconds behind. A brief sent before its table record
            # landed, by a worker then killed, left the next owner building that version again
            # with other content (docs/scale-out.md, "Issues this test found", item 5).
            await self.flush_tables()
        self.writer.built(b for b, _ in out.briefs)
        # The compacted briefs topic is the system of record: each version is acknowledged
        # there before Redis serves it, so a rebuild from it never restores an older version.
        acks = [
            await c.briefs.send(key=b.story_id.encode(), value=encode(b)) for b, _ in out.briefs
        ]
        # Hubs and cards carry no version a rebuild could roll back, so their delivery is left
        # to the offset commit (which waits for every send): the single-partition hub keeper
        # does not wait a broker round trip per brief.
        for hub in out.hubs:
            await c.hubs.send(key=hub.hub_id.encode(), value=encode(hub))
        for card in out.cards:
            await c.entities.send(key=card.entity_id.encode(), value=encode(card))
        for ack in acks:
            await ack
        await self.writer.write(Batch(out.briefs, out.hubs, out.cards))
        for brief in out.signals:
            await c.hub_signals.send(key=brief.story_id.encode(), value=encode(keeper_view(brief)))
        for old, survivor in out.handoffs:
            await c.handoffs.send(key=old.encode(), value=survivor.encode())
        sent = [
            await c.forwards.send(key=event.story_id.encode(), value=encode(event))
            for event in out.forwards
        ]
        if out.drops or out.moved:
            # Articles leaving a story (all of an absorbed one's, or those a split moved) go
            # only once their forwards are acknowledged: a worker killed before then leaves
            # them for the redelivered handoff or split event. Both come from the agent of the
            # story they leave, so the delete lands in that story's own partition.
            for ack in sent:
                await ack
            for old in out.drops:
                self.drop_forwarded(old)
            for sid, ids in out.moved:
                self.drop_moved(sid, ids)
        for earlier, follower in out.links:
            await c.links.send(key=earlier.encode(), value=follower.encode())
