"""Session-wide real Kafka broker and Redis, and per-test isolation (topics, groups, keys)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from newsbrief.infra import KafkaBroker, RedisServer
from newsbrief.topics import create_topics


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory) -> Iterator[KafkaBroker]:
    """One real Apache Kafka broker (KRaft, loopback) for the whole test session."""
    broker = KafkaBroker(tmp_path_factory.mktemp("kafka"))
    broker.start(timeout=120)
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    """One real redis-server on loopback for the whole test session."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start(timeout=30)
    yield server
    server.stop()


@pytest.fixture
def kafka_bootstrap(kafka_broker: KafkaBroker) -> str:
    return kafka_broker.bootstrap


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture
def unique_name() -> str:
    """A fresh name for a test's topics, consumer groups and Redis keys."""
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture
def topic_prefix(kafka_bootstrap: str, unique_name: str) -> str:
    """A topic prefix of the test's own, with every pipeline topic created (2 partitions)."""
    create_topics(kafka_bootstrap, unique_name, partitions=2)
    return unique_name


@pytest.fixture
def redis_key_prefix(redis_url: str, unique_name: str) -> Iterator[str]:
    """A Redis key prefix of the test's own; its keys are deleted afterwards."""
    import redis

    yield unique_name
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{unique_name}:*", count=1000):
        client.delete(key)
    client.close()
