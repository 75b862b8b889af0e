"""Parameters and OpenAPI response docs shared by several routes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Path, Query

from services.api.pagination import Cursor, decode_cursor
from services.api.problems import PROBLEM_TYPE, Problem

IdPath = Annotated[str, Path(min_length=1, max_length=200, examples=["s-7f3a9c2e1b"])]
HubIdPath = Annotated[str, Path(min_length=1, max_length=200, examples=["h-conflicts"])]
EntityIdPath = Annotated[str, Path(min_length=1, max_length=200, examples=["e-kremlin"])]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (1-100).")]
CursorParam = Annotated[
    str | None,
    Query(max_length=512, description="Opaque `next_cursor` of the previous page."),
]
Facet = Annotated[str | None, Query(min_length=1, max_length=200)]


PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDoc"}


def problem_doc(description: str) -> dict[str, Any]:
    """OpenAPI entry of an error answered with a problem document (its only media type).

    No ``model``: FastAPI would file it under ``application/json``, which these never are;
    ``app.py`` registers the ProblemDoc schema this refers to.
    """
    return {"description": description, "content": {PROBLEM_TYPE: {"schema": PROBLEM_REF}}}


VARY_DOC = {
    "description": "`Accept-Encoding` when the body is 1 KiB or more (it may be gzip-coded).",
    "schema": {"type": "string"},
}


def etag_headers() -> dict[str, Any]:
    """OpenAPI headers of a cacheable 200."""
    return {
        "ETag": {
            "description": "Strong validator of the body; the gzip body's ends in `-gzip`.",
            "schema": {"type": "string"},
        },
        "Cache-Control": {"schema": {"type": "string"}},
        "Content-Encoding": {
            "description": "`gzip` when `Accept-Encoding` takes it and the body is 1 KiB or more.",
            "schema": {"type": "string", "enum": ["gzip"]},
        },
        "Vary": VARY_DOC,
    }


NOT_MODIFIED = {
    304: {
        "description": "The client's copy (If-None-Match, either ETag form) is current.",
        "headers": {
            "ETag": {
                "description": "The validator the client holds.",
                "schema": {"type": "string"},
            },
            "Cache-Control": {"schema": {"type": "string"}},
            "Vary": VARY_DOC,
        },
    }
}
LINK = {"Link": {"description": "RFC 8288 link to the next page.", "schema": {"type": "string"}}}
NOT_FOUND = {404: problem_doc("Unknown id.")}


def parse_cursor(text: str | None) -> Cursor | None:
    """The cursor of a request, or a 422 naming the ``cursor`` parameter."""
    if text is None:
        return None
    try:
        return decode_cursor(text)
    except ValueError as exc:
        field = {"in": "query", "field": "cursor", "message": str(exc)}
        raise Problem(422, f"query parameter 'cursor': {exc}", errors=[field]) from exc


def epoch(when: datetime | None) -> float | None:
    """Seconds since the epoch; a time without zone is taken as UTC."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()
