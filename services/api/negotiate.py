"""Content negotiation and HEAD: what each path produces, and whether a client takes it.

Every route produces exactly one media type, so negotiation is a yes/no question: a request
whose ``Accept`` rules that type out gets a ``406`` problem document (RFC 9110 section 15.5.7)
instead of a body it said it cannot use. ``HEAD`` is answered as ``GET`` without the body
(RFC 9110 section 9.3.2: every general-purpose server supports it; caches and link checkers
use it).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.hotpath import problem_reply, send_reply
from services.api.qvalues import list_header, quality

JSON = "application/json"
# Paths whose answers are not JSON; every other path of the API answers JSON.
MEDIA_TYPES = {
    "/metrics": "text/plain",
    "/v1/updates": "text/event-stream",
    "/docs": "text/html",
    "/redoc": "text/html",
    "/docs/oauth2-redirect": "text/html",
}
JSON_PREFIXES = ("/v1/", "/healthz", "/readyz", "/openapi.json")
# Accept values nearly every client of the JSON routes sends: allowed without parsing.
COMMON = frozenset({b"*/*", b"application/json", b"application/json, */*", b"*/*;q=0.8"})


def produced(path: str) -> str | None:
    """The media type the API answers on this path, or None for a path it does not serve."""
    known = MEDIA_TYPES.get(path)
    if known is not None:
        return known
    if path.startswith(JSON_PREFIXES):
        return JSON
    return None


def acceptable(accept: str, offered: str) -> bool:
    """Whether an ``Accept`` value allows the offered media type (the most specific range wins).

    ``*/*;q=0.1, application/json;q=0`` refuses JSON: a range naming the type outranks the
    wildcards, whatever the order. Parameters other than ``q`` do not restrict the match.
    """
    if not accept.strip():
        return True
    kind, _, subtype = offered.lower().partition("/")
    best: tuple[int, float] | None = None
    for part in accept.split(","):
        media, *params = part.split(";")
        main, _, sub = media.strip().lower().partition("/")
        if (main, sub) == (kind, subtype):
            rank = 2
        elif main == kind and sub == "*":
            rank = 1
        elif main == "*" and sub in ("*", ""):
            rank = 0
        else:
            continue
        if best is None or rank > best[0]:
            best = (rank, quality(params))
    return best is not None and best[1] > 0


def refused_type(scope: Scope) -> str | None:
    """The media type of this path when the request's Accept rules it out, else None."""
    accept = list_header(scope, b"accept")
    if accept is None:
        return None
    offered = produced(scope["path"])
    if offered is None or (offered == JSON and accept in COMMON):
        return None
    return None if acceptable(accept.decode("latin-1"), offered) else offered


class NegotiationMiddleware:
    """Answers 406 when a request's Accept rules out what its path produces."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        offered = refused_type(scope) if scope["type"] == "http" else None
        if offered is None:
            await self.app(scope, receive, send)
            return
        detail = f"this resource is only available as {offered}; the Accept header rules it out"
        reply = problem_reply(406, detail, scope["path"], [])
        await send_reply(send, reply)


# Set in the GET copy of a HEAD request's scope, so metrics still count it as HEAD.
HEAD_KEY = "newsbrief.head"


def client_method(scope: Scope) -> str:
    """The method the client sent (``HEAD`` for a HEAD answered as GET)."""
    return "HEAD" if scope.get(HEAD_KEY) else scope["method"]


def as_get(scope: Scope, send: Send) -> tuple[Scope, Send]:
    """A HEAD request as the GET it mirrors, and a ``send`` that drops the body.

    The copy leaves the server's own scope saying HEAD, so it also knows not to send a body.
    The response ends at its first body message, which also ends an endless stream (SSE) at once.
    """
    done = False

    async def headers_only(message: Message) -> None:
        nonlocal done
        if done:
            return
        if message["type"] == "http.response.body":
            done = True
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return {**scope, "method": "GET", HEAD_KEY: True}, headers_only
