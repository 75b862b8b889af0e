"""JSON responses from stored bytes, with strong ETags and conditional requests."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import Response

from newsbrief import documents as docs

JSON = "application/json"

# Why these: a brief changes when articles join (minutes), lists change constantly, hubs and
# entity cards drift slowly; stale-while-revalidate lets caches answer while they refresh.
CACHE_BRIEF = "public, max-age=30, stale-while-revalidate=60"
CACHE_LIST = "public, max-age=10, stale-while-revalidate=30"
CACHE_SLOW = "public, max-age=120, stale-while-revalidate=300"
CACHE_REDIRECT = "public, max-age=86400"
NO_STORE = "no-store"


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header value matches the ETag (weak comparison, RFC 9110)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False


def conditional(
    request: Request,
    body: bytes,
    cache_control: str,
    etag: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """200 with the body, or 304 when the client already holds this representation."""
    tag = etag or docs.etag(body)
    all_headers = {"ETag": tag, "Cache-Control": cache_control, **(headers or {})}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=all_headers)
    return Response(body, media_type=JSON, headers=all_headers)


def join_array(items: Iterable[bytes]) -> bytes:
    """A JSON array of already serialised documents, without decoding them."""
    return b"[" + b",".join(items) + b"]"


def redirect(location: str) -> Response:
    """Permanent redirect of a merged story to the one that absorbed it."""
    return Response(
        status_code=301, headers={"Location": location, "Cache-Control": CACHE_REDIRECT}
    )
