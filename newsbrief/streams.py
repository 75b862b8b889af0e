"""The faust app settings both stream processors (cluster, compose) share."""

from __future__ import annotations

import contextlib
from typing import Any

# The processors declare internal topics (repartition, rebuild, hub topics) as they start, often
# after their consumer subscribed; the consumer only sees a new topic at its next metadata
# refresh, which defaults to five minutes. A short refresh keeps a fresh deployment from stalling.
METADATA_MAX_AGE_MS = 3_000


def faust_app(app_id: str, kafka_bootstrap: str, **overrides: Any):
    """A faust App with the pipeline's common settings; overrides win."""
    import faust

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
