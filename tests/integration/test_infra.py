"""The local Kafka broker and Redis from newsbrief.infra start, serve real clients, and stop."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from newsbrief.infra import KafkaBroker, RedisServer

pytestmark = pytest.mark.integration


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # The PID may linger as a zombie until init reaps it; that is no longer a running server.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "Z"


def test_kafka_broker_serves_and_stops(tmp_path):
    broker = KafkaBroker(tmp_path / "kafka")
    broker.start(timeout=120)
    try:
        assert broker.alive()
        pid = broker.pid
        assert pid is not None
        host, port = broker.bootstrap.split(":")
        assert host == "127.0.0.1" and int(port) == broker.port
        # Starting again is a no-op that keeps the same process and port.
        broker.start()
        assert broker.pid == pid

        topic = "infra-" + uuid.uuid4().hex[:8]
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
        try:
            admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
            assert topic in admin.list_topics()
        finally:
            admin.close()

        producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
        producer.send(topic, key=b"k", value=b"hello").get(timeout=30)
        producer.close()

        consumer = KafkaConsumer(
            topic,
            bootstrap_servers=broker.bootstrap,
            group_id="infra-" + uuid.uuid4().hex[:8],
            auto_offset_reset="earliest",
            consumer_timeout_ms=20_000,
        )
        try:
            # Stop at the first record instead of waiting out consumer_timeout_ms.
            records = []
            for message in consumer:
                records.append((message.key, message.value))
                break
        finally:
            consumer.close()
        assert records == [(b"k", b"hello")]
    finally:
        broker.stop()

    assert not broker.alive()
    assert _gone(pid)


def test_redis_server_serves_and_stops(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start(timeout=30)
    try:
        assert server.alive()
        pid = server.pid
        assert pid is not None
        client = redis.Redis.from_url(server.url)
        assert client.ping()
        client.set("infra:key", "value")
        assert client.get("infra:key") == b"value"
        client.close()
    finally:
        server.stop()

    assert not server.alive()
    assert _gone(pid)
    server.stop()  # stopping a stopped server is a no-op
