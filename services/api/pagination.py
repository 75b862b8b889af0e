"""Cursor pagination over lists ordered newest first (score desc, then id desc).

A cursor names the last item of a page, so pages stay stable while new stories arrive at the
head: a walk never repeats an item. Lists are ordered by last update, though, so a story updated
during a walk moves to the head, above the cursor, and that walk does not meet it again; clients
that must see every change follow ``/v1/updates`` (or start again from the first page).
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

import orjson


@dataclass(frozen=True)
class Cursor:
    """Position after which the next page starts."""

    score: float
    id: str


def encode_cursor(cursor: Cursor) -> str:
    """Opaque, URL-safe form of a cursor."""
    raw = orjson.dumps([cursor.score, cursor.id])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(text: str) -> Cursor:
    """Parse a cursor made by encode_cursor; ValueError when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        score, ident = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError("not a cursor returned by this API") from exc
    ok_score = isinstance(score, int | float) and not isinstance(score, bool)
    if not ok_score or not math.isfinite(score) or not isinstance(ident, str):
        raise ValueError("not a cursor returned by this API")
    return Cursor(float(score), ident)


def after(item: tuple[str, float], cursor: Cursor | None) -> bool:
    """Whether an (id, score) item comes after the cursor in newest-first order."""
    if cursor is None:
        return True
    ident, score = item
    return score < cursor.score or (score == cursor.score and ident < cursor.id)


def order(items: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """Sort (id, score) items newest first, ties by id descending (Redis' reverse order)."""
    return sorted(items, key=lambda item: (item[1], item[0]), reverse=True)


def page(
    items: Iterable[tuple[str, float]], cursor: Cursor | None, limit: int
) -> tuple[list[tuple[str, float]], Cursor | None]:
    """One page of items after the cursor, and the cursor of the next page (None at the end)."""
    rest = [item for item in order(items) if after(item, cursor)]
    chosen = rest[:limit]
    if len(rest) > limit:
        last_id, last_score = chosen[-1]
        return chosen, Cursor(last_score, last_id)
    return chosen, None


def next_link(path: str, params: dict[str, str], cursor: str) -> str:
    """RFC 8288 ``Link`` header value pointing at the next page."""
    query = urlencode({**{k: v for k, v in params.items() if k != "cursor"}, "cursor": cursor})
    return f'<{path}?{query}>; rel="next"'
