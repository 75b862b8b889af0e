"""Compose on a real broker and Redis: story events in; briefs in Redis and on the briefs topic."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
from kafka import KafkaConsumer, KafkaProducer

from newsbrief.codec import decode, encode
from newsbrief.keys import Keys
from newsbrief.topics import BRIEFS, STORY_EVENTS, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "compose"))
from compose_corpus import fixture_stories  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_compose(tmp_path, kafka_bootstrap, topic_prefix, redis_url, redis_key_prefix, app_id):
    env = {
        **os.environ,
        "NEWSBRIEF_COMPOSE_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "NEWSBRIEF_COMPOSE_TOPIC_PREFIX": topic_prefix,
        "NEWSBRIEF_COMPOSE_REDIS_URL": redis_url,
        "NEWSBRIEF_COMPOSE_REDIS_KEY_PREFIX": redis_key_prefix,
        "NEWSBRIEF_COMPOSE_APP_ID": app_id,
        "NEWSBRIEF_COMPOSE_PARTITIONS": "2",
        "NEWSBRIEF_COMPOSE_DEBOUNCE_SECONDS": "1",
        # The fixture's articles are from 2024: keep them inside the hubs' window.
        "NEWSBRIEF_COMPOSE_HUB_WINDOW_DAYS": "36500",
        "NEWSBRIEF_COMPOSE_WEB_PORT": str(_free_port()),
        "NEWSBRIEF_COMPOSE_DATA_DIR": str(tmp_path),
    }
    code = "from services.compose.main import serve; serve()"
    log = open(tmp_path / "compose.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=log, stderr=log)


def _settled(client, key: str, document: dict, quiet: float = 4.0) -> dict:
    """The story document once its version has stopped moving for `quiet` seconds."""
    stable_since = time.monotonic()
    deadline = stable_since + 60
    while time.monotonic() - stable_since < quiet and time.monotonic() < deadline:
        time.sleep(0.5)
        latest = json.loads(client.hget(key, "json"))
        if latest["version"] != document["version"]:
            document, stable_since = latest, time.monotonic()
    return document


def _events() -> list[pb.StoryEvent]:
    stories = fixture_stories()
    events = []
    for story_id, key in (("s-peru", "quake-peru"), ("s-solo", "solo")):
        for i, article in enumerate(stories[key]):
            kind = pb.StoryEvent.CREATED if i == 0 else pb.StoryEvent.ARTICLE_ADDED
            events.append(pb.StoryEvent(story_id=story_id, kind=kind, article=article, sequence=i))
    return events


def test_story_events_become_briefs_in_redis_and_on_the_briefs_topic(
    tmp_path, kafka_bootstrap, topic_prefix, redis_url, redis_key_prefix, unique_name
):
    proc = _start_compose(
        tmp_path, kafka_bootstrap, topic_prefix, redis_url, redis_key_prefix, unique_name
    )
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    client = redis.Redis.from_url(redis_url)
    keys = Keys(redis_key_prefix)
    try:
        for event in _events():
            producer.send(
                topic_name(topic_prefix, STORY_EVENTS),
                key=event.story_id.encode(),
                value=encode(event),
            )
            producer.send(  # redelivery of the same event: must change nothing
                topic_name(topic_prefix, STORY_EVENTS),
                key=event.story_id.encode(),
                value=encode(event),
            )
        producer.flush()
        peru_articles = {e.article.article_id for e in _events() if e.story_id == "s-peru"}
        deadline = time.monotonic() + 120
        document = None
        while time.monotonic() < deadline:
            body = client.hget(keys.story("s-peru"), "json")
            document = json.loads(body) if body else None
            hubs = [h["hub_id"] for h in document["go_deeper"]] if document else []
            complete = document and {a["article_id"] for a in document["articles"]} == peru_articles
            if complete and "h-disasters" in hubs:  # the hub keeper's answer came back
                break
            assert proc.poll() is None, (tmp_path / "compose.log").read_text()[-3000:]
            time.sleep(0.5)
        assert document is not None, (tmp_path / "compose.log").read_text()[-3000:]
        # "Go deeper" arrives in a later version; let the story settle (debounce is 1 s).
        document = _settled(client, keys.story("s-peru"), document)
        assert {a["article_id"] for a in document["articles"]} == peru_articles
        assert document["whats_happened"] and document["what_the_papers_say"]
        assert client.hget(keys.story("s-solo"), "json") is not None
        assert client.zscore(keys.stories, "s-peru") is not None
        # Hubs are kept by the single-partition hub keeper and published to Redis.
        assert "h-disasters" in [h["hub_id"] for h in document["go_deeper"]]
        hub = json.loads(client.get(keys.hub("h-disasters")))
        assert "s-peru" in json.dumps(hub)

        consumer = KafkaConsumer(
            topic_name(topic_prefix, BRIEFS),
            bootstrap_servers=kafka_bootstrap,
            auto_offset_reset="earliest",
            consumer_timeout_ms=5000,
        )
        briefs = [decode(pb.Brief, m.value) for m in consumer]
        consumer.close()
        latest = {}
        for b in briefs:
            latest[b.story_id] = b
        assert set(latest) == {"s-peru", "s-solo"}
        assert latest["s-peru"].version == document["version"]
        assert [b.version for b in briefs if b.story_id == "s-peru"] == list(
            range(1, document["version"] + 1)
        )  # each version published once, in order, despite the redelivered events
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        producer.close()
        client.close()
