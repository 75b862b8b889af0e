"""faust's producer-buffer flush, which guards every offset commit of cluster and compose.

faust queues table changelog records in its ProducerBuffer and calls ``producer.flush()``
before committing offsets. Unpatched, that flush returns once no message was sent for 0.1 s,
so a commit could cover table writes still in memory (issue 7: a kill -9 of compose lost
articles). These tests drive the buffer's own background task with a channel whose sends are
slow, as they are when aiokafka's batch is full.

The flush waits for what was queued before it, and no more: one that waited for an empty
buffer never returned while a busy worker kept queueing writes, so the worker did not commit
for as long as it had work (issue 8).
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


async def _flush_with_slow_sends(count: int, delay: float) -> tuple[int, int]:
    install_complete_flush()
    buffer = ProducerBuffer()
    buffer.app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))
    channel = SlowChannel(delay)
    await buffer.start()
    try:
        for _ in range(count):
            buffer.put(SimpleNamespace(message=SimpleNamespace(channel=channel)))
        await asyncio.sleep(0)  # the buffer's task takes the first message
        await buffer.flush()
        return channel.sent, buffer.size
    finally:
        await buffer.stop()


def test_flush_returns_only_when_every_queued_message_was_handed_on() -> None:
    sent, left = asyncio.run(_flush_with_slow_sends(count=3, delay=0.25))
    assert (sent, left) == (3, 0)


def test_flush_of_an_empty_buffer_returns_at_once() -> None:
    async def run() -> float:
        install_complete_flush()
        buffer = ProducerBuffer()
        buffer.app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))
        await buffer.start()
        loop = asyncio.get_running_loop()
        began = loop.time()
        await buffer.flush()
        await buffer.stop()
        return loop.time() - began

    assert asyncio.run(run()) < 0.5


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
