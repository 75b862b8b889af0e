"""A pipelined Redis connection for the hot path.

Every command issued by any request in the same event-loop turn goes out in one write on one
shared connection, and replies are parsed by hiredis in order. Each request still makes its
own round trip (fresh data, no local cache), but without the per-command connection checkout
of redis-py, which costs more CPU than the request itself.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any
from urllib.parse import unquote, urlparse

import hiredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError


def pack(args: tuple[bytes | str | int | float, ...]) -> bytes:
    """A command in the RESP protocol."""
    out = bytearray(b"*%d\r\n" % len(args))
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out += b"$%d\r\n" % len(data)
        out += data
        out += b"\r\n"
    return bytes(out)


class _Protocol(asyncio.Protocol):
    def __init__(self, timeout: float = 2.0) -> None:
        self.reader = hiredis.Reader()
        self.waiting: deque[asyncio.Future[Any]] = deque()
        # When each waiting command was sent: replies come in order, so only the oldest can be
        # late, and one watchdog per connection replaces a timer per command.
        self.sent: deque[float] = deque()
        self.timeout = timeout
        self.watchdog: asyncio.TimerHandle | None = None
        self.out: list[bytes] = []
        self.transport: Any = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, only alike.
        self.transport = transport

    def send(self, data: bytes, future: asyncio.Future[Any]) -> None:
        if self.closed:
            raise RedisConnectionError("connection to Redis lost")
        loop = asyncio.get_running_loop()
        self.waiting.append(future)
        self.sent.append(loop.time())
        self.out.append(data)
        if len(self.out) == 1:
            # Flush once per loop turn: concurrent requests share one write (and one wakeup).
            loop.call_soon(self._flush)
        if self.watchdog is None:
            self.watchdog = loop.call_later(self.timeout / 2, self._check)

    def _check(self) -> None:
        """Fail every waiting command once the oldest has waited past the timeout."""
        self.watchdog = None
        if not self.waiting or self.closed:
            return
        loop = asyncio.get_running_loop()
        if loop.time() - self.sent[0] < self.timeout:
            self.watchdog = loop.call_later(self.timeout / 2, self._check)
            return
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(RedisTimeoutError("Redis did not answer in time"))
        self.sent.clear()
        # Replies are matched by order, so a connection with a lost reply is unusable.
        self.abort()

    def _flush(self) -> None:
        if self.out and self.transport is not None and not self.closed:
            self.transport.write(b"".join(self.out))
        self.out.clear()

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            future = self.waiting.popleft()
            self.sent.popleft()
            if future.done():
                continue
            if isinstance(reply, hiredis.ReplyError):
                message = str(reply)
                error = NoScriptError if message.startswith("NOSCRIPT") else ResponseError
                future.set_exception(error(message))
            else:
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None
        self.sent.clear()
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(RedisConnectionError(f"connection to Redis lost: {exc}"))

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()
        else:
            self.connection_lost(None)


class FastRedis:
    """Pipelined commands on one lazily (re)connected connection; errors are redis-py's."""

    def __init__(self, url: str, timeout: float) -> None:
        parsed = urlparse(url)
        if parsed.scheme != "redis":
            raise ValueError(f"fast path supports redis:// URLs only, not {parsed.scheme}://")
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or 6379
        self.db = int(parsed.path.strip("/") or 0)
        self.password = unquote(parsed.password) if parsed.password else None
        self.username = unquote(parsed.username) if parsed.username else None
        self.timeout = timeout
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Future[_Protocol] | None = None

    async def execute(self, *args: bytes | str | int | float) -> Any:
        """Run one command and return its reply (bytes, int, list or None)."""
        return (await self.execute_many([args]))[0]

    async def execute_many(
        self, commands: list[tuple[bytes | str | int | float, ...]], errors: bool = False
    ) -> list[Any]:
        """Send commands in one write and return their replies in order.

        A Redis error reply raises, or with ``errors`` takes the reply's place in the list;
        connection failures and timeouts always raise.
        """
        protocol = self._protocol
        if protocol is None or protocol.closed:
            protocol = await self._connect()
        loop = asyncio.get_running_loop()
        futures = []
        for args in commands:
            future: asyncio.Future[Any] = loop.create_future()
            protocol.send(pack(args), future)
            futures.append(future)
        replies = []
        for future in futures:
            try:
                replies.append(await future)
            except ResponseError as exc:
                if not errors:
                    raise
                replies.append(exc)
        return replies

    async def _connect(self) -> _Protocol:
        if self._connecting is not None:
            return await asyncio.shield(self._connecting)
        loop = asyncio.get_running_loop()
        self._connecting = loop.create_future()
        try:
            protocol = await self._open()
        except BaseException as exc:
            self._connecting.set_exception(exc)
            # Nobody else may be waiting; retrieve it so asyncio does not log it as unhandled.
            self._connecting.exception()
            raise
        else:
            self._protocol = protocol
            self._connecting.set_result(protocol)
            return protocol
        finally:
            self._connecting = None

    async def _open(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        try:
            _, protocol = await asyncio.wait_for(
                loop.create_connection(lambda: _Protocol(self.timeout), self.host, self.port),
                self.timeout,
            )
        except (OSError, TimeoutError) as exc:
            raise RedisConnectionError(f"cannot connect to Redis: {exc}") from exc
        setup = []
        if self.password is not None:
            auth = (self.username, self.password) if self.username else (self.password,)
            setup.append(("AUTH", *auth))
        if self.db:
            setup.append(("SELECT", self.db))
        for command in setup:
            future: asyncio.Future[Any] = loop.create_future()
            protocol.send(pack(command), future)
            await asyncio.wait_for(future, self.timeout)
        return protocol

    async def close(self) -> None:
        """Close the connection."""
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None
