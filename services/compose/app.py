"""The compose faust app: story events in; briefs, hubs and cards to Redis and Kafka."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import faust
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from newsbrief import store
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
    # Deferred rebuilds go through a topic of our own keyed by story, so that the rebuild runs
    # inside stream iteration on the story's partition (faust tables are only written there).
    rebuilds = app.topic(
        f"{prefix}.{settings.app_id}.rebuilds", internal=True, partitions=settings.partitions, **raw
    )

    # Hubs and the entity index read across all stories, so one partition holds them all:
    # every built brief goes to the hub keeper through this single-partition topic, and the
    # keeper's answer (the story's hubs, as a Brief carrying only story_id and go_deeper) comes
    # back keyed by story, to the story's own partition.
    hub_signals = app.topic(
        f"{prefix}.{settings.app_id}.hub-signals", internal=True, partitions=1, **raw
    )
    hub_refs = app.topic(
        f"{prefix}.{settings.app_id}.hub-refs",
        internal=True,
        partitions=settings.partitions,
        **raw,
    )

    # A merge moves the absorbed story's articles to the survivor: first a handoff keyed by the
    # absorbed story (its partition holds its articles), then the articles keyed by the survivor.
    handoffs = app.topic(
        f"{prefix}.{settings.app_id}.handoffs",
        internal=True,
        partitions=settings.partitions,
        **raw,
    )
    forwards = app.topic(
        f"{prefix}.{settings.app_id}.forwards",
        internal=True,
        partitions=settings.partitions,
        **raw,
    )

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
    redis = aioredis.from_url(settings.redis_url)
    ticked: set[str] = set()

    async def write_redis(out: Outputs) -> None:
        # A story event is only done once its documents are served: while Redis is away, wait
        # and retry rather than let the event's offset be committed with nothing written.
        delay = 0.5
        while True:
            try:
                async with redis.pipeline(transaction=True) as pipe:
                    for brief, previous in out.briefs:
                        store.queue_brief(pipe, keys, brief, previous)
                    for hub in out.hubs:
                        store.queue_hub(pipe, keys, hub)
                    for card in out.cards:
                        store.queue_entity(pipe, keys, card)
                    await pipe.execute()
                return
            except (RedisError, OSError) as exc:
                log.warning("redis write failed (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def publish(out: Outputs) -> None:
        if not out:
            return
        # The compacted topics are the system of record: each version is acknowledged there
        # before Redis serves it, so a rebuild from them never restores an older version.
        sent = [
            await briefs_topic.send(key=b.story_id.encode(), value=encode(b)) for b, _ in out.briefs
        ]
        sent += [await hubs_topic.send(key=h.hub_id.encode(), value=encode(h)) for h in out.hubs]
        sent += [
            await entities_topic.send(key=c.entity_id.encode(), value=encode(c)) for c in out.cards
        ]
        for future in sent:
            await future
        if out.briefs or out.hubs or out.cards:
            await write_redis(out)
        for brief in out.signals:
            await hub_signals.send(key=brief.story_id.encode(), value=encode(brief))
        for old, survivor in out.handoffs:
            await handoffs.send(key=old.encode(), value=survivor.encode())
        for event in out.forwards:
            await forwards.send(key=event.story_id.encode(), value=encode(event))

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

    @app.agent(rebuilds)
    async def on_rebuild(stream):
        async for key in stream:
            story_id = key.decode() if isinstance(key, bytes) else str(key)
            ticked.discard(story_id)
            if composer.due(story_id, time.time()):
                await publish(composer.rebuild(story_id, time.time()))

    @app.agent(hub_signals)
    async def keep_hubs(stream):
        async for payload in stream:
            brief = decode(pb.Brief, payload)
            answer = keeper.on_brief(brief, time.time())
            await publish(Outputs(hubs=answer.hubs, cards=answer.cards))
            replies = dict(answer.others)
            if not brief.merged_into:
                replies[brief.story_id] = answer.refs
            for story_id, story_refs in replies.items():
                refs = pb.Brief(story_id=story_id, go_deeper=story_refs)
                await hub_refs.send(key=story_id.encode(), value=encode(refs))

    @app.agent(hub_refs)
    async def on_hub_refs(stream):
        async for payload in stream:
            refs = decode(pb.Brief, payload)
            await publish(composer.on_hub_refs(refs.story_id, list(refs.go_deeper), time.time()))

    @app.timer(interval=max(0.2, settings.debounce_seconds / 4))
    async def flush_debounced():
        for story_id in composer.due_stories(time.time()):
            if story_id not in ticked:
                ticked.add(story_id)
                await rebuilds.send(key=story_id.encode(), value=story_id.encode())

    @app.page("/healthz")
    async def healthz(web, request):
        return web.json({"status": "ok", "service": "compose"})

    app.composer, app.keeper = composer, keeper  # for tests and the CLI
    return app
