"""Scale-out run: the sample corpus, replicated, through N cluster and N compose workers.

The corpus helpers are pure (the integration test and `newsbrief bench scaleout` share them);
the run itself starts real `newsbrief serve cluster|compose` processes against a broker and
Redis, publishes the articles, and reads back story events and briefs from Kafka.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from newsbrief.ids import article_id
from newsbrief.v1 import newsbrief_pb2 as pb

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DAY = 24 * 3600
# Rounds lie this far apart in event time: more than the cluster's close window (48 h) and its
# active window (7 days), so a round's stories never absorb the next round's articles.
ROUND_SHIFT_DAYS = 30
# Shards pinned to their own partition, so two cluster workers each own one busy shard.
SHARD_PINS = "en=0,de=1"


# -- corpus (pure) ---------------------------------------------------------------------------
def load_sample(examples: Path = EXAMPLES, now: datetime | None = None) -> list[pb.Article]:
    """The sample feeds as ingest would publish them (its parser, normaliser and dedup)."""
    from services.ingest.normalise import Context
    from services.ingest.pipeline import ACCEPTED, Pipeline

    pipeline = Pipeline()
    doc = tomllib.loads((examples / "feeds.toml").read_text(encoding="utf-8"))
    out: list[pb.Article] = []
    for feed in doc.get("feeds", []):
        path = examples / feed["url"]
        ctx = Context(
            source=f"file:{path.name}",
            outlet=feed.get("outlet", ""),
            parent_outlet=feed.get("parent", ""),
            language=feed.get("language", ""),
        )
        outcomes = pipeline.feed(path.read_bytes(), None, ctx, now)
        out += [o.article for o in outcomes if o.status == ACCEPTED and o.article is not None]
    return sorted(out, key=lambda a: (a.published_at.seconds, a.article_id))


def replicate(
    sample: Sequence[pb.Article], rounds: int, languages: Sequence[str] = ("en", "de")
) -> list[pb.Article]:
    """rounds copies of sample, oldest round first, each with fresh URLs and ids.

    Round r is moved back by (rounds - 1 - r) * ROUND_SHIFT_DAYS so the newest round keeps the
    sample's own dates (never in the future), and takes its language from ``languages`` in turn,
    so every language shard gets a share of the work. Wire copies point at their own round's
    original.
    """
    out: list[pb.Article] = []
    for r in range(rounds):
        shift = (rounds - 1 - r) * ROUND_SHIFT_DAYS * DAY
        ids = {a.article_id: _round_id(a, r) for a in sample}
        for article in sample:
            copy = pb.Article()
            copy.CopyFrom(article)
            copy.url, copy.canonical_url = (
                _round_url(article.url, r),
                _round_url(article.canonical_url, r),
            )
            copy.article_id = ids[article.article_id]
            copy.duplicate_of = ids.get(article.duplicate_of, "")
            copy.language = languages[r % len(languages)]
            copy.published_at.FromSeconds(article.published_at.seconds - shift)
            out.append(copy)
    return out


def rounds_for(articles: int, sample_size: int) -> int:
    """Rounds of the sample needed for at least the given number of articles."""
    return max(1, -(-articles // max(sample_size, 1)))


def _round_url(url: str, r: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/r{r}{parts.path}"))


def _round_id(article: pb.Article, r: int) -> str:
    return article_id(_round_url(article.canonical_url, r))


# -- results (pure) --------------------------------------------------------------------------
def final_stories(events: Iterable[pb.StoryEvent]) -> dict[str, frozenset[str]]:
    """story_id -> member article ids of every story still standing after all events."""
    latest: dict[str, pb.StoryEvent] = {}
    absorbed: set[str] = set()
    for event in events:
        absorbed.update(event.absorbed_story_ids)
        if event.sequence > latest.get(event.story_id, pb.StoryEvent()).sequence:
            latest[event.story_id] = event
    return {sid: frozenset(e.article_ids) for sid, e in latest.items() if sid not in absorbed}


def latest_briefs(briefs: Iterable[pb.Brief]) -> dict[str, pb.Brief]:
    """story_id -> newest version of each live brief (tombstones of merged stories dropped)."""
    latest: dict[str, pb.Brief] = {}
    for brief in briefs:
        if brief.version >= latest.get(brief.story_id, pb.Brief()).version:
            latest[brief.story_id] = brief
    return {sid: b for sid, b in latest.items() if not b.merged_into}


def brief_articles(briefs: dict[str, pb.Brief]) -> dict[str, frozenset[str]]:
    """story_id -> the article ids a brief lists as its sources."""
    return {sid: frozenset(a.article_id for a in b.articles) for sid, b in briefs.items()}


def brief_text(brief: pb.Brief) -> tuple:
    """The brief's article-derived text: headline, sections and paper lines."""
    return (
        brief.headline.text,
        tuple(s.text for s in brief.whats_happened),
        tuple(s.text for s in brief.behind_the_headline),
        tuple(p.text for p in brief.what_the_papers_say),
        tuple(s.text for s in brief.how_we_got_here),
        tuple(t.name for t in brief.topics),
    )


def conflicting_events(events: Iterable[tuple[str, int, bytes]]) -> int:
    """(story_id, sequence) pairs published with different payloads.

    A redelivered event is fine (the same bytes again, consumers dedupe by the pair); two
    different events under one pair would mean two deciders for one story.
    """
    seen: dict[tuple[str, int], bytes] = {}
    bad: set[tuple[str, int]] = set()
    for story_id, sequence, payload in events:
        if seen.setdefault((story_id, sequence), payload) != payload:
            bad.add((story_id, sequence))
    return len(bad)


def reused_versions(briefs: Iterable[pb.Brief]) -> set[tuple[str, int]]:
    """(story_id, version) pairs published with two different contents.

    A version names one content: readers that hold version N take a brief numbered N again as
    nothing new. Publishing one twice means a worker built a version it should have known was
    taken (docs/scale-out.md, "Issues this test found", item 5).
    """
    seen: dict[tuple[str, int], str] = {}
    reused: set[tuple[str, int]] = set()
    for brief in briefs:
        key = (brief.story_id, brief.version)
        if seen.setdefault(key, brief.content_hash) != brief.content_hash:
            reused.add(key)
    return reused


def duplicated_articles(stories: dict[str, frozenset[str]]) -> set[str]:
    """Article ids that stand in more than one story."""
    seen: set[str] = set()
    twice: set[str] = set()
    for members in stories.values():
        twice |= seen & members
        seen |= members
    return twice


@dataclass
class RunResult:
    """What one run produced, and how long it took from first article in to last brief out."""

    workers: int
    articles: int
    stories: dict[str, frozenset[str]] = field(default_factory=dict)
    briefs: dict[str, pb.Brief] = field(default_factory=dict)
    seconds: float = 0.0
    cluster_seconds: float = 0.0
    events: int = 0
    conflicting_events: int = 0
    reused_versions: int = 0  # brief versions published with two different contents
    merged: set[str] = field(default_factory=set)  # stories that absorbed another story
    killed: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Articles per second through cluster and compose."""
        return self.articles / self.seconds if self.seconds else 0.0


# -- the run (I/O) ---------------------------------------------------------------------------
KINDS = ("cluster", "compose")


@dataclass
class Deployment:
    """Where a run's workers connect, and the knobs that make runs comparable and quick."""

    bootstrap: str
    redis_url: str
    prefix: str
    run_dir: Path
    partitions: int = 4
    shard_partitions: int = 2
    debounce_seconds: float = 1.0
    session_timeout_seconds: float = 8.0
    engine: str = "engine"
    # INFO shows faust's rebalances, recoveries and seeks: what a failed run is read from.
    log_level: str = "WARNING"

    @property
    def log_dir(self) -> Path:
        """Where each worker's stdout and stderr go (``<kind>-<index>.log``)."""
        return self.run_dir / "logs"

    def env(self, kind: str, index: int, port: int) -> dict[str, str]:
        """Environment of one `newsbrief serve <kind>` worker of this deployment."""
        p = f"NEWSBRIEF_{kind.upper()}_"
        env = {
            p + "KAFKA_BOOTSTRAP": self.bootstrap,
            p + "TOPIC_PREFIX": self.prefix,
            p + "APP_ID": f"{self.prefix}-{kind}",  # one consumer group per kind and run
            p + "REDIS_URL": self.redis_url,
            p + "REDIS_KEY_PREFIX": self.prefix,
            p + "WEB_PORT": str(port),
            p + "LOG_LEVEL": self.log_level,
        }
        if kind == "cluster":
            env[p + "DATA_DIR"] = str(self.run_dir / f"cluster-{index}")
            env[p + "SHARD_PARTITIONS"] = str(self.shard_partitions)
            env[p + "SHARD_PINS"] = SHARD_PINS
            env[p + "ENGINE"] = self.engine
        else:
            env[p + "PARTITIONS"] = str(self.partitions)
            env[p + "DEBOUNCE_SECONDS"] = str(self.debounce_seconds)
            env[p + "DATA_DIR"] = str(self.run_dir / f"compose-{index}")
        # A short session lets a SIGKILLed worker's partitions move on quickly.
        env[p + "SESSION_TIMEOUT_SECONDS"] = str(self.session_timeout_seconds)
        return env


@dataclass
class Worker:
    """One worker process of a run."""

    kind: str
    index: int
    port: int
    proc: object  # subprocess.Popen

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.index}"

    def alive(self) -> bool:
        return self.proc.poll() is None


class Fleet:
    """The worker processes of one run; every one is stopped by stop_all()."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.workers: list[Worker] = []

    def start(self, kind: str, index: int) -> Worker:
        """Start `newsbrief serve <kind>` as worker number index."""
        import sys

        from newsbrief.infra import free_ports
        from newsbrief.stack import spawn

        port = free_ports(1)[0]
        env = self.deployment.env(kind, index, port)
        if kind == "compose":
            Path(env["NEWSBRIEF_COMPOSE_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        args = [sys.executable, "-m", "newsbrief", "serve", kind]
        proc = spawn(f"{kind}-{index}", args, env, self.deployment.log_dir)
        worker = Worker(kind, index, port, proc)
        self.workers.append(worker)
        return worker

    def kill(self, worker: Worker) -> None:
        """kill -9 the worker: no shutdown, no final commit."""
        import os
        import signal

        os.killpg(worker.proc.pid, signal.SIGKILL)
        worker.proc.wait(timeout=30)

    def live(self, kind: str) -> list[Worker]:
        return [w for w in self.workers if w.kind == kind and w.alive()]

    def stop_all(self) -> None:
        """SIGTERM every worker still running (SIGKILL after a grace period)."""
        from newsbrief.stack import stop_pid

        for worker in self.workers:
            if worker.alive():
                stop_pid(worker.proc.pid, timeout=20)
            worker.proc.wait(timeout=10)

    def dead(self) -> str | None:
        """Name of a worker that died on its own (not killed by us), or None."""
        for worker in self.workers:
            code = worker.proc.poll()
            if code is not None and code != -9:
                return f"{worker.name} exited with {code} (logs in {self.deployment.log_dir})"
        return None


class Outputs:
    """Story events and briefs of a run, read from the start of their topics."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        from kafka import KafkaConsumer, TopicPartition

        from newsbrief.topics import BRIEFS, STORY_EVENTS, topic_name

        self.events_topic = topic_name(prefix, STORY_EVENTS)
        self.briefs_topic = topic_name(prefix, BRIEFS)
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        tps = [
            TopicPartition(topic, p)
            for topic in (self.events_topic, self.briefs_topic)
            for p in self.consumer.partitions_for_topic(topic) or ()
        ]
        self.consumer.assign(tps)
        self.consumer.seek_to_beginning(*tps)
        self.events: list[pb.StoryEvent] = []
        self.raw_events: list[tuple[str, int, bytes]] = []
        self.last_event_at = 0.0  # record timestamp (s) of the newest story event
        self.briefs: list[tuple[float, pb.Brief]] = []  # (record timestamp in s, brief)
        self.last_read = monotonic()

    def poll(self, timeout: float = 0.5) -> int:
        """Read what has arrived; return how many records."""
        from newsbrief.codec import decode

        count = 0
        for tp, records in self.consumer.poll(timeout_ms=int(timeout * 1000)).items():
            for record in records:
                count += 1
                if tp.topic == self.events_topic:
                    event = decode(pb.StoryEvent, record.value)
                    self.events.append(event)
                    self.raw_events.append((event.story_id, event.sequence, record.value))
                    self.last_event_at = max(self.last_event_at, record.timestamp / 1000)
                else:
                    self.briefs.append((record.timestamp / 1000, decode(pb.Brief, record.value)))
        if count:
            self.last_read = monotonic()
        return count

    def stories(self) -> dict[str, frozenset[str]]:
        return final_stories(self.events)

    def briefs_now(self) -> dict[str, pb.Brief]:
        return latest_briefs(b for _, b in self.briefs)

    def settled(self, ids: frozenset[str]) -> bool:
        """Every article is in a story and every story has a brief (not that they are right)."""
        stories = self.stories()
        if frozenset().union(*stories.values()) != ids:
            return False
        return set(stories) <= set(self.briefs_now())

    def progress(self, ids: frozenset[str]) -> str:
        """How far the run got, for error messages."""
        stories = self.stories()
        covered = frozenset().union(*stories.values()) if stories else frozenset()
        briefed = brief_articles(self.briefs_now())
        behind = sorted(sid for sid, members in stories.items() if briefed.get(sid) != members)
        return (
            f"{len(covered & ids)} of {len(ids)} articles in {len(stories)} stories; "
            f"{len(behind)} stories without an up-to-date brief (e.g. {behind[:3]})"
        )

    def done_at(self) -> float:
        """Wall time of the brief record after which no brief's article set changed again."""
        final = brief_articles(self.briefs_now())
        first: dict[str, float] = {}
        for at, brief in self.briefs:
            members = frozenset(a.article_id for a in brief.articles)
            if final.get(brief.story_id) == members and brief.story_id not in first:
                first[brief.story_id] = at
        return max(first.values(), default=0.0)

    def close(self) -> None:
        self.consumer.close()


def monotonic() -> float:
    """Monotonic clock (quiet periods)."""
    return time.monotonic()


def publish(bootstrap: str, prefix: str, articles: Sequence[pb.Article], partitions: int) -> float:
    """Publish the articles keyed by article_id; return the wall time of the first send.

    Every article of a language goes to one partition of the articles topic (the partition its
    shard is pinned to), so each shard's order in the shard topic is the order given here,
    whatever the number of workers. Online clustering depends on that order (see
    docs/scale-out.md): comparing runs is only meaningful for the same order.
    """
    from kafka import KafkaProducer

    from newsbrief.codec import encode
    from newsbrief.topics import ARTICLES, topic_name
    from services.cluster.sharding import parse_pins, partition_for, shard_of

    pins = parse_pins(SHARD_PINS)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    started = time.time()
    for article in articles:
        partition = partition_for(shard_of(article, "language"), partitions, pins)
        producer.send(
            topic_name(prefix, ARTICLES),
            key=article.article_id.encode(),
            value=encode(article),
            partition=partition,
        )
    producer.flush()
    producer.close()
    return started


class RunError(RuntimeError):
    """A run did not settle (a worker died, or the timeout passed)."""


@dataclass(frozen=True)
class KillPlan:
    """kill -9 the last worker of each kind once this share of the articles is in stories."""

    after_fraction: float = 0.4
    restart: bool = False


def run(
    articles: Sequence[pb.Article],
    deployment: Deployment,
    workers: int,
    kill: KillPlan | None = None,
    timeout: float = 300.0,
    quiet_seconds: float = 4.0,
) -> RunResult:
    """One run: start workers of each kind, publish, wait until briefs settle, stop them."""
    from newsbrief.topics import create_topics

    deployment.run_dir.mkdir(parents=True, exist_ok=True)
    create_topics(deployment.bootstrap, deployment.prefix, partitions=deployment.partitions)
    fleet = Fleet(deployment)
    outputs = None
    try:
        start_fleet(fleet, workers, deadline=monotonic() + 180)
        outputs = Outputs(deployment.bootstrap, deployment.prefix)
        started = publish(deployment.bootstrap, deployment.prefix, articles, deployment.partitions)
        ids = frozenset(a.article_id for a in articles)
        killed = _follow(fleet, outputs, ids, kill, monotonic() + timeout, quiet_seconds)
        stories = outputs.stories()
        return RunResult(
            workers=workers,
            articles=len(ids),
            stories=stories,
            briefs=outputs.briefs_now(),
            seconds=outputs.done_at() - started,
            cluster_seconds=outputs.last_event_at - started,
            events=len(outputs.events),
            conflicting_events=conflicting_events(outputs.raw_events),
            reused_versions=len(reused_versions(b for _, b in outputs.briefs)),
            killed=killed,
            merged={e.story_id for e in outputs.events if e.kind == pb.StoryEvent.MERGED},
        )
    finally:
        fleet.stop_all()
        if outputs is not None:
            outputs.close()


def _follow(fleet, outputs, ids, kill, deadline, quiet_seconds) -> list[str]:
    """Read outputs until settled and quiet; carry out the kill plan on the way.

    Returns the names of the workers killed.
    """
    pending_kill, killed = kill, []
    while monotonic() < deadline:
        if problem := fleet.dead():
            raise RunError(problem)
        outputs.poll()
        if pending_kill and _decided(outputs) >= pending_kill.after_fraction * len(ids):
            for kind in KINDS:
                victim = fleet.live(kind)[-1]
                fleet.kill(victim)
                killed.append(victim.name)
                if pending_kill.restart:
                    fleet.start(kind, victim.index + 10)
            pending_kill = None
        quiet = monotonic() - outputs.last_read >= quiet_seconds
        if pending_kill is None and quiet and outputs.settled(ids) and not lag(fleet.deployment):
            return killed
    raise RunError(
        f"not settled in time: {outputs.progress(ids)}; "
        f"uncommitted: {describe_lag(lag_by_partition(fleet.deployment))}; "
        f"worker logs in {fleet.deployment.log_dir}"
    )


def lag(deployment: Deployment) -> int:
    """Messages the cluster and compose consumer groups have not committed yet."""
    by_partition = lag_by_partition(deployment)
    if any(not partitions for partitions in by_partition.values()):
        return 1  # a group that committed nothing yet is certainly behind
    return sum(sum(partitions.values()) for partitions in by_partition.values())


def lag_by_partition(deployment: Deployment) -> dict[str, dict[str, int]]:
    """group -> "topic:partition" -> messages not committed yet, for every committed partition.

    A group that never committed maps to an empty dict.
    """
    from kafka import KafkaConsumer
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=deployment.bootstrap)
    consumer = KafkaConsumer(bootstrap_servers=deployment.bootstrap)
    try:
        groups = [f"{deployment.prefix}-{kind}" for kind in KINDS]
        out: dict[str, dict[str, int]] = {}
        for group, committed in admin.list_group_offsets(groups).items():
            ends = consumer.end_offsets(list(committed)) if committed else {}
            out[group] = {
                f"{tp.topic}:{tp.partition}": ends[tp] - meta.offset
                for tp, meta in sorted(committed.items())
            }
        return out
    finally:
        consumer.close()
        admin.close()


def describe_lag(by_partition: dict[str, dict[str, int]]) -> str:
    """The partitions still behind, for an error message: which worker's input stopped."""
    parts = []
    for group, partitions in sorted(by_partition.items()):
        behind = {tp: n for tp, n in partitions.items() if n}
        if not partitions:
            parts.append(f"{group} never committed")
        elif behind:
            parts.append(f"{group} " + ", ".join(f"{tp} +{n}" for tp, n in behind.items()))
    return "; ".join(parts) or "nothing"


def _decided(outputs: Outputs) -> int:
    return len({e.article.article_id for e in outputs.events if e.HasField("article")})


def start_fleet(fleet: Fleet, workers: int, deadline: float) -> None:
    """Start the first worker of each kind, then the others once it answers; wait for all.

    Staggered because workers of one app that start at the same instant race to create the
    app's internal topics, and the loser exits (see docs/scale-out.md, "Known issues").
    """
    import httpx

    for kind in KINDS:
        first = fleet.start(kind, 0)
        while not _answers(httpx, first.port):
            if problem := fleet.dead():
                raise RunError(problem)
            if monotonic() > deadline:
                raise RunError(f"{first.name} did not answer in time")
            time.sleep(0.5)
    for kind in KINDS:
        for index in range(1, workers):
            fleet.start(kind, index)
    wait_ready(fleet, workers, deadline)


def _answers(httpx, port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_ready(fleet: Fleet, workers: int, deadline: float) -> None:
    """Wait until every worker answers and the partitions are spread over all of them."""
    import httpx

    while monotonic() < deadline:
        if problem := fleet.dead():
            raise RunError(problem)
        try:
            cluster = [
                httpx.get(f"http://127.0.0.1:{w.port}/assignment", timeout=2).json()["active"]
                for w in fleet.live("cluster")
            ]
            compose = [
                httpx.get(f"http://127.0.0.1:{w.port}/router/", timeout=2).json()
                for w in fleet.live("compose")
            ]
        except (httpx.HTTPError, ValueError, KeyError):
            time.sleep(0.5)
            continue
        owners = sum(1 for active in cluster if active)
        hosts = [len(routes) for routes in compose]
        if (
            owners == min(workers, fleet.deployment.shard_partitions)
            and hosts == [workers] * workers
        ):
            return
        time.sleep(0.5)
    raise RunError("workers did not get their partitions in time")


# -- `newsbrief bench scaleout` -------------------------------------------------------------
def same_output(result: RunResult, reference: RunResult) -> bool:
    """The stories and the briefs' article sets and texts equal the reference run's."""
    texts = {sid: brief_text(b) for sid, b in result.briefs.items()}
    reference_texts = {sid: brief_text(b) for sid, b in reference.briefs.items()}
    return (
        result.stories == reference.stories
        and brief_articles(result.briefs) == brief_articles(reference.briefs)
        and texts == reference_texts
    )


def report_line(result: RunResult, reference: RunResult | None, label: str) -> str:
    """One row of the benchmark's table."""
    same = "-" if reference is None else ("yes" if same_output(result, reference) else "NO")
    return (
        f"{label:<22} {result.articles:>8} {len(result.stories):>8} {result.seconds:>9.1f} "
        f"{result.throughput:>12.1f} {result.cluster_seconds:>11.1f}  {same}"
    )


def register(bench) -> None:
    """Add `newsbrief bench scaleout` to the CLI's bench group."""
    import typer

    @bench.command("scaleout")
    def bench_scaleout(
        articles: int = typer.Option(2000, help="articles: the sample corpus, replicated"),
        bootstrap: str = typer.Option("", help="Kafka bootstrap (default: start a broker)"),
        redis_url: str = typer.Option("", help="Redis URL (default: start a redis-server)"),
        engine: str = typer.Option("engine", help="cluster engine: engine | simple"),
        kill: bool = typer.Option(False, help="also run 2+2 workers with one of each killed"),
        run_dir: Path = typer.Option(None, help="logs and data (default: a temporary folder)"),
    ) -> None:
        """Throughput of 1 and 2 cluster + compose workers, first article in to last brief out."""
        import tempfile

        base = run_dir or Path(tempfile.mkdtemp(prefix="newsbrief-scaleout-"))
        sample = load_sample()
        corpus = replicate(sample, rounds_for(articles, len(sample)))
        typer.echo(f"{len(corpus)} articles ({len(sample)} sample articles x rounds), in {base}")
        plans = [("1 cluster + 1 compose", 1, None), ("2 cluster + 2 compose", 2, None)]
        if kill:
            plans.append(("2+2, one of each -9", 2, KillPlan()))
        with _infra(base, bootstrap, redis_url) as (kafka, redis):
            typer.echo(f"{'workers':<22} {'articles':>8} {'stories':>8} {'seconds':>9} "
                       f"{'articles/s':>12} {'clustered s':>11}  same as 1+1")  # fmt: skip
            reference = None
            for label, workers, plan in plans:
                prefix = f"scaleout-{int(time.time())}-{workers}{'k' if plan else ''}"
                deployment = Deployment(kafka, redis, prefix, base / prefix, engine=engine)
                result = run(corpus, deployment, workers, plan, timeout=900)
                typer.echo(report_line(result, reference, label))
                reference = reference or result


class _infra:
    """Use the given broker and Redis, or start both under base for the benchmark."""

    def __init__(self, base: Path, bootstrap: str, redis_url: str) -> None:
        self.base, self.bootstrap, self.redis_url = base, bootstrap, redis_url
        self.started: list = []

    def __enter__(self) -> tuple[str, str]:
        from newsbrief.infra import KafkaBroker, RedisServer

        if not self.bootstrap:
            broker = KafkaBroker(self.base / "kafka").start(timeout=180)
            self.started.append(broker)
            self.bootstrap = broker.bootstrap
        if not self.redis_url:
            redis = RedisServer(self.base / "redis").start(timeout=30)
            self.started.append(redis)
            self.redis_url = redis.url
        return self.bootstrap, self.redis_url

    def __exit__(self, *exc_info) -> None:
        for server in reversed(self.started):
            server.stop()
