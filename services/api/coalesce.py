"""Uvicorn's httptools protocol, sending each response in one write instead of two.

Uvicorn writes a response's status line and headers when the app sends
``http.response.start``, then the body in a second ``write``: two system calls per response,
and on a loopback or LAN socket each one also runs the receiver's side of TCP. Under wrk they
were a third of the API workers' CPU (py-spy). Here every write a connection makes in one
event-loop turn is buffered and sent at the end of that turn, so a response whose head and
body are sent back to back (every response of this API but the SSE stream) costs one call.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

PROTOCOL = "services.api.coalesce:CoalescingHttpToolsProtocol"


class CoalescingTransport:
    """A transport whose writes within one loop turn go out together; the rest is delegated."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._out: list[bytes] = []

    def write(self, data: bytes) -> None:
        """Queue data; it is sent once the current loop turn ends."""
        if not self._out:
            self._loop.call_soon(self.flush)
        self._out.append(data)

    def flush(self) -> None:
        """Send what was queued, in one write."""
        if not self._out:
            return
        out, self._out = self._out, []
        if not self._transport.is_closing():
            self._transport.write(out[0] if len(out) == 1 else b"".join(out))

    def close(self) -> None:
        """Send what was queued, then close (the response before ``connection: close``)."""
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """Uvicorn's httptools protocol on a coalescing transport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        coalescing = CoalescingTransport(transport, self.loop)
        super().connection_made(coalescing)  # type: ignore[arg-type]
