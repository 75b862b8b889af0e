"""`python -m services.cluster.service_bench`: the cluster service alone on a real broker.

One `newsbrief serve cluster` worker, a backlog of replicated sample articles published at once,
and the figures issue 7 asks of this stage: the rate at which the worker drains the backlog
(its sustained maximum), its CPU seconds per article, and what it wrote to its state changelog
per article (messages and bytes), plus faust's "producer buffer full" warnings in its log.

    python -m services.cluster.service_bench --articles 2000
    python -m services.cluster.service_bench --articles 2000 --bootstrap 127.0.0.1:9092

Without --bootstrap it starts (and stops) a broker of its own under the run directory.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from newsbrief.v1 import newsbrief_pb2 as pb

from .app import STATE_TABLE

SHARD_PARTITIONS = 2
ARTICLE_PARTITIONS = 2


@dataclass
class Result:
    """What one run measured."""

    articles: int
    seconds: float  # first publish -> last article decided
    cpu_seconds: float  # the worker's user+system CPU over the same span
    changelog_messages: int
    changelog_bytes: int  # keys + values
    input_bytes: int  # the published Article messages
    buffer_full_warnings: int
    loadavg: str

    @property
    def rate(self) -> float:
        """Articles decided per second."""
        return self.articles / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        """Human-readable summary."""
        n = max(self.articles, 1)
        return [
            f"articles                 {self.articles}",
            f"drain rate               {self.rate:.1f} articles/s ({self.seconds:.1f} s)",
            f"cluster CPU              {self.cpu_seconds / n * 1000:.2f} ms/article "
            f"({self.cpu_seconds:.1f} s)",
            f"changelog messages       {self.changelog_messages / n:.1f} /article "
            f"({self.changelog_messages})",
            f"changelog bytes          {self.changelog_bytes / n / 1024:.1f} KiB/article "
            f"({self.changelog_bytes / 2**20:.1f} MiB for {self.input_bytes / 2**20:.1f} MiB "
            "of articles)",
            f"'producer buffer full'   {self.buffer_full_warnings}",
            f"load average at the end  {self.loadavg}",
        ]


def corpus(n: int, languages: tuple[str, ...]) -> list[pb.Article]:
    """n articles: the sample corpus replicated in rounds with fresh ids (bench_scaleout's)."""
    from newsbrief.bench_scaleout import load_sample, replicate, rounds_for

    sample = load_sample()
    return replicate(sample, rounds_for(n, len(sample)), languages)[:n]


def worker_env(bootstrap: str, prefix: str, port: int) -> dict[str, str]:
    """Environment of the benchmarked worker: its own topics, group and web port."""
    p = "NEWSBRIEF_CLUSTER_"
    return {
        p + "KAFKA_BOOTSTRAP": bootstrap,
        p + "TOPIC_PREFIX": prefix,
        p + "APP_ID": f"{prefix}-cluster",
        p + "WEB_PORT": str(port),
        p + "SHARD_PARTITIONS": str(SHARD_PARTITIONS),
        p + "SHARD_PINS": "en=0,de=1",
        p + "LOG_LEVEL": "WARNING",
    }


def run(bootstrap: str, articles: list[pb.Article], run_dir: Path, timeout: float) -> Result:
    """Start a worker, publish the backlog, wait until every article is decided, measure."""
    from newsbrief.infra import free_ports
    from newsbrief.stack import spawn, stop_pid
    from newsbrief.topics import create_topics

    prefix = f"cbench-{int(time.time())}"
    create_topics(bootstrap, prefix, partitions=ARTICLE_PARTITIONS)
    changelog = f"{prefix}-cluster-{STATE_TABLE}-changelog"
    _create_uncompacted(bootstrap, changelog, SHARD_PARTITIONS)
    port = free_ports(1)[0]
    env = worker_env(bootstrap, prefix, port)
    args = [sys.executable, "-m", "newsbrief", "serve", "cluster"]
    proc = spawn("cluster", args, env, run_dir / "logs")
    try:
        _wait_ready(port, proc, deadline=time.monotonic() + 180)
        cpu_before = _cpu(proc.pid)
        started = time.monotonic()
        input_bytes = _publish(bootstrap, prefix, articles)
        _wait_decided(bootstrap, prefix, {a.article_id for a in articles}, proc, timeout)
        seconds = time.monotonic() - started
        cpu = _cpu(proc.pid) - cpu_before
        loadavg = Path("/proc/loadavg").read_text().split(" ")[:3]
    finally:
        stop_pid(proc.pid)
    messages, size = _changelog(bootstrap, changelog)
    log = (run_dir / "logs" / "cluster.log").read_text(errors="replace")
    return Result(
        articles=len(articles),
        seconds=seconds,
        cpu_seconds=cpu,
        changelog_messages=messages,
        changelog_bytes=size,
        input_bytes=input_bytes,
        buffer_full_warnings=log.count("producer buffer full"),
        loadavg=" ".join(loadavg),
    )


def _create_uncompacted(bootstrap: str, topic: str, partitions: int) -> None:
    """Create the state changelog ahead of the worker, without compaction.

    The worker only creates its changelog when it is missing; left compacted, the broker's
    cleaner would drop superseded records before they are counted.
    """
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="cluster-bench")
    try:
        configs = {"cleanup.policy": "delete", "retention.ms": "-1", "retention.bytes": "-1"}
        admin.create_topics([NewTopic(topic, partitions, 1, topic_configs=configs)])
    finally:
        admin.close()


def _wait_ready(port: int, proc, deadline: float) -> None:
    """Until the worker owns its shard partitions (the rebalance is over)."""
    import httpx

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited with {proc.returncode}")
        try:
            active = httpx.get(f"http://127.0.0.1:{port}/assignment", timeout=2).json()["active"]
            if len(active) == SHARD_PARTITIONS:
                return
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    raise RuntimeError("worker did not get its partitions in time")


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its children."""
    import psutil

    root = psutil.Process(pid)
    return sum(sum(p.cpu_times()[:2]) for p in [root, *root.children(recursive=True)])


def _publish(bootstrap: str, prefix: str, articles: list[pb.Article]) -> int:
    """Publish every article (each language's to one partition, so order is fixed)."""
    from kafka import KafkaProducer

    from newsbrief.codec import encode
    from newsbrief.topics import ARTICLES, topic_name

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    size = 0
    for article in articles:
        value = encode(article)
        size += len(value)
        partition = 0 if article.language == "en" else 1
        producer.send(
            topic_name(prefix, ARTICLES),
            key=article.article_id.encode(),
            value=value,
            partition=partition,
        )
    producer.flush()
    producer.close()
    return size


def _wait_decided(bootstrap: str, prefix: str, ids: set[str], proc, timeout: float) -> None:
    """Read story events until every article has been placed in a story."""
    from kafka import KafkaConsumer

    from newsbrief.codec import decode
    from newsbrief.topics import STORY_EVENTS, topic_name

    consumer = KafkaConsumer(
        topic_name(prefix, STORY_EVENTS),
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    pending, deadline = set(ids), time.monotonic() + timeout
    try:
        while pending:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{len(pending)} articles not decided (worker log: logs/)")
            for records in consumer.poll(timeout_ms=200).values():
                for record in records:
                    event = decode(pb.StoryEvent, record.value)
                    pending.discard(event.article.article_id)
    finally:
        consumer.close()


def _changelog(bootstrap: str, topic: str) -> tuple[int, int]:
    """Messages and key+value bytes in a topic (read from the start to its end offsets)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        messages = size = 0
        while any(consumer.position(tp) < ends[tp] for tp in parts):
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    messages += 1
                    size += len(record.key or b"") + len(record.value or b"")
        return messages, size
    finally:
        consumer.close()


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--languages", default="en", help="comma-separated, e.g. en,de")
    parser.add_argument("--bootstrap", default="", help="Kafka bootstrap (default: own broker)")
    parser.add_argument("--run-dir", type=Path, default=None)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    opts = parser.parse_args(argv)
    run_dir = opts.run_dir or Path(tempfile.mkdtemp(prefix="newsbrief-cluster-bench-"))
    articles = corpus(opts.articles, tuple(opts.languages.split(",")))
    print(f"{len(articles)} articles, run dir {run_dir}", flush=True)
    broker = None
    bootstrap = opts.bootstrap
    if not bootstrap:
        from newsbrief.infra import KafkaBroker

        broker = KafkaBroker(run_dir / "kafka").start(timeout=180)
        bootstrap = broker.bootstrap
    try:
        result = run(bootstrap, articles, run_dir, opts.timeout)
    finally:
        if broker is not None:
            broker.stop()
    print("\n".join(result.lines()))
    if opts.json:
        opts.json.write_text(json.dumps({**asdict(result), "rate": result.rate}, indent=2))


if __name__ == "__main__":
    main()
