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


Offsets = dict[int, int]
CATCH_UP_PASSES = 5


def read_topic(
    bootstrap: str, topic: str, timeout: float = 60.0, start: Offsets | None = None
) -> tuple[dict[bytes, bytes], Offsets]:
    """Latest value per key from ``start`` (default: the beginning) to the topic's current end.

    Also returns the end offsets per partition, where a later catch-up read starts.
    """
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
            return {}, {}
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        for tp in assigned:
            if start and tp.partition in start:
                consumer.seek(tp, start[tp.partition])
            else:
                consumer.seek_to_beginning(tp)
        end = consumer.end_offsets(assigned)
        values = latest(_drain(consumer, end, timeout))
        return values, {tp.partition: offset for tp, offset in end.items()}
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


def stale(stored_version: bytes | None, merged: bool, brief: pb.Brief) -> bool:
    """Whether Redis already holds something newer than this record (written by compose).

    Newer means a version at least as high, or a merge: merges are final, so a redirect in
    Redis outranks any live version of the story the topic can still hold.
    """
    if brief.merged_into:
        return False
    return merged or (stored_version is not None and int(stored_version) >= brief.version)


def write_all(redis: Any, keys: Keys, kind: str, values: Iterable[bytes]) -> int:
    """Write decoded messages of one kind with the store's writers, in pipelined batches.

    A brief older than what Redis holds is skipped: compose keeps writing while a rebuild runs,
    and its newer write must not be overwritten by the topic's older record.
    """
    cls: type[Any] = {"entity": pb.EntityCard, "hub": pb.Hub, "brief": pb.Brief}[kind]
    writer: Callable[..., None] = {
        "entity": store.queue_entity,
        "hub": store.queue_hub,
        "brief": store.queue_brief,
    }[kind]
    count = 0
    batch: list[Any] = []
    for raw in values:
        try:
            batch.append(decode(cls, raw))
        except ValueError as exc:
            log.error("skipping undecodable %s: %s", kind, exc)
            continue
        if len(batch) == BATCH:
            count += _write_batch(redis, keys, kind, writer, batch)
            batch = []
    return count + _write_batch(redis, keys, kind, writer, batch)


def _write_batch(
    redis: Any, keys: Keys, kind: str, writer: Callable[..., None], batch: list[Any]
) -> int:
    if not batch:
        return 0
    if kind == "brief":
        return write_briefs(redis, keys, batch)
    pipe = redis.pipeline(transaction=False)
    for message in batch:
        writer(pipe, keys, message)
    pipe.execute()
    return len(batch)


# Returns, per story (KEYS in pairs: story hash, redirect), {stored version or false, merged}.
READ_VERSIONS = """
local out = {}
for i = 1, #KEYS, 2 do
  out[#out + 1] = redis.call('HGET', KEYS[i], 'version')
  out[#out + 1] = redis.call('EXISTS', KEYS[i + 1])
end
return out
"""
# Attempts of a whole batch before it is split; a single brief retries up to SINGLE_ATTEMPTS.
BATCH_ATTEMPTS = 3
SINGLE_ATTEMPTS = 50


def write_briefs(redis: Any, keys: Keys, batch: list[pb.Brief]) -> int:
    """Write the briefs Redis holds nothing newer of, as one compare-and-write; the count.

    The version check and the writes are one optimistic transaction: the story and redirect
    keys are WATCHed before their versions are read, and EXEC fails if compose wrote any of
    them meanwhile, so a rebuild can never put an older version back over a newer one. A
    failed batch is read and written again, and split when it keeps colliding with compose.
    """
    from redis.exceptions import WatchError

    attempts = SINGLE_ATTEMPTS if len(batch) == 1 else BATCH_ATTEMPTS
    for _ in range(attempts):
        try:
            return _compare_and_write(redis, keys, batch)
        except WatchError:
            continue
    if len(batch) == 1:
        raise RuntimeError(f"story {batch[0].story_id} changed on every write attempt")
    half = len(batch) // 2
    return write_briefs(redis, keys, batch[:half]) + write_briefs(redis, keys, batch[half:])


def _compare_and_write(redis: Any, keys: Keys, batch: list[pb.Brief]) -> int:
    names = [k for b in batch for k in (keys.story(b.story_id), keys.redirect(b.story_id))]
    with redis.pipeline(transaction=True) as pipe:
        pipe.watch(*names)
        # After WATCH the pipeline runs commands at once: one script reads every version.
        found = pipe.eval(READ_VERSIONS, len(names), *names)
        fresh = [
            brief
            for n, brief in enumerate(batch)
            if not stale(found[2 * n], bool(found[2 * n + 1]), brief)
        ]
        pipe.multi()
        for brief in fresh:
            store.queue_brief(pipe, keys, brief)
        pipe.execute()
    return len(fresh)


def rebuild_cache(
    bootstrap: str, topic_prefix: str, redis_url: str, key_prefix: str
) -> RebuildCounts:
    """Rebuild every document of the serving store from the compacted topics.

    After the full read, records appended meanwhile (compose keeps running) are read and
    written again until a pass finds none, so the rebuild ends on the topics' latest state.
    """
    import redis as redis_lib

    keys = Keys(key_prefix)
    client = redis_lib.Redis.from_url(redis_url)
    counts = {"entity": 0, "hub": 0, "brief": 0}
    ends: dict[str, Offsets | None] = {kind: None for kind in counts}
    try:
        # Entities and hubs first: once the briefs are in, everything they link exists.
        for attempt in range(1 + CATCH_UP_PASSES):
            fresh = 0
            for kind, suffix in (("entity", ENTITIES), ("hub", HUBS), ("brief", BRIEFS)):
                topic = topic_name(topic_prefix, suffix)
                values, ends[kind] = read_topic(bootstrap, topic, start=ends[kind])
                written = write_all(client, keys, kind, values.values())
                fresh += len(values)
                counts[kind] += written if attempt == 0 else 0
            if attempt and not fresh:
                break
        client.set(keys.ready, 1)
    finally:
        client.close()
    result = RebuildCounts(counts["brief"], counts["hub"], counts["entity"])
    log.info("rebuilt the cache: %s", result)
    return result
