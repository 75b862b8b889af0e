"""Entity cards: lookup by name or alias, and one card with its recent stories."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from newsbrief import documents as docs
from services.api import reader
from services.api.deps import KeysDep, RedisDep
from services.api.index import matching_names
from services.api.problems import not_found
from services.api.responses import CACHE_SLOW, conditional, join_array
from services.api.routes.common import NOT_FOUND, NOT_MODIFIED, EntityIdPath, etag_headers
from services.api.schemas import EntityDetail, EntityMatches
from services.api.search import match_names

router = APIRouter(prefix="/v1/entities", tags=["entities"])

RECENT_STORIES = 20


@router.get(
    "",
    response_model=EntityMatches,
    summary="Find entities by name",
    responses={200: {"headers": etag_headers()}, **NOT_MODIFIED},
)
async def find_entities(
    request: Request,
    redis: RedisDep,
    keys: KeysDep,
    q: Annotated[str, Query(min_length=1, max_length=200, examples=["kremlin"])],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """Entities whose name or an alias matches: exact first, then prefix, then all words."""
    found = match_names(q, await matching_names(redis, keys, q), limit)
    cards = await reader.documents(redis, [keys.entity(eid) for eid in found])
    return conditional(request, b'{"items":' + join_array(cards) + b"}", CACHE_SLOW)


@router.get(
    "/{entity_id}",
    response_model=EntityDetail,
    summary="One entity card with recent stories",
    responses={200: {"headers": etag_headers()}, **NOT_MODIFIED, **NOT_FOUND},
)
async def get_entity(
    entity_id: EntityIdPath, request: Request, redis: RedisDep, keys: KeysDep
) -> Response:
    """The card (who or what, and where the description came from) and its recent stories."""
    card = await redis.get(keys.entity(entity_id))
    if card is None:
        return not_found("entity", entity_id, request.url.path)
    card = docs.current(card)
    story_ids = orjson.loads(card).get("story_ids", [])[:RECENT_STORIES]
    stories = await reader.summaries(redis, keys, story_ids)
    body = b'{"entity":' + card + b',"stories":' + join_array(stories) + b"}"
    return conditional(request, body, CACHE_SLOW)
