"""Responses leave in one write: the coalescing transport under uvicorn's protocol."""

from __future__ import annotations

import asyncio

from services.api.coalesce import CoalescingTransport


class Recorder:
    """A transport that records each write it is asked to do."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


async def test_writes_of_one_loop_turn_leave_in_one_call() -> None:
    inner = Recorder()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(b"{}")
    assert inner.writes == []
    await asyncio.sleep(0)
    assert inner.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    transport.write(b"next")
    await asyncio.sleep(0)
    assert inner.writes[1:] == [b"next"]


async def test_close_sends_what_was_written_first() -> None:
    inner = Recorder()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"bye")
    transport.close()
    assert inner.writes == [b"bye"] and inner.closed
    transport.write(b"late")
    await asyncio.sleep(0)
    assert inner.writes == [b"bye"]
    assert transport.get_extra_info("peername") == "info:peername"
