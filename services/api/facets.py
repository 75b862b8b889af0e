"""Story filters as clients send them, in the form the serving store indexes them under."""

from __future__ import annotations

NAMES = ("topic", "entity", "hub", "outlet", "lang")


def facet_value(name: str, value: str) -> str:
    """The indexed form of a filter value: outlets in lower case, languages as ISO 639-1.

    Stories carry a lower-case two-letter code (ingest reduces ``en-GB`` to ``en``), and BCP 47
    tags are case-insensitive, so ``lang=EN`` and ``lang=en-GB`` must find the English stories.
    """
    if name == "outlet":
        return value.lower()
    if name == "lang":
        return value.strip().lower().replace("_", "-").split("-", 1)[0]
    return value
