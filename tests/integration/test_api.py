"""The API against a real Redis: every route, pagination, ETags, redirects, limits, outages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import redis

from newsbrief import documents as docs
from newsbrief.keys import Keys
from newsbrief.v1 import newsbrief_pb2 as pb
from services.api import sample
from services.api.app import create_app
from services.api.config import ApiSettings
from services.api.main import serve_in_thread

PROBLEM = "application/problem+json"


def write(url: str, prefix: str, *messages: pb.Brief | pb.Hub | pb.EntityCard) -> None:
    """Publish messages into Redis with the same writers compose uses."""
    client = redis.Redis.from_url(url)
    sample.publish(client, Keys(prefix), messages)
    client.close()


def settings_for(url: str, prefix: str, **overrides: object) -> ApiSettings:
    base: dict[str, object] = {
        "redis_url": url,
        "redis_key_prefix": prefix,
        "rate_limit_per_second": 0,
        "rebuild_on_empty": False,
    }
    return ApiSettings(**{**base, **overrides})


@pytest.fixture
def seeded(redis_url: str, redis_key_prefix: str) -> list[pb.Brief]:
    """Twelve stories, three hubs, the sample entity cards."""
    briefs = [sample.brief(i) for i in range(1, 13)]
    hubs = [
        sample.hub(h, [b.story_id for b in briefs if b.go_deeper[0].hub_id == f"h{h}"])
        for h in range(3)
    ]
    cards = [sample.entity_card(i, [b.story_id for b in briefs[:3]]) for i in range(6)]
    write(redis_url, redis_key_prefix, *cards, *hubs, *briefs)
    return briefs


async def _client(settings: ApiSettings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app served by uvicorn on a real socket, as a worker serves it.

    Through a socket, as in production, every request passes the event loop's poll, which is
    what keeps the workers' brief copies (doccache.py) current after a write.
    """
    app = create_app(settings)
    with serve_in_thread(app) as base:
        async with httpx.AsyncClient(base_url=base) as client:
            yield client


@pytest.fixture
async def api(redis_url: str, redis_key_prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(settings_for(redis_url, redis_key_prefix)):
        yield client


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    return body


# --- one story (the hot path) ------------------------------------------------------------------


async def test_story_is_served_as_stored_bytes_with_strong_etag(
    api, seeded, redis_url, redis_key_prefix
):
    stored = redis.Redis.from_url(redis_url).hgetall(Keys(redis_key_prefix).story("s00003"))
    # The stored bytes are the identity representation (httpx asks for gzip unless told).
    response = await api.get("/v1/stories/s00003", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.content == stored[b"json"]
    assert response.headers["etag"] == stored[b"etag"].decode()
    assert not response.headers["etag"].startswith("W/")
    assert "max-age" in response.headers["cache-control"]
    assert response.json()["headline"] == seeded[2].headline.text


async def test_if_none_match_answers_304_until_the_brief_changes(
    api, seeded, redis_url, redis_key_prefix
):
    first = await api.get("/v1/stories/s00004")
    tag = first.headers["etag"]
    cached = await api.get("/v1/stories/s00004", headers={"If-None-Match": tag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["etag"] == tag
    write(redis_url, redis_key_prefix, sample.brief(4, version=2))
    changed = await api.get("/v1/stories/s00004", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert changed.json()["version"] == 2


async def test_unknown_story_is_a_404_problem(api, seeded):
    body = assert_problem(await api.get("/v1/stories/nope"), 404)
    assert "nope" in body["detail"]
    assert body["instance"] == "/v1/stories/nope"
    assert_problem(await api.get("/v1/stories/nope/articles"), 404)
    assert_problem(await api.get("/v1/stories/nope/versions"), 404)
    assert_problem(await api.get("/v1/no-such-route"), 404)


async def test_merged_story_redirects_to_the_survivor(api, seeded, redis_url, redis_key_prefix):
    absorbed = pb.Brief(story_id="s00005", version=2, merged_into="s00006")
    write(redis_url, redis_key_prefix, absorbed)
    for suffix in ("", "/articles", "/versions"):
        response = await api.get(f"/v1/stories/s00005{suffix}")
        assert response.status_code == 301
        assert response.headers["location"] == f"/v1/stories/s00006{suffix}"
    followed = await api.get("/v1/stories/s00005", follow_redirects=True)
    assert followed.status_code == 200 and followed.json()["id"] == "s00006"
    listed = (await api.get("/v1/stories", params={"limit": 100})).json()["items"]
    assert "s00005" not in {item["id"] for item in listed}


async def test_articles_and_versions(api, seeded, redis_url, redis_key_prefix):
    write(redis_url, redis_key_prefix, sample.brief(7, version=3))
    articles = await api.get("/v1/stories/s00007/articles")
    assert articles.status_code == 200
    assert [a["article_id"] for a in articles.json()] == [
        a.article_id for a in sample.brief(7, version=3).articles
    ]
    versions = await api.get("/v1/stories/s00007/versions")
    assert [v["version"] for v in versions.json()] == [1, 2, 3]
    again = await api.get(
        "/v1/stories/s00007/versions", headers={"If-None-Match": versions.headers["etag"]}
    )
    assert again.status_code == 304


# --- the story list -------------------------------------------------------------------------


async def walk(api: httpx.AsyncClient, **params: object) -> list[list[str]]:
    """Follow next_cursor to the end; the pages' ids."""
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await api.get("/v1/stories", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            return pages
        link = response.headers["link"]
        assert link.endswith('rel="next"')
        assert parse_qs(urlparse(link[1 : link.index(">")]).query)["cursor"] == [cursor]


async def test_pagination_walks_every_story_once_newest_first(api, seeded):
    pages = await walk(api, limit=5)
    assert [len(p) for p in pages] == [5, 5, 2]
    ids = [i for p in pages for i in p]
    assert ids == [f"s{i:05d}" for i in range(12, 0, -1)]


async def test_pagination_edges(api, seeded, redis_url, redis_key_prefix):
    # Exactly one full page: no cursor; limit 1: one story per page.
    assert await walk(api, limit=12) == [[f"s{i:05d}" for i in range(12, 0, -1)]]
    assert len(await walk(api, limit=1)) == 12
    # Stories sharing one update time straddle page boundaries without loss or repeats.
    same = [sample.brief(i, updated=sample.BASE_TIME + 99_999) for i in range(20, 27)]
    write(redis_url, redis_key_prefix, *same)
    ids = [i for p in await walk(api, limit=3) for i in p]
    assert len(ids) == len(set(ids)) == 19
    # A story updated while paging moves to the head; the walk neither repeats nor skips others.
    first = (await api.get("/v1/stories", params={"limit": 4})).json()
    write(redis_url, redis_key_prefix, sample.brief(1, version=2, updated=sample.BASE_TIME + 10**6))
    rest = await api.get("/v1/stories", params={"limit": 100, "cursor": first["next_cursor"]})
    seen = [i["id"] for i in first["items"]] + [i["id"] for i in rest.json()["items"]]
    assert len(seen) == len(set(seen))
    empty = await api.get("/v1/stories", params={"topic": "e-nobody"})
    assert empty.json() == {"items": [], "next_cursor": None}


async def test_filters(api, seeded):
    async def ids(**params: object) -> set[str]:
        body = (await api.get("/v1/stories", params={"limit": 100, **params})).json()
        return {item["id"] for item in body["items"]}

    by_brief = {b.story_id: b for b in seeded}
    assert await ids(lang="fr") == {s for s, b in by_brief.items() if b.language == "fr"}
    assert await ids(hub="h1") == {s for s, b in by_brief.items() if b.go_deeper[0].hub_id == "h1"}
    kremlin = {s for s, b in by_brief.items() if "e-kremlin" in [c.entity_id for c in b.topics]}
    assert await ids(entity="e-kremlin") == kremlin == await ids(topic="e-kremlin")
    outlet = "Harbour Times"
    expected = {s for s, b in by_brief.items() if outlet in b.outlets}
    assert await ids(outlet=outlet.upper()) == expected
    both = {s for s in kremlin if by_brief[s].language == "fr"}
    assert await ids(entity="e-kremlin", lang="fr") == both
    since = by_brief["s00010"].updated_at.ToDatetime().isoformat() + "Z"
    assert await ids(since=since) == {"s00010", "s00011", "s00012"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"since": "yesterday"}, "since"),
        ({"lang": "x"}, "lang"),
    ],
)
async def test_bad_parameters_are_422_naming_the_field(api, query, field):
    body = assert_problem(await api.get("/v1/stories", params=query), 422)
    assert field in body["detail"]
    assert any(e["field"] == field for e in body["errors"])


async def test_list_etag(api, seeded):
    first = await api.get("/v1/stories")
    again = await api.get("/v1/stories", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


# --- hubs, entities, search -----------------------------------------------------------------


async def test_hubs(api, seeded):
    listed = (await api.get("/v1/hubs")).json()
    assert {h["id"] for h in listed["items"]} == {"h0", "h1", "h2"}
    assert listed["next_cursor"] is None
    paged = (await api.get("/v1/hubs", params={"limit": 2})).json()
    assert len(paged["items"]) == 2 and paged["next_cursor"]
    detail = (await api.get("/v1/hubs/h1")).json()
    assert detail["hub"]["question"].startswith("What's the latest")
    assert [s["id"] for s in detail["stories"]] == detail["hub"]["story_ids"]
    assert all(s["href"] == f"/v1/stories/{s['id']}" for s in detail["stories"])
    assert_problem(await api.get("/v1/hubs/h9"), 404)


async def test_entities(api, seeded):
    card = (await api.get("/v1/entities/e-putin")).json()
    assert card["entity"]["name"] == "Vladimir Putin"
    assert [s["id"] for s in card["stories"]] == ["s00001", "s00002", "s00003"]
    by_alias = (await api.get("/v1/entities", params={"q": "Kremlin"})).json()["items"]
    assert by_alias[0]["entity_id"] == "e-kremlin"
    by_prefix = (await api.get("/v1/entities", params={"q": "christ"})).json()["items"]
    assert [e["entity_id"] for e in by_prefix] == ["e-lagarde"]
    assert (await api.get("/v1/entities", params={"q": "zzz"})).json() == {"items": []}
    assert_problem(await api.get("/v1/entities", params={"q": ""}), 422)
    assert_problem(await api.get("/v1/entities/e-nobody"), 404)


async def test_search_ranks_headline_matches_and_filters(api, seeded):
    result = (await api.get("/v1/search", params={"q": "port strike"})).json()
    hits = [h["story"]["id"] for h in result["stories"]]
    strikes = {b.story_id for b in seeded if "Port strike" in b.headline.text}
    assert set(hits[: len(strikes)]) == strikes
    scores = [h["score"] for h in result["stories"]]
    assert scores == sorted(scores, reverse=True)
    french = (await api.get("/v1/search", params={"q": "port strike", "lang": "fr"})).json()
    assert {h["story"]["language"] for h in french["stories"]} <= {"fr"}
    named = (await api.get("/v1/search", params={"q": "lagarde"})).json()
    assert [e["entity_id"] for e in named["entities"]] == ["e-lagarde"]
    assert named["stories"], "stories naming the entity as a topic match too"
    assert_problem(await api.get("/v1/search"), 422)


# --- health and metrics ---------------------------------------------------------------------


async def test_health_readiness_and_metrics(api, redis_url, redis_key_prefix):
    assert (await api.get("/healthz")).json() == {"status": "ok"}
    not_ready = assert_problem(await api.get("/readyz"), 503)
    assert "empty" in not_ready["detail"]
    write(redis_url, redis_key_prefix, sample.brief(1))
    assert (await api.get("/readyz")).status_code == 200
    await api.get("/v1/stories/s00001")
    await api.get("/v1/stories/unknown")
    text = (await api.get("/metrics")).text
    assert 'route="/v1/stories/{story_id}",status="200"' in text
    assert 'route="/v1/stories/{story_id}",status="404"' in text
    assert "newsbrief_api_request_duration_seconds_bucket" in text


async def test_cors_when_configured(redis_url, redis_key_prefix):
    settings = settings_for(redis_url, redis_key_prefix, cors_origins="https://app.example")
    async for client in _client(settings):
        response = await client.get("/healthz", headers={"Origin": "https://app.example"})
        assert response.headers["access-control-allow-origin"] == "https://app.example"
        other = await client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        # The busiest route too (answered before the middleware unless a browser asks).
        write(redis_url, redis_key_prefix, sample.brief(1))
        story = await client.get("/v1/stories/s00001", headers={"Origin": "https://app.example"})
        assert story.status_code == 200
        assert story.headers["access-control-allow-origin"] == "https://app.example"
        assert "ETag" in story.headers["access-control-expose-headers"]


def test_production_refuses_unsafe_settings():
    with pytest.raises(ValueError, match="API_KEYS"):
        ApiSettings(environment="production")
    with pytest.raises(ValueError, match="CORS"):
        ApiSettings(environment="production", api_keys="k", cors_origins="*")


# --- rate limiting --------------------------------------------------------------------------


async def test_rate_limit_per_client(redis_url, redis_key_prefix, seeded):
    settings = settings_for(
        redis_url, redis_key_prefix, rate_limit_per_second=0.5, rate_limit_burst=3, api_keys="k1"
    )
    async for client in _client(settings):
        codes = [(await client.get("/v1/stories/s00001")).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        limited = await client.get("/v1/stories/s00001")
        body = assert_problem(limited, 429)
        assert 1 <= int(limited.headers["retry-after"]) <= 2
        assert "rate limit" in body["detail"]
        # Another client (an API key) has its own bucket; probes are never limited.
        keyed = await client.get("/v1/stories/s00001", headers={"X-API-Key": "k1"})
        assert keyed.status_code == 200
        # Other routes draw on the same bucket (through the middleware rather than the hot path).
        assert_problem(await client.get("/v1/hubs"), 429)
        listed = await client.get("/v1/stories")
        assert_problem(listed, 429)
        assert int(listed.headers["retry-after"]) >= 1
        assert (await client.get("/healthz")).status_code == 200
        await asyncio.sleep(2.1)
        assert (await client.get("/v1/stories/s00001")).status_code == 200


# --- Redis down -----------------------------------------------------------------------------


@pytest.fixture
def own_redis(tmp_path) -> Iterator:
    from newsbrief.infra import RedisServer

    server = RedisServer(tmp_path / "redis").start(timeout=30)
    yield server
    server.stop()


async def test_redis_down_is_503_with_retry_after_then_recovers(own_redis):
    from newsbrief.infra import RedisServer

    prefix = "down"
    write(own_redis.url, prefix, sample.brief(1))
    async for client in _client(settings_for(own_redis.url, prefix, rate_limit_per_second=100)):
        assert (await client.get("/v1/stories/s00001")).status_code == 200
        own_redis.stop()
        for path in ("/v1/stories/s00001", "/v1/stories", "/v1/search?q=x", "/readyz"):
            down = await client.get(path)
            body = assert_problem(down, 503)
            assert int(down.headers["retry-after"]) > 0
            assert "unreachable" in body["detail"]
        assert (await client.get("/healthz")).status_code == 200
        RedisServer(own_redis.data_dir, port=own_redis.port).start(timeout=30)
        write(own_redis.url, prefix, sample.brief(1))
        assert (await client.get("/v1/stories/s00001")).status_code == 200


async def test_closed_port_is_503(redis_key_prefix):
    from newsbrief.infra import free_ports

    url = f"redis://127.0.0.1:{free_ports()[0]}/0"
    async for client in _client(settings_for(url, redis_key_prefix)):
        assert_problem(await client.get("/v1/stories/s1"), 503)


# --- the stored document is what documents.py builds -----------------------------------------


async def test_body_matches_the_shared_document_shape(api, seeded):
    response = await api.get("/v1/stories/s00002")
    assert response.content == docs.dumps(docs.brief_document(seeded[1]))
