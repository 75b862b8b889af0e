"""Rebuild the serving store from the compacted topics (the system of record).

Reads ``<prefix>.entities``, ``<prefix>.hubs`` and ``<prefix>.briefs`` from the beginning,
keeps the latest value per key, and writes every document with ``newsbrief.store``, the same
writer compose uses, so a rebuilt cache is indistinguishable from a live one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from newsbrief import store
from newsbrief.codec import decode
from newsbrief.keys import Keys
from newsbrief.topics import BRIEFS, ENTITIES, HUBS, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb

log = logging.getLogger(__name__)

BATCH = 500
LOCK_SECONDS = 600


@dataclass(frozen=True)
class RebuildCounts:
    """How many documents a rebuild wrote."""

    briefs: int
    hubs: int
    entities: int


def lock_key(keys: Keys) -> str:
    """Held while one process rebuilds, so several API workers do not all rebuild at once."""
    return f"{keys.prefix}:rebuild-lock"


def latest(records: Iterable[tuple[bytes | None, bytes | None]]) -> dict[bytes, bytes]:
    """The last value per key of a compacted topic's records (a null value deletes the key)."""
    values: dict[bytes, bytes] = {}
    for key, value in records:
        if key is None:
            continue
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values


def read_topic(bootstrap: str, topic: str, timeout: float = 60.0) -> dict[bytes, bytes]:
    """Read a whole topic from the beginning to its current end; latest value per key."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        client_id="newsbrief-rebuild",
    )
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            log.warning("topic %s not found; nothing to rebuild from it", topic)
            return {}
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        end = consumer.end_offsets(assigned)
        return latest(_drain(consumer, end, timeout))
    finally:
        consumer.close()


def _drain(consumer: Any, end: dict[Any, int], timeout: float) -> list[tuple[Any, Any]]:
    records: list[tuple[Any, Any]] = []
    deadline = time.monotonic() + timeout
    while any(consumer.position(tp) < offset for tp, offset in end.items()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"reading {sorted({tp.topic for tp in end})} took over {timeout}s")
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend((r.key, r.value) for r in batch)
    return records


def write_all(redis: Any, keys: Keys, kind: str, values: Iterable[bytes]) -> int:
    """Write decoded messages of one kind with the store's writers, in pipelined batches."""
    cls: type[Any] = {"entity": pb.EntityCard, "hub": pb.Hub, "brief": pb.Brief}[kind]
    writer: Callable[..., None] = {
        "entity": store.queue_entity,
        "hub": store.queue_hub,
        "brief": store.queue_brief,
    }[kind]
    count = 0
    pipe = redis.pipeline(transaction=False)
    for raw in values:
        try:
            message = decode(cls, raw)
        except ValueError as exc:
            log.error("skipping undecodable %s: %s", kind, exc)
            continue
        writer(pipe, keys, message)
        count += 1
        if count % BATCH == 0:
            pipe.execute()
    pipe.execute()
    return count


def rebuild_cache(
    bootstrap: str, topic_prefix: str, redis_url: str, key_prefix: str
) -> RebuildCounts:
    """Rebuild every document of the serving store from the compacted topics."""
    import redis as redis_lib

    keys = Keys(key_prefix)
    client = redis_lib.Redis.from_url(redis_url)
    try:
        # Entities and hubs first: once `ready` is set by the briefs, everything they link exists.
        counts = {}
        for kind, suffix in (("entity", ENTITIES), ("hub", HUBS), ("brief", BRIEFS)):
            values = read_topic(bootstrap, topic_name(topic_prefix, suffix)).values()
            counts[kind] = write_all(client, keys, kind, values)
        client.set(keys.ready, 1)
    finally:
        client.close()
    result = RebuildCounts(counts["brief"], counts["hub"], counts["entity"])
    log.info("rebuilt the cache: %s", result)
    return result
