"""Per-worker processing of the shard topic: engine + ledger over crash-safe table state.

Each article's writes are buffered until it is decided, then logged as ONE table write: a
write-ahead entry with its whole change set (new values, or deltas of them). The changed keys stay
in memory and are written to their own table keys only every ``flush_every`` articles, once per
key however many articles changed it, followed by a checkpoint. A restarted or newly assigned
worker rebuilds a partition from the checkpointed keys plus the WAL entries after the checkpoint
(see wal.py), so a crash at any write gives the state of an uninterrupted run.

An article is done once its record ``r:<article_id>`` exists; the record keeps its event specs
and the shard-topic offset, so redelivering the same message re-sends the same events (consumers
dedupe by story_id + sequence) while a second copy of the article published later changes
nothing.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from newsbrief.v1 import newsbrief_pb2 as pb

from .config import ClusterSettings
from .events import article_dict, event_time, story_event
from .ledger import EventSpec, StoryLedger
from .sharding import shard_of
from .store import PartitionView, PrefixView, WriteBuffer
from .wal import PartitionLog

log = logging.getLogger(__name__)


@dataclass
class Shard:
    """One shard's engine, ledger and article records, all views over the write buffer."""

    engine: Any
    ledger: StoryLedger
    records: MutableMapping


def make_engine(settings: ClusterSettings, maps: dict[str, MutableMapping]) -> Any:
    """The configured clustering engine over the given state mappings."""
    if settings.engine == "engine":
        from .engine.clusterer import EngineConfig, StoryClusterer

        config = EngineConfig(idle_seconds=settings.idle_window_seconds)
        return StoryClusterer(**maps, config=config)
    from .simple import StoryClusterer as SimpleClusterer

    maps = {ns: m for ns, m in maps.items() if ns != "members"}  # it never splits
    return SimpleClusterer(**maps, idle_seconds=settings.idle_window_seconds)


class ShardProcessor:
    """Turns shard-topic messages into StoryEvents, keeping all state in one table mapping."""

    def __init__(self, table: MutableMapping, settings: ClusterSettings) -> None:
        self.table = table
        self.settings = settings
        self.view = PartitionView()
        self.buffer = WriteBuffer(self.view)
        self.logs: dict[int, PartitionLog] = {}
        self._shards: dict[str, Shard] = {}

    def process(self, article: pb.Article, partition: int, offset: int) -> list[pb.StoryEvent]:
        """Cluster one article read at (partition, offset); return the events to publish."""
        plog = self.view.log = self._log(partition)
        shard = self._shard(shard_of(article, self.settings.shard_key))
        aid = article.article_id
        record = shard.records.get(aid)
        if record is not None:
            if record["at"] == [partition, offset]:
                return self._messages(shard, record["events"], article)  # redelivery: re-send
            return []  # a later copy of a done article: nothing changes
        try:
            specs = self._decide(shard, article)
            shard.records[aid] = {"at": [partition, offset], "events": specs}
            changes, values = self.buffer.take()
        except Exception:
            self.buffer.discard()
            raise
        plog.append(f"{aid}@{offset}", changes, values)
        if plog.due(self.settings.flush_every):
            plog.flush(self.settings.flush_every)
        return self._messages(shard, specs, article)

    def forget(self, partitions: set[int] | None = None) -> None:
        """Drop in-memory state of partitions this worker no longer owns (None: all).

        Another worker may change their state before they come back, so they are reloaded from
        the table, which faust recovers from the changelog first, on their next message. The
        shards' engines and ledgers are rebuilt too (cheap, and rare): whatever an engine might
        keep in memory must not outlive the state it was built over.
        """
        for partition in list(self.logs) if partitions is None else partitions:
            self.logs.pop(partition, None)
        self._shards.clear()

    def _log(self, partition: int) -> PartitionLog:
        plog = self.logs.get(partition)
        if plog is None:
            ring = self.settings.flush_every
            plog = self.logs[partition] = PartitionLog.load(self.table, partition, ring)
            if plog.ring != ring or plog.due(ring):
                plog.flush(ring)  # a new ring size, or a full ring: start afresh
        return plog

    def _decide(self, shard: Shard, article: pb.Article) -> list[dict]:
        at = event_time(article)
        # Close what went quiet before this article, so it opens a follow-up, not a revival.
        specs = shard.ledger.advance(at)
        engine_events = shard.engine.add(article_dict(article))
        when = at if at is not None else shard.ledger.state.get("c:clock")
        specs += shard.ledger.apply(engine_events, article.article_id, when)
        return [spec.to_dict() for spec in specs]

    def _messages(
        self, shard: Shard, specs: list[dict], article: pb.Article
    ) -> list[pb.StoryEvent]:
        out = []
        for data in specs:
            spec = EventSpec.from_dict(data)
            out.append(story_event(spec, shard.ledger.members(spec.story_id), article))
        return out

    def _shard(self, name: str) -> Shard:
        shard = self._shards.get(name)
        if shard is None:
            view = lambda ns: PrefixView(self.buffer, f"{name}|{ns}|")  # noqa: E731
            maps = {ns: view(ns[0]) for ns in ("stories", "postings", "articles", "df", "meta")}
            maps["members"] = view("f")  # "m" is meta's: f for the members' features
            ledger = StoryLedger(view("l"), self.settings.close_after_seconds)
            shard = self._shards[name] = Shard(make_engine(self.settings, maps), ledger, view("r"))
        return shard
