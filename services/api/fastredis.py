"""A pipelined Redis connection for the hot path.

Every command issued by any request in the same event-loop turn goes out in one write on one
shared connection, and replies are parsed by hiredis in order, without the per-command
connection checkout of redis-py, which costs more CPU than the request itself.

A connection may also track the keys it reads (RESP3 ``CLIENT TRACKING``): Redis then pushes
an invalidation on this same connection whenever one of them changes, in order with the
replies, which is what ``doccache.py`` relies on to serve documents from memory.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlparse

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


Hook = Callable[[Any], None] | None


class Listener(Protocol):
    """Told about a tracking connection's invalidations and its loss."""

    def invalidate(self, keys: list[bytes] | None) -> None:
        """These keys changed (None: every key, after FLUSHALL/FLUSHDB)."""

    def reset(self) -> None:
        """The connection was lost or replaced: nothing read through it is known current."""


class _Protocol(asyncio.Protocol):
    def __init__(self, timeout: float = 2.0, listener: Listener | None = None) -> None:
        self.reader = hiredis.Reader()
        self.listener = listener
        self.waiting: deque[asyncio.Future[Any]] = deque()
        # Called with a command's reply as soon as it is parsed, before any later push: a reply
        # and the invalidations that follow it must be seen in the order Redis sent them.
        self.hooks: deque[Hook] = deque()
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

    def send(self, data: bytes, future: asyncio.Future[Any], hook: Hook = None) -> None:
        if self.closed:
            raise RedisConnectionError("connection to Redis lost")
        loop = asyncio.get_running_loop()
        self.waiting.append(future)
        self.hooks.append(hook)
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
        self.hooks.clear()
        # Replies are matched by order, so a connection with a lost reply is unusable.
        self.abort()

    def _flush(self) -> None:
        if self.out and self.transport is not None and not self.closed:
            self.transport.write(b"".join(self.out))
        self.out.clear()

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            if isinstance(reply, hiredis.PushNotification):
                self._pushed(reply)
                continue
            future = self.waiting.popleft()
            self.sent.popleft()
            hook = self.hooks.popleft()
            if hook is not None and not isinstance(reply, hiredis.ReplyError):
                hook(reply)
            if future.done():
                continue
            if isinstance(reply, hiredis.ReplyError):
                message = str(reply)
                error = NoScriptError if message.startswith("NOSCRIPT") else ResponseError
                future.set_exception(error(message))
            else:
                future.set_result(reply)

    def _pushed(self, push: list[Any]) -> None:
        if self.listener is not None and push and push[0] == b"invalidate":
            self.listener.invalidate(push[1] if len(push) > 1 else None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.listener is not None:
            self.listener.reset()
        self.hooks.clear()
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

    def __init__(self, url: str, timeout: float, tracking: Listener | None = None) -> None:
        """``tracking``: speak RESP3 and track every key read, telling it what changed."""
        parsed = urlparse(url)
        if parsed.scheme not in ("redis", "unix"):
            raise ValueError(
                f"fast path supports redis:// and unix:// URLs only, not {parsed.scheme}://"
            )
        query = dict(parse_qsl(parsed.query))
        # unix:///path/redis.sock?db=1 (redis-py's form): no TCP, for a Redis on the same host.
        self.unix_path = parsed.path if parsed.scheme == "unix" else None
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or 6379
        db_text = query.get("db", "0") if self.unix_path else parsed.path.strip("/") or "0"
        self.db = int(db_text)
        password = parsed.password or query.get("password")
        self.password = unquote(password) if password else None
        self.username = unquote(parsed.username) if parsed.username else None
        self.timeout = timeout
        self.tracking = tracking
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

    async def execute_hooked(self, args: tuple[bytes | str | int | float, ...], hook: Hook) -> Any:
        """Run one command; ``hook`` sees its reply in stream order (before later pushes)."""
        protocol = self._protocol
        if protocol is None or protocol.closed:
            protocol = await self._connect()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        protocol.send(pack(args), future, hook)
        return await future

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
            factory = lambda: _Protocol(self.timeout, self.tracking)  # noqa: E731
            if self.unix_path is not None:
                connecting = loop.create_unix_connection(factory, self.unix_path)
            else:
                connecting = loop.create_connection(factory, self.host, self.port)
            _, protocol = await asyncio.wait_for(connecting, self.timeout)
        except (OSError, TimeoutError) as exc:
            raise RedisConnectionError(f"cannot connect to Redis: {exc}") from exc
        setup = []
        if self.password is not None:
            auth = (self.username, self.password) if self.username else (self.password,)
            setup.append(("AUTH", *auth))
        if self.db:
            setup.append(("SELECT", self.db))
        if self.tracking is not None:
            # Pushes share the connection with replies (RESP3), so they arrive in order.
            setup += [("HELLO", 3), ("CLIENT", "TRACKING", "ON")]
        try:
            for command in setup:
                future: asyncio.Future[Any] = loop.create_future()
                protocol.send(pack(command), future)
                await asyncio.wait_for(future, self.timeout)
        except BaseException:
            protocol.abort()
            raise
        return protocol

    async def close(self) -> None:
        """Close the connection."""
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None
