"""The faust app settings both stream processors (cluster, compose) share."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

# The processors declare internal topics (repartition, rebuild, hub topics) as they start, often
# after their consumer subscribed; the consumer only sees a new topic at its next metadata
# refresh, which defaults to five minutes. A short refresh keeps a fresh deployment from stalling.
METADATA_MAX_AGE_MS = 3_000

# How long a flush may go without the producer taking a message before the commit fails.
FLUSH_STALL_SECONDS = 60.0


def install_complete_flush() -> None:
    """Make faust's producer-buffer flush wait until every queued message reached the client.

    Table writes are queued in faust's ``ProducerBuffer`` and sent by a background task. Before
    committing offsets faust calls ``producer.flush()``, but the buffer's flush returns as soon
    as no message was sent for 0.1 s (a send waiting on a full aiokafka batch, or a busy event
    loop), and it ignores the message its task is sending. The commit then covers events whose
    changelog records are still in memory, and a kill -9 loses them (issue 7). Here a flush
    returns only when the queue is empty and no send is in flight; aiokafka's own flush, which
    faust awaits next, then waits for delivery.
    """
    from faust.transport.producer import ProducerBuffer

    if getattr(ProducerBuffer, "_newsbrief_complete_flush", False):
        return
    send_one = ProducerBuffer._send_pending

    async def send_pending(self, fut) -> None:
        self._newsbrief_in_flight = getattr(self, "_newsbrief_in_flight", 0) + 1
        try:
            await send_one(self, fut)
        finally:
            self._newsbrief_in_flight -= 1

    async def flush(self) -> None:
        last_progress = time.monotonic()
        while self.size or getattr(self, "_newsbrief_in_flight", 0):
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

    ProducerBuffer._send_pending = send_pending
    ProducerBuffer.flush = flush
    ProducerBuffer._newsbrief_complete_flush = True


def faust_app(app_id: str, kafka_bootstrap: str, **overrides: Any):
    """A faust App with the pipeline's common settings; overrides win."""
    import faust

    install_complete_flush()
    settings: dict[str, Any] = {
        "broker": [f"kafka://{host.strip()}" for host in kafka_bootstrap.split(",")],
        # State lives in changelog-backed tables, rebuilt from Kafka when a worker starts.
        "store": "memory://",
        "processing_guarantee": "at_least_once",
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
