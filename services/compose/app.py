"""The compose faust app: story events in; briefs, hubs and cards to Redis and Kafka."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from pathlib import Path

import faust
import redis.asyncio as aioredis
from aiokafka.partitioner import DefaultPartitioner

from newsbrief.codec import decode, encode, register_faust_codecs
from newsbrief.keys import Keys
from newsbrief.streams import faust_app
from newsbrief.topics import BRIEFS, ENTITIES, HUBS, STORY_EVENTS, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.composer import Composer, Outputs
from services.compose.config import ComposeSettings
from services.compose.entities import Linker
from services.compose.hubkeeper import HubKeeper
from services.compose.kb import load_kb
from services.compose.publishing import Channels, Publisher
from services.compose.serving import ServingWriter

# The debounce timer looks at every story's state this often (stories table recovery fills in
# behind the composer's own index); between full scans it checks only the stories it marked.
RESCAN_SECONDS = 5.0


def story_partition(story_id: str, partitions: int) -> int:
    """The story-events partition of a story, as the producer's default partitioner puts it."""
    every = list(range(partitions))
    return DefaultPartitioner()(story_id.encode(), every, every)


def pack_ids(ids: list[str]) -> bytes:
    """Story ids as one message value (ids never contain a newline)."""
    return "\n".join(ids).encode()


def unpack_ids(value: bytes | str) -> list[str]:
    """Story ids packed by pack_ids (a bare id, the older format, is a list of one)."""
    text = value.decode() if isinstance(value, bytes) else str(value)
    return [sid for sid in text.split("\n") if sid]


def unchanged_card(card: pb.EntityCard, sent: dict[str, bytes]) -> bool:
    """Whether a card only differs from the last one sent by its timestamp; remember it."""
    content = pb.EntityCard()
    content.CopyFrom(card)
    content.ClearField("updated_at")
    data = content.SerializeToString(deterministic=True)
    if sent.get(card.entity_id) == data:
        return True
    sent[card.entity_id] = data
    return False


log = logging.getLogger(__name__)


def create_app(settings: ComposeSettings) -> faust.App:
    """Build the compose app (agents, tables, timer, web view) from settings."""
    register_faust_codecs()
    # faust creates its data directory but not the parents of it.
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    app = faust_app(
        settings.app_id,
        settings.kafka_bootstrap,
        topic_partitions=settings.partitions,
        datadir=str(Path(settings.data_dir) / settings.app_id),
        web_port=settings.web_port,
        web_host=settings.web_host,
        web_bind=settings.web_host,
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=max(settings.session_timeout_seconds / 10, 0.5),
    )
    prefix = settings.topic_prefix
    raw = {"key_serializer": "raw", "value_serializer": "raw"}
    events = app.topic(topic_name(prefix, STORY_EVENTS), **raw)
    briefs_topic = app.topic(topic_name(prefix, BRIEFS), **raw)
    hubs_topic = app.topic(topic_name(prefix, HUBS), **raw)
    entities_topic = app.topic(topic_name(prefix, ENTITIES), **raw)

    def internal(name: str, partitions: int = settings.partitions):
        return app.topic(
            f"{prefix}.{settings.app_id}.{name}", internal=True, partitions=partitions, **raw
        )

    # Deferred rebuilds go through a topic of our own keyed by story, so that the rebuild runs
    # inside stream iteration on the story's partition (faust tables are only written there).
    rebuilds = internal("rebuilds")

    # Hubs and the entity index read across all stories, so one partition holds them all:
    # every built brief goes to the hub keeper through this single-partition topic, and the
    # keeper's answer (the story's hubs, as a Brief carrying only story_id and go_deeper) comes
    # back keyed by story, to the story's own partition.
    hub_signals = internal("hub-signals", partitions=1)
    hub_refs = internal("hub-refs")

    # A merge moves the absorbed story's articles to the survivor: first a handoff keyed by the
    # absorbed story (its partition holds its articles), then the articles keyed by the survivor.
    handoffs = internal("handoffs")
    forwards = internal("forwards")
    # A follow-up story's link back, keyed by the earlier story so its owner records it.
    links = internal("links")

    def table(name: str, value_serializer: str, partitions: int | None = None):
        t = app.Table(name, default=None, partitions=partitions)
        # Protobuf values stay raw bytes; faust derives serializers from types, so set them and
        # rebuild the changelog topic it already made with the json default.
        t.key_serializer, t.value_serializer = "json", value_serializer
        t.changelog_topic = t._new_changelog_topic()
        return t

    composer = Composer(
        settings,
        Linker(load_kb(settings.kb_path)),
        articles=table("story-articles", "raw"),
        briefs=table("story-briefs", "raw"),
        meta=table("story-meta", "json"),
        inline_merges=False,
    )
    keeper = HubKeeper(
        settings,
        hubs=table("hubs", "raw", partitions=1),
        entity_stories=table("entity-stories", "json", partitions=1),
        stories=table("hub-stories", "json", partitions=1),
    )
    keys = Keys(settings.redis_key_prefix)
    writer = ServingWriter(aioredis.from_url(settings.redis_url), keys)
    requested: set[str] = set()
    last_scan = [0.0]
    # Entity cards come back with every brief mentioning the entity; most only carry a new
    # timestamp. The keeper runs on one partition, so this agent-local memory sees every card.
    cards_sent: dict[str, bytes] = {}
    refs_sent: dict[str, bytes] = {}

    publish = Publisher(
        Channels(
            briefs=briefs_topic,
            hubs=hubs_topic,
            entities=entities_topic,
            hub_signals=hub_signals,
            handoffs=handoffs,
            forwards=forwards,
            links=links,
        ),
        writer,
        # What every offset commit waits for: table writes handed to Kafka and acknowledged.
        flush_tables=lambda: app.producer.flush(),
        drop_forwarded=composer.drop_forwarded,
        drop_moved=composer.drop_moved,
    )

    @app.agent(events)
    async def on_story_events(stream):
        async for payload in stream:
            try:
                event = decode(pb.StoryEvent, payload)
            except ValueError:
                log.exception("undecodable story event skipped")
                continue
            await publish(composer.on_event(event, time.time()))

    @app.agent(handoffs)
    async def on_handoff(stream):
        async for key, survivor in stream.items():
            old = key.decode() if isinstance(key, bytes) else str(key)
            await publish(composer.on_handoff(old, survivor.decode(), time.time()))

    @app.agent(forwards)
    async def on_forward(stream):
        async for payload in stream:
            await publish(composer.on_event(decode(pb.StoryEvent, payload), time.time()))

    @app.agent(links)
    async def on_link(stream):
        async for key, follower in stream.items():
            earlier = key.decode() if isinstance(key, bytes) else str(key)
            composer.on_link(earlier, follower.decode())

    @app.agent(rebuilds)
    async def on_rebuild(stream):
        # Each message lists the due stories of one partition, sent to that partition: their
        # rebuilds' table writes land in the right changelog partition, and go out together.
        async for value in stream:
            ids = unpack_ids(value)
            requested.difference_update(ids)
            await publish(composer.rebuild_due(ids, time.time()))

    @app.agent(hub_signals)
    async def keep_hubs(stream):
        async for payload in stream:
            brief = decode(pb.Brief, payload)
            answer = keeper.on_brief(brief, time.time())
            cards = [c for c in answer.cards if not unchanged_card(c, cards_sent)]
            await publish(Outputs(hubs=answer.hubs, cards=cards))
            replies = dict(answer.others)
            if not brief.merged_into:
                replies[brief.story_id] = answer.refs
            for story_id, story_refs in replies.items():
                refs = pb.Brief(story_id=story_id, go_deeper=story_refs)
                value = encode(refs)
                # Most briefs leave their story's hubs as they were: say only what changed
                # (after a restart this memory is empty, and the owner ignores repeats).
                if refs_sent.get(story_id) != value:
                    refs_sent[story_id] = value
                    await hub_refs.send(key=story_id.encode(), value=value)

    @app.agent(hub_refs)
    async def on_hub_refs(stream):
        async for payload in stream:
            refs = decode(pb.Brief, payload)
            await publish(composer.on_hub_refs(refs.story_id, list(refs.go_deeper), time.time()))

    @app.timer(interval=min(0.25, max(0.05, settings.debounce_seconds / 5)))
    async def flush_debounced():
        now = time.time()
        rescan = now - last_scan[0] >= RESCAN_SECONDS
        if rescan:
            last_scan[0] = now
            requested.clear()  # a request lost with a crashed worker is asked for again
        by_partition: dict[int, list[str]] = defaultdict(list)
        for sid in composer.due_stories(now, rescan=rescan):
            if sid not in requested:
                requested.add(sid)
                by_partition[story_partition(sid, settings.partitions)].append(sid)
        for partition, ids in sorted(by_partition.items()):
            await rebuilds.send(value=pack_ids(ids), partition=partition)

    @app.page("/healthz")
    async def healthz(web, request):
        return web.json({"status": "ok", "service": "compose"})

    app.composer, app.keeper = composer, keeper  # for tests and the CLI
    return app
