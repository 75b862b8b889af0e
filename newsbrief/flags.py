"""Flags ingest sets on an ``Article`` (``Article.flags``): a contract between ingest and the
services that read its articles, so the names live once, here."""

from __future__ import annotations

PUBLISHED_MISSING = "published_missing"
PUBLISHED_UNPARSEABLE = "published_unparseable"
PUBLISHED_FUTURE = "published_in_future"
PUBLISHED_IMPLAUSIBLE = "published_implausible"
LANGUAGE_DETECTED = "language_detected"
TITLE_FROM_TEXT = "title_from_text"
TITLE_MARKUP = "title_markup_stripped"

# Ingest stamps these articles with the time it fetched them: that is our clock, not the
# publisher's, so the time says nothing about when the story happened or what "yesterday" meant.
GUESSED_DATE = frozenset(
    {PUBLISHED_MISSING, PUBLISHED_UNPARSEABLE, PUBLISHED_FUTURE, PUBLISHED_IMPLAUSIBLE}
)
