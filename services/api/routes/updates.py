"""Server-sent events of brief changes, resumable with ``Last-Event-ID``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.responses import StreamingResponse

from services.api import sse
from services.api.deps import KeysDep, SettingsDep
from services.api.problems import Problem

log = logging.getLogger(__name__)
router = APIRouter(tags=["updates"])

BATCH = 100

SSE_DOC = {
    200: {
        "description": "An endless `text/event-stream`; each `brief` event's id is a stream id.",
        "content": {
            "text/event-stream": {
                "schema": {"type": "string"},
                "example": (
                    'id: 1764200000000-0\nevent: brief\ndata: {"story_id":"s1","version":2}\n\n'
                ),
            }
        },
    }
}


async def start_id(redis: Redis, stream: str, resume: str | None) -> str:
    """Where to read from: after the client's last event, else after the newest entry."""
    if resume is not None:
        if not sse.valid_stream_id(resume):
            field = {"in": "header", "field": "Last-Event-ID", "message": "not a stream id"}
            raise Problem(422, "header 'Last-Event-ID': not a stream id", errors=[field])
        return resume
    newest = await redis.xrevrange(stream, count=1)
    # Resolve "$" now: re-reading with "$" after a timeout would skip entries added meanwhile.
    return newest[0][0].decode() if newest else "0-0"


async def events(redis: Redis, stream: str, last: str, heartbeat: float) -> AsyncIterator[bytes]:
    """Stream entries after ``last`` as SSE events, with keep-alives while idle."""
    yield sse.preamble()
    try:
        while True:
            batch = await redis.xread({stream: last}, count=BATCH, block=int(heartbeat * 1000))
            if not batch:
                yield sse.keep_alive()
                continue
            for _, entries in batch:
                for entry_id, fields in entries:
                    last = entry_id.decode()
                    yield sse.event(entry_id, fields)
    except (RedisConnectionError, RedisTimeoutError) as exc:
        # The response has started, so no 503: end the stream; the client resumes after `retry`.
        log.warning("update stream interrupted: %s", exc)


@router.get(
    "/v1/updates",
    summary="Stream of brief updates (SSE)",
    response_class=StreamingResponse,
    responses=SSE_DOC,
)
async def updates(
    request: Request,
    keys: KeysDep,
    settings: SettingsDep,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
    since: Annotated[
        str | None,
        Query(
            max_length=64, description="Stream id to resume after (if headers are not possible)."
        ),
    ] = None,
) -> StreamingResponse:
    """Each brief change as a `brief` event `{story_id, version}`; resume with Last-Event-ID."""
    redis = request.app.state.stream_redis
    last = await start_id(redis, keys.updates, last_event_id or since)
    body = events(redis, keys.updates, last, settings.sse_heartbeat_seconds)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)
