"""The pure-ASGI list path, leased rate limits across workers, the indexes, and a flush of
Redis while compose keeps writing."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import redis
from kafka import KafkaProducer
from test_api import _client, seeded, settings_for, write  # noqa: F401
from test_api_rebuild_and_updates import system_of_record

from newsbrief import store
from newsbrief.codec import encode
from newsbrief.keys import Keys
from newsbrief.topics import BRIEFS, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.api import sample
from services.api.app import create_app
from services.api.main import serve_in_thread

EPOCH = "1970-01-01T00:00:00Z"


@pytest.fixture
async def api(redis_url, redis_key_prefix):
    async for client in _client(settings_for(redis_url, redis_key_prefix)):
        yield client


async def test_fast_list_pages_equal_the_documented_route(api, seeded):  # noqa: F811
    # `since` sends the request through FastAPI; without it the pure-ASGI path answers.
    cursor = None
    for _ in range(3):
        extra = {"cursor": cursor} if cursor else {}
        fast = await api.get("/v1/stories", params={"limit": 5, **extra})
        slow = await api.get("/v1/stories", params={"limit": 5, "since": EPOCH, **extra})
        assert fast.status_code == slow.status_code == 200
        assert fast.content == slow.content
        assert fast.headers["cache-control"] == slow.headers["cache-control"]
        assert fast.headers["etag"] == slow.headers["etag"]
        cursor = fast.json()["next_cursor"]
        if cursor:
            assert fast.headers["link"] == f'</v1/stories?limit=5&cursor={cursor}>; rel="next"'
    assert cursor is None
    text = (await api.get("/metrics")).text
    assert 'route="/v1/stories",status="200"' in text


async def test_fast_list_facet_and_invalid_queries(api, seeded):  # noqa: F811
    fast = await api.get("/v1/stories", params={"lang": "fr", "limit": 100})
    slow = await api.get("/v1/stories", params={"lang": "fr", "limit": 100, "since": EPOCH})
    assert fast.json()["items"] == slow.json()["items"] and fast.json()["items"]
    for bad in ({"limit": "0"}, {"limit": "007x"}, {"cursor": "zz"}, {"topic": ""}):
        response = await api.get("/v1/stories", params=bad)
        assert response.status_code == 422, bad
        assert response.headers["content-type"] == "application/problem+json"


async def test_leased_limit_holds_across_two_workers(redis_url, redis_key_prefix, seeded):  # noqa: F811
    # Two apps are two workers sharing one bucket per client in Redis.
    rate, burst = 20.0, 10
    settings = settings_for(
        redis_url, redis_key_prefix, rate_limit_per_second=rate, rate_limit_burst=burst
    )
    clients = [c async for c in _single(settings)] + [c async for c in _single(settings)]
    start = time.monotonic()
    admitted = 0
    refused = []
    for n in range(120):
        response = await clients[n % 2].get("/v1/stories/s00001" if n % 3 else "/v1/hubs")
        if response.status_code == 429:
            refused.append(int(response.headers["retry-after"]))
        else:
            assert response.status_code == 200
            admitted += 1
    elapsed = time.monotonic() - start
    lease = 2  # rate * 0.1 s
    assert burst <= admitted <= burst + rate * elapsed + 2 * lease
    assert refused and all(r == 1 for r in refused)
    for client in clients:
        await client.aclose()


async def _single(settings):
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    yield httpx.AsyncClient(transport=transport, base_url="http://api.test")


async def test_search_index_follows_updates_and_merges(api, seeded, redis_url, redis_key_prefix):  # noqa: F811
    changed = sample.brief(3, version=2)
    changed.headline.text = "Volcano erupts near harbour"
    client = redis.Redis.from_url(redis_url)
    pipe = client.pipeline()
    store.queue_brief(pipe, Keys(redis_key_prefix), changed, previous=sample.brief(3))
    pipe.execute()
    hits = (await api.get("/v1/search", params={"q": "volcano"})).json()["stories"]
    assert [h["story"]["id"] for h in hits] == ["s00003"]
    calmer = sample.brief(3, version=3)
    calmer.headline.text = "Quiet day at sea"
    pipe = client.pipeline()
    store.queue_brief(pipe, Keys(redis_key_prefix), calmer, previous=changed)
    pipe.execute()
    assert (await api.get("/v1/search", params={"q": "volcano"})).json()["stories"] == []
    assert not client.exists(Keys(redis_key_prefix).search_term("volcano"))
    hits = (await api.get("/v1/search", params={"q": "quiet"})).json()["stories"]
    assert [h["story"]["id"] for h in hits] == ["s00003"]
    merged = pb.Brief(story_id="s00003", version=4, merged_into="s00004")
    pipe = client.pipeline()
    store.queue_brief(pipe, Keys(redis_key_prefix), merged, previous=calmer)
    pipe.execute()
    assert (await api.get("/v1/search", params={"q": "quiet"})).json()["stories"] == []
    assert not client.exists(Keys(redis_key_prefix).search_term("quiet"))
    client.close()


async def test_entity_lookup_reads_only_matching_names(api, seeded, redis_url, redis_key_prefix):  # noqa: F811
    # Many unrelated names do not change the answer (and are never read: the index is keyed).
    others = [pb.EntityCard(entity_id=f"e-x{i}", name=f"Other body {i}") for i in range(300)]
    write(redis_url, redis_key_prefix, *others)
    found = (await api.get("/v1/entities", params={"q": "vladimir"})).json()["items"]
    assert [e["entity_id"] for e in found] == ["e-putin"]
    words = (await api.get("/v1/entities", params={"q": "bank central"})).json()["items"]
    assert [e["entity_id"] for e in words] == ["e-ecb"]
    many = (await api.get("/v1/entities", params={"q": "other body", "limit": 50})).json()
    assert len(many["items"]) == 50


@pytest.fixture
def own_redis(tmp_path):
    from newsbrief.infra import RedisServer

    server = RedisServer(tmp_path / "redis").start(timeout=30)
    yield server
    server.stop()


def compose_like_write(url: str, prefix: str, producer: KafkaProducer, topic: str, brief) -> None:
    """What compose does for one brief: Redis first, then the compacted topic."""
    write(url, prefix, brief)
    producer.send(topic, key=brief.story_id.encode(), value=encode(brief))
    producer.flush()


async def test_flush_while_compose_writes_is_rebuilt_whole(
    kafka_bootstrap, topic_prefix, own_redis
):
    prefix = "flushed"
    system_of_record(kafka_bootstrap, topic_prefix)
    settings = settings_for(
        own_redis.url,
        prefix,
        rebuild_on_empty=True,
        cache_check_seconds=0.2,
        kafka_bootstrap=kafka_bootstrap,
        topic_prefix=topic_prefix,
    )
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    briefs_topic = topic_name(topic_prefix, BRIEFS)
    with serve_in_thread(create_app(settings)) as base:
        async with httpx.AsyncClient(base_url=base) as api:
            await _until_ready(api)
            redis.Redis.from_url(own_redis.url).flushall()
            # Compose keeps going: a new story and newer versions land during the rebuild.
            compose_like_write(own_redis.url, prefix, producer, briefs_topic, sample.brief(4))
            assert (await api.get("/readyz")).status_code == 503
            for version in range(3, 8):
                brief = sample.brief(1, version=version)
                compose_like_write(own_redis.url, prefix, producer, briefs_topic, brief)
                await asyncio.sleep(0.1)
            await _until_ready(api)
            assert (await api.get("/v1/stories/s00001")).json()["version"] == 7
            assert (await api.get("/v1/stories/s00002")).headers["location"] == "/v1/stories/s00003"
            listed = [s["id"] for s in (await api.get("/v1/stories")).json()["items"]]
            assert sorted(listed) == ["s00001", "s00003", "s00004"]
            assert (await api.get("/v1/hubs/h1")).status_code == 200
            lookup = (await api.get("/v1/entities", params={"q": "putin"})).json()["items"]
            assert lookup[0]["entity_id"] == "e-putin"
            hits = (await api.get("/v1/search", params={"q": "interest rates"})).json()["stories"]
            assert [h["story"]["id"] for h in hits] == ["s00001"]
    producer.close()


async def _until_ready(api: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 60
    while (await api.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, "the cache was not rebuilt"
        await asyncio.sleep(0.1)


def test_rebuild_never_overwrites_a_newer_brief(redis_url, redis_key_prefix):
    # Compose wrote version 7 after the flush; the topic's record read earlier is version 2.
    from services.api.rebuild import write_all

    write(redis_url, redis_key_prefix, sample.brief(1, version=7))
    client = redis.Redis.from_url(redis_url)
    keys = Keys(redis_key_prefix)
    written = write_all(client, keys, "brief", [encode(sample.brief(1, version=2))])
    assert written == 0
    assert client.hget(keys.story("s00001"), "version") == b"7"
    assert write_all(client, keys, "brief", [encode(sample.brief(1, version=8))]) == 1
    assert client.hget(keys.story("s00001"), "version") == b"8"
    client.close()
