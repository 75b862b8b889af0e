"""SSE resume over a real HTTP server, and rebuilding an emptied Redis from real Kafka topics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import redis
from kafka import KafkaProducer

from newsbrief.codec import encode
from newsbrief.keys import Keys
from newsbrief.topics import BRIEFS, ENTITIES, HUBS, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.api import sample
from services.api.app import close_clients, create_app
from services.api.config import ApiSettings
from services.api.main import serve_in_thread
from services.api.rebuild import rebuild_cache


def write(url: str, prefix: str, *messages: pb.Brief) -> None:
    client = redis.Redis.from_url(url)
    sample.publish(client, Keys(prefix), messages)
    client.close()


def settings_for(url: str, prefix: str, **overrides: object) -> ApiSettings:
    base = {"redis_url": url, "redis_key_prefix": prefix, "rate_limit_per_second": 0}
    return ApiSettings(**{"rebuild_on_empty": False, **base, **overrides})


async def read_events(lines: AsyncIterator[str], count: int) -> list[dict[str, str]]:
    """The next `count` SSE events (id, event, data) from a response's lines."""
    events, current = [], {}
    async for line in lines:
        if not line:
            if "id" in current:
                events.append(current)
                if len(events) == count:
                    return events
            current = {}
        elif not line.startswith(":") and ":" in line:
            name, _, value = line.partition(":")
            current[name] = value.strip()
    return events


async def test_updates_stream_resumes_after_last_event_id(redis_url, redis_key_prefix):
    write(redis_url, redis_key_prefix, *(sample.brief(i) for i in range(1, 4)))
    stream = redis.Redis.from_url(redis_url).xrange(Keys(redis_key_prefix).updates)
    first_id = stream[0][0].decode()
    app = create_app(settings_for(redis_url, redis_key_prefix, sse_heartbeat_seconds=0.5))
    with serve_in_thread(app) as base:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            headers = {"Last-Event-ID": first_id}
            async with client.stream("GET", "/v1/updates", headers=headers) as response:
                assert response.status_code == 200
                assert response.headers["content-type"].startswith("text/event-stream")
                lines = response.aiter_lines()
                missed = await read_events(lines, 2)
                assert [e["data"] for e in missed] == [
                    '{"story_id":"s00002","version":1}',
                    '{"story_id":"s00003","version":1}',
                ]
                assert missed[0]["id"] > first_id and missed[0]["event"] == "brief"
                # A live change arrives on the open stream.
                write(redis_url, redis_key_prefix, sample.brief(2, version=2))
                live = await read_events(lines, 1)
                assert live[0]["data"] == '{"story_id":"s00002","version":2}'
            # Without Last-Event-ID, only changes after connecting are sent.
            async with client.stream("GET", "/v1/updates") as response:
                await asyncio.sleep(0.3)
                write(redis_url, redis_key_prefix, sample.brief(3, version=2))
                fresh = await read_events(response.aiter_lines(), 1)
                assert fresh[0]["data"] == '{"story_id":"s00003","version":2}'
            bad = await client.get("/v1/updates", headers={"Last-Event-ID": "garbage"})
            assert bad.status_code == 422


def publish(bootstrap: str, prefix: str, items: list[tuple[str, str, bytes | None]]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for suffix, key, value in items:
        producer.send(topic_name(prefix, suffix), key=key.encode(), value=value)
    producer.flush()
    producer.close()


def system_of_record(kafka_bootstrap: str, topic_prefix: str) -> None:
    """Two versions of s00001, a merged s00002, a hub and two entity cards."""
    publish(
        kafka_bootstrap,
        topic_prefix,
        [
            (BRIEFS, "s00001", encode(sample.brief(1, version=1))),
            (BRIEFS, "s00002", encode(sample.brief(2))),
            (BRIEFS, "s00003", encode(sample.brief(3))),
            (BRIEFS, "s00001", encode(sample.brief(1, version=2))),
            (BRIEFS, "s00002", encode(pb.Brief(story_id="s00002", merged_into="s00003"))),
            (HUBS, "h1", encode(sample.hub(1, ["s00001", "s00003"]))),
            (ENTITIES, "e-kremlin", encode(sample.entity_card(0, ["s00001"]))),
            (ENTITIES, "e-putin", encode(sample.entity_card(1, ["s00003"]))),
        ],
    )


async def test_rebuild_cache_restores_every_document(
    kafka_bootstrap, topic_prefix, redis_url, redis_key_prefix
):
    system_of_record(kafka_bootstrap, topic_prefix)
    counts = rebuild_cache(kafka_bootstrap, topic_prefix, redis_url, redis_key_prefix)
    assert (counts.briefs, counts.hubs, counts.entities) == (3, 1, 2)
    app = create_app(settings_for(redis_url, redis_key_prefix))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as api:
        assert (await api.get("/readyz")).status_code == 200
        assert (await api.get("/v1/stories/s00001")).json()["version"] == 2
        assert (await api.get("/v1/stories/s00002")).headers["location"] == "/v1/stories/s00003"
        listed = (await api.get("/v1/stories")).json()["items"]
        assert [s["id"] for s in listed] == ["s00003", "s00001"]
        assert (await api.get("/v1/hubs/h1")).json()["hub"]["story_ids"] == ["s00001", "s00003"]
        lookup = (await api.get("/v1/entities", params={"q": "putin"})).json()["items"]
        assert lookup[0]["entity_id"] == "e-putin"
    await close_clients(app)


async def test_api_rebuilds_an_empty_redis_at_start(
    kafka_bootstrap, topic_prefix, redis_url, redis_key_prefix
):
    system_of_record(kafka_bootstrap, topic_prefix)
    settings = settings_for(
        redis_url,
        redis_key_prefix,
        rebuild_on_empty=True,
        kafka_bootstrap=kafka_bootstrap,
        topic_prefix=topic_prefix,
    )
    app = create_app(settings)
    with serve_in_thread(app) as base:
        async with httpx.AsyncClient(base_url=base) as api:
            deadline = time.monotonic() + 60
            while (await api.get("/readyz")).status_code != 200:
                assert time.monotonic() < deadline, "the cache was not rebuilt"
                await asyncio.sleep(0.2)
            assert (await api.get("/v1/stories/s00003")).status_code == 200
            assert (await api.get("/v1/entities/e-kremlin")).status_code == 200
