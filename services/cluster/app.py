"""Builds the cluster service's faust app from settings (no I/O at import).

Two agents:
  reshard:  <prefix>.articles (keyed by article_id) -> <prefix>.cluster-shards (keyed by shard)
  cluster:  <prefix>.cluster-shards -> <prefix>.story-events (keyed by story_id)
The shard topic puts every article of a shard in one partition, in one order, so exactly one
worker decides its stories; the state table is partitioned like it (see docs/sharding.md).
"""

from __future__ import annotations

import logging
from pathlib import Path

import faust

from newsbrief.codec import decode, encode
from newsbrief.streams import faust_app
from newsbrief.topics import ARTICLES, STORY_EVENTS, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb

from .config import ClusterSettings
from .processor import ShardProcessor
from .sharding import partition_for, shard_of

log = logging.getLogger(__name__)

STATE_TABLE = "cluster-state"
PRODUCER_BATCH_BYTES = 256 * 1024
PRODUCER_LINGER_SECONDS = 0.005


def create_app(settings: ClusterSettings) -> faust.App:
    """A faust app wired to the settings' broker and topics."""
    # faust creates its data directory but not the parents of it.
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    app = faust_app(
        settings.app_id,
        settings.kafka_bootstrap,
        datadir=str(Path(settings.data_dir) / settings.app_id),
        web_enabled=True,
        web_host=settings.web_host,
        web_port=settings.web_port,
        topic_partitions=settings.shard_partitions,
        table_standby_replicas=settings.standby_replicas,
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=max(settings.session_timeout_seconds / 10, 0.5),
        # Each article is one ~10 KB WAL entry plus its story events: let a produce request
        # carry several of them (faust's default batch is 16 KB, sent without waiting).
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        producer_linger=PRODUCER_LINGER_SECONDS,
    )
    raw = {"key_serializer": "raw", "value_serializer": "raw"}
    articles = app.topic(topic_name(settings.topic_prefix, ARTICLES), **raw)
    shards = app.topic(
        settings.shard_topic, internal=True, partitions=settings.shard_partitions, **raw
    )
    story_events = app.topic(topic_name(settings.topic_prefix, STORY_EVENTS), **raw)
    state = app.Table(
        STATE_TABLE,
        default=None,
        partitions=settings.shard_partitions,  # must equal the shard topic's: faust checks
    )  # keys and values go through faust's default json codec: str keys, JSON values
    pins = settings.pins

    @app.agent(articles, name="reshard")
    async def reshard(stream):
        """Re-key each article by its shard, so one partition holds all of a shard."""
        async for value in stream:
            article = _parse(value)
            if article is None:
                continue
            shard = shard_of(article, settings.shard_key)
            partition = partition_for(shard, settings.shard_partitions, pins)
            await shards.send(key=shard.encode(), value=value, partition=partition)

    processor = ShardProcessor(state, settings)

    @app.on_partitions_revoked.connect
    async def forget_revoked(app, revoked, **kwargs):
        """Drop the in-memory state of revoked partitions: another worker may change it."""
        processor.forget({tp.partition for tp in revoked if tp.topic == settings.shard_topic})

    @app.agent(shards, name="cluster")
    async def cluster(stream):
        """Cluster each shard's articles in order and publish the resulting story events."""
        async for event in stream.events():
            article = _parse(event.value)
            if article is None:
                continue
            message = event.message
            for story_event in processor.process(article, message.partition, message.offset):
                await story_events.send(
                    key=story_event.story_id.encode(), value=encode(story_event)
                )

    @app.page("/healthz")
    async def healthz(web, request):
        """Liveness: the worker's event loop answers."""
        return web.json({"status": "ok", "service": "cluster", "app_id": settings.app_id})

    @app.page("/assignment")
    async def assignment(web, request):
        """Which shard-topic partitions this worker owns (actives) or shadows (standbys)."""
        assignor = app.assignor
        return web.json(
            {
                "shard_topic": settings.shard_topic,
                "active": _partitions_of(assignor.assigned_actives(), settings.shard_topic),
                "standby": _partitions_of(assignor.assigned_standbys(), settings.shard_topic),
            }
        )

    app.cluster_agents = (reshard, cluster)  # handles for tests and introspection
    return app


def _partitions_of(tps, topic: str) -> list[int]:
    """Sorted partition numbers of topic among the topic-partitions tps."""
    return sorted(tp.partition for tp in tps if tp.topic == topic)


def _parse(value: bytes) -> pb.Article | None:
    """Decode an Article; log and skip garbage (ingest owns rejection, this is a safety net)."""
    try:
        return decode(pb.Article, value)
    except ValueError as exc:
        log.error("skipping undecodable article message: %s", exc)
        return None
