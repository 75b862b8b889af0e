"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.api.deps import KeysDep, RedisDep, SettingsDep
from services.api.problems import problem
from services.api.routes.common import problem_doc
from services.api.schemas import Status

router = APIRouter(tags=["health"])

OK = b'{"status":"ok"}'


@router.get("/healthz", response_model=Status, summary="The process is up")
async def healthz() -> Response:
    """Always 200 while the process serves requests."""
    return Response(OK, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.get(
    "/readyz",
    response_model=Status,
    summary="Redis is reachable and holds data",
    responses={503: problem_doc("Redis unreachable, or the cache is still empty.")},
)
async def readyz(
    request: Request, redis: RedisDep, keys: KeysDep, settings: SettingsDep
) -> Response:
    """200 once Redis answers and holds the whole cache.

    With rebuilds on, "whole" means a completed rebuild's marker is present: compose's writes
    alone do not prove it (Redis may have been flushed since). With rebuilds off, this API can
    do nothing about missing data, so any listed story or hub counts.
    """
    if settings.rebuild_on_empty:
        ready = await redis.exists(keys.ready)
        detail = "the cache is empty or incomplete; a rebuild from the compacted topics is pending"
    else:
        ready = await redis.exists(keys.ready, keys.stories, keys.hubs)
        detail = "the cache is empty (no stories or hubs yet)"
    if not ready:
        headers = {"Retry-After": str(settings.retry_after_seconds)}
        return problem(503, detail, request.url.path, headers)
    return Response(OK, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    """Requests by route template and status, and latency histograms."""
    body, content_type = request.app.state.metrics.exposition()
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
