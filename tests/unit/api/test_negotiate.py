"""Content negotiation, HEAD, filter normalisation and raw replies: the pure pieces."""

import asyncio

import pytest

from services.api.facets import facet_value
from services.api.hotpath import send_reply
from services.api.negotiate import acceptable, as_get, produced, refused_type


@pytest.mark.parametrize(
    ("accept", "offered", "expected"),
    [
        ("application/json", "application/json", True),
        ("application/*", "application/json", True),
        ("*/*", "application/json", True),
        ("", "application/json", True),
        ("text/html,application/xml;q=0.9,*/*;q=0.8", "application/json", True),  # a browser
        ("application/json; charset=utf-8", "application/json", True),
        ("Application/JSON", "application/json", True),
        ("application/xml", "application/json", False),
        ("text/*", "application/json", False),
        ("application/json;q=0, */*", "application/json", False),  # the named range wins
        ("*/*;q=0.1, application/json;q=0", "application/json", False),
        ("application/*;q=0, application/json", "application/json", True),
        ("application/json;q=bogus", "application/json", False),
        ("text/plain;version=0.0.4;q=0.4,*/*;q=0.1", "text/plain", True),  # Prometheus
        ("application/json", "text/event-stream", False),
    ],
)  # fmt: skip
def test_accept_allows_the_offered_type(accept, offered, expected):
    assert acceptable(accept, offered) is expected


def test_each_path_produces_one_type():
    assert produced("/v1/stories/s1") == "application/json"
    assert produced("/v1/stories") == "application/json"
    assert produced("/readyz") == "application/json"
    assert produced("/metrics") == "text/plain"
    assert produced("/v1/updates") == "text/event-stream"
    assert produced("/docs") == "text/html"
    assert produced("/favicon.ico") is None


def _scope(path, *headers):
    return {"type": "http", "method": "GET", "path": path, "headers": list(headers)}


def test_refused_type_names_what_the_client_ruled_out():
    assert refused_type(_scope("/v1/stories")) is None
    assert refused_type(_scope("/v1/stories", (b"accept", b"*/*"))) is None
    assert refused_type(_scope("/v1/stories", (b"accept", b"text/html"))) == "application/json"
    # A shortcut for JSON's usual Accept values must not let them through elsewhere.
    assert refused_type(_scope("/metrics", (b"accept", b"application/json"))) == "text/plain"
    # Several Accept headers are one list.
    both = (b"accept", b"text/html"), (b"accept", b"application/json")
    assert refused_type(_scope("/v1/hubs", *both)) is None
    assert refused_type(_scope("/nowhere", (b"accept", b"text/html"))) is None


def test_head_is_served_as_get_and_ends_at_the_first_body():
    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "HEAD", "path": "/v1/updates", "headers": []}
    as_getting, headers_only = as_get(scope, send)
    assert as_getting["method"] == "GET" and scope["method"] == "HEAD"

    async def stream():
        await headers_only({"type": "http.response.start", "status": 200, "headers": []})
        for chunk in (b"retry: 3000\n\n", b"id: 1-0\n\n"):
            await headers_only({"type": "http.response.body", "body": chunk, "more_body": True})

    asyncio.run(stream())
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[1] == {"type": "http.response.body", "body": b"", "more_body": False}


def test_a_304_sends_no_content_length():
    sent = []

    async def send(message):
        sent.append(message)

    asyncio.run(send_reply(send, (304, [(b"etag", b'"x"')], b"")))
    assert (b"content-length", b"0") not in sent[0]["headers"]
    asyncio.run(send_reply(send, (200, [], b"{}")))
    assert (b"content-length", b"2") in sent[2]["headers"]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [("lang", "EN", "en"), ("lang", "en-GB", "en"), ("lang", "pt_BR", "pt"), ("lang", "fr", "fr"),
     ("outlet", "PBN News", "pbn news"), ("entity", "E-Kremlin", "E-Kremlin")],
)  # fmt: skip
def test_filters_take_the_indexed_form(name, value, expected):
    assert facet_value(name, value) == expected
