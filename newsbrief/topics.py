"""The Kafka topics of the pipeline, created explicitly (never by broker auto-creation)."""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass

log = logging.getLogger(__name__)

ARTICLES = "articles"
STORY_EVENTS = "story-events"
BRIEFS = "briefs"
HUBS = "hubs"
ENTITIES = "entities"
REJECTED = "rejected"


@dataclass(frozen=True)
class TopicSpec:
    """What a topic holds and how the broker keeps it."""

    suffix: str
    message: str
    partitions: int
    compacted: bool = False

    def name(self, prefix: str) -> str:
        """Full topic name under a deployment's prefix."""
        return f"{prefix}.{self.suffix}"

    def configs(self) -> dict[str, str]:
        """Broker-side topic configuration."""
        if self.compacted:
            # Briefs, hubs and entities are the system of record: keep the latest value per key
            # forever, so Redis can be rebuilt from them at any time.
            return {"cleanup.policy": "compact", "min.compaction.lag.ms": "0"}
        return {"cleanup.policy": "delete", "retention.ms": str(7 * 24 * 3600 * 1000)}


# Articles and story events share a partition count: cluster workers scale up to it.
DEFAULT_PARTITIONS = 6

SPECS: tuple[TopicSpec, ...] = (
    TopicSpec(ARTICLES, "Article", DEFAULT_PARTITIONS),
    TopicSpec(STORY_EVENTS, "StoryEvent", DEFAULT_PARTITIONS),
    TopicSpec(BRIEFS, "Brief", DEFAULT_PARTITIONS, compacted=True),
    TopicSpec(HUBS, "Hub", 1, compacted=True),
    TopicSpec(ENTITIES, "EntityCard", 1, compacted=True),
    TopicSpec(REJECTED, "RejectedInput", 1),
)


def topic_name(prefix: str, suffix: str) -> str:
    """Full name of one of the pipeline's topics."""
    return f"{prefix}.{suffix}"


def language_of(tag: str) -> str:
    """ISO 639-1 base code of a language tag in lower case ("en-GB" -> "en"); "und" if none.

    The same reading of a tag as the cluster's language shard key, so one shard is one language.
    """
    base = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base.isalpha() else "und"


def article_partition(language: str, partitions: int) -> int:
    """Partition of the articles topic for an article in this language: one per language.

    Every article of a language lands in one partition, so the order ingest publishes them in
    is the order the cluster's reshard agent reads them (a topic keeps order only within a
    partition). The key stays ``article_id``; only the partition is chosen here.
    """
    if partitions < 1:
        raise ValueError("partitions must be >= 1")
    # crc32 rather than hash(): Python's str hash is salted per process, and every ingest
    # replica and restart must agree.
    return zlib.crc32(language_of(language).encode("utf-8")) % partitions


def create_topics(
    bootstrap: str, prefix: str, partitions: int | None = None, replication: int = 1
) -> list[str]:
    """Create every pipeline topic that does not exist yet; return the names created.

    ``partitions`` overrides the partition count of the partitioned topics (tests use few).
    """
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="newsbrief-admin")
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(
                name=spec.name(prefix),
                num_partitions=_partitions(spec, partitions),
                replication_factor=replication,
                topic_configs=spec.configs(),
            )
            for spec in SPECS
            if spec.name(prefix) not in existing
        ]
        if wanted:
            admin.create_topics(wanted)
            log.info("created topics %s", [t.name for t in wanted])
        return [t.name for t in wanted]
    finally:
        admin.close()


def _partitions(spec: TopicSpec, override: int | None) -> int:
    if override is None or spec.partitions == 1:
        return spec.partitions
    return override
