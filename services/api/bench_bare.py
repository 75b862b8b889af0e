"""The benchmark's baseline: a bare Starlette route returning a brief's bytes from memory.

``python -m services.api.bench_bare PORT WORKERS`` serves it exactly as ``serve()`` serves the
API (same supervisor, sockets, uvloop and httptools), so the two differ only in the app.
"""

from __future__ import annotations

import os
import sys
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


def main(port: int, workers: int) -> None:
    """Serve the bare route on 127.0.0.1:port with the API's worker supervisor."""
    from services.api.workers import WorkerConfig, run_workers

    run_workers(WorkerConfig("services.api.bench_bare:app_factory"), "127.0.0.1", port, workers)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
