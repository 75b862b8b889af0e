"""The faust app settings both stream processors (cluster, compose) share."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

# The processors declare internal topics (repartition, rebuild, hub topics) as they start, often
# after their consumer subscribed; the consumer only sees a new topic at its next metadata
# refresh, which defaults to five minutes. A short refresh keeps a fresh deployment from stalling.
METADATA_MAX_AGE_MS = 3_000

# How long a flush may go without the producer taking a message before the commit fails.
FLUSH_STALL_SECONDS = 60.0


def install_complete_flush() -> None:
    """Make faust's producer-buffer flush wait until every message queued before it was sent.

    Table writes are queued in faust's ``ProducerBuffer`` and sent by a background task. Before
    committing offsets faust calls ``producer.flush()``, but the buffer's flush returns as soon
    as no message was sent for 0.1 s (a send waiting on a full aiokafka batch, or a busy event
    loop), and it ignores the message its task is sending. The commit then covers events whose
    changelog records are still in memory, and a kill -9 loses them (issue 7). Here a flush
    returns once every message queued before it began was handed to the client; aiokafka's own
    flush, which faust awaits next, then waits for delivery. Messages queued during the flush
    belong to events the commit does not cover, so a busy worker is not kept from committing
    (waiting for an empty queue starved commits for as long as the worker had work: issue 8).
    """
    from faust.transport.producer import ProducerBuffer

    if getattr(ProducerBuffer, "_newsbrief_complete_flush", False):
        return
    put_one = ProducerBuffer.put
    send_one = ProducerBuffer._send_pending

    def put(self, fut) -> None:
        put_one(self, fut)
        if not self.app.conf.producer_threaded:  # the threaded producer bypasses _send_pending
            self._newsbrief_queued = getattr(self, "_newsbrief_queued", 0) + 1

    async def send_pending(self, fut) -> None:
        try:
            await send_one(self, fut)
        finally:
            self._newsbrief_handed = getattr(self, "_newsbrief_handed", 0) + 1

    async def flush(self) -> None:
        target = getattr(self, "_newsbrief_queued", 0)
        last_progress = time.monotonic()
        while getattr(self, "_newsbrief_handed", 0) < target:
            if self.state != "running" and self.size:
                raise RuntimeError("Cannot flush: Producer not Running")
            self.message_sent.clear()
            try:
                await asyncio.wait_for(self.message_sent.wait(), timeout=1.0)
                last_progress = time.monotonic()
            except TimeoutError:
                # Never let a commit pass queued table writes: fail it instead.
                if time.monotonic() - last_progress > FLUSH_STALL_SECONDS:
                    raise RuntimeError("producer buffer stalled; not committing") from None

    ProducerBuffer.put = put
    ProducerBuffer._send_pending = send_pending
    ProducerBuffer.flush = flush
    ProducerBuffer._newsbrief_complete_flush = True


def uncommitted_partitions(committed: Mapping[Any, int | None], is_changelog) -> list:
    """Stream partitions that have no committed offset yet (changelogs excluded).

    ``committed`` maps each assigned partition to its committed offset (None: never committed);
    ``is_changelog(tp)`` says whether a partition belongs to a table changelog, whose position
    faust's table recovery manages itself.
    """
    return [tp for tp, offset in committed.items() if not offset and not is_changelog(tp)]


def install_rewind_uncommitted() -> None:
    """Make faust's seek to committed offsets also rewind partitions that have none.

    While a worker recovers its tables after a rebalance, faust pauses its stream partitions by
    dropping whatever the fetcher returns for them, and afterwards seeks every partition back to
    its committed offset. aiokafka's ``seek_to_committed`` leaves a partition alone when it has
    no committed offset, so the fetch position stays past the dropped records and they are never
    processed. That is what a survivor meets when it takes over the partitions of a worker
    killed before its first commit (issue 8: the survivor skipped the events the dead worker
    had not processed, and the articles and briefs behind them never came). Such a partition is
    rewound to its start here, as ``auto_offset_reset="earliest"`` would place it; processing
    is idempotent, so re-reading is safe.
    """
    from faust.transport.consumer import ThreadDelegateConsumer

    if getattr(ThreadDelegateConsumer, "_newsbrief_rewind_uncommitted", False):
        return
    seek_to_committed = ThreadDelegateConsumer.seek_to_committed

    async def seek_to_committed_or_start(self) -> Mapping[Any, int]:
        committed = await seek_to_committed(self)
        rewound = uncommitted_partitions(committed, self._is_changelog_tp)
        if rewound:
            log.info("no committed offset yet, reading from the start: %s", sorted(rewound))
        for tp in rewound:
            # Offset 0 is the log start or, once retention removed it, out of range, which the
            # client's "earliest" reset policy turns into the log start.
            await self._seek(tp, 0)
        await _rewind_changelogs_being_read(self, committed)
        return committed

    ThreadDelegateConsumer.seek_to_committed = seek_to_committed_or_start
    ThreadDelegateConsumer._newsbrief_rewind_uncommitted = True


def changelog_positions(
    assigned, reading: Mapping[Any, int], is_changelog, committed: Mapping[Any, int | None]
) -> dict:
    """Where each changelog partition being read must be sought back to: the offset of the
    last record applied from it (faust's recovery seeks there too, one record early; -1, none
    yet: the log start). Changelog partitions not being read are left alone."""
    return {
        tp: max(offset, 0)
        for tp, offset in reading.items()
        if tp in assigned and is_changelog(tp) and not committed.get(tp)
    }


async def _rewind_changelogs_being_read(consumer, committed: Mapping[Any, int | None]) -> None:
    """Seek the changelog partitions a table recovery is reading back to what it has applied.

    faust's fetcher, finding its flow control suspended when a fetch returns, drops the whole
    batch and seeks every partition to its committed offset; changelog partitions have none,
    so their fetch position stays past the dropped records. When that happens just as a
    recovery has resumed its changelogs (after a peer was killed), the recovery waits for
    records that will never come again, and the worker hangs in recovery for good (scale-out
    kill test, sixth session: "No event received for active tp ... since recovery start" for
    every changelog partition, for minutes).
    """
    recovery = getattr(consumer.app.tables, "_recovery", None)
    if recovery is None or not (recovery.active_tps or recovery.standby_tps):
        return
    reading = {
        **{tp: recovery.standby_offsets.get(tp, -1) for tp in recovery.standby_tps},
        **{tp: recovery.active_offsets.get(tp, -1) for tp in recovery.active_tps},
    }
    positions = changelog_positions(
        consumer.assignment(), reading, consumer._is_changelog_tp, committed
    )
    if positions:
        log.info("changelogs being read sought to the last record applied: %s", sorted(positions))
    for tp, offset in positions.items():
        await consumer._seek(tp, offset)


def install_resume_keeps_queued_events() -> None:
    """Make resuming faust's flow control drop queued events only when it had been suspended.

    faust suspends its flow control when a rebalance starts and resumes it when the worker is
    ready, and each resume empties the stream queues (events fetched before the rebalance,
    which the seek back to the committed offsets brings again). But the recovery resumes it
    twice: once to read the changelogs, and again at the very end, after it has resumed the
    stream partitions and sought them to their committed offsets. Events fetched between that
    seek and the last resume were wiped while the fetch position stayed past them (issue 8: a
    survivor lost five articles of a shard it had just taken over). A resume that follows a
    suspend still empties the queues; one that changes nothing keeps them.
    """
    from mode.utils.queues import FlowControlEvent

    if getattr(FlowControlEvent, "_newsbrief_keep_queued", False):
        return
    resume_and_clear = FlowControlEvent.resume

    def resume(self) -> None:
        if self.is_active():
            self._resume.set()  # already flowing: the queued events are current, keep them
            return
        resume_and_clear(self)

    FlowControlEvent.resume = resume
    FlowControlEvent._newsbrief_keep_queued = True


def faust_app(app_id: str, kafka_bootstrap: str, **overrides: Any):
    """A faust App with the pipeline's common settings; overrides win."""
    import faust

    install_complete_flush()
    install_rewind_uncommitted()
    install_resume_keeps_queued_events()
    settings: dict[str, Any] = {
        "broker": [f"kafka://{host.strip()}" for host in kafka_bootstrap.split(",")],
        # State lives in changelog-backed tables, rebuilt from Kafka when a worker starts.
        "store": "memory://",
        "processing_guarantee": "at_least_once",
        # A partition without a committed offset starts at its beginning (see
        # install_rewind_uncommitted, which keeps faust to this after a rebalance).
        "consumer_auto_offset_reset": "earliest",
        "producer_acks": -1,
        "consumer_metadata_max_age_ms": METADATA_MAX_AGE_MS,
        "producer_metadata_max_age_ms": METADATA_MAX_AGE_MS,
        "autodiscover": False,
    }
    settings.update(overrides)
    return faust.App(app_id, **settings)


def internal_topics(app) -> dict[str, tuple[int, dict[str, str]]]:
    """Topics a faust app creates for itself: table changelogs, internal agent topics."""
    default = app.conf.topic_partitions
    topics: dict[str, tuple[int, dict[str, str]]] = {}
    for table in app.tables.values():
        name = table.changelog_topic.get_topic_name()
        topics[name] = (table.partitions or default, {"cleanup.policy": "compact"})
    for agent in app.agents.values():
        channel = agent.channel
        if getattr(channel, "internal", False):
            for name in channel.topics:
                topics[name] = (channel.partitions or default, {})
    topics[f"{app.conf.id}-__assignor-__leader"] = (1, {"cleanup.policy": "compact"})
    return topics


def declare_internal_topics(app, kafka_bootstrap: str) -> list[str]:
    """Create the app's own topics before its consumer subscribes; return those created.

    Left to faust, they appear only after the worker joined its group, and the rebalance that
    follows as soon as the consumer notices them can drop the first messages in flight.
    """
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id=f"{app.conf.id}-admin")
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(name, partitions, replication_factor=1, topic_configs=configs)
            for name, (partitions, configs) in internal_topics(app).items()
            if name not in existing
        ]
        if missing:
            # Another worker of the app starting at the same moment may have made them.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
        return [t.name for t in missing]
    finally:
        admin.close()


def run_worker(app, kafka_bootstrap: str, log_level: str) -> None:
    """Run a faust worker in the foreground until SIGTERM/SIGINT."""
    from faust.worker import Worker

    declare_internal_topics(app, kafka_bootstrap)
    Worker(app, loglevel=log_level.lower(), quiet=True).execute_from_commandline()
