"""Session-wide real Kafka broker and Redis, and per-test isolation (topics, groups, keys)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import pytest

from newsbrief.infra import KafkaBroker, RedisServer
from newsbrief.topics import create_topics

if TYPE_CHECKING:
    import httpx


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


@pytest.fixture
def serve_api(
    redis_url: str, redis_key_prefix: str
) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """The API on a real socket over this test's Redis keys: ``async with serve_api() as client``.

    Rate limit off and no rebuild, unless keyword ApiSettings fields passed to it say otherwise.
    """
    # Imported here: most integration tests never serve the API.
    import httpx

    from services.api.app import create_app
    from services.api.config import ApiSettings
    from services.api.main import serve_in_thread

    @contextlib.asynccontextmanager
    async def serve(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        base: dict[str, Any] = {
            "redis_url": redis_url,
            "redis_key_prefix": redis_key_prefix,
            "rate_limit_per_second": 0,
            "rebuild_on_empty": False,
        }
        with serve_in_thread(create_app(ApiSettings(**{**base, **overrides}))) as url:
            async with httpx.AsyncClient(base_url=url) as client:
                yield client

    return serve
