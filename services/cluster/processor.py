"""Per-worker processing of the shard topic: engine + ledger over crash-safe table state.

Every write of one article goes to one table (one ordered changelog partition) in this order:
  1. ``wal|<partition>``   the article's complete change set (write-ahead)
  2. the changes themselves
  3. ``walok|<partition>`` marker: the change set is fully applied
After a crash the recovered table is a prefix of that log, so if a change set was logged but not
fully applied, it is re-applied before the partition's next message (applying it twice is
harmless). An article is done once its record ``r:<article_id>`` exists; the record keeps its
event specs and the shard-topic offset, so redelivering the same message re-sends the same
events (consumers dedupe by story_id + sequence) while a second copy of the article published
later changes nothing.
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
from .store import PrefixView, WriteBuffer, apply_changes

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

    return SimpleClusterer(**maps, idle_seconds=settings.idle_window_seconds)


class ShardProcessor:
    """Turns shard-topic messages into StoryEvents, keeping all state in one table mapping."""

    def __init__(self, table: MutableMapping, settings: ClusterSettings) -> None:
        self.table = table
        self.settings = settings
        self.buffer = WriteBuffer(table)
        self._shards: dict[str, Shard] = {}

    def process(self, article: pb.Article, partition: int, offset: int) -> list[pb.StoryEvent]:
        """Cluster one article read at (partition, offset); return the events to publish."""
        self.recover(partition)
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
            changes = self.buffer.pending()
        except Exception:
            self.buffer.discard()
            raise
        self._commit(partition, f"{aid}@{offset}", changes)
        return self._messages(shard, specs, article)

    def recover(self, partition: int) -> None:
        """Finish a change set that a crash left half-applied on this partition."""
        wal = self.table.get(f"wal|{partition}")
        if wal is not None and self.table.get(f"walok|{partition}") != wal["token"]:
            log.info("re-applying change set %s on partition %d", wal["token"], partition)
            apply_changes(self.table, wal["changes"])
            self.table[f"walok|{partition}"] = wal["token"]

    def _decide(self, shard: Shard, article: pb.Article) -> list[dict]:
        at = event_time(article)
        # Close what went quiet before this article, so it opens a follow-up, not a revival.
        specs = shard.ledger.advance(at)
        engine_events = shard.engine.add(article_dict(article))
        when = at if at is not None else shard.ledger.state.get("c:clock")
        specs += shard.ledger.apply(engine_events, article.article_id, when)
        return [spec.to_dict() for spec in specs]

    def _commit(self, partition: int, token: str, changes: dict) -> None:
        self.table[f"wal|{partition}"] = {"token": token, "changes": changes}
        self.buffer.flush()
        self.table[f"walok|{partition}"] = token

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
            ledger = StoryLedger(view("l"), self.settings.close_after_seconds)
            shard = self._shards[name] = Shard(make_engine(self.settings, maps), ledger, view("r"))
        return shard
