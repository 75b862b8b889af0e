"""One shard-topic partition's state in the table: segments, a checkpoint and a write-ahead log.

Writing every changed key of every article to the changelog cost ~150 messages per article: the
engine touches ~70 keys (document frequencies, posting lists, stories), most of them small, and
each was written twice (a write-ahead copy, then the key). Here, per partition:

* each article's change set (new values, or deltas of them: delta.py) is ONE table write, a
  WAL entry ``wal|<p>|<seq % ring>`` carrying its sequence number ``seq``;
* the changed keys stay in memory (``dirty``); every ``flush_every`` articles they are written
  together, once each however many articles changed them, as a few large *segments*
  ``seg|<p>|<n>`` ({"v": {key: value}, "x": [deleted keys]}), followed by the checkpoint
  ``ck|<p>``: {"seq", "ring", "segments": [live ids, oldest first], "dead", "next"}.

A key's value is its entry in the newest listed segment that holds it. Segments whose entries
are all superseded are dropped from the list and deleted; when superseded entries outweigh live
ones, the live entries of the emptiest segments are copied into the next flush so those can go
too (garbage stays bounded, the compacted changelog does the rest).

The changelog partition is one ordered log, and the table recovered after a crash is a prefix of
it. ``PartitionLog.load`` reads the segments the checkpoint lists (the exact state as of its
``seq``) and replays the WAL entries after it, in order. Segments written by a flush the crash cut
short are not listed yet, so they are ignored (and overwritten by the retried flush). The ring
holds ``ring`` entries and a flush comes at least every ``ring`` entries, so no entry after the
checkpoint is overwritten before a checkpoint covers it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import MutableMapping
from typing import Any

from .delta import patch

log = logging.getLogger(__name__)

DELETED = object()  # a dirty key removed since the last flush
SEGMENT_BYTES = 256 * 1024  # well under Kafka's default 1 MB message limit
GARBAGE_SLACK = 2000  # superseded entries tolerated before compaction starts


def wal_key(partition: int, seq: int, ring: int) -> str:
    """Table key of the ring slot that holds WAL entry seq."""
    return f"wal|{partition}|{seq % ring}"


def checkpoint_key(partition: int) -> str:
    """Table key of a partition's checkpoint (the segment list)."""
    return f"ck|{partition}"


def segment_key(partition: int, segment: int) -> str:
    """Table key of one segment."""
    return f"seg|{partition}|{segment}"


def chunks(batch: dict[str, Any], limit: int = SEGMENT_BYTES) -> list[dict[str, Any]]:
    """Split a flush batch into parts of about limit JSON bytes each (at least one key each)."""
    parts: list[dict[str, Any]] = [{}]
    size = 0
    for key, value in batch.items():
        cost = len(key) + (4 if value is DELETED else len(json.dumps(value)))
        if parts[-1] and size + cost > limit:
            parts.append({})
            size = 0
        parts[-1][key] = value
        size += cost
    return parts


class PartitionLog:
    """Flushed values, dirty keys, segments and WAL position of one partition."""

    def __init__(self, table: MutableMapping, partition: int, ring: int) -> None:
        self.table = table
        self.partition = partition
        self.ring = ring
        self.checkpoint = 0  # every change up to this sequence number is in the segments
        self.head = 0  # last WAL entry written (or replayed)
        self.values: dict[str, Any] = {}  # flushed state (deleted keys absent)
        self.dirty: dict[str, Any] = {}  # changed since the checkpoint (DELETED: removed)
        self.home: dict[str, int] = {}  # key -> segment holding its newest flushed entry
        self.segments: dict[int, list[int]] = {}  # id -> [entries, live entries], oldest first
        self.dead: list[int] = []  # dropped segments still to delete from the table
        self.next_segment = 0

    # ---- reads (the engine's view) -----------------------------------------------------

    def lookup(self, key: str) -> Any:
        """Current value of key; KeyError when absent."""
        value = self.dirty.get(key, _MISSING)
        if value is _MISSING:
            return self.values[key]
        if value is DELETED:
            raise KeyError(key)
        return value

    def contains(self, key: str) -> bool:
        """Whether key currently has a value."""
        value = self.dirty.get(key, _MISSING)
        if value is _MISSING:
            return key in self.values
        return value is not DELETED

    # ---- writes -------------------------------------------------------------------------

    def append(self, token: str, changes: dict, values: dict[str, Any]) -> None:
        """Log one article's change set (one table write), then take its values as dirty.

        changes is the logged form ({"set", "patch", "del"}); values the same changes as plain
        new values (DELETED for removals), so the live path never has to apply a delta.
        """
        seq = self.head + 1
        self.table[wal_key(self.partition, seq, self.ring)] = {
            "seq": seq,
            "token": token,
            **changes,
        }
        self.head = seq
        self.dirty.update(values)

    def due(self, flush_every: int) -> bool:
        """Whether enough entries piled up since the checkpoint to flush now."""
        return self.head - self.checkpoint >= min(flush_every, self.ring)

    def flush(self, ring: int | None = None) -> int:
        """Write the dirty keys as segments, then the checkpoint; return table writes made.

        A new ring size takes effect here: every entry of the old ring is covered by this
        checkpoint, so none of them is read again.
        """
        batch = dict(self.dirty)
        victims = self._victims()
        for segment in victims:
            self._copy_live(segment, batch)
        writes = 0
        if batch:
            for part in chunks(batch):
                self._write_segment(part)
                writes += 1
        dropped = [s for s, (_, live) in self.segments.items() if live == 0]
        for segment in dropped:
            del self.segments[segment]
        dead = self.dead + dropped
        old_ring, self.ring = self.ring, ring or self.ring
        self.table[checkpoint_key(self.partition)] = {
            "seq": self.head,
            "ring": self.ring,
            "segments": list(self.segments),
            "dead": dead,
            "next": self.next_segment,
        }
        # Deleting only after the checkpoint that stops listing them; a crash in between
        # leaves them in "dead", and the next flush deletes them again.
        stale = [segment_key(self.partition, s) for s in dead]
        stale += [wal_key(self.partition, slot, old_ring) for slot in range(self.ring, old_ring)]
        for key in stale:
            if key in self.table:
                del self.table[key]
                writes += 1
        self.dead = []
        self.checkpoint = self.head
        self.dirty.clear()
        return writes + 1

    def _write_segment(self, part: dict[str, Any]) -> None:
        segment = self.next_segment
        self.next_segment += 1
        kept = {k: v for k, v in part.items() if v is not DELETED}
        gone = [k for k, v in part.items() if v is DELETED]
        self.table[segment_key(self.partition, segment)] = {"v": kept, "x": gone}
        self.segments[segment] = [len(part), 0]
        for key, value in part.items():
            self._rehome(key, segment)
            if value is DELETED:
                self.values.pop(key, None)
            else:
                self.values[key] = value

    def _rehome(self, key: str, segment: int) -> None:
        previous = self.home.get(key)
        if previous is not None and previous in self.segments:
            self.segments[previous][1] -= 1
        self.home[key] = segment
        self.segments[segment][1] += 1

    def _victims(self) -> list[int]:
        """Segments to empty in this flush so superseded entries stay under the live ones."""
        total = sum(entries for entries, _ in self.segments.values())
        live = len(self.home)
        victims = []
        by_emptiness = sorted(
            self.segments, key=lambda s: (self.segments[s][1] / self.segments[s][0], s)
        )
        for segment in by_emptiness:
            if total - live <= live + GARBAGE_SLACK:
                break
            entries, live_here = self.segments[segment]
            victims.append(segment)
            total -= entries - live_here  # its live entries move to the new segment
        return victims

    def _copy_live(self, segment: int, batch: dict[str, Any]) -> None:
        """Add a victim segment's still-current entries to the batch being flushed."""
        stored = self.table.get(segment_key(self.partition, segment)) or {"v": {}, "x": []}
        for key in [*stored["v"], *stored["x"]]:
            if self.home.get(key) == segment and key not in batch:
                batch[key] = self.values.get(key, DELETED)

    # ---- recovery -----------------------------------------------------------------------

    @classmethod
    def load(cls, table: MutableMapping, partition: int, ring: int) -> PartitionLog:
        """Rebuild a partition from its checkpoint's segments and the WAL entries after it."""
        mark = table.get(checkpoint_key(partition))
        plog = cls(table, partition, mark["ring"] if mark else ring)
        if mark:
            plog.checkpoint = plog.head = mark["seq"]
            plog.dead = list(mark["dead"])
            plog.next_segment = mark["next"]
            for segment in mark["segments"]:
                plog._load_segment(segment, table[segment_key(partition, segment)])
        while True:
            entry = table.get(wal_key(partition, plog.head + 1, plog.ring))
            if entry is None or entry["seq"] != plog.head + 1:
                break  # the ring slot holds an older lap: the log ends here
            plog.head += 1
            plog._replay(entry)
        if plog.head > plog.checkpoint:
            log.info(
                "partition %d: replayed WAL entries %d..%d after the checkpoint",
                partition,
                plog.checkpoint + 1,
                plog.head,
            )
        return plog

    def _load_segment(self, segment: int, stored: dict) -> None:
        self.segments[segment] = [len(stored["v"]) + len(stored["x"]), 0]
        for key, value in stored["v"].items():
            self._rehome(key, segment)
            self.values[key] = value
        for key in stored["x"]:
            self._rehome(key, segment)
            self.values.pop(key, None)

    def _replay(self, entry: dict) -> None:
        self.dirty.update(entry.get("set", {}))
        for key, delta in entry.get("patch", {}).items():
            self.dirty[key] = patch(self.lookup(key), delta)
        for key in entry.get("del", ()):
            self.dirty[key] = DELETED


_MISSING = object()
