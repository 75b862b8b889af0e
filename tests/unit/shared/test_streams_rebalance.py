"""Two ways faust lost stream records around a rebalance, and their fixes (newsbrief.streams).

* faust drops the records it fetches for partitions paused during table recovery and then seeks
  every partition to its committed offset; aiokafka does not move a partition that has none, so
  a survivor taking over the partitions of a worker killed before its first commit skipped the
  dead worker's unprocessed articles and events (issue 8).
* Every resume of faust's flow control emptied the stream queues, including the last one of a
  recovery, which comes after the stream partitions were resumed and sought: events fetched in
  between were wiped while the fetch position stayed past them.
* The same drop-and-seek hit the changelog partitions a table recovery had just resumed:
  they have no committed offset either, so the recovery waited for ever for records already
  dropped, and the worker hung.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from faust.transport.consumer import ThreadDelegateConsumer
from mode.utils.queues import FlowControlEvent, FlowControlQueue

from newsbrief.streams import (
    install_resume_keeps_queued_events,
    install_rewind_uncommitted,
    uncommitted_partitions,
)

STREAM_DONE = ("p.story-events", 0)
STREAM_NEW = ("p.story-events", 1)
STREAM_ZERO = ("p.articles", 2)
CHANGELOG_NEW = ("app-state-changelog", 1)
COMMITTED = {STREAM_DONE: 12, STREAM_NEW: None, STREAM_ZERO: 0, CHANGELOG_NEW: None}


def is_changelog(tp) -> bool:
    return tp[0].endswith("-changelog")


def test_only_stream_partitions_without_a_commit_are_rewound():
    assert uncommitted_partitions(COMMITTED, is_changelog) == [STREAM_NEW, STREAM_ZERO]


CHANGELOG_READ = ("app-state-changelog", 2)
CHANGELOG_STANDBY = ("app-state-changelog", 3)


def _seek_to_committed(recovery) -> tuple[dict, list]:
    """(what the patched seek_to_committed returns, the seeks it made) for a consumer whose
    committed offsets are COMMITTED, while ``recovery`` (or none) reads changelogs."""
    install_rewind_uncommitted()
    seeks = []

    async def committed_offsets():
        return COMMITTED

    async def seek(tp, offset):
        seeks.append((tp, offset))

    consumer = SimpleNamespace(
        _thread=SimpleNamespace(seek_to_committed=committed_offsets),
        _is_changelog_tp=is_changelog,
        _seek=seek,
        app=SimpleNamespace(tables=SimpleNamespace(_recovery=recovery)),
        assignment=lambda: set(COMMITTED) | {CHANGELOG_READ, CHANGELOG_STANDBY},
    )
    return asyncio.run(ThreadDelegateConsumer.seek_to_committed(consumer)), seeks


def test_seek_to_committed_rewinds_uncommitted_stream_partitions_to_their_start():
    returned, seeks = _seek_to_committed(recovery=None)
    assert returned == COMMITTED  # faust still sees the committed offsets as they are
    assert seeks == [(STREAM_NEW, 0), (STREAM_ZERO, 0)]


def test_changelogs_a_recovery_is_reading_go_back_to_what_it_applied():
    recovery = SimpleNamespace(
        active_tps={CHANGELOG_NEW, CHANGELOG_READ},
        standby_tps={CHANGELOG_STANDBY},
        active_offsets={CHANGELOG_READ: 17},  # CHANGELOG_NEW: nothing applied yet
        standby_offsets={CHANGELOG_STANDBY: 4},
    )
    _, seeks = _seek_to_committed(recovery)
    assert sorted(seeks) == sorted(
        [
            (STREAM_NEW, 0),
            (STREAM_ZERO, 0),
            (CHANGELOG_NEW, 0),
            (CHANGELOG_READ, 17),
            (CHANGELOG_STANDBY, 4),
        ]
    )


def _queue_after(steps) -> int:
    """Events left in a stream queue after putting two and running the flow-control steps."""
    install_resume_keeps_queued_events()

    async def run() -> int:
        flow = FlowControlEvent(initially_suspended=False)
        queue = FlowControlQueue(flow_control=flow, clear_on_resume=True)
        queue.put_nowait("event 63")
        queue.put_nowait("event 64")
        for step in steps:
            getattr(flow, step)()
        return queue.qsize()

    return asyncio.run(run())


def test_a_resume_of_a_flowing_stream_keeps_its_queued_events():
    assert _queue_after(["resume"]) == 2


def test_a_resume_after_a_suspend_still_drops_what_was_queued_before():
    assert _queue_after(["suspend", "resume"]) == 0
