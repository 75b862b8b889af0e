"""The benchmark's baseline: a bare Starlette route returning a brief's bytes from memory."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY_FILE_ENV = "NEWSBRIEF_BENCH_BODY_FILE"


def app_factory() -> Starlette:
    """A one-route app answering ``GET /bare/{id}`` with the bytes of the body file."""
    body = Path(os.environ[BODY_FILE_ENV]).read_bytes()

    async def brief(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/bare/{story_id}", brief)])
