"""Per-client rate limiting: a token bucket per API key or IP in Redis, leased out in batches.

The bucket lives in Redis so every worker and every replica shares one budget per client. To
keep Redis (single-threaded) off the per-request path, a worker takes a *lease* of up to
``lease_size(rate)`` tokens in one script call and spends them locally for at most
``LEASE_SECONDS``; unspent tokens go back to the bucket with the client's next script call.
While a busy client still has tokens, the worker tops its lease up in the background once it
is half spent, so the client's requests rarely wait for a Redis round trip of the limiter.

Bound: every admitted request spent a token drawn from the shared bucket, and a lease holds at
most ``lease_size`` tokens per worker (a top-up asks only for what was spent), so over any
interval T a client is admitted at most ``burst + rate * T + workers * lease_size`` requests
(the bucket refills up to ``burst`` while leased tokens are out). ``lease_size`` is
``rate * LEASE_SECONDS`` clamped to 1..``MAX_LEASE``: a client limited to 50/s over 2 workers
may exceed its burst by at most 10 requests, and a limit of under 20/s takes no top-ups (a lease
of one token is the plain token bucket). A refusal is remembered for at most ``LEASE_SECONDS``
(never longer than the bucket needs to refill), so an abusive client costs Redis nothing either.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from redis.exceptions import NoScriptError, RedisError
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.api.fastredis import FastRedis
from services.api.hotpath import story_id_of
from services.api.problems import PROBLEM_TYPE, problem_body

log = logging.getLogger(__name__)

LEASE_SECONDS = 0.1
# A lease never holds more than LEASE_SECONDS of the client's rate; this caps it further. It was
# 64: a client at 5,000 req/s per worker spent the 32 tokens left at a top-up in 6 ms, less than
# Redis may take to answer on a loaded machine, and its requests then queued behind the top-up
# (bench at load 8-10: 90-121 us of server CPU per request with the limiter, 76 without in the
# run that measured both). 512 leaves 50 ms at that rate; the bound above still holds.
MAX_LEASE = 512
# Above this many idle clients a worker forgets expired leases (their tokens refill anyway).
SWEEP_AT = 10_000

# KEYS[1] bucket; ARGV rate (tokens/s), burst, tokens wanted, tokens given back.
# Returns {tokens granted (0..wanted), seconds until one token is available}.
# Redis' own clock (TIME) is used so that workers with skewed clocks agree.
TOKEN_BUCKET = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local refund = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate + refund)
local granted = math.min(want, math.floor(tokens))
local wait = 0
if granted >= 1 then
  tokens = tokens - granted
else
  granted = 0
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens),
           'ts', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {granted, string.format('%.3f', wait)}
"""

EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})

Command = tuple[str | int | float, ...]


def client_id(
    headers: Iterable[tuple[bytes, bytes]], client: tuple[str, int] | None, api_keys: frozenset[str]
) -> str:
    """Who a request is from: a known API key (hashed), else the peer IP."""
    for name, value in headers:
        if name == b"x-api-key":
            key = value.decode("latin-1")
            if key in api_keys:
                return "key:" + hashlib.sha256(value).hexdigest()[:16]
            break
    return "ip:" + (client[0] if client else "unknown")


def retry_after(wait_seconds: float) -> int:
    """Whole seconds for Retry-After (at least 1)."""
    return max(1, math.ceil(wait_seconds))


def lease_size(rate: float) -> int:
    """Tokens one worker takes per script call: what the client may spend in a lease period."""
    return max(1, min(MAX_LEASE, int(rate * LEASE_SECONDS)))


@dataclass
class Lease:
    """One worker's share of one client's bucket."""

    tokens: int = 0
    expires: float = 0.0
    denied_at: float = 0.0
    denied_until: float = 0.0
    wait: float = 0.0
    pending: asyncio.Future[None] | None = None

    def take(self, now: float) -> bool:
        """Spend a leased token if one is left and the lease is current."""
        if self.tokens > 0 and now < self.expires:
            self.tokens -= 1
            return True
        return False

    def unspent(self, now: float) -> int:
        """Tokens of an expired lease, to give back; the lease is emptied."""
        if now < self.expires:
            return 0
        left, self.tokens = self.tokens, 0
        return left


class Limiter:
    """Token buckets per client, under one deployment's key prefix, leased per worker."""

    def __init__(
        self, redis: FastRedis, key_prefix: str, rate: float, burst: int, api_keys: Iterable[str]
    ) -> None:
        self.redis = redis
        self.key_prefix = key_prefix
        self.rate = rate
        self.burst = burst
        self.api_keys = frozenset(api_keys)
        self.sha = hashlib.sha1(TOKEN_BUCKET.encode()).hexdigest()
        self.lease = min(lease_size(rate), max(1, burst))
        # A lease is topped up once this few tokens are left; -1 (never) for one-token leases.
        self.low_water = self.lease // 2 if self.lease >= 2 else -1
        self.leases: dict[str, Lease] = {}
        self._refills: set[asyncio.Task[None]] = set()

    def client(self, scope: Scope) -> str:
        """The bucket name of the request's client."""
        who = client_id(scope["headers"], scope.get("client"), self.api_keys)
        return f"{self.key_prefix}:ratelimit:{who}"

    def local(self, bucket: str) -> tuple[bool, float] | asyncio.Future[None] | None:
        """Decide without Redis when possible.

        ``(allowed, wait)`` when the lease decides, a future to await when another request of
        this worker is fetching a lease for the client, None when the caller must fetch one.
        """
        lease = self.leases.get(bucket)
        if lease is None:
            return None
        now = time.monotonic()
        if lease.take(now):
            if lease.tokens <= self.low_water and lease.pending is None:
                self._top_up(bucket, lease)
            return True, 0.0
        if now < lease.denied_until:
            return False, lease.wait - (now - lease.denied_at)
        return lease.pending

    def command(self, bucket: str) -> Command:
        """The script call leasing tokens for the bucket; marks the fetch as in flight."""
        lease = self.leases.get(bucket)
        if lease is None:
            if len(self.leases) >= SWEEP_AT:
                self._sweep(time.monotonic())
            lease = self.leases[bucket] = Lease()
        lease.pending = asyncio.get_running_loop().create_future()
        refund = lease.unspent(time.monotonic())
        return ("EVALSHA", self.sha, 1, bucket, self.rate, self.burst, self.lease, refund)

    def _top_up(self, bucket: str, lease: Lease) -> None:
        """Ask for the spent part of a current lease in the background (nobody waits on it)."""
        lease.pending = asyncio.get_running_loop().create_future()
        want = self.lease - lease.tokens
        command = ("EVALSHA", self.sha, 1, bucket, self.rate, self.burst, want, 0)
        task = asyncio.ensure_future(self._refill(bucket, lease, command))
        # The loop keeps only weak references to tasks: hold this one until it is done.
        self._refills.add(task)
        task.add_done_callback(self._refills.discard)

    async def _refill(self, bucket: str, lease: Lease, command: Command) -> None:
        try:
            result = (await self.redis.execute_many([command], errors=True))[0]
            if isinstance(result, NoScriptError):
                result = await self.redis.execute("EVAL", TOKEN_BUCKET, *command[2:])
            elif isinstance(result, Exception):
                raise result
            granted = int(result[0])
            if granted and self.leases.get(bucket) is lease:
                # Tokens left plus the grant never exceed the lease size: ``want`` was the
                # spent part, and requests only spent more meanwhile.
                lease.tokens += granted
                lease.expires = time.monotonic() + LEASE_SECONDS
        except RedisError as exc:
            # The lease runs out on its own; the next request then asks Redis itself.
            log.debug("lease top-up failed: %s", exc)
        finally:
            if lease.pending is not None and not lease.pending.done():
                lease.pending.set_result(None)
            lease.pending = None

    async def settle(self, command: Command, result: Any) -> tuple[bool, float]:
        """Record the script's answer; whether this request may proceed and how long to wait.

        ``result`` is the script's reply, or the error it raised: the first call after Redis
        restarts finds no script and loads it with EVAL.
        """
        lease = self.leases[str(command[3])]
        try:
            if isinstance(result, NoScriptError):
                result = await self.redis.execute("EVAL", TOKEN_BUCKET, *command[2:])
            elif isinstance(result, Exception):
                raise result
            granted, wait = int(result[0]), float(result[1])
            now = time.monotonic()
            if granted:
                lease.tokens, lease.expires = granted - 1, now + LEASE_SECONDS
                return True, 0.0
            lease.wait, lease.denied_at = wait, now
            lease.denied_until = now + min(wait, LEASE_SECONDS)
            return False, wait
        finally:
            if lease.pending is not None and not lease.pending.done():
                lease.pending.set_result(None)
            lease.pending = None

    async def prepare(self, bucket: str) -> tuple[bool, float] | Command:
        """A decision made locally, or the lease command to send (then ``settle`` its reply)."""
        while True:
            decided = self.local(bucket)
            if isinstance(decided, tuple):
                return decided
            if decided is None:
                return self.command(bucket)
            await decided

    async def admit(self, scope: Scope) -> tuple[bool, float]:
        """Whether the request may proceed (spending a token), and seconds to wait if not."""
        prepared = await self.prepare(self.client(scope))
        if isinstance(prepared[0], bool):
            return prepared  # type: ignore[return-value]
        try:
            result = (await self.redis.execute_many([prepared], errors=True))[0]
        except BaseException:
            self.abandon(prepared)
            raise
        return await self.settle(prepared, result)

    def abandon(self, command: Command) -> None:
        """Release requests waiting on a lease fetch that failed (they try again themselves)."""
        lease = self.leases.get(str(command[3]))
        if lease is not None and lease.pending is not None:
            if not lease.pending.done():
                lease.pending.set_result(None)
            lease.pending = None

    def _sweep(self, now: float) -> None:
        for bucket in [b for b, lease in self.leases.items() if lease.pending is None]:
            lease = self.leases[bucket]
            if now >= lease.expires and now >= lease.denied_until:
                del self.leases[bucket]

    def refusal(self, wait: float, path: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and problem body of a 429."""
        detail = f"rate limit of {self.rate:g} requests/s (burst {self.burst}) exceeded"
        headers = {"Retry-After": str(retry_after(wait)), "Cache-Control": "no-store"}
        return 429, headers, problem_body(429, detail, path)


class RateLimitMiddleware:
    """Pure ASGI middleware answering 429 with Retry-After when a client's bucket is empty.

    ``GET /v1/stories/{id}`` is left to the hot path, which sends a lease request in the same
    write as its HMGET, so a brief that needs a new lease still costs one round trip.
    """

    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT or story_id_of(scope) is not None:
            await self.app(scope, receive, send)
            return
        try:
            allowed, wait = await self.limiter.admit(scope)
        except RedisError as exc:
            # Fail open: the route itself answers 503 if Redis is really gone.
            log.debug("rate limiter unavailable: %s", exc)
            allowed, wait = True, 0.0
        if allowed:
            await self.app(scope, receive, send)
            return
        status, headers, body = self.limiter.refusal(wait, scope["path"])
        response = Response(body, status_code=status, headers=headers, media_type=PROBLEM_TYPE)
        await response(scope, receive, send)
