"""gzip for the JSON routes: which clients take it, and one compressed copy per document version.

Negotiation (RFC 9110 section 12.5.3): a client gets gzip when its ``Accept-Encoding`` gives
gzip (or ``*``) a non-zero weight at least as high as identity's; without the header, or with an
empty one, it gets exactly the bytes it always got. Bodies under ``MIN_SIZE`` stay as they are:
gzip's header and trailer cost more than they save, and the bytes are then the same for every
client, so such a reply carries no ``Vary`` either.

Validators (RFC 9110 section 8.8.3): a strong ETag names one sequence of bytes, so the gzip
representation gets its own strong ETag, the identity one with ``-gzip`` appended inside the
quotes. ``If-None-Match`` with either form answers ``304`` while the document is current; the
``304`` names the form the client holds (when it holds the one this request would get, that
one), so a cache keeping both variants knows which to refresh.

Copies: a stored document's ETag is a hash of its bytes (``documents.etag``, the only way
``store.py`` writes one; an ETag that did not change with the bytes would already break every
cache's 304s), so ETag -> gzip bytes never goes stale and needs no invalidation: each worker
compresses each version once. Not next to the JSON in the brief cache (``doccache.py``): its
copies live at most ``max_age`` (1 s), so a hot brief would be compressed again every second,
and it is off when ``brief_cache_seconds`` is 0. Pages of stories and every FastAPI route share
the same copies. ``zlib`` with no timestamp gives the same bytes in every worker, as a strong
ETag requires.

``/v1/`` routes negotiate here, next to their ETags. The rest (the OpenAPI document, the docs
pages, ``/metrics``) carry no ETag and go through Starlette's ``GZipMiddleware``, with the
header parsed here: Starlette's own test is a substring match that also takes ``gzip;q=0``.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from services.api.qvalues import list_header, quality

MIN_SIZE = 1024
# zlib's default: within a few percent of level 9 on briefs at a fraction of the CPU, and a
# page of stories (compressed per version, but versions change often) pays it per change.
LEVEL = 6
# Per worker. Copies are about a fifth of the JSON (the brief cache holds up to 32 MiB of
# JSON), and refilling one costs one compression, so a plain reset when full is enough.
MAX_BYTES = 8 * 1024 * 1024
GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around the deflate stream

VARY = (b"vary", b"Accept-Encoding")
ENCODED = (b"content-encoding", b"gzip")
# What nearly every client sends: answered without parsing.
COMMON = {
    b"gzip": True,
    b"gzip, deflate": True,
    b"gzip, deflate, br": True,
    b"gzip, deflate, br, zstd": True,
    b"br, gzip": True,
    b"identity": False,
}


def codings(accept_encoding: str) -> dict[str, float]:
    """Each content coding the header names, lower-cased, with its weight (first entry wins)."""
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        coding, *params = part.split(";")
        coding = coding.strip().lower()
        if coding:
            weights.setdefault(coding, quality(params))
    return weights


def takes_gzip(accept_encoding: str | None) -> bool:
    """Whether to answer gzip rather than identity to a request with this Accept-Encoding.

    ``*`` stands for every coding the header does not name, identity included. Identity not
    covered at all is acceptable but least preferred, so any weight for gzip wins over it. When
    neither is acceptable (``gzip;q=0, identity;q=0``) the answer is identity: RFC 9110 allows a
    406 there, but identity is what such a client can certainly read.
    """
    if not accept_encoding:
        return False
    weights = codings(accept_encoding)
    star = weights.get("*")
    gzip = weights.get("gzip", weights.get("x-gzip", star))
    if not gzip:
        return False
    identity = weights.get("identity", star)
    return identity is None or gzip >= identity


@lru_cache(maxsize=512)
def _takes_gzip_raw(value: bytes) -> bool:
    return takes_gzip(value.decode("latin-1"))


def wants_gzip(scope: Scope) -> bool:
    """Whether this ASGI request takes gzip (the parse is cached per distinct header value)."""
    value = list_header(scope, b"accept-encoding")
    if value is None:
        return False
    known = COMMON.get(value)
    return known if known is not None else _takes_gzip_raw(value)


def copies_for(copies: GzipCopies | None, scope: Scope) -> GzipCopies | None:
    """The worker's gzip copies when this request takes gzip, else None."""
    return copies if copies is not None and wants_gzip(scope) else None


def gzip_tag(etag: str) -> str:
    """The strong ETag of the gzip representation of the document whose ETag is ``etag``."""
    return etag[:-1] + '-gzip"' if etag.endswith('"') else etag + "-gzip"


def compress(body: bytes) -> bytes:
    """gzip bytes of body, the same in every process (no timestamp, fixed level)."""
    return zlib.compress(body, LEVEL, GZIP_WBITS)


class GzipCopies:
    """Each worker's gzip copies of the documents it served, by strong ETag."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.copies: dict[str, bytes] = {}
        self.stored = 0
        self.compressions = 0

    def get(self, etag: str, body: bytes) -> bytes:
        """The gzip copy of body (whose strong ETag is etag), compressed on first use."""
        copy = self.copies.get(etag)
        if copy is None:
            copy = compress(body)
            self.compressions += 1
            if self.stored + len(copy) > self.max_bytes:
                self.copies.clear()
                self.stored = 0
            self.copies[etag] = copy
            self.stored += len(copy)
        return copy


def add_vary(headers: list[tuple[bytes, bytes]], token: bytes) -> None:
    """Add token to the reply's Vary (one header line, each name once)."""
    for index, (name, value) in enumerate(headers):
        if name == b"vary":
            names = [part.strip().lower() for part in value.split(b",")]
            if token.lower() not in names and b"*" not in names:
                headers[index] = (name, value + b", " + token)
            return
    headers.append((b"vary", token))


class NegotiatedGZip:
    """Starlette's GZipMiddleware for the routes outside ``/v1/``, told what the client takes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=MIN_SIZE, compresslevel=LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/v1/"):
            # The /v1/ routes negotiate next to their ETags; /v1/updates is a live stream.
            await self.app(scope, receive, send)
            return
        # GZipMiddleware compresses when "gzip" appears anywhere in the header: hand it the
        # verdict of the real parse instead (its identity branch still adds Vary when large).
        headers = [(n, v) for n, v in scope["headers"] if n != b"accept-encoding"]
        if wants_gzip(scope):
            headers.append((b"accept-encoding", b"gzip"))
        await self.gzip({**scope, "headers": headers}, receive, send)
