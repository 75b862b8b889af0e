"""Fetcher behaviour over an in-process transport (no sockets)."""

import random

import httpx
import pytest

from services.ingest.fetch import (
    Fetcher,
    FetchError,
    FetchLimits,
    HostGate,
    backoff_delay,
    failure_pause,
)
from services.ingest.metrics import IngestMetrics
from services.ingest.safety import FEED_TYPES, AddressPolicy, Rejected

PUBLIC = {"feeds.example": ["93.184.216.34"], "intranet.example": ["10.0.0.7"]}
RSS = b'<rss version="2.0"><channel><title>x</title></channel></rss>'


def fetcher(handler, **limits) -> Fetcher:
    policy = AddressPolicy(resolver=lambda host: PUBLIC.get(host, []))
    defaults = {"retries": 2, "retry_base": 0.001, "retry_cap": 0.002, "max_bytes": 1000}
    return Fetcher(
        policy,
        FetchLimits(**{**defaults, **limits}),
        HostGate(2, 0.0),
        IngestMetrics(),
        transport=httpx.MockTransport(handler),
    )


def routes(table):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append((request.url.path, dict(request.headers)))
        if request.url.path == "/robots.txt":
            return table.get("/robots.txt", httpx.Response(404))
        response = table[request.url.path]
        return response(request) if callable(response) else response

    return handler, calls


async def test_conditional_get_sends_validators_and_reports_not_modified():
    def feed(request):
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        headers = {"etag": '"v1"', "content-type": "application/rss+xml"}
        return httpx.Response(200, content=RSS, headers=headers)

    handler, _ = routes({"/rss": feed})
    f = fetcher(handler)
    first = await f.fetch("https://feeds.example/rss", FEED_TYPES)
    assert (first.status, first.body, first.etag) == (200, RSS, '"v1"')
    second = await f.fetch("https://feeds.example/rss", FEED_TYPES, etag=first.etag)
    assert second.not_modified


async def test_redirect_loop_is_refused():
    handler, _ = routes(
        {
            "/a": httpx.Response(302, headers={"location": "/b"}),
            "/b": httpx.Response(302, headers={"location": "https://feeds.example/a"}),
        }
    )
    with pytest.raises(Rejected) as info:
        await fetcher(handler).fetch("https://feeds.example/a", FEED_TYPES)
    assert info.value.reason == "redirect_loop"


async def test_redirect_chains_are_capped():
    table = {f"/{i}": httpx.Response(301, headers={"location": f"/{i + 1}"}) for i in range(10)}
    handler, _ = routes(table)
    with pytest.raises(Rejected, match="too_many_redirects"):
        await fetcher(handler, max_redirects=3).fetch("https://feeds.example/0", FEED_TYPES)


@pytest.mark.parametrize(
    "target", ["http://127.0.0.1/admin", "http://intranet.example/feed", "http://[::1]/x"]
)
async def test_redirects_to_private_addresses_are_refused_before_connecting(target):
    handler, calls = routes({"/rss": httpx.Response(302, headers={"location": target})})
    with pytest.raises(Rejected, match="address_blocked"):
        await fetcher(handler).fetch("https://feeds.example/rss", FEED_TYPES)
    assert [path for path, _ in calls] == ["/robots.txt", "/rss"]


async def test_oversized_bodies_are_refused_by_header_and_by_stream():
    big = b"x" * 5000
    declared = httpx.Response(200, content=big, headers={"content-type": "text/xml"})

    async def chunks():
        yield big[:800]
        yield big[800:]

    streamed = httpx.Response(200, content=chunks())  # no Content-Length: chunked
    handler, _ = routes({"/declared": declared, "/streamed": streamed})
    f = fetcher(handler)
    for path in ("/declared", "/streamed"):
        with pytest.raises(Rejected, match="body_too_large"):
            await f.fetch(f"https://feeds.example{path}", FEED_TYPES)


async def test_non_feed_content_types_are_refused():
    png = httpx.Response(200, content=b"\x89PNG", headers={"content-type": "image/png"})
    handler, _ = routes({"/logo": png})
    with pytest.raises(Rejected, match="content_type_unsupported"):
        await fetcher(handler).fetch("https://feeds.example/logo", FEED_TYPES)


async def test_transient_errors_are_retried_then_reported():
    attempts = []

    def flaky(request):
        attempts.append(1)
        if len(attempts) < 3:
            return httpx.Response(503)
        return httpx.Response(200, content=RSS)

    handler, _ = routes({"/rss": flaky})
    assert (await fetcher(handler).fetch("https://feeds.example/rss", FEED_TYPES)).body == RSS
    assert len(attempts) == 3

    def down(request):
        raise httpx.ConnectError("refused")

    handler, _ = routes({"/rss": down})
    with pytest.raises(FetchError, match="fetch_failed"):
        await fetcher(handler).fetch("https://feeds.example/rss", FEED_TYPES)


async def test_robots_txt_is_respected():
    robots = httpx.Response(200, content=b"User-agent: *\nDisallow: /private/\n")
    handler, calls = routes({"/robots.txt": robots, "/private/rss": httpx.Response(200)})
    with pytest.raises(Rejected, match="robots_disallowed"):
        await fetcher(handler).fetch("https://feeds.example/private/rss", FEED_TYPES)
    assert [path for path, _ in calls] == ["/robots.txt"]


def test_backoff_is_jittered_exponential_and_capped():
    rng = random.Random(1)
    delays = [backoff_delay(attempt, 1.0, 8.0, rng) for attempt in range(8)]
    assert all(0 <= d <= min(8.0, 2**a) for a, d in enumerate(delays))
    assert len(set(delays)) == len(delays)  # jitter: no two retries in lock-step
    assert failure_pause(60, 0, 3600) == 60
    assert failure_pause(60, 3, 3600) == 480
    assert failure_pause(60, 30, 3600) == 3600


async def test_robots_txt_is_fetched_again_once_its_ttl_expires(monkeypatch):
    rules = {"now": b"User-agent: *\nDisallow:\n"}
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(200, content=rules["now"])
        return httpx.Response(200, content=RSS, headers={"content-type": "application/rss+xml"})

    clock = {"t": 1000.0}
    monkeypatch.setattr("services.ingest.fetch.time.monotonic", lambda: clock["t"])
    f = fetcher(handler, robots_ttl=3600)
    await f.fetch("https://feeds.example/rss", FEED_TYPES)
    clock["t"] += 3599  # still fresh: no second robots.txt request
    await f.fetch("https://feeds.example/rss", FEED_TYPES)
    assert calls == ["/robots.txt", "/rss", "/rss"]
    rules["now"] = b"User-agent: *\nDisallow: /rss\n"
    clock["t"] += 2  # expired: the new rules apply
    with pytest.raises(Rejected, match="robots_disallowed"):
        await f.fetch("https://feeds.example/rss", FEED_TYPES)
    assert calls[-1] == "/robots.txt"
