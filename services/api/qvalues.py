"""The ``q`` weight of an entry in a weighted HTTP list (Accept, Accept-Encoding)."""

from __future__ import annotations


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
