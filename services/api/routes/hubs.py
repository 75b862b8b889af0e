"""Question hubs: the list, and one hub with its stories."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from services.api import reader
from services.api.deps import KeysDep, RedisDep
from services.api.problems import not_found
from services.api.responses import CACHE_SLOW, conditional, join_array
from services.api.routes.common import (
    LINK,
    NOT_FOUND,
    NOT_MODIFIED,
    CursorParam,
    HubIdPath,
    Limit,
    etag_headers,
    parse_cursor,
)
from services.api.routes.stories import page_response
from services.api.schemas import HubDetail, HubPage

router = APIRouter(prefix="/v1/hubs", tags=["hubs"])

STORIES_PER_HUB = 50


@router.get(
    "",
    response_model=HubPage,
    summary="Question hubs",
    responses={200: {"headers": {**etag_headers(), **LINK}}, **NOT_MODIFIED},
)
async def list_hubs(
    request: Request,
    redis: RedisDep,
    keys: KeysDep,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> Response:
    """Live hubs, most recently updated first."""
    rows, following = await reader.ranked_page(redis, keys.hubs, None, parse_cursor(cursor), limit)
    items = await reader.documents(redis, [keys.hub(ident) for ident, _ in rows])
    return page_response(request, items, following, CACHE_SLOW)


@router.get(
    "/{hub_id}",
    response_model=HubDetail,
    summary="One hub with its stories",
    responses={200: {"headers": etag_headers()}, **NOT_MODIFIED, **NOT_FOUND},
)
async def get_hub(hub_id: HubIdPath, request: Request, redis: RedisDep, keys: KeysDep) -> Response:
    """The hub's question and summary, and summaries of its stories (newest first)."""
    hub = await redis.get(keys.hub(hub_id))
    if hub is None:
        return not_found("hub", hub_id, request.url.path)
    story_ids = orjson.loads(hub).get("story_ids", [])[:STORIES_PER_HUB]
    stories = await reader.summaries(redis, keys, story_ids)
    body = b'{"hub":' + hub + b',"stories":' + join_array(stories) + b"}"
    return conditional(request, body, CACHE_SLOW)
