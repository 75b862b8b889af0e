"""Which shard an article belongs to, and which partition of the shard topic holds a shard.

A shard is the unit of online clustering: all of a shard's stories live in one place and its
articles are decided one at a time, in the order of the shard topic. See docs/sharding.md.
"""

from __future__ import annotations

import zlib

from newsbrief.topics import language_of
from newsbrief.v1 import newsbrief_pb2 as pb

SHARD_KEYS = ("language", "single")
SINGLE = "all"


# Ingest picks the articles partition by the same reading of a language tag, so one
# language shard is fed from one partition, in ingest's order.
normalise_language = language_of


def shard_of(article: pb.Article, shard_key: str) -> str:
    """The shard an article is clustered in, under the configured shard key."""
    if shard_key == "language":
        return normalise_language(article.language)
    if shard_key == "single":
        return SINGLE
    raise ValueError(f"unknown shard key {shard_key!r}; choose one of {', '.join(SHARD_KEYS)}")


def parse_pins(spec: str) -> dict[str, int]:
    """Parse "en=0,de=1" into {"en": 0, "de": 1} (pinned shard -> partition)."""
    pins: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        shard, sep, partition = item.partition("=")
        if not sep or not partition.strip().isdigit():
            raise ValueError(f"bad shard pin {item!r}; expected SHARD=PARTITION")
        pins[shard.strip()] = int(partition)
    return pins


def partition_for(shard: str, partitions: int, pins: dict[str, int] | None = None) -> int:
    """Partition of the shard topic holding a shard: a pin if configured, else a stable hash.

    The choice is a pure function of the shard name, so every worker, and every restart, sends a
    shard to the same partition: that is what keeps one shard's decisions in one place.
    """
    if partitions < 1:
        raise ValueError("partitions must be >= 1")
    pinned = (pins or {}).get(shard)
    if pinned is not None:
        if not 0 <= pinned < partitions:
            raise ValueError(
                f"shard {shard!r} pinned to {pinned}, but only {partitions} partitions"
            )
        return pinned
    # crc32 rather than hash(): Python's str hash is salted per process.
    return zlib.crc32(shard.encode("utf-8")) % partitions
