"""Stories: the latest list, one brief (the hot path), its articles and versions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from services.api import reader
from services.api.deps import KeysDep, RedisDep
from services.api.facets import NAMES, facet_value
from services.api.hotpath import story_reply
from services.api.pagination import Cursor, encode_cursor, next_link
from services.api.problems import not_found
from services.api.responses import (
    CACHE_BRIEF,
    CACHE_LIST,
    conditional,
    gzip_for,
    join_array,
    redirect,
)
from services.api.routes.common import (
    LINK,
    NOT_FOUND,
    NOT_MODIFIED,
    CursorParam,
    Facet,
    IdPath,
    Limit,
    epoch,
    etag_headers,
    parse_cursor,
)
from services.api.schemas import Article, Brief, StoryPage, VersionChange

router = APIRouter(prefix="/v1/stories", tags=["stories"])

MOVED = {
    301: {
        "description": "The story was merged; `Location` names the surviving story.",
        "headers": {"Location": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "",
    response_model=StoryPage,
    summary="Latest stories",
    responses={200: {"headers": {**etag_headers(), **LINK}}, **NOT_MODIFIED},
)
async def list_stories(
    request: Request,
    redis: RedisDep,
    keys: KeysDep,
    limit: Limit = 20,
    cursor: CursorParam = None,
    topic: Facet = None,
    entity: Facet = None,
    hub: Facet = None,
    outlet: Facet = None,
    lang: Annotated[str | None, Query(min_length=2, max_length=8, examples=["en"])] = None,
    since: Annotated[
        datetime | None,
        Query(
            description="Only stories updated at or after this RFC 3339 time (UTC if no offset)."
        ),
    ] = None,
) -> Response:
    """Stories newest first, filtered; page on with `next_cursor` (also in the `Link` header)."""
    after = parse_cursor(cursor)
    facets = story_facets(topic, entity, hub, outlet, lang)
    rows, following = await reader.story_page(redis, keys, facets, epoch(since), after, limit)
    items = await reader.summaries(redis, keys, [ident for ident, _ in rows])
    return page_response(request, items, following, CACHE_LIST)


def story_facets(
    topic: str | None, entity: str | None, hub: str | None, outlet: str | None, lang: str | None
) -> dict[str, str]:
    """The story filters a request sets (shared with search), as the store indexes them."""
    given = zip(NAMES, (topic, entity, hub, outlet, lang), strict=True)
    return {name: facet_value(name, value) for name, value in given if value is not None}


def page_response(
    request: Request, items: list[bytes], following: Cursor | None, cache: str
) -> Response:
    """A page of stored documents with its `next_cursor` and `Link`, answered by ETag."""
    token = encode_cursor(following) if following else None
    body = b'{"items":' + join_array(items) + b',"next_cursor":' + orjson.dumps(token) + b"}"
    headers = {}
    if token:
        headers["Link"] = next_link(request.url.path, dict(request.query_params), token)
    return conditional(request, body, cache, headers=headers)


@router.get(
    "/{story_id}",
    response_model=Brief,
    summary="One story's brief",
    responses={200: {"headers": etag_headers()}, **MOVED, **NOT_MODIFIED, **NOT_FOUND},
)
async def get_story(story_id: IdPath, request: Request) -> Response:
    """The full brief, exactly as stored; a merged story's old id redirects to the survivor."""
    # Normally answered by services.api.hotpath before FastAPI; this twin documents the route.
    # (Its rate limit is applied by the general middleware when served here.)
    state = request.app.state
    status, headers, body = await story_reply(
        state.fast,
        state.keys,
        story_id,
        request.headers.get("if-none-match"),
        request.url.path,
        state.settings.retry_after_seconds,
        cache=state.cache,
        gzip=gzip_for(request),
    )
    return Response(body, status_code=status, headers={k.decode(): v.decode() for k, v in headers})


async def _sub_document(
    request: Request, redis: RedisDep, keys: KeysDep, story_id: str, key: str, suffix: str
) -> Response:
    moved, body = await redis.mget([keys.redirect(story_id), key])
    if moved is not None:
        return redirect(f"/v1/stories/{quote(moved.decode(), safe='')}{suffix}")
    if body is None:
        return not_found("story", story_id, request.url.path)
    return conditional(request, body, CACHE_BRIEF)


@router.get(
    "/{story_id}/articles",
    response_model=list[Article],
    summary="A story's source articles",
    responses={200: {"headers": etag_headers()}, **MOVED, **NOT_MODIFIED, **NOT_FOUND},
)
async def story_articles(
    story_id: IdPath, request: Request, redis: RedisDep, keys: KeysDep
) -> Response:
    """Every article in the story, with outlet, URL and publication time."""
    key = keys.story_articles(story_id)
    return await _sub_document(request, redis, keys, story_id, key, "/articles")


@router.get(
    "/{story_id}/versions",
    response_model=list[VersionChange],
    summary="What changed between brief versions",
    responses={200: {"headers": etag_headers()}, **MOVED, **NOT_MODIFIED, **NOT_FOUND},
)
async def story_versions(
    story_id: IdPath, request: Request, redis: RedisDep, keys: KeysDep
) -> Response:
    """Each version's changed sections and added articles, oldest first."""
    key = keys.story_versions(story_id)
    return await _sub_document(request, redis, keys, story_id, key, "/versions")
