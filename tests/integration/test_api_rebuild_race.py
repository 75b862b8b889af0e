"""A rebuild racing compose's newer writes never puts an older brief version back in Redis."""

from __future__ import annotations

import random
import threading

import redis
from kafka import KafkaProducer

from newsbrief import store
from newsbrief.codec import encode
from newsbrief.keys import Keys
from newsbrief.topics import BRIEFS, topic_name
from services.api import sample
from services.api.rebuild import rebuild_cache

STORIES = 600


def publish_first_versions(bootstrap: str, prefix: str) -> None:
    """The system of record as the rebuild reads it: version 1 of every story."""
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for index in range(STORIES):
        brief = sample.brief(index)
        producer.send(topic_name(prefix, BRIEFS), key=brief.story_id.encode(), value=encode(brief))
    producer.flush()
    producer.close()


class Composer(threading.Thread):
    """Writes ever newer versions of random stories, each in one MULTI/EXEC as compose does."""

    def __init__(self, url: str, keys: Keys) -> None:
        super().__init__(daemon=True)
        self.client = redis.Redis.from_url(url)
        self.keys = keys
        self.latest: dict[str, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        rng = random.Random(7)
        while not self.stop.is_set():
            index = rng.randrange(STORIES)
            brief = sample.brief(index, version=self.latest.get(f"s{index:05d}", 1) + 1)
            with self.client.pipeline(transaction=True) as pipe:
                store.queue_brief(pipe, self.keys, brief)
                pipe.execute()
            self.latest[brief.story_id] = brief.version


class Watcher(threading.Thread):
    """Reads every story's version over and over; records each step backwards."""

    def __init__(self, url: str, keys: Keys) -> None:
        super().__init__(daemon=True)
        self.client = redis.Redis.from_url(url)
        self.keys = keys
        self.backwards: list[tuple[str, int, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        seen: dict[str, int] = {}
        while not self.stop.is_set():
            for story_id, version in versions(self.client, self.keys).items():
                if version < seen.get(story_id, 0):
                    self.backwards.append((story_id, seen[story_id], version))
                seen[story_id] = max(version, seen.get(story_id, 0))
            # Leave the GIL to the rebuild and the composer between rounds.
            self.stop.wait(0.005)


def versions(client: redis.Redis, keys: Keys) -> dict[str, int]:
    """The served version of every story Redis holds."""
    ids = [f"s{index:05d}" for index in range(STORIES)]
    pipe = client.pipeline(transaction=False)
    for story_id in ids:
        pipe.hget(keys.story(story_id), "version")
    return {sid: int(v) for sid, v in zip(ids, pipe.execute(), strict=True) if v is not None}


def test_a_rebuild_racing_newer_writes_never_puts_an_older_version_back(
    kafka_bootstrap, topic_prefix, redis_url, redis_key_prefix
):
    publish_first_versions(kafka_bootstrap, topic_prefix)
    keys = Keys(redis_key_prefix)
    composer, watcher = Composer(redis_url, keys), Watcher(redis_url, keys)
    composer.start()
    watcher.start()
    try:
        # Redis starts empty (as after a flush) while the composer keeps writing.
        rebuild_cache(kafka_bootstrap, topic_prefix, redis_url, redis_key_prefix)
    finally:
        composer.stop.set()
        composer.join(timeout=10)
        watcher.stop.set()
        watcher.join(timeout=10)
    client = redis.Redis.from_url(redis_url)
    final = versions(client, keys)
    client.close()
    assert len(composer.latest) > 100, "the composer hardly raced the rebuild"
    assert watcher.backwards == []
    # Every story holds the newest version written, by the composer or the rebuild.
    expected = {f"s{index:05d}": 1 for index in range(STORIES)} | composer.latest
    assert {sid: v for sid, v in final.items() if v != expected[sid]} == {}
    assert final.keys() == expected.keys()
