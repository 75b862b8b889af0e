"""Per-client rate limiting: a token bucket per API key or IP, kept in Redis by a Lua script.

The bucket lives in Redis so every worker and every replica shares one budget per client.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterable
from typing import Any

from redis.exceptions import NoScriptError, RedisError
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.api.fastredis import FastRedis
from services.api.hotpath import story_id_of
from services.api.problems import PROBLEM_TYPE, problem_body

log = logging.getLogger(__name__)

# KEYS[1] bucket; ARGV rate (tokens/s), burst. Returns {allowed, seconds to wait, tokens left}.
# Redis' own clock (TIME) is used so that workers with skewed clocks agree.
TOKEN_BUCKET = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens),
           'ts', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, string.format('%.3f', wait), math.floor(tokens)}
"""

EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})


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


class Limiter:
    """Token buckets per client, under one deployment's key prefix."""

    def __init__(
        self, redis: FastRedis, key_prefix: str, rate: float, burst: int, api_keys: Iterable[str]
    ) -> None:
        self.redis = redis
        self.key_prefix = key_prefix
        self.rate = rate
        self.burst = burst
        self.api_keys = frozenset(api_keys)
        self.sha = hashlib.sha1(TOKEN_BUCKET.encode()).hexdigest()

    def command(self, scope: Scope) -> tuple[str | int | float, ...]:
        """The EVALSHA taking one token from the bucket of the request's client."""
        who = client_id(scope["headers"], scope.get("client"), self.api_keys)
        return ("EVALSHA", self.sha, 1, f"{self.key_prefix}:ratelimit:{who}", self.rate, self.burst)

    async def reply(
        self, command: tuple[str | int | float, ...], result: Any
    ) -> tuple[bool, float]:
        """Whether the request may proceed, and seconds until a token is available.

        ``result`` is the script's reply, or the error it raised: the first call after Redis
        restarts finds no script and loads it with EVAL.
        """
        if isinstance(result, NoScriptError):
            result = await self.redis.execute("EVAL", TOKEN_BUCKET, *command[2:])
        elif isinstance(result, Exception):
            raise result
        allowed, wait, _ = result
        return bool(allowed), float(wait)

    def refusal(self, wait: float, path: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and problem body of a 429."""
        detail = f"rate limit of {self.rate:g} requests/s (burst {self.burst}) exceeded"
        headers = {"Retry-After": str(retry_after(wait)), "Cache-Control": "no-store"}
        return 429, headers, problem_body(429, detail, path)


class RateLimitMiddleware:
    """Pure ASGI middleware answering 429 with Retry-After when a client's bucket is empty.

    ``GET /v1/stories/{id}`` is left to the hot path, which sends the bucket's script in the
    same write as its HMGET, so a limited brief still costs one round trip.
    """

    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT or story_id_of(scope) is not None:
            await self.app(scope, receive, send)
            return
        command = self.limiter.command(scope)
        try:
            result = (await self.limiter.redis.execute_many([command], errors=True))[0]
            allowed, wait = await self.limiter.reply(command, result)
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
