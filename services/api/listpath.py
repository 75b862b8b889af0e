"""``GET /v1/stories`` as pure ASGI, in front of FastAPI, for the common queries.

A page is one script call: the sorted set's range (and the ties at the cursor's score) and the
MGET of the stored summaries run inside Redis, and the summaries are joined as bytes. Queries
the fast path does not take (``since``, several facets, anything that does not parse plainly)
go on to the FastAPI route in ``routes/stories.py``, which also documents the endpoint and
answers every validation error; both build the same body, headers and Link.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from redis.exceptions import NoScriptError, RedisError
from starlette.types import ASGIApp, Receive, Scope, Send

from newsbrief import documents as docs
from newsbrief.keys import Keys
from services.api.compression import GzipCopies, copies_for
from services.api.doccache import BriefCache
from services.api.facets import NAMES, facet_value
from services.api.fastredis import FastRedis
from services.api.hotpath import Reply, fresh_reply, if_none_match_of, send_reply, unavailable_reply
from services.api.pagination import Cursor, decode_cursor, encode_cursor, next_link, page
from services.api.responses import CACHE_LIST

PATH = "/v1/stories"
DEFAULT_LIMIT = 20
_LIMIT = re.compile(r"[1-9][0-9]{0,2}")
MGET_CHUNK = 500

# The page's range: the ties at the cursor's score, then up to ARGV[4] rows below it.
RANGE_LUA = """
local ties = {}
if ARGV[5] ~= '' then
  ties = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[5], ARGV[5], 'WITHSCORES')
end
local rows = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[3], 'WITHSCORES',
                        'LIMIT', 0, tonumber(ARGV[4]))
"""
# KEYS[1] sorted set. ARGV: summary key prefix, max, min, count, score of the cursor ('' = none).
# Returns {ties at the cursor's score, the range, the summaries of both (in that order)}.
# The summary keys are derived inside the script (not declared in KEYS): fine on one Redis or a
# replica set; Redis Cluster would need hash tags on the prefix.
PAGE_SCRIPT = (
    RANGE_LUA
    + """local names = {}
for i = 1, #ties, 2 do names[#names + 1] = ARGV[1] .. ties[i] end
for i = 1, #rows, 2 do names[#names + 1] = ARGV[1] .. rows[i] end
local found = {}
for i = 1, #names, 500 do
  local part = redis.call('MGET', unpack(names, i, math.min(i + 499, #names)))
  for j = 1, #part do found[#found + 1] = part[j] end
end
return {ties, rows, found}
"""
)
PAGE_SHA = hashlib.sha1(PAGE_SCRIPT.encode()).hexdigest()
# The same range without the summaries, for the tracking connection (doccache.py): Redis tracks
# only the keys a script declares, so the summaries are read after it, by a plain MGET.
IDS_SCRIPT = (
    RANGE_LUA
    + """
return {ties, rows}
"""
)
IDS_SHA = hashlib.sha1(IDS_SCRIPT.encode()).hexdigest()


@dataclass(frozen=True)
class ListQuery:
    """A ``GET /v1/stories`` query the fast path answers."""

    limit: int
    cursor: Cursor | None
    facet: tuple[str, str] | None
    params: dict[str, str]


def parse_list_query(query_string: bytes) -> ListQuery | None:
    """The query when it is plain (at most one facet, no ``since``), else None (FastAPI's)."""
    try:
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    except ValueError:
        return None
    params = dict(pairs)
    if len(params) != len(pairs) or "since" in params:
        return None
    limit = DEFAULT_LIMIT
    if "limit" in params:
        if not _LIMIT.fullmatch(params["limit"]) or int(params["limit"]) > 100:
            return None
        limit = int(params["limit"])
    cursor = None
    if "cursor" in params:
        if len(params["cursor"]) > 512:
            return None
        try:
            cursor = decode_cursor(params["cursor"])
        except ValueError:
            return None
    facets = [(name, params[name]) for name in NAMES if name in params]
    if len(facets) > 1:
        return None
    facet = None
    if facets:
        name, value = facets[0]
        low, high = (2, 8) if name == "lang" else (1, 200)
        if not low <= len(value) <= high:
            return None
        facet = (name, facet_value(name, value))
    return ListQuery(limit, cursor, facet, params)


def script_args(keys: Keys, query: ListQuery) -> tuple[str | int | float, ...]:
    """Arguments of the page script after its SHA (or source)."""
    key = keys.stories_by(*query.facet) if query.facet else keys.stories
    prefix = keys.story_summary("")
    if query.cursor is None:
        return (1, key, prefix, "+inf", "-inf", query.limit + 1, "")
    score = repr(query.cursor.score)
    return (1, key, prefix, f"({score}", "-inf", query.limit + 1, score)


def _pairs(flat: list[bytes]) -> list[tuple[str, float]]:
    return [(flat[i].decode(), float(flat[i + 1])) for i in range(0, len(flat), 2)]


def assemble(query: ListQuery, reply: list[Any]) -> tuple[bytes, str | None]:
    """The page body from the script's reply, and the next cursor token."""
    ties, rows, found = reply
    candidates = _pairs(ties) + _pairs(rows)
    summaries = {ident: doc for (ident, _), doc in zip(candidates, found, strict=True)}
    chosen, following = page(candidates, query.cursor, query.limit)
    items = [docs.current(summaries[ident]) for ident, _ in chosen if summaries[ident] is not None]
    token = encode_cursor(following) if following else None
    body = b'{"items":[' + b",".join(items) + b'],"next_cursor":' + orjson.dumps(token) + b"}"
    return body, token


async def list_reply(
    fast: FastRedis,
    keys: Keys,
    query: ListQuery,
    path: str,
    inm: str | None,
    retry_after: int,
    cache: BriefCache | None = None,
    gzip: GzipCopies | None = None,
) -> Reply:
    """Status, headers and body of one page of stories: 200/304, or 503.

    ``gzip``: the worker's gzip copies when the client takes gzip (``compression.py``).
    """
    args = script_args(keys, query)
    try:
        if cache is None:
            body, token, etag = built(query, await _script(fast, PAGE_SHA, PAGE_SCRIPT, args))
        else:
            body, token, etag = await cached_page(cache, keys, query, args)
    except RedisError:
        return unavailable_reply(path, retry_after)
    headers = [(b"cache-control", CACHE_LIST_B)]
    if token:
        headers.append((b"link", next_link(path, query.params, token).encode()))
    return fresh_reply(headers, body, inm, etag, gzip)


def built(query: ListQuery, reply: list[Any]) -> tuple[bytes, str | None, str]:
    """Body, next cursor token and ETag of a page from the script's reply."""
    body, token = assemble(query, reply)
    return body, token, docs.etag(body)


async def _script(fast: FastRedis, sha: str, source: str, args: tuple[Any, ...]) -> Any:
    try:
        return await fast.execute("EVALSHA", sha, *args)
    except NoScriptError:
        return await fast.execute("EVAL", source, *args)


async def cached_page(
    cache: BriefCache, keys: Keys, query: ListQuery, args: tuple[Any, ...]
) -> tuple[bytes, str | None, str]:
    """A page through the worker's cache: the ids by script, then the summaries by MGET."""
    prefix = keys.story_summary("")

    def keys_of(reply: list[list[bytes]]) -> tuple[list[str], list[str]]:
        ties, rows = reply
        ids = [flat[i].decode() for flat in (ties, rows) for i in range(0, len(flat), 2)]
        return [str(args[1])], [prefix + ident for ident in ids]

    def build(reply: list[Any], found: list[Any]) -> tuple[bytes, str | None, str]:
        return built(query, [*reply, found])

    async def first(fast: FastRedis) -> Any:
        return await _script(fast, IDS_SHA, IDS_SCRIPT, args)

    # The page is a function of the sorted set's range at this cursor and of the limit.
    name = (args, query.limit, query.cursor)
    return await cache.page(name, first, keys_of, build)


CACHE_LIST_B = CACHE_LIST.encode()


class StoryListFastPath:
    """Pure ASGI middleware answering plain ``GET /v1/stories``; everything else goes on."""

    def __init__(
        self,
        app: ASGIApp,
        fast: FastRedis,
        keys: Keys,
        retry_after: int,
        route: Any,
        cache: BriefCache | None = None,
        gzip: GzipCopies | None = None,
    ) -> None:
        self.app = app
        self.cache = cache
        self.gzip = gzip
        self.fast = fast
        self.keys = keys
        self.retry_after = retry_after
        self.route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = None
        if scope["type"] == "http" and scope["path"] == PATH and scope["method"] == "GET":
            query = parse_list_query(scope["query_string"])
        if query is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route
        await send_reply(send, await self.answer(scope, query))

    async def answer(self, scope: Scope, query: ListQuery) -> Reply:
        """The reply to a plain ``GET /v1/stories`` query."""
        inm = if_none_match_of(scope)
        gzip = copies_for(self.gzip, scope)
        return await list_reply(
            self.fast, self.keys, query, PATH, inm, self.retry_after, self.cache, gzip
        )
