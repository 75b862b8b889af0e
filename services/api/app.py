"""Assemble the FastAPI app from settings: routers, error handling, middleware."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from redis.asyncio import BlockingConnectionPool, Redis
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send

from newsbrief.keys import Keys
from services.api import problems
from services.api.compression import GzipCopies, NegotiatedGZip
from services.api.config import ApiSettings
from services.api.doccache import BriefCache
from services.api.fastredis import FastRedis
from services.api.front import FrontDoor
from services.api.hotpath import StoryFastPath
from services.api.lifecycle import watch_cache
from services.api.listpath import StoryListFastPath
from services.api.metrics import Metrics, MetricsMiddleware
from services.api.negotiate import NegotiationMiddleware, as_get
from services.api.ratelimit import Limiter, RateLimitMiddleware
from services.api.routes import entities, health, hubs, search, stories, updates
from services.api.routes.common import problem_doc

DESCRIPTION = """Story briefs, question hubs, entity cards and search over the news.

Every route answers `GET` and `HEAD` (the same headers, no body); any other method gets `405`
with `Allow: GET, HEAD`. Every error is an RFC 9457 `application/problem+json` document; an
`Accept` header that rules out a route's media type gets `406`. Times are RFC 3339 in UTC
(`2026-11-20T08:00:00Z`). Cacheable responses carry a strong `ETag`; send it back in
`If-None-Match` to get `304 Not Modified`. Lists page with the opaque `next_cursor` (also in a
`Link: rel="next"` header) until it is `null`. Clients are rate limited per API key
(`X-API-Key`) or IP: `429` with `Retry-After`.

Compression: send `Accept-Encoding: gzip` (q-values are honoured) to get JSON bodies of 1 KiB
or more gzip-coded, with `Content-Encoding: gzip` and `Vary: Accept-Encoding`; smaller bodies,
problem documents and the `/v1/updates` event stream are never compressed, and a client that
sends no `Accept-Encoding` gets the plain bytes. The gzip representation has its own strong
ETag (the plain one with `-gzip` inside the quotes); `If-None-Match` with either answers `304`
while the document is unchanged."""


def redis_client(settings: ApiSettings, pool_size: int) -> Redis:
    """A client on a bounded pool: requests wait briefly for a free connection, then fail."""
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=pool_size,
        timeout=settings.redis_timeout,
        socket_timeout=settings.redis_timeout,
        socket_connect_timeout=settings.redis_timeout,
    )
    return Redis(connection_pool=pool)


async def close_clients(app: FastAPI) -> None:
    """Close every Redis connection the app opened (the lifespan's end, and tests)."""
    await app.state.redis.aclose()
    await app.state.stream_redis.aclose()
    await app.state.fast.close()
    if app.state.cache is not None:
        await app.state.cache.close()


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Describe every 422 as a problem document, and the 406/429/503 every route may answer."""
    retry = {"headers": {"Retry-After": {"schema": {"type": "integer"}}}}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = problem_doc("Invalid parameter.")
            responses.setdefault(
                "406", problem_doc("The Accept header rules out this route's type.")
            )
            responses.setdefault("429", {**problem_doc("Rate limited."), **retry})
            responses.setdefault("503", {**problem_doc("Redis unavailable."), **retry})
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        from services.api.schemas import ProblemDoc

        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "ProblemDoc", ProblemDoc.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        app.openapi_schema = document_problems(schema)
    return app.openapi_schema


class NewsbriefAPI(FastAPI):
    """FastAPI, with the busiest routes answered before its middleware stack (``front.py``)."""

    front: FrontDoor | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            # Every route is GET; HEAD is answered as GET without the body (negotiate.py).
            scope, send = as_get(scope, send)
        front = self.front
        if front is not None and scope["type"] == "http" and await front.serve(scope, send):
            return
        await super().__call__(scope, receive, send)


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the API from settings (read from the environment when not given)."""
    settings = settings or ApiSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        watcher = None
        if settings.rebuild_on_empty:
            watcher = asyncio.create_task(watch_cache(app.state.redis, app.state.keys, settings))
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            await close_clients(app)

    app = NewsbriefAPI(
        title="newsbrief API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # Metrics are Prometheus' (below); FastAPI's OpenTelemetry hooks cost time per request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.keys = Keys(settings.redis_key_prefix)
    app.state.redis = redis_client(settings, settings.redis_pool_size)
    # SSE clients hold a connection each while blocked on XREAD: keep them off the request pool.
    app.state.stream_redis = redis_client(settings, settings.redis_pool_size)
    app.state.fast = FastRedis(settings.redis_url, settings.redis_timeout)
    app.state.cache = None
    if settings.brief_cache_seconds > 0:
        app.state.cache = BriefCache(
            settings.redis_url, settings.redis_timeout, settings.brief_cache_seconds
        )
    app.state.metrics = Metrics()
    app.state.gzip = GzipCopies()
    problems.install(app, settings.retry_after_seconds)
    for module in (stories, hubs, entities, search, updates, health):
        app.include_router(module.router)
    _add_middleware(app, settings)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _add_middleware(app: FastAPI, settings: ApiSettings) -> None:
    # add_middleware wraps outward: the last added runs first, so metrics see every answer.
    routes = {getattr(r, "name", ""): r for r in stories.router.routes}
    limiter = None
    if settings.rate_limited:
        limiter = Limiter(
            app.state.fast,
            settings.redis_key_prefix,
            settings.rate_limit_per_second,
            settings.rate_limit_burst,
            settings.api_keys,
        )
    story_options = {
        "fast": app.state.fast,
        "keys": app.state.keys,
        "retry_after": settings.retry_after_seconds,
        "route": routes["get_story"],
        "limiter": limiter,
        "cache": app.state.cache,
        "gzip": app.state.gzip,
    }
    list_options = {
        "fast": app.state.fast,
        "keys": app.state.keys,
        "retry_after": settings.retry_after_seconds,
        "route": routes["list_stories"],
        "cache": app.state.cache,
        "gzip": app.state.gzip,
    }
    # Innermost: the routes outside /v1/ (OpenAPI, docs, metrics); /v1/ routes gzip themselves.
    app.add_middleware(NegotiatedGZip)
    # The front door (front.py) answers most of these; the middleware copies, the cross-origin.
    app.add_middleware(StoryFastPath, **story_options)
    app.add_middleware(StoryListFastPath, **list_options)
    assert isinstance(app, NewsbriefAPI)
    app.front = FrontDoor(
        StoryFastPath(app.router, **story_options),  # type: ignore[arg-type]
        StoryListFastPath(app.router, **list_options),  # type: ignore[arg-type]
        limiter,
        app.state.metrics,
        bool(settings.cors_origins),
    )
    # Inside the rate limit, CORS and metrics: they treat a 406 like any other answer.
    app.add_middleware(NegotiationMiddleware)
    if limiter is not None:
        app.add_middleware(RateLimitMiddleware, limiter=limiter)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET"],
            allow_headers=["If-None-Match", "Last-Event-ID", "X-API-Key"],
            expose_headers=["ETag", "Link", "Retry-After"],
        )
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
