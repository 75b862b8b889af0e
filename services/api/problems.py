"""RFC 9457 problem details: every error the API sends is ``application/problem+json``."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
ALLOWED = "GET, HEAD"


class Problem(Exception):
    """An error to answer with a problem document (raise it from routes or dependencies)."""

    def __init__(
        self, status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_body(status: int, detail: str, instance: str | None = None, **extra: Any) -> bytes:
    """Serialise a problem document; ``type`` is about:blank so ``title`` is the status phrase."""
    doc: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        doc["instance"] = instance
    doc.update(extra)
    return orjson.dumps(doc)


def problem(
    status: int,
    detail: str,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem response; errors are never cached by clients or proxies."""
    all_headers = {"Cache-Control": "no-store", **(headers or {})}
    return Response(
        problem_body(status, detail, instance, **extra),
        status_code=status,
        media_type=PROBLEM_TYPE,
        headers=all_headers,
    )


def not_found(what: str, ident: str, instance: str) -> Response:
    """404 for an unknown id."""
    return problem(404, f"no {what} with id {ident!r}", instance)


def validation_detail(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    """A readable detail naming each offending field, and the per-field list."""
    fields = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        where = loc[0] if loc else "request"
        name = ".".join(loc[1:]) or where
        fields.append({"in": where, "field": name, "message": str(err.get("msg", "invalid"))})
    detail = "; ".join(f"{f['in']} parameter {f['field']!r}: {f['message']}" for f in fields)
    return detail or "invalid request", fields


def install(app: FastAPI, retry_after: int) -> None:
    """Route every error through problem documents, without leaking stack traces."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem(exc.status, exc.detail, request.url.path, exc.headers, **exc.extra)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        headers = dict(exc.headers or {})
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route for {request.url.path}"
        if exc.status_code == 405:
            # Every route is read-only; HEAD is served as GET (negotiate.py), so both are allowed.
            detail = f"{request.method} is not allowed; this API answers {ALLOWED}"
            headers["Allow"] = ALLOWED
        return problem(exc.status_code, detail, request.url.path, headers)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        detail, fields = validation_detail(list(exc.errors()))
        return problem(422, detail, request.url.path, errors=fields)

    async def on_redis_down(request: Request, exc: Exception) -> Response:
        log.warning("redis unavailable: %s", exc)
        return problem(
            503,
            "the serving store is unreachable; retry shortly",
            request.url.path,
            {"Retry-After": str(retry_after)},
        )

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "internal error", request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(RedisConnectionError, on_redis_down)
    app.add_exception_handler(RedisTimeoutError, on_redis_down)
    app.add_exception_handler(Exception, on_crash)
