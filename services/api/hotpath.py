"""``GET /v1/stories/{id}`` as pure ASGI, in front of FastAPI.

FastAPI's per-request routing and dependency solving cost several times what serving a brief
does, so the busiest route is answered here: the stored bytes and ETag (from the worker's
tracked copy, ``doccache.py``, else one pipelined HMGET) sent as raw ASGI messages; ``front.py``
calls it before any middleware. A client taking gzip gets the worker's compressed copy of that
version (``compression.py``), made once. Its FastAPI twin in ``routes/stories.py`` documents
it in OpenAPI and shares ``story_reply``, so both answer identically.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from redis.exceptions import RedisError
from starlette.types import ASGIApp, Receive, Scope, Send

from newsbrief import documents as docs
from newsbrief.keys import Keys
from services.api.compression import ENCODED, VARY, GzipCopies, copies_for
from services.api.fastredis import FastRedis
from services.api.problems import PROBLEM_TYPE, problem_body
from services.api.responses import CACHE_BRIEF, CACHE_REDIRECT, negotiated

if TYPE_CHECKING:
    from services.api.doccache import BriefCache
    from services.api.ratelimit import Command, Limiter

PREFIX = "/v1/stories/"
FIELDS = ("json", "etag")
MAX_ID = 200

Reply = tuple[int, list[tuple[bytes, bytes]], bytes]


def problem_reply(status: int, detail: str, path: str, extra: list[tuple[bytes, bytes]]) -> Reply:
    """A problem document as a raw reply; errors are never cached."""
    body = problem_body(status, detail, path)
    headers = [(b"content-type", PROBLEM_TYPE.encode()), (b"cache-control", b"no-store")]
    return status, headers + extra, body


def unavailable_reply(path: str, retry_after: int) -> Reply:
    """The 503 answered while Redis cannot be reached."""
    detail = "the serving store is unreachable; retry shortly"
    return problem_reply(503, detail, path, [(b"retry-after", str(retry_after).encode())])


def fresh_reply(
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    if_none_match: str | None,
    etag: str,
    gzip: GzipCopies | None = None,
) -> Reply:
    """A 304 when the client's copy is current, else the 200 with the JSON body.

    ``gzip``: the worker's gzip copies when the client takes gzip (``compression.py``).
    """
    answer = negotiated(body, etag, if_none_match, gzip)
    headers = [(b"etag", answer.etag.encode()), *headers]
    if answer.vary:
        headers.append(VARY)
    if answer.status == 304:
        return 304, headers, b""
    if answer.gzip:
        headers.append(ENCODED)
    return 200, [(b"content-type", b"application/json"), *headers], answer.body


def if_none_match_of(scope: Scope) -> str | None:
    """The request's If-None-Match header, if any."""
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return value.decode("latin-1")
    return None


async def story_reply(
    fast: FastRedis,
    keys: Keys,
    story_id: str,
    if_none_match: str | None,
    path: str,
    retry_after: int,
    lease: tuple[Limiter, Command] | None = None,
    cache: BriefCache | None = None,
    gzip: GzipCopies | None = None,
) -> Reply:
    """Status, headers and body for one story: 200/304, 301 if merged, 404, 429 or 503.

    ``lease`` is the rate limiter and its lease request for this client, when the worker holds
    no token for it: without a cache it travels in the same write as the HMGET, so it costs no
    extra round trip. ``cache``: the worker's copy of the briefs (``doccache.py``). ``gzip``:
    the worker's gzip copies when the client takes gzip (``compression.py``).
    """
    key = keys.story(story_id)
    try:
        if lease is None:
            body, etag = await (
                cache.read(key) if cache is not None else fast.execute("HMGET", key, *FIELDS)
            )
        else:
            limiter, command = lease
            read = () if cache is not None else (("HMGET", key, *FIELDS),)
            try:
                verdict, *rest = await fast.execute_many([command, *read], errors=True)
            except BaseException:
                limiter.abandon(command)
                raise
            allowed, wait = await limiter.settle(command, verdict)
            if not allowed:
                return refused(limiter, wait, path)
            body, etag = rest[0] if rest else await cache.read(key)  # type: ignore[union-attr]
        if body is None:
            survivor = await fast.execute("GET", keys.redirect(story_id))
    except RedisError:
        return unavailable_reply(path, retry_after)
    if body is None:
        if survivor is None:
            return problem_reply(404, f"no story with id {story_id!r}", path, [])
        location = PREFIX + quote(survivor.decode(), safe="")
        return 301, [(b"location", location.encode()), (b"cache-control", CACHE_REDIRECT_B)], b""
    if cache is None:  # the worker's copies are upgraded once, as they are stored
        body, etag = docs.current_stored(body, etag)
    headers = [(b"cache-control", CACHE_BRIEF_B)]
    return fresh_reply(headers, body, if_none_match, etag.decode(), gzip)


def refused(limiter: Limiter, wait: float, path: str) -> Reply:
    """The 429 of a client whose bucket is empty."""
    status, headers, problem = limiter.refusal(wait, path)
    return status, _raw(headers, PROBLEM_TYPE), problem


def _raw(headers: dict[str, str], content_type: str) -> list[tuple[bytes, bytes]]:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return [(b"content-type", content_type.encode()), *raw]


CACHE_BRIEF_B = CACHE_BRIEF.encode()
CACHE_REDIRECT_B = CACHE_REDIRECT.encode()


def story_id_of(scope: Scope) -> str | None:
    """The story id when the request is ``GET /v1/stories/{id}``, else None."""
    path: str = scope["path"]
    if scope["method"] != "GET" or not path.startswith(PREFIX):
        return None
    story_id = path[len(PREFIX) :]
    if not story_id or "/" in story_id or len(story_id) > MAX_ID:
        return None
    return story_id


class StoryFastPath:
    """Pure ASGI middleware answering ``GET /v1/stories/{id}``; everything else goes on."""

    def __init__(
        self,
        app: ASGIApp,
        fast: FastRedis,
        keys: Keys,
        retry_after: int,
        route: Any,
        limiter: Limiter | None = None,
        cache: BriefCache | None = None,
        gzip: GzipCopies | None = None,
    ) -> None:
        self.app = app
        self.cache = cache
        self.gzip = gzip
        self.limiter = limiter
        self.fast = fast
        self.keys = keys
        self.retry_after = retry_after
        self.route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        story_id = story_id_of(scope) if scope["type"] == "http" else None
        if story_id is None:
            await self.app(scope, receive, send)
            return
        # Label metrics with the documented route, as FastAPI's router would.
        scope["route"] = self.route
        await send_reply(send, await self.answer(scope, story_id))

    async def answer(self, scope: Scope, story_id: str) -> Reply:
        """The reply to ``GET /v1/stories/{story_id}``, rate limit included."""
        inm = if_none_match_of(scope)
        lease = None
        if self.limiter is not None:
            prepared = await self.limiter.prepare(self.limiter.client(scope))
            if isinstance(prepared[0], bool):
                allowed, wait = prepared
                if not allowed:
                    return refused(self.limiter, float(wait), scope["path"])
            else:
                lease = (self.limiter, prepared)
        gzip = copies_for(self.gzip, scope)
        return await story_reply(
            self.fast,
            self.keys,
            story_id,
            inm,
            scope["path"],
            self.retry_after,
            lease,
            self.cache,
            gzip,
        )


async def send_reply(send: Send, reply: Reply) -> None:
    """Send a reply as raw ASGI messages."""
    status, headers, body = reply
    if status != 304:
        # A 304's Content-Length would have to be the 200's (RFC 9110 8.6), not 0: omit it.
        headers.append((b"content-length", b"%d" % len(body)))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
