"""gzip as a client developer checks it: exact bytes, ETags and 304s, HEAD, Vary, SSE, metrics.

Every request here states its Accept-Encoding (the client's default one is removed), and bodies
are read raw, before httpx would decode them.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator

import httpx
import pytest
import redis

from newsbrief.keys import Keys
from newsbrief.v1 import newsbrief_pb2 as pb
from services.api import sample
from services.api.app import create_app
from services.api.compression import MIN_SIZE, gzip_tag
from services.api.config import ApiSettings
from services.api.main import serve_in_thread

GZIP = {"Accept-Encoding": "gzip"}

JSON_ROUTES = [
    "/v1/stories/s00003",  # the hot path
    "/v1/stories?limit=5",  # the list's fast path
    "/v1/stories?limit=5&since=2020-01-01T00:00:00Z",  # the list through FastAPI
    "/v1/stories/s00003/versions",
    "/v1/stories/s00003/articles",
    "/v1/hubs",
    "/v1/hubs/h1",
    "/v1/entities?q=kremlin",
    "/v1/entities/e-kremlin",
    "/v1/search?q=ceasefire",
    "/openapi.json",
]
# Large enough in the sample data that a test passing by never compressing would fail.
MUST_COMPRESS = {
    "/v1/stories/s00003",
    "/v1/stories?limit=5",
    "/v1/stories?limit=5&since=2020-01-01T00:00:00Z",
    "/v1/hubs/h1",
    "/openapi.json",
}


def publish(url: str, prefix: str, *messages: pb.Brief | pb.Hub | pb.EntityCard) -> None:
    client = redis.Redis.from_url(url)
    sample.publish(client, Keys(prefix), messages)
    client.close()


@pytest.fixture
def seeded(redis_url: str, redis_key_prefix: str) -> list[pb.Brief]:
    briefs = [sample.brief(i) for i in range(1, 9)]
    hubs = [sample.hub(h, [b.story_id for b in briefs]) for h in range(3)]
    cards = [sample.entity_card(i, [b.story_id for b in briefs[:3]]) for i in range(6)]
    publish(redis_url, redis_key_prefix, *cards, *hubs, *briefs)
    return briefs


def bare(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The client without httpx's default Accept-Encoding: requests send only what they say."""
    del client.headers["accept-encoding"]
    return client


@pytest.fixture
async def api(serve_api) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_api(sse_heartbeat_seconds=0.2) as client:
        yield bare(client)


async def fetch(
    client: httpx.AsyncClient, path: str, method: str = "GET", **headers: str
) -> tuple[httpx.Response, bytes]:
    """The response and its body exactly as sent (not decoded)."""
    async with client.stream(method, path, headers=headers) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, raw


def vary_names(response: httpx.Response) -> list[str]:
    """The Vary field's names in order; asserts it is one header line."""
    lines = response.headers.get_list("vary")
    assert len(lines) <= 1, lines
    return [name.strip().lower() for line in lines for name in line.split(",")]


@pytest.mark.parametrize("path", JSON_ROUTES)
async def test_gzip_body_decompresses_to_exactly_the_identity_body(api, seeded, path):
    plain, plain_raw = await fetch(api, path)
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    zipped, raw = await fetch(api, path, **GZIP)
    assert zipped.status_code == 200
    assert zipped.headers["content-type"] == plain.headers["content-type"]
    assert zipped.headers["content-length"] == str(len(raw))
    if len(plain_raw) < MIN_SIZE:
        assert path not in MUST_COMPRESS
        assert raw == plain_raw and "content-encoding" not in zipped.headers
        return
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == plain_raw
    assert len(raw) < len(plain_raw)
    assert vary_names(zipped).count("accept-encoding") == 1
    assert vary_names(plain).count("accept-encoding") == 1
    if "etag" in plain.headers:
        assert zipped.headers["etag"] == gzip_tag(plain.headers["etag"])


async def test_a_client_without_accept_encoding_gets_the_stored_bytes(
    api, seeded, redis_url, redis_key_prefix
):
    stored = redis.Redis.from_url(redis_url).hgetall(Keys(redis_key_prefix).story("s00003"))
    response, raw = await fetch(api, "/v1/stories/s00003")
    assert raw == stored[b"json"]
    assert response.headers["etag"] == stored[b"etag"].decode()
    assert response.headers["content-length"] == str(len(stored[b"json"]))


@pytest.mark.parametrize("path", ["/v1/stories/s00004", "/v1/stories?limit=5", "/v1/hubs/h1"])
async def test_either_etag_form_answers_304_with_vary_and_etag(
    api, seeded, redis_url, redis_key_prefix, path
):
    plain, _ = await fetch(api, path)
    zipped, _ = await fetch(api, path, **GZIP)
    forms = [plain.headers["etag"], zipped.headers["etag"]]
    assert forms[1] == gzip_tag(forms[0])
    for encoding in ("gzip", "identity"):
        for held in forms:
            again, raw = await fetch(
                api, path, **{"Accept-Encoding": encoding, "If-None-Match": held}
            )
            assert again.status_code == 304 and raw == b"", (encoding, held)
            assert again.headers["etag"] == held
            assert vary_names(again) == ["accept-encoding"]
            assert "content-encoding" not in again.headers
        # A cache holding both variants is told to use the one this request would get.
        both, _ = await fetch(
            api, path, **{"Accept-Encoding": encoding, "If-None-Match": ", ".join(forms)}
        )
        assert both.headers["etag"] == forms[encoding == "gzip"]
    # Once the document changes, neither form is current.
    publish(redis_url, redis_key_prefix, sample.brief(4, version=2))
    if path == "/v1/hubs/h1":
        # The hub with its stories in another order: as large, another body.
        ids = [brief.story_id for brief in seeded]
        publish(redis_url, redis_key_prefix, sample.hub(1, ids[::-1]))
    for held in forms:
        changed, raw = await fetch(api, path, **{**GZIP, "If-None-Match": held})
        assert changed.status_code == 200 and changed.headers["etag"] not in forms
        assert gzip.decompress(raw)


@pytest.mark.parametrize("path", ["/v1/stories/s00003", "/v1/stories?limit=5", "/v1/hubs/h1"])
async def test_head_answers_the_gzip_get_headers_without_a_body(api, seeded, path):
    got, raw = await fetch(api, path, **GZIP)
    head, head_raw = await fetch(api, path, "HEAD", **GZIP)
    assert head.status_code == 200 and head_raw == b""
    for name in ("content-type", "content-encoding", "content-length", "etag", "vary"):
        assert head.headers.get(name) == got.headers.get(name), name
    assert head.headers["content-length"] == str(len(raw))
    held = {"If-None-Match": got.headers["etag"]}
    again, _ = await fetch(api, path, "HEAD", **GZIP, **held)
    assert again.status_code == 304 and again.headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize(
    ("header", "coded"),
    [
        ("gzip;q=0", False),
        ("gzip;q=0, deflate", False),
        ("*;q=0, identity", False),
        ("gzip;q=0.4, identity;q=0.9", False),
        ("", False),
        ("identity;q=0, gzip;q=0.1", True),
        ("*", True),
        ("br, GZIP;q=0.8", True),
    ],
)
async def test_weights_decide_between_gzip_and_identity(api, seeded, header, coded):
    _, plain_raw = await fetch(api, "/v1/stories/s00003")
    response, raw = await fetch(api, "/v1/stories/s00003", **{"Accept-Encoding": header})
    assert (response.headers.get("content-encoding") == "gzip") is coded
    assert (gzip.decompress(raw) if coded else raw) == plain_raw


@pytest.mark.parametrize("path", ["/v1/entities?q=zzzz", "/healthz", "/v1/stories/nope"])
async def test_small_bodies_stay_uncompressed(api, seeded, path):
    plain, plain_raw = await fetch(api, path)
    response, raw = await fetch(api, path, **GZIP)
    assert len(raw) < MIN_SIZE
    assert raw == plain_raw and "content-encoding" not in response.headers
    assert "accept-encoding" not in vary_names(response)


async def test_the_update_stream_is_neither_compressed_nor_buffered(
    api, seeded, redis_url, redis_key_prefix
):
    async with api.stream("GET", "/v1/updates", headers=GZIP, timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers
        chunks = response.aiter_raw()
        assert (await anext(chunks)).startswith(b"retry: ")
        await asyncio.sleep(0.3)
        publish(redis_url, redis_key_prefix, sample.brief(5, version=2))
        # The event arrives as plain text while the stream stays open (keep-alives between).
        received = b""
        while b"event: brief" not in received:
            received += await asyncio.wait_for(anext(chunks), timeout=5)
        assert b'"story_id":"s00005","version":2' in received


@pytest.mark.parametrize("seconds", [1.0, 0.0], ids=["brief-cache", "no-brief-cache"])
async def test_hot_path_compresses_each_version_once(seeded, redis_url, redis_key_prefix, seconds):
    settings = ApiSettings(
        redis_url=redis_url,
        redis_key_prefix=redis_key_prefix,
        rate_limit_per_second=0,
        rebuild_on_empty=False,
        brief_cache_seconds=seconds,
    )
    app = create_app(settings)
    with serve_in_thread(app) as base:
        async with httpx.AsyncClient(base_url=base) as client:
            client = bare(client)
            bodies = {(await fetch(client, "/v1/stories/s00006", **GZIP))[1] for _ in range(5)}
            assert len(bodies) == 1 and app.state.gzip.compressions == 1
            await asyncio.sleep(seconds * 1.2)  # past the brief cache's max_age: still one
            await fetch(client, "/v1/stories/s00006", **GZIP)
            assert app.state.gzip.compressions == 1
            publish(redis_url, redis_key_prefix, sample.brief(6, version=2))
            _, raw = await fetch(client, "/v1/stories/s00006", **GZIP)
            assert b'"version":2' in gzip.decompress(raw)
            assert app.state.gzip.compressions == 2


async def test_vary_names_origin_and_accept_encoding_once_each(
    serve_api, seeded, redis_url, redis_key_prefix
):
    async with serve_api(cors_origins="https://app.example") as client:
        client = bare(client)
        for path in ("/v1/stories/s00003", "/v1/stories?limit=5", "/v1/hubs/h1"):
            for origin in ({}, {"Origin": "https://app.example"}):
                response, _ = await fetch(client, path, **GZIP, **origin)
                assert response.headers["content-encoding"] == "gzip"
                assert sorted(vary_names(response)) == ["accept-encoding", "origin"], path


async def test_metrics_label_head_requests_head(api, seeded):
    for path in ("/v1/stories/s00003", "/v1/stories", "/v1/hubs"):
        assert (await api.head(path)).status_code == 200
    text = (await api.get("/metrics")).text
    for route in ("/v1/stories/{story_id}", "/v1/stories", "/v1/hubs"):
        assert f'method="HEAD",route="{route}",status="200"' in text, route
        assert f'method="GET",route="{route}"' not in text, route
