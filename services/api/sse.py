"""Server-sent events framing of the brief-update stream (pure functions)."""

from __future__ import annotations

import re

import orjson

STREAM_ID = re.compile(r"^\d{1,20}(-\d{1,20})?$")
RETRY_MS = 3000


def valid_stream_id(text: str) -> bool:
    """Whether text is a Redis stream id a client may resume from."""
    return bool(STREAM_ID.match(text))


def event(entry_id: bytes, fields: dict[bytes, bytes]) -> bytes:
    """One ``brief`` event: the stream id is the SSE id, so Last-Event-ID resumes after it.

    Only a merge adds a field (``merged_into``): it leaves an id with no document, so the
    event itself must say where to go. A split needs none: the split story keeps its id, and
    the new version a client fetches names where the articles went (``split_into``), while
    the split-off story announces itself with its own event.
    """
    data: dict[str, object] = {"story_id": fields.get(b"story_id", b"").decode()}
    version = fields.get(b"version", b"0").decode()
    data["version"] = int(version) if version.isdigit() else 0
    if b"merged_into" in fields:
        data["merged_into"] = fields[b"merged_into"].decode()
    return b"id: " + entry_id + b"\nevent: brief\ndata: " + orjson.dumps(data) + b"\n\n"


def preamble() -> bytes:
    """First bytes of a stream: how long a client waits before reconnecting."""
    return f"retry: {RETRY_MS}\n\n".encode()


def keep_alive() -> bytes:
    """A comment line that keeps proxies from closing an idle stream."""
    return b": keep-alive\n\n"
