"""JSON responses from stored bytes, with strong ETags and conditional requests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from starlette.requests import Request
from starlette.responses import Response

from newsbrief import documents as docs
from services.api.compression import MIN_SIZE, GzipCopies, copies_for, gzip_tag

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


class Answer(NamedTuple):
    """What to send for a document: status, the ETag header, the body and how it is coded."""

    status: int
    etag: str
    body: bytes
    gzip: bool
    vary: bool


def negotiated(
    body: bytes, etag: str, if_none_match: str | None, gzip: GzipCopies | None
) -> Answer:
    """The 200 or 304 of a document whose strong ETag is etag (``compression.py`` says why).

    ``gzip``: the worker's gzip copies when the client takes gzip, else None. Bodies under
    ``MIN_SIZE`` have one representation only, the same for every client: no Vary.
    """
    varies = len(body) >= MIN_SIZE
    zipped = varies and gzip is not None
    chosen = gzip_tag(etag) if zipped else etag
    if if_none_match is not None:
        if matches(if_none_match, chosen):
            return Answer(304, chosen, b"", False, varies)
        other = (etag if zipped else gzip_tag(etag)) if varies else None
        if other is not None and matches(if_none_match, other):
            return Answer(304, other, b"", False, varies)
    if zipped:
        body = gzip.get(etag, body)  # type: ignore[union-attr]
    return Answer(200, chosen, body, zipped, varies)


def gzip_for(request: Request) -> GzipCopies | None:
    """The worker's gzip copies when this request takes gzip, else None."""
    return copies_for(getattr(request.app.state, "gzip", None), request.scope)


def conditional(
    request: Request,
    body: bytes,
    cache_control: str,
    etag: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """200 with the body (gzip when the client takes it), or 304 when the client holds it."""
    inm = request.headers.get("if-none-match")
    answer = negotiated(body, etag or docs.etag(body), inm, gzip_for(request))
    all_headers = {"ETag": answer.etag, "Cache-Control": cache_control, **(headers or {})}
    if answer.vary:
        all_headers["Vary"] = "Accept-Encoding"
    if answer.status == 304:
        return Response(status_code=304, headers=all_headers)
    if answer.gzip:
        all_headers["Content-Encoding"] = "gzip"
    return Response(answer.body, media_type=JSON, headers=all_headers)


def join_array(items: Iterable[bytes]) -> bytes:
    """A JSON array of already serialised documents, without decoding them."""
    return b"[" + b",".join(items) + b"]"


def redirect(location: str) -> Response:
    """Permanent redirect of a merged story to the one that absorbed it."""
    return Response(
        status_code=301, headers={"Location": location, "Cache-Control": CACHE_REDIRECT}
    )
