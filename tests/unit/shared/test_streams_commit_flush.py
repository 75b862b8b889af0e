"""The flush before each offset commit waits for what was queued before it, and no more.

Both stream processors write their table changelogs through faust's ProducerBuffer. A flush
that waited for an empty buffer never returned while a busy worker kept queueing writes, so the
worker did not commit for as long as it had work, and a kill -9 then replayed all of it, or left
partitions with no committed offset at all (issue 8). Driven here with the buffer's own
background task and a channel whose sends are slow, as they are when aiokafka's batch is full.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from faust.transport.producer import ProducerBuffer

from newsbrief.streams import install_complete_flush


class SlowChannel:
    """Stands in for a topic whose publish waits (aiokafka back-pressure)."""

    def __init__(self, delay: float) -> None:
        self.delay, self.sent = delay, 0

    async def publish_message(self, fut, wait: bool = False) -> None:
        await asyncio.sleep(self.delay)
        self.sent += 1


def message(channel: SlowChannel):
    return SimpleNamespace(message=SimpleNamespace(channel=channel))


async def _flush_while_busy() -> tuple[int, float, int]:
    """Queue 2 messages, flush, and keep queueing faster than they are sent."""
    install_complete_flush()
    buffer = ProducerBuffer()
    buffer.app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))
    channel = SlowChannel(delay=0.1)
    await buffer.start()
    loop = asyncio.get_running_loop()
    try:
        for _ in range(2):
            buffer.put(message(channel))
        began = loop.time()
        flush = asyncio.ensure_future(buffer.flush())
        while not flush.done() and loop.time() - began < 3.0:
            buffer.put(message(channel))  # the worker goes on deciding articles
            await asyncio.sleep(0.02)
        await flush
        seconds, sent, left = loop.time() - began, channel.sent, buffer.size
        await buffer.flush()  # the worker went idle: the next flush sends the rest
        assert buffer.size == 0
        return sent, seconds, left
    finally:
        await buffer.stop()


def test_a_flush_is_not_held_up_by_messages_queued_after_it_began() -> None:
    sent, seconds, still_queued = asyncio.run(_flush_while_busy())
    assert sent >= 2  # both messages queued before the flush were handed on
    assert seconds < 1.0  # about 2 sends of 0.1 s, not the whole, growing backlog
    assert still_queued > 0  # the later messages were left for the next flush
