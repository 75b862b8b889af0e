"""Weighted HTTP lists (Accept, Accept-Encoding): the header's value and an entry's ``q``."""

from __future__ import annotations

from starlette.types import Scope


def list_header(scope: Scope, name: bytes) -> bytes | None:
    """The request's list header ``name``: several lines are one list (RFC 9110 section 5.3)."""
    values = [value for key, value in scope["headers"] if key == name]
    if not values:
        return None
    return values[0] if len(values) == 1 else b",".join(values)


def quality(params: list[str]) -> float:
    """The entry's weight from its ``;``-separated parameters: 1 when absent, 0 when garbled.

    RFC 9110 section 12.4.2: a weight is between 0 and 1; a value a client got wrong counts
    as "not acceptable" rather than as a preference it did not state.
    """
    for param in params:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 0.0
            return min(weight, 1.0) if weight > 0 else 0.0
    return 1.0
