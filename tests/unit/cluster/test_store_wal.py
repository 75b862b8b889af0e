"""A partition's state in the table: WAL entries, segments, checkpoints, crash recovery."""

import contextlib
import json
import random

import pytest

from services.cluster.delta import diff
from services.cluster.wal import DELETED, PartitionLog, chunks


class Crash(Exception):
    pass


class CrashingTable(dict):
    """Writes (sets and deletes) stop after `budget` more: what a changelog holds after kill -9."""

    budget: int | None = None
    writes = 0

    def _spend(self):
        self.writes += 1
        if self.budget is not None:
            if self.budget == 0:
                raise Crash()
            self.budget -= 1

    def __setitem__(self, key, value):
        self._spend()
        # A changelog stores JSON: keep no references to live objects.
        super().__setitem__(key, json.loads(json.dumps(value)))

    def __delitem__(self, key):
        self._spend()
        super().__delitem__(key)


def state(plog: PartitionLog) -> dict:
    """Every current key and value, as the engine would read them."""
    out = dict(plog.values)
    for key, value in plog.dirty.items():
        if value is DELETED:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def article_changes(rng: random.Random, plog: PartitionLog, step: int) -> tuple[dict, dict]:
    """A random article's writes over a small key space: sets, growing lists, deletes."""
    values: dict = {}
    for _ in range(rng.randint(1, 6)):
        key = f"k{rng.randint(0, 40)}"
        roll = rng.random()
        if roll < 0.15 and plog.contains(key):
            values[key] = DELETED
        elif roll < 0.6:
            old = plog.lookup(key) if plog.contains(key) else []
            old = old if isinstance(old, list) else []
            values[key] = [*old, step][-12:]
        else:
            values[key] = {"n": step, "w": rng.random()}
    sets, patches, dels = {}, {}, []
    for key, value in values.items():
        if value is DELETED:
            dels.append(key)
            continue
        delta = diff(plog.lookup(key), value) if plog.contains(key) else None
        if delta is None:
            sets[key] = value
        else:
            patches[key] = delta
    return {"set": sets, "patch": patches, "del": dels}, values


def drive(table, steps: range, flush_every: int, seed: int = 1) -> PartitionLog:
    rng = random.Random(seed)
    plog = PartitionLog.load(table, 0, flush_every)
    for step in steps:
        rng.seed(seed * 100_000 + step)  # the same article whether or not we restarted
        changes, values = article_changes(rng, plog, step)
        plog.append(f"a{step}", changes, values)
        if plog.due(flush_every):
            plog.flush()
    return plog


@pytest.mark.parametrize("flush_every", [1, 3, 10])
def test_reload_at_any_point_gives_the_live_state(flush_every):
    table = CrashingTable()
    plog = PartitionLog.load(table, 0, flush_every)
    rng = random.Random(7)
    for step in range(120):
        changes, values = article_changes(rng, plog, step)
        plog.append(f"a{step}", changes, values)
        if plog.due(flush_every):
            plog.flush()
        assert state(PartitionLog.load(table, 0, flush_every)) == state(plog)


@pytest.mark.parametrize("flush_every", [1, 2, 5])
def test_crash_at_any_write_then_reload_and_continue_equals_uninterrupted(flush_every):
    reference = drive(CrashingTable(), range(40), flush_every)
    probe = CrashingTable()
    drive(probe, range(20), flush_every)
    first = probe.writes
    drive(probe, range(20, 40), flush_every)
    for crash_after in range(probe.writes - first + 1):
        table = CrashingTable()
        drive(table, range(20), flush_every)
        table.budget = crash_after
        with contextlib.suppress(Crash):
            drive(table, range(20, 40), flush_every)
        table.budget = None
        # Restart: reload, then redo the articles after the last one fully logged.
        done = PartitionLog.load(table, 0, flush_every).head
        after = drive(table, range(done, 40), flush_every)
        assert state(after) == state(reference), f"crash after {crash_after} writes"


def test_one_table_write_per_article_between_flushes():
    table = CrashingTable()
    drive(table, range(10), flush_every=100)
    assert table.writes == 10


def test_superseded_segments_are_deleted_and_garbage_stays_bounded():
    table = CrashingTable()
    plog = PartitionLog.load(table, 0, 1)
    for step in range(3000):
        key = f"hot{step % 5}" if step % 2 else f"cold{step}"
        plog.append(f"a{step}", {"set": {key: step}}, {key: step})
        plog.flush()
    entries = sum(entries for entries, _ in plog.segments.values())
    live = len(plog.home)
    assert entries <= 2 * live + 2000 + 10
    stored = [k for k in table if k.startswith("seg|")]
    assert len(stored) == len(plog.segments)  # dropped segments left the table
    assert state(PartitionLog.load(table, 0, 1)) == state(plog)


def test_deleted_keys_stay_deleted_through_compaction():
    table = CrashingTable()
    plog = PartitionLog.load(table, 0, 1)
    plog.append("a", {"set": {"gone": 1}}, {"gone": 1})
    plog.flush()
    plog.append("b", {"del": ["gone"]}, {"gone": DELETED})
    plog.flush()
    for step in range(5000):  # enough churn to compact the early segments away
        plog.append(f"c{step}", {"set": {"x": step}}, {"x": step})
        plog.flush()
    reloaded = PartitionLog.load(table, 0, 1)
    assert not reloaded.contains("gone") and reloaded.lookup("x") == 4999


def test_ring_size_change_on_restart():
    table = CrashingTable()
    before = drive(table, range(7), flush_every=4)  # 3 entries after the checkpoint
    reloaded = PartitionLog.load(table, 0, 10)
    assert reloaded.ring == 4 and state(reloaded) == state(before)  # the old ring is read
    reloaded.flush(ring=2)  # a smaller ring: the slots it no longer uses leave the table
    assert sorted(k for k in table if k.startswith("wal|")) == ["wal|0|0", "wal|0|1"]
    assert state(PartitionLog.load(table, 0, 2)) == state(before)


def test_chunks_respect_the_size_limit():
    batch = {f"k{i}": "x" * 100 for i in range(50)}
    parts = chunks(batch, limit=1000)
    assert all(len(json.dumps(p)) < 1300 for p in parts)
    assert {k for p in parts for k in p} == set(batch)
