"""Ranked search over headlines, briefs and entities, with the story filters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from newsbrief import documents as docs
from services.api import reader
from services.api.deps import KeysDep, RedisDep
from services.api.index import matching_names, search_candidates
from services.api.responses import CACHE_LIST, conditional, join_array
from services.api.routes.common import NOT_MODIFIED, Facet, epoch, etag_headers
from services.api.routes.stories import story_facets
from services.api.schemas import SearchResults
from services.api.search import match_names, rank

router = APIRouter(prefix="/v1/search", tags=["search"])

MAX_ENTITIES = 5


@router.get(
    "",
    response_model=SearchResults,
    summary="Search stories",
    responses={200: {"headers": etag_headers()}, **NOT_MODIFIED},
)
async def search(
    request: Request,
    redis: RedisDep,
    keys: KeysDep,
    q: Annotated[str, Query(min_length=1, max_length=200, examples=["ceasefire talks"])],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    topic: Facet = None,
    entity: Facet = None,
    hub: Facet = None,
    outlet: Facet = None,
    lang: Annotated[str | None, Query(min_length=2, max_length=8)] = None,
    since: datetime | None = None,
) -> Response:
    """Stories ranked by relevance (headline words weigh most), and the entities named."""
    facets = story_facets(topic, entity, hub, outlet, lang)
    texts, total, df = await search_candidates(redis, keys, q, facets, epoch(since))
    ranked = rank(q, texts, limit, (total, df))
    names = [keys.story_summary(sid) for sid, _ in ranked]
    summaries = await redis.mget(names) if names else []
    hits = [
        b'{"score":' + orjson.dumps(score) + b',"story":' + docs.current(summary) + b"}"
        for (_, score), summary in zip(ranked, summaries, strict=False)
        if summary is not None
    ]
    found = match_names(q, await matching_names(redis, keys, q), MAX_ENTITIES)
    cards = await reader.documents(redis, [keys.entity(eid) for eid in found])
    body = (
        b'{"query":'
        + orjson.dumps(q)
        + b',"stories":'
        + join_array(hits)
        + b',"entities":'
        + join_array(cards)
        + b"}"
    )
    return conditional(request, body, CACHE_LIST)
