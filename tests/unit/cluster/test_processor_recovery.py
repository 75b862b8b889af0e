"""The shard processor over the WAL + segment table layout: writes, crashes, revocations.

The engine's whole state goes through the processor's write layer, so these tests also hold for
state keys the engine adds later: they compare complete states, not particular keys.
"""

import contextlib
import json

import pytest

from newsbrief.bench_scaleout import load_sample, replicate
from services.cluster.config import ClusterSettings
from services.cluster.processor import ShardProcessor
from services.cluster.wal import DELETED, PartitionLog


class Crash(Exception):
    pass


class CrashingTable(dict):
    """Writes (sets and deletes) stop after `budget` more: what a changelog holds after kill -9.

    Values are stored as JSON copies, as a changelog holds them: a restarted worker never sees
    the objects the crashed one had in memory.
    """

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
        super().__setitem__(key, json.loads(json.dumps(value)))

    def __delitem__(self, key):
        self._spend()
        super().__delitem__(key)


@pytest.fixture(scope="module")
def corpus():
    """Two rounds of the sample corpus (the second in German): ~200 articles, two shards."""
    return replicate(load_sample(), 2)


def run(processor, items, start=0):
    return [e for offset, a in enumerate(items, start) for e in processor.process(a, 0, offset)]


def final(events):
    latest, gone = {}, set()
    for event in events:
        gone.update(event.absorbed_story_ids)
        if event.story_id not in latest or event.sequence > latest[event.story_id].sequence:
            latest[event.story_id] = event
    return {frozenset(e.article_ids) for sid, e in latest.items() if sid not in gone}


def full_state(processor: ShardProcessor, partition: int = 0) -> str:
    """The partition's complete state as the engine reads it, as JSON (order included)."""
    plog = processor.logs[partition]
    out = dict(plog.values)
    for key, value in plog.dirty.items():
        if value is DELETED:
            out.pop(key, None)
        else:
            out[key] = value
    return json.dumps(dict(sorted(out.items())))


def reloaded_state(table) -> str:
    """What a fresh worker rebuilds from the table (its changelog) alone."""
    fresh = ShardProcessor(table, ClusterSettings())
    fresh.logs[0] = PartitionLog.load(table, 0, 1)
    return full_state(fresh)


@pytest.mark.parametrize("flush_every", [7, 200])
def test_state_rebuilt_from_the_table_equals_the_live_state(corpus, flush_every):
    # Also the guard against an engine that changes a value in place instead of writing a new
    # one: the live state would then differ from what its logged deltas rebuild.
    table = CrashingTable()
    processor = ShardProcessor(table, ClusterSettings(flush_every=flush_every))
    run(processor, corpus)
    assert reloaded_state(table) == full_state(processor)


def test_one_table_write_per_article_between_flushes(corpus):
    table = CrashingTable()
    run(ShardProcessor(table, ClusterSettings(flush_every=50)), corpus[:120])
    # 120 WAL entries, plus for each of the 2 flushes a few segments, a checkpoint, deletes.
    assert table.writes <= 120 + 2 * 10


@pytest.mark.parametrize("flush_every", [1, 3])
def test_crash_at_any_write_then_restart_equals_uninterrupted_run(corpus, flush_every):
    settings = ClusterSettings(flush_every=flush_every)
    items = corpus[:14]
    reference = ShardProcessor(CrashingTable(), settings)
    expected = final(run(reference, items))
    cut = 8
    probe = CrashingTable()
    run(ShardProcessor(probe, settings), items[:cut])
    before_writes = probe.writes
    run(ShardProcessor(probe, settings), items[cut:], start=cut)
    for crash_after in range(probe.writes - before_writes + 1):
        table = CrashingTable()
        before = run(ShardProcessor(table, settings), items[:cut])
        table.budget = crash_after
        # Whatever the crashed run produced was never published (worst case): drop it.
        with contextlib.suppress(Crash):
            run(ShardProcessor(table, settings), items[cut:], start=cut)
        table.budget = None
        # Restart: fresh processor on the recovered table, redelivery from the last commit.
        restarted = ShardProcessor(table, settings)
        after = run(restarted, items[cut:], start=cut)
        assert final(before + after) == expected, f"crash after {crash_after} writes"
        assert full_state(restarted) == full_state(reference), f"crash after {crash_after}"


def test_revoked_partition_reloads_and_continues_identically(corpus):
    settings = ClusterSettings(flush_every=5)
    reference = ShardProcessor(CrashingTable(), settings)
    expected = run(reference, corpus[:60])
    processor = ShardProcessor(CrashingTable(), settings)
    events = run(processor, corpus[:30])
    processor.forget({0})  # revoked (and given back): reload from the table
    events += run(processor, corpus[30:60], start=30)
    assert [e.SerializeToString() for e in events] == [e.SerializeToString() for e in expected]
    assert full_state(processor) == full_state(reference)


def test_partition_taken_over_by_another_worker_and_back_continues_identically(corpus):
    settings = ClusterSettings(flush_every=7)
    reference = ShardProcessor(CrashingTable(), settings)
    expected = run(reference, corpus[:60])
    table = CrashingTable()  # the one table both workers see (faust recovers it from Kafka)
    first, second = ShardProcessor(table, settings), ShardProcessor(table, settings)
    events = run(first, corpus[:25])
    first.forget({0})  # revoked: the second worker takes the partition over
    events += run(second, corpus[25:45], start=25)
    second.forget({0})  # and hands it back
    events += run(first, corpus[45:60], start=45)
    assert [e.SerializeToString() for e in events] == [e.SerializeToString() for e in expected]
    assert full_state(first) == full_state(reference)


def test_redelivery_after_restart_resends_the_same_events(corpus):
    table = CrashingTable()
    first = run(ShardProcessor(table, ClusterSettings(flush_every=4)), corpus[:10])
    restarted = ShardProcessor(table, ClusterSettings(flush_every=4))
    again = restarted.process(corpus[6], 0, 6)
    assert again and again == [e for e in first if e.article.article_id == corpus[6].article_id]
    assert restarted.process(corpus[6], 0, 99) == []


def test_idle_sweep_retires_a_story_through_the_write_layer():
    settings = ClusterSettings(idle_window_seconds=86400.0, flush_every=1)
    table = CrashingTable()
    processor = ShardProcessor(table, settings)
    items = replicate(load_sample(), 1)[:2]
    items[1].published_at.FromSeconds(items[0].published_at.seconds + 5 * 86400)
    run(processor, items)
    stories = json.loads(reloaded_state(table))
    first = next(
        v
        for k, v in stories.items()
        if k.startswith("en|s|") and v["articles"] == [items[0].article_id]
    )
    assert first["active"] is False and first["vec"] == {}  # retired, still stored
