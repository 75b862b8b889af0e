"""The front door: the two busiest routes, answered before FastAPI's middleware stack.

Starlette's error handling, FastAPI's body-limit and telemetry layers and our metrics and
rate-limit middleware each wrap ``send``, and together they cost more than serving a cached
brief does. ``GET /v1/stories/{id}`` and plain ``GET /v1/stories`` are therefore answered here,
with the same rate limit and the same replies as behind the stack (the same fast-path objects
answer there), and counted straight into the metrics. A cross-origin request (CORS on, an
``Origin`` sent) still takes the full stack, for its CORS headers.
"""

from __future__ import annotations

import logging
from time import perf_counter
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from starlette.types import Scope, Send

from services.api.compression import add_vary
from services.api.hotpath import Reply, problem_reply, refused, send_reply, story_id_of
from services.api.listpath import PATH, StoryListFastPath, parse_list_query
from services.api.negotiate import client_method, refused_type

if TYPE_CHECKING:
    from services.api.hotpath import StoryFastPath
    from services.api.metrics import Metrics
    from services.api.ratelimit import Limiter

log = logging.getLogger(__name__)


def has_origin(scope: Scope) -> bool:
    """Whether the request names an Origin (a browser's cross-origin request)."""
    return any(name == b"origin" for name, _ in scope["headers"])


class FrontDoor:
    """Answers the hot routes of an HTTP scope, or declines (the caller goes on to FastAPI)."""

    def __init__(
        self,
        story: StoryFastPath,
        listing: StoryListFastPath,
        limiter: Limiter | None,
        metrics: Metrics,
        cors: bool,
    ) -> None:
        self.story = story
        self.listing = listing
        self.limiter = limiter
        self.metrics = metrics
        self.cors = cors

    async def serve(self, scope: Scope, send: Send) -> bool:
        """Answer the request if it is one of the hot routes; whether it was."""
        if scope["method"] != "GET" or (self.cors and has_origin(scope)):
            return False
        start = perf_counter()
        story_id = story_id_of(scope)
        query = parse_list_query(scope["query_string"]) if scope["path"] == PATH else None
        if story_id is None and query is None:
            return False
        if refused_type(scope) is not None:
            return False  # the stack's NegotiationMiddleware answers the 406
        route = self.story.route if story_id is not None else self.listing.route
        try:
            if story_id is not None:
                reply = await self.story.answer(scope, story_id)
            else:
                reply = await self._listed(scope, query)
        except Exception:
            # What Starlette's error middleware would do behind us: log, answer a bare 500.
            log.exception("unhandled error on %s", scope["path"])
            reply = problem_reply(500, "internal error", scope["path"], [])
        if self.cors:
            # A cross-origin request gets other headers (the full stack's), so a shared cache
            # must not hand this answer to one: Starlette's CORS says the same on its answers.
            add_vary(reply[1], b"Origin")
        await send_reply(send, reply)
        method = client_method(scope)
        self.metrics.observe(method, route.path, reply[0], perf_counter() - start)
        return True

    async def _listed(self, scope: Scope, query: object) -> Reply:
        if self.limiter is not None:
            try:
                allowed, wait = await self.limiter.admit(scope)
            except RedisError as exc:
                # Fail open, as the rate-limit middleware does: the page answers 503 if needed.
                log.debug("rate limiter unavailable: %s", exc)
                allowed, wait = True, 0.0
            if not allowed:
                return refused(self.limiter, wait, scope["path"])
        return await self.listing.answer(scope, query)  # type: ignore[arg-type]
