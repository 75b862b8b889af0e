"""End-to-end benchmark: articles pushed to ingest until their brief is readable through the API.

`newsbrief bench pipeline` starts the real system (broker, Redis and the four services as
separate processes, as `newsbrief up` runs them, in a run directory and on ports of its own),
pushes a stream of articles through ``POST /v1/articles`` at a fixed rate, and times each
article from its acceptance (the 202) to the first brief that lists it, watched through the
API's ``/v1/updates`` server-sent events. The pure parts (stream, statistics, invariants, the
rate search) are at the top; the I/O adapters below them are shared with the fault tests.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
import typer

DAY = 86_400
# Rounds of the sample lie this far apart in event time (beyond the cluster's 7-day active
# window), so one round's stories never absorb the next round's copies.
ROUND_SHIFT_DAYS = 10
# Round r is dated (HORIZON_ROUNDS - r) * ROUND_SHIFT_DAYS before now: event time moves forward
# across rounds and across calls, and never reaches the future (which ingest would clamp).
HORIZON_ROUNDS = 1000
API_KEY = "bench-key"
PUSH_TICK_S = 0.1


# -- the article stream (pure) ---------------------------------------------------------------
def sample_docs(examples: Path | None = None) -> list[dict]:
    """The sample feeds as push documents (ingest's own parser and normaliser), oldest first."""
    from newsbrief.bench_scaleout import EXAMPLES, load_sample

    docs = []
    for article in load_sample(examples or EXAMPLES):
        published = article.published_at.ToDatetime().replace(tzinfo=UTC)
        docs.append(
            {
                "url": article.url,
                "title": article.title,
                "text": article.text,
                "outlet": article.outlet,
                "language": article.language,
                "published_at": published.isoformat(),
            }
        )
    return docs


def stream(sample: Sequence[dict], count: int, now: datetime, start_round: int = 0) -> list[dict]:
    """count push documents: rounds of the sample with fresh URLs, text and shifted times.

    Round r's URLs gain a ``/b{r}`` path segment (fresh article ids), its text a round marker
    (ingest drops exact content copies), and its times move to (HORIZON_ROUNDS - r) *
    ROUND_SHIFT_DAYS days before ``now``.
    """
    if not sample:
        raise ValueError("the sample stream is empty")
    rounds = -(-count // len(sample))
    newest = max(_parse_time(d["published_at"]) for d in sample)
    out: list[dict] = []
    for r in range(start_round, start_round + rounds):
        back = (HORIZON_ROUNDS - r) * ROUND_SHIFT_DAYS
        shift = now - newest - timedelta(days=back)
        for doc in sample:
            copy = dict(doc)
            copy["url"] = _round_url(doc["url"], r)
            copy["text"] = f"{doc['text']}\n\n(bench round {r})"
            copy["published_at"] = (_parse_time(doc["published_at"]) + shift).isoformat()
            out.append(copy)
    return out[:count]


def jsonl_docs(lines: Iterable[str]) -> list[dict]:
    """Push documents from JSON lines; a line without url gets one made from its id."""
    docs = []
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        doc = orjson.loads(line)
        if not doc.get("url") and not doc.get("link"):
            doc["url"] = f"https://bench.example/{doc.get('id', number)}"
        doc.pop("id", None)  # the push API reads `id` as a guid; the URL is the identity
        docs.append({k: v for k, v in doc.items() if isinstance(v, str | int | float | list)})
    return docs


def _round_url(url: str, r: int) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/b{r}{parts.path}"))


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- statistics (pure) -----------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latencies(accepted: dict[str, float], seen: dict[str, float]) -> list[float]:
    """Seconds from acceptance to first readable brief, for the articles seen so far."""
    return [seen[aid] - at for aid, at in accepted.items() if aid in seen]


@dataclass
class StepResult:
    """What one push phase at one rate measured."""

    target_rate: float
    pushed: int
    accepted: int
    seen: int
    push_seconds: float
    drain_seconds: float
    p50: float | None
    p95: float | None
    p99: float | None
    max_latency: float | None
    ingest_rate: float
    end_to_end_rate: float
    max_lag: dict[str, int] = field(default_factory=dict)
    end_lag: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    duplicates: int = 0
    errors: int = 0
    # Accepted article ids no brief read through the API listed by the end of the step.
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.seen == self.accepted


def summarise_step(
    target_rate: float,
    pushed: int,
    accepted: dict[str, float],
    seen: dict[str, float],
    window: tuple[float, float, float],
    lag: Sequence[tuple[float, dict[str, int]]],
    counts: dict[str, int],
) -> StepResult:
    """Figures of one step; window is (first push, last 202, end of drain) in wall seconds."""
    start, pushed_at, drained_at = window
    values = latencies(accepted, seen)
    mine = [seen[a] for a in accepted if a in seen]
    last_seen = max(mine, default=drained_at)
    push_seconds = max(pushed_at - start, 1e-9)
    in_step = [sample for at, sample in lag if start <= at <= drained_at]
    return StepResult(
        target_rate=target_rate,
        pushed=pushed,
        accepted=len(accepted),
        seen=len(values),
        push_seconds=round(push_seconds, 2),
        drain_seconds=round(max(last_seen - pushed_at, 0.0), 2),
        p50=_round(percentile(values, 50)),
        p95=_round(percentile(values, 95)),
        p99=_round(percentile(values, 99)),
        max_latency=_round(max(values, default=None)),
        ingest_rate=round(len(accepted) / push_seconds, 1),
        end_to_end_rate=round(len(values) / max(last_seen - start, 1e-9), 1),
        max_lag=_max_lag(in_step),
        end_lag=dict(in_step[-1]) if in_step else {},
        rejected=counts.get("rejected", 0),
        duplicates=counts.get("duplicates", 0),
        errors=counts.get("errors", 0),
        missing=unseen(accepted, seen),
    )


def unseen(accepted: dict[str, float], seen: dict[str, float]) -> list[str]:
    """Accepted article ids not yet listed in any brief read, in order of acceptance."""
    return [aid for aid, _ in sorted(accepted.items(), key=lambda kv: kv[1]) if aid not in seen]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _max_lag(samples: Sequence[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for sample in samples:
        for group, lag in sample.items():
            out[group] = max(out.get(group, 0), lag)
    return out


def sustained(step: StepResult, behind_seconds: float = 5.0, drain_limit: float = 10.0) -> bool:
    """Whether a step kept up: ingest took the rate, every article was readable within
    drain_limit seconds of the last push, and cluster's lag stayed under behind_seconds of input.

    Cluster's group consumes each article twice (the articles topic, then its shard topic) and
    faust commits every ~3 s, hence the factor 2 and the slack. Compose's lag counts internal
    topics too (rebuilds, hub signals), so its backlog is judged by the drain time instead.
    """
    if not step.complete or step.ingest_rate < 0.9 * step.target_rate:
        return False
    bound = 2 * step.target_rate * (behind_seconds + 3)
    return step.drain_seconds <= drain_limit and step.max_lag.get("cluster", 0) <= bound


def next_rate(passed: float | None, failed: float | None, factor: float = 1.5) -> float | None:
    """The next rate to try in the max-rate search, or None when the search is done.

    Grow by factor while steps pass; after the first failure bisect once the gap is over 15%.
    """
    if failed is None:
        return (passed or 10.0) * factor if passed else 10.0
    low = passed or 0.0
    if low and failed / low <= 1.15:
        return None
    if not low and failed <= 5:
        return None
    return round((low + failed) / 2, 1)


def lag_of(committed: dict[tuple[str, int], int], ends: dict[tuple[str, int], int]) -> int:
    """Messages a consumer group has not committed yet, over the partitions it consumes."""
    return sum(max(ends.get(tp, 0) - offset, 0) for tp, offset in committed.items())


# -- invariants (pure) -----------------------------------------------------------------------
def invariant_violations(
    accepted: Iterable[str],
    story_articles: dict[str, list[str]],
    brief_articles: dict[str, list[str]],
    version_history: dict[str, list[int]],
) -> list[str]:
    """What breaks the pipeline's promises, as messages (empty when all hold).

    story_articles: story id -> article ids the API lists for the story;
    brief_articles: story id -> article ids its brief lists;
    version_history: story id -> brief versions in the order a client read them.
    """
    problems: list[str] = []
    owners: dict[str, list[str]] = {}
    for sid, members in story_articles.items():
        if len(members) != len(set(members)):
            problems.append(f"story {sid} lists an article twice")
        for aid in set(members):
            owners.setdefault(aid, []).append(sid)
    wanted = set(accepted)
    missing = sorted(wanted - owners.keys())
    if missing:
        problems.append(f"{len(missing)} accepted articles in no story, e.g. {missing[:3]}")
    twice = sorted(aid for aid, sids in owners.items() if len(sids) > 1)
    if twice:
        problems.append(f"{len(twice)} articles in several stories, e.g. {twice[:3]}")
    for sid, members in story_articles.items():
        listed = set(brief_articles.get(sid, ()))
        if not set(members) <= listed:
            problems.append(f"story {sid}: brief lacks {sorted(set(members) - listed)[:3]}")
    for sid, versions in version_history.items():
        if any(b < a for a, b in zip(versions, versions[1:], strict=False)):
            problems.append(f"story {sid}: brief version went backwards: {versions}")
    return problems


def bad_statuses(statuses: Iterable[tuple[str, int, bool]]) -> list[tuple[str, int]]:
    """(route, status) answers the API must never give: 5xx other than 503 with Retry-After.

    statuses: (route, status, had a Retry-After header).
    """
    return [
        (route, status)
        for route, status, retry_after in statuses
        if status >= 500 and not (status == 503 and retry_after)
    ]


# -- the system (I/O) ------------------------------------------------------------------------
@dataclass
class SystemUnderTest:
    """The broker, Redis and the four services, each a separate process."""

    run_dir: Path
    bootstrap: str = ""
    redis_url: str = ""
    prefix: str = "bench"
    partitions: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    feeds_file: str = ""
    children: dict = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    own_infra: list = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['api']}"

    @property
    def ingest_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['ingest']}"

    def env(self) -> dict[str, str]:
        """The services' environment (as `newsbrief up` builds it, plus the bench's knobs)."""
        from newsbrief.stack import StackConfig, service_env

        config = StackConfig(
            run_dir=self.run_dir,
            api_port=self.ports["api"],
            ingest_port=self.ports["ingest"],
            cluster_web_port=self.ports["cluster"],
            compose_web_port=self.ports["compose"],
            topic_prefix=self.prefix,
            redis_key_prefix=self.prefix,
            partitions=self.partitions,
        )
        env = service_env(config, self.bootstrap, self.redis_url, "")
        env["NEWSBRIEF_INGEST_FEEDS_FILE"] = self.feeds_file
        env["NEWSBRIEF_INGEST_API_KEYS"] = API_KEY
        env["NEWSBRIEF_INGEST_DATA_DIR"] = str(self.run_dir / "ingest")
        # One client polls the API for every article: per-client rate limiting would throttle it.
        env["NEWSBRIEF_API_RATE_LIMIT_PER_SECOND"] = "0"
        env["NEWSBRIEF_API_SSE_HEARTBEAT_SECONDS"] = "1"
        # A SIGKILLed faust worker otherwise holds its partitions for 30-60 s.
        env["NEWSBRIEF_CLUSTER_SESSION_TIMEOUT_SECONDS"] = "8"
        env["NEWSBRIEF_COMPOSE_SESSION_TIMEOUT_SECONDS"] = "8"
        env["BROKER_SESSION_TIMEOUT"] = "8"
        env["BROKER_HEARTBEAT_INTERVAL"] = "1"
        env.update(self.extra_env)
        return env

    def start_infra(self) -> None:
        """Start a broker and Redis of our own unless bootstrap/redis_url were given."""
        from newsbrief.infra import KafkaBroker, RedisServer

        if not self.bootstrap:
            broker = KafkaBroker(self.run_dir / "kafka").start(timeout=180)
            self.own_infra.append(broker)
            self.bootstrap = broker.bootstrap
        if not self.redis_url:
            redis = RedisServer(self.run_dir / "redis").start(timeout=30)
            self.own_infra.append(redis)
            self.redis_url = redis.url

    def start(self, services: Sequence[str] = ("ingest", "cluster", "compose", "api")) -> None:
        """Create the topics and start the services; wait until ingest and the API answer."""
        from newsbrief.infra import free_ports
        from newsbrief.topics import create_topics

        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.start_infra()
        create_topics(self.bootstrap, self.prefix, partitions=self.partitions)
        if not self.ports:
            self.ports = dict(
                zip(("api", "ingest", "cluster", "compose"), free_ports(4), strict=True)
            )
        for name in services:
            self.start_service(name)
        wait_http(f"{self.ingest_url}/healthz", 60, self.problem)
        wait_http(f"{self.api_url}/healthz", 60, self.problem)

    def start_service(self, name: str) -> None:
        """Start (or restart) one service as `newsbrief serve <name>`."""
        from newsbrief.stack import start_services

        self.children.update(start_services(self.env(), self.run_dir / "logs", (name,)))

    def kill(self, name: str) -> None:
        """kill -9 one service's process group: no shutdown, no final commit."""
        import signal

        child = self.children[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)

    def problem(self) -> str | None:
        """The first service that exited on its own, with the tail of its log, or None."""
        for name, child in self.children.items():
            code = child.poll()
            if code is not None and code != -9:
                log = (self.run_dir / "logs" / f"{name}.log").read_text(errors="replace")
                return f"{name} exited with {code}:\n{log[-3000:]}"
        return None

    def stop(self) -> None:
        """Stop every process this object started, services first."""
        from newsbrief.stack import stop_pid

        for child in self.children.values():
            stop_pid(child.pid)
        for server in reversed(self.own_infra):
            server.stop()


def wait_http(url: str, timeout: float, problem: Callable[[], str | None]) -> None:
    """Wait until url answers 200; raise with the dead service's log if one dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (msg := problem()) is not None:
            raise RuntimeError(msg)
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f}s")


class Pusher:
    """Pushes documents to ingest and remembers when each article was accepted."""

    def __init__(self, ingest_url: str, batch_limit: int = 100) -> None:
        self.client = httpx.Client(base_url=ingest_url, timeout=120, headers={"X-API-Key": API_KEY})
        self.batch_limit = batch_limit
        self.accepted: dict[str, float] = {}
        self.counts = {"rejected": 0, "duplicates": 0, "errors": 0}
        self.results: list[dict] = []

    def push(self, docs: Sequence[dict]) -> httpx.Response:
        """One POST; records accepted article ids with the time of the 202."""
        response = self.client.post("/v1/articles", content=orjson.dumps({"articles": docs}))
        now = time.time()
        if response.status_code != 202:
            self.counts["errors"] += 1
            return response
        body = response.json()
        self.counts["rejected"] += body["rejected"]
        self.counts["duplicates"] += body["duplicates"]
        for result in body["results"]:
            self.results.append(result)
            if result["status"] == "accepted":
                self.accepted.setdefault(result["article_id"], now)
        return response

    def push_retrying(self, docs: Sequence[dict], timeout: float = 120) -> httpx.Response:
        """Push until ingest answers 202, retrying a 503 or a dropped connection (as the push
        API invites: a re-push is safe); raise TimeoutError when it never does."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                response = self.push(docs)
                if response.status_code == 202:
                    return response
                if response.status_code != 503:
                    raise RuntimeError(f"push refused: {response.status_code} {response.text}")
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"ingest did not accept a push within {timeout:.0f}s")
            time.sleep(0.5)

    def paced(self, docs: Sequence[dict], rate: float) -> tuple[float, float]:
        """Push docs at rate per second (each tick sends what is due); return (start, end)."""
        start = time.time()
        sent = 0
        while sent < len(docs):
            due = min(len(docs), int((time.time() - start) * rate) + 1)
            while sent < due:
                batch = docs[sent : min(due, sent + self.batch_limit)]
                self.push(batch)
                sent += len(batch)
            pause = start + sent / rate - time.time()
            if pause > 0:
                time.sleep(min(pause, PUSH_TICK_S))
        return start, time.time()

    def close(self) -> None:
        self.client.close()


class BriefWatcher:
    """Follows /v1/updates and reads each changed brief: the first time an article is listed
    in a readable brief, and every brief version read, per story."""

    def __init__(self, api_url: str, fetchers: int = 2) -> None:
        self.api_url = api_url
        self.seen: dict[str, float] = {}
        self.versions: dict[str, list[int]] = {}
        self.statuses: list[tuple[str, int, bool]] = []
        # The last event id received: kept per event, so a stream that breaks mid-way resumes
        # after it (a reconnect without Last-Event-ID starts at the newest entry, skipping any
        # announced in between).
        self.last_event_id: str | None = None
        # Why each /v1/updates stream ended (clean end or error), and reads that returned an
        # older version than the stream had announced (a stale copy: read again).
        self.reconnects: list[str] = []
        self.stale_reads: list[tuple[str, int, int]] = []
        self.announced: dict[str, int] = {}
        self._pending: queue.Queue[str | None] = queue.Queue()
        self._queued: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._follow, daemon=True)]
        self._threads += [
            threading.Thread(target=self._fetch, daemon=True) for _ in range(fetchers)
        ]

    def start(self) -> BriefWatcher:
        for thread in self._threads:
            thread.start()
        return self

    def _follow(self) -> None:
        while not self._stop.is_set():
            last = self.last_event_id
            headers = {"Last-Event-ID": last} if last else {}
            try:
                with httpx.stream(
                    "GET", f"{self.api_url}/v1/updates", headers=headers, timeout=10
                ) as response:
                    self._record("/v1/updates", response)
                    if response.status_code != 200:
                        time.sleep(0.5)
                        continue
                    self._read_events(response)
                    self.reconnects.append(f"{time.time():.1f} stream ended after {last}")
            except httpx.HTTPError as exc:
                self.reconnects.append(f"{time.time():.1f} {type(exc).__name__} after {last}")
                time.sleep(0.5)

    def _read_events(self, response: httpx.Response) -> None:
        event_id = None
        for line in response.iter_lines():
            if self._stop.is_set():
                break
            if line.startswith("id:"):
                event_id = line[3:].strip()
            elif line.startswith("data:"):
                data = orjson.loads(line[5:])
                story = data.get("story_id")
                if story:
                    with self._lock:
                        version = max(self.announced.get(story, 0), data.get("version", 0))
                        self.announced[story] = version
                    self.enqueue(story)
                # After the enqueue: a break now re-reads this event rather than skip it.
                self.last_event_id = event_id or self.last_event_id

    def enqueue(self, story_id: str) -> None:
        """Read this story's brief soon (coalesced with a pending read of it)."""
        with self._lock:
            if story_id in self._queued:
                return
            self._queued.add(story_id)
        self._pending.put(story_id)

    def _fetch(self) -> None:
        with httpx.Client(base_url=self.api_url, timeout=10, follow_redirects=True) as client:
            while (story_id := self._pending.get()) is not None:
                with self._lock:
                    self._queued.discard(story_id)
                with contextlib.suppress(httpx.HTTPError):
                    self.read_brief(client, story_id)

    def read_brief(self, client: httpx.Client, story_id: str) -> dict | None:
        """GET one brief; note its version and the first sighting of each of its articles."""
        with self._lock:
            # Announced before the request was sent: Redis held it then, so it must be served.
            wanted = self.announced.get(story_id, 0)
        response = client.get(f"/v1/stories/{story_id}")
        now = time.time()
        self._record("/v1/stories/{id}", response)
        if response.status_code != 200:
            return None
        brief = response.json()
        with self._lock:
            self.versions.setdefault(brief["id"], []).append(brief["version"])
            for article in brief["articles"]:
                self.seen.setdefault(article["article_id"], now)
        if brief["id"] == story_id and brief["version"] < wanted:
            # Older than an event seen before the request: a stale copy. No later event may
            # come, so read again (the API must converge; the list shows whether it lags).
            self.stale_reads.append((story_id, brief["version"], wanted))
            time.sleep(0.05)
            self.enqueue(story_id)
        return brief

    def _record(self, route: str, response: httpx.Response) -> None:
        self.statuses.append((route, response.status_code, "retry-after" in response.headers))

    def stop(self) -> None:
        self._stop.set()
        for _ in self._threads[1:]:
            self._pending.put(None)


class LagSampler:
    """Samples the consumer lag of the cluster and compose groups, and each service's RSS."""

    def __init__(self, bootstrap: str, groups: dict[str, str], pids: dict[str, int]) -> None:
        self.bootstrap = bootstrap
        self.groups = groups  # label -> consumer group id
        self.pids = pids
        self.lag: list[tuple[float, dict[str, int]]] = []
        self.peak_rss: dict[str, int] = {}
        self.cpu_seconds: dict[str, float] = {}  # user+system of each process tree, so far
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> LagSampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        from kafka import KafkaAdminClient, KafkaConsumer

        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=5000)
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        try:
            while not self._stop.wait(1.0):
                self.sample_rss()
                try:
                    self.lag.append((time.time(), self.sample_lag(admin, consumer)))
                except Exception as exc:  # noqa: BLE001 - a sample missed while the broker is away
                    self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            admin.close()
            consumer.close()

    def sample_lag(self, admin, consumer) -> dict[str, int]:
        """Current lag of each group over every partition it has committed."""
        out = {}
        for label, group in self.groups.items():
            offsets = admin.list_group_offsets(group).get(group, {})
            committed = {
                (tp.topic, tp.partition): meta.offset
                for tp, meta in offsets.items()
                if meta.offset >= 0
            }
            ends = _end_offsets(consumer, list(offsets))
            out[label] = lag_of(committed, {(tp.topic, tp.partition): o for tp, o in ends.items()})
        return out

    def sample_rss(self) -> None:
        """Peak resident memory of each service's process tree (uvicorn workers included)."""
        import psutil

        for name, pid in self.pids.items():
            try:
                root = psutil.Process(pid)
                tree = [root, *root.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree)
                cpu = sum(sum(p.cpu_times()[:2]) for p in tree)
            except psutil.Error:
                continue
            self.peak_rss[name] = max(self.peak_rss.get(name, 0), rss)
            self.cpu_seconds[name] = max(self.cpu_seconds.get(name, 0.0), cpu)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def _end_offsets(consumer, partitions: list) -> dict:
    """End offsets of partitions; topics created after the consumer's last metadata refresh
    (faust's internal ones) are looked up once more, and skipped if still unknown."""
    if not partitions:
        return {}
    try:
        return consumer.end_offsets(partitions)
    except KeyError:
        known = consumer.topics()  # refreshes the metadata
        return consumer.end_offsets([tp for tp in partitions if tp.topic in known])


class StageTracker:
    """Reads the story-events and briefs topics: when each article first left cluster (in a
    story event) and compose (in a brief), by the records' timestamps."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.bootstrap = bootstrap
        self.prefix = prefix
        self.clustered: dict[str, float] = {}
        self.composed: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> StageTracker:
        self._thread.start()
        return self

    def _run(self) -> None:
        from kafka import KafkaConsumer, TopicPartition

        from newsbrief.codec import decode
        from newsbrief.topics import BRIEFS, STORY_EVENTS, topic_name
        from newsbrief.v1 import newsbrief_pb2 as pb

        events, briefs = topic_name(self.prefix, STORY_EVENTS), topic_name(self.prefix, BRIEFS)
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        tps = [
            TopicPartition(topic, p)
            for topic in (events, briefs)
            for p in consumer.partitions_for_topic(topic) or ()
        ]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        try:
            while not self._stop.is_set():
                for tp, records in consumer.poll(timeout_ms=500).items():
                    for record in records:
                        at = record.timestamp / 1000
                        if tp.topic == events:
                            ids = decode(pb.StoryEvent, record.value).article_ids
                            target = self.clustered
                        else:
                            ids = [a.article_id for a in decode(pb.Brief, record.value).articles]
                            target = self.composed
                        for aid in ids:
                            target.setdefault(aid, at)
        finally:
            consumer.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def stage_breakdown(
    accepted: dict[str, float],
    clustered: dict[str, float],
    composed: dict[str, float],
    seen: dict[str, float],
) -> dict[str, dict[str, float | None]]:
    """p50/p95 of each stage: ingest 202 -> story event -> brief record -> readable in the API."""
    stages = {"cluster": [], "compose": [], "serve": []}
    for aid, at in accepted.items():
        if aid in clustered and aid in composed and aid in seen:
            stages["cluster"].append(clustered[aid] - at)
            stages["compose"].append(composed[aid] - clustered[aid])
            stages["serve"].append(seen[aid] - composed[aid])
    return {
        name: {"p50": _round(percentile(v, 50)), "p95": _round(percentile(v, 95))}
        for name, v in stages.items()
    }


def served_state(api_url: str) -> tuple[dict[str, list[str]], dict[str, list[str]], dict]:
    """What the API serves now: (story -> its articles, story -> its brief's articles,
    story -> brief version). Raises httpx errors and RuntimeError on a non-200 answer."""
    stories: dict[str, list[str]] = {}
    briefs: dict[str, list[str]] = {}
    versions: dict[str, int] = {}
    with httpx.Client(base_url=api_url, timeout=10) as client:
        for sid in _story_ids(client):
            brief = _get_json(client, f"/v1/stories/{sid}")
            listed = _get_json(client, f"/v1/stories/{sid}/articles")
            if brief is None or listed is None:
                continue  # merged away between the listing and the read
            stories[sid] = [a["article_id"] for a in listed]
            briefs[sid] = [a["article_id"] for a in brief["articles"]]
            versions[sid] = brief["version"]
    return stories, briefs, versions


def _story_ids(client: httpx.Client) -> list[str]:
    ids, cursor = [], None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = _get_json(client, "/v1/stories", params)
        ids += [item["id"] for item in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return ids


def _get_json(client: httpx.Client, path: str, params: dict | None = None):
    response = client.get(path, params=params)
    if response.status_code in (301, 404) and path != "/v1/stories":
        return None
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
    return response.json()


# -- the benchmark run -----------------------------------------------------------------------
@dataclass
class Bench:
    """A running system with its pusher, brief watcher and lag sampler."""

    system: SystemUnderTest
    pusher: Pusher
    watcher: BriefWatcher
    sampler: LagSampler
    stages: StageTracker

    @classmethod
    def start(cls, system: SystemUnderTest, echo: Callable[[str], None]) -> Bench:
        echo(f"starting broker, Redis and the four services in {system.run_dir}...")
        system.start()
        groups = {"cluster": f"{system.prefix}-cluster", "compose": f"{system.prefix}-compose"}
        pids = {name: child.pid for name, child in system.children.items()}
        for server in system.own_infra:
            if server.pid:
                pids[server.name] = server.pid
        sampler = LagSampler(system.bootstrap, groups, pids).start()
        watcher = BriefWatcher(system.api_url).start()
        stages = StageTracker(system.bootstrap, system.prefix).start()
        return cls(system, Pusher(system.ingest_url), watcher, sampler, stages)

    def run_step(self, docs: Sequence[dict], rate: float, drain_timeout: float) -> StepResult:
        """Push docs at rate, wait until they are all readable (or the timeout), summarise."""
        before = dict(self.pusher.counts)
        accepted_before = set(self.pusher.accepted)
        start, pushed_at = self.pusher.paced(docs, rate)
        mine = {a: t for a, t in self.pusher.accepted.items() if a not in accepted_before}
        deadline = time.time() + drain_timeout
        while time.time() < deadline and not mine.keys() <= self.watcher.seen.keys():
            if (msg := self.system.problem()) is not None:
                raise RuntimeError(msg)
            time.sleep(0.2)
        counts = {k: v - before[k] for k, v in self.pusher.counts.items()}
        seen = dict(self.watcher.seen)
        window = (start, pushed_at, time.time())
        return summarise_step(rate, len(docs), mine, seen, window, self.sampler.lag, counts)

    def warm_up(self, docs: Sequence[dict], timeout: float = 180) -> float:
        """Push a few articles and wait for their briefs (faust's start-up is not measured)."""
        started = time.time()
        step = self.run_step(docs, rate=len(docs), drain_timeout=timeout)
        if not step.complete:
            raise RuntimeError(f"warm-up articles not readable after {timeout:.0f}s: {step}")
        return time.time() - started

    def stop(self) -> None:
        self.watcher.stop()
        self.sampler.stop()
        self.stages.stop()
        self.pusher.close()
        self.system.stop()


def run_fixed(bench: Bench, docs: list[dict], rate: float, echo) -> dict:
    """One step of all docs at rate."""
    step = bench.run_step(docs, rate, drain_timeout=max(120.0, len(docs) / rate))
    echo(format_step(step))
    return {"steps": [step.__dict__]}


def run_max(
    bench: Bench, make_docs: Callable[[int], list[dict]], step_seconds: float, echo
) -> dict:
    """Raise the rate until a step does not keep up; report the highest sustained rate."""
    passed: float | None = None
    failed: float | None = None
    steps = []
    rate = next_rate(None, None)
    while rate is not None:
        docs = make_docs(int(rate * step_seconds))
        step = bench.run_step(docs, rate, drain_timeout=30)
        ok = sustained(step)
        echo(format_step(step) + ("  sustained" if ok else "  NOT sustained"))
        steps.append({**step.__dict__, "sustained": ok})
        passed, failed = (rate, failed) if ok else (passed, rate)
        if not ok:
            # Let the backlog drain before the next step starts from an idle system.
            _wait_idle(bench, 120)
        rate = next_rate(passed, failed)
        if rate is not None and rate > 400:
            break
    # An overloaded step names articles not seen within its drain timeout; late is not lost,
    # so the search ends by waiting for every accepted article and names any still missing.
    _wait_idle(bench, 120)
    lost = unseen(bench.pusher.accepted, bench.watcher.seen)
    return {"steps": steps, "max_sustained_rate": passed, "never_seen_at_end": lost}


def _wait_idle(bench: Bench, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and not bench.pusher.accepted.keys() <= bench.watcher.seen.keys():
        time.sleep(0.5)


def format_step(step: StepResult) -> str:
    """One table row of a step."""

    def ms(v: float | None) -> str:
        return "-" if v is None else f"{v * 1000:7.0f}"

    lag = " ".join(f"{k}={v}" for k, v in sorted(step.max_lag.items()))
    row = (
        f"rate {step.target_rate:6.1f}/s  in {step.ingest_rate:6.1f}/s  e2e "
        f"{step.end_to_end_rate:6.1f}/s  seen {step.seen}/{step.accepted}  p50 {ms(step.p50)} "
        f"p95 {ms(step.p95)} p99 {ms(step.p99)} ms  drain {step.drain_seconds:5.1f}s  "
        f"max lag {lag}"
    )
    if step.missing:
        row += f"\n  never seen ({len(step.missing)}): {' '.join(step.missing[:20])}"
    return row


def report(result: dict, bench: Bench) -> dict:
    """Add lag over time and peak RSS to a result."""
    start = bench.sampler.lag[0][0] if bench.sampler.lag else 0.0
    result["lag_over_time"] = [
        {"t": round(at - start, 1), **sample} for at, sample in bench.sampler.lag
    ]
    result["peak_rss_mb"] = {
        k: round(v / 2**20, 1) for k, v in sorted(bench.sampler.peak_rss.items())
    }
    result["cpu_seconds"] = {k: round(v, 1) for k, v in sorted(bench.sampler.cpu_seconds.items())}
    result["api_statuses"] = _status_counts(bench.watcher.statuses)
    result["stages"] = stage_breakdown(
        bench.pusher.accepted, bench.stages.clustered, bench.stages.composed, bench.watcher.seen
    )
    result["lag_errors"] = bench.sampler.errors[:5]
    watcher = bench.watcher
    result["watcher"] = {
        "stale_reads": len(watcher.stale_reads),
        "stale_examples": [list(s) for s in watcher.stale_reads[:10]],
        "stream_reconnects": watcher.reconnects[:10],
    }
    return result


def _status_counts(statuses: Iterable[tuple[str, int, bool]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, status, _ in statuses:
        counts[str(status)] = counts.get(str(status), 0) + 1
    return counts


def register(bench: typer.Typer) -> None:
    """Add `newsbrief bench pipeline`."""

    @bench.command("pipeline")
    def pipeline(
        articles: int = typer.Option(2000, help="articles to push (per step with --rate max)"),
        rate: str = typer.Option("20", help="articles per second, or `max` to search"),
        input_file: Path = typer.Option(None, "--input", help="JSONL articles instead"),
        json_out: Path = typer.Option(None, "--json", help="write the figures here"),
        run_dir: Path = typer.Option(None, help="data and logs (default: a fresh temp dir)"),
        step_seconds: float = typer.Option(30, help="length of each --rate max step"),
        debounce: float = typer.Option(None, help="NEWSBRIEF_COMPOSE_DEBOUNCE_SECONDS"),
        keep: bool = typer.Option(False, help="leave the run directory in place"),
    ) -> None:
        """Push articles through ingest and time each until its brief is readable via the API."""
        import shutil
        import tempfile

        directory = run_dir or Path(tempfile.mkdtemp(prefix="nb-bench-"))
        extra = {} if debounce is None else {"NEWSBRIEF_COMPOSE_DEBOUNCE_SECONDS": str(debounce)}
        extra.update(_profile_env())
        system = SystemUnderTest(directory, extra_env=extra)
        source = _source(input_file)
        bench_run = Bench.start(system, typer.echo)
        try:
            warm = bench_run.warm_up(source(10))
            typer.echo(f"system ready; warm-up articles readable after {warm:.1f}s")
            if rate == "max":
                result = run_max(bench_run, source, step_seconds, typer.echo)
            else:
                result = run_fixed(bench_run, source(articles), float(rate), typer.echo)
            result = report(result, bench_run)
        finally:
            bench_run.stop()
            if not keep and run_dir is None:
                shutil.rmtree(directory, ignore_errors=True)
        _print_summary(result)
        if json_out:
            json_out.write_text(json.dumps(result, indent=2))
            typer.echo(f"figures written to {json_out}")


def _profile_env() -> dict[str, str]:
    """Pass NEWSBRIEF_PROFILE_DIR through (services may dump cProfile stats there)."""
    value = os.environ.get("NEWSBRIEF_PROFILE_DIR")
    return {"NEWSBRIEF_PROFILE_DIR": value} if value else {}


def _source(input_file: Path | None) -> Callable[[int], list[dict]]:
    """A function giving the next n fresh documents of the stream."""
    if input_file is not None:
        docs = jsonl_docs(input_file.read_text(encoding="utf-8").splitlines())
        position = [0]

        def from_file(n: int) -> list[dict]:
            out = docs[position[0] : position[0] + n]
            position[0] += len(out)
            return out

        return from_file
    sample = sample_docs()
    rounds = [0]
    now = datetime.now(UTC)

    def from_sample(n: int) -> list[dict]:
        out = stream(sample, n, now, start_round=rounds[0])
        rounds[0] += -(-n // len(sample))
        return out

    return from_sample


def _print_summary(result: dict) -> None:
    echo = typer.echo
    echo("\npeak RSS (MB): " + ", ".join(f"{k} {v}" for k, v in result["peak_rss_mb"].items()))
    echo("CPU seconds: " + ", ".join(f"{k} {v}" for k, v in result["cpu_seconds"].items()))
    echo(f"API answers while watching: {result['api_statuses']}")
    echo(f"stage latency (s) 202->story event->brief record->readable: {result['stages']}")
    watcher = result["watcher"]
    if watcher["stale_reads"] or watcher["stream_reconnects"]:
        echo(
            f"API served {watcher['stale_reads']} briefs older than an update already announced "
            f"(read again; e.g. story, got, announced: {watcher['stale_examples'][:3]}); "
            f"update stream reconnects: {watcher['stream_reconnects'][:3]}"
        )
    if result["lag_errors"]:
        echo(f"lag sampling errors: {result['lag_errors']}")
    if "max_sustained_rate" in result:
        echo(f"highest sustained rate: {result['max_sustained_rate']} articles/s")
        lost = result["never_seen_at_end"]
        echo(f"accepted articles never seen 120 s after the last step: {len(lost)} {lost[:20]}")
    lag = result["lag_over_time"]
    if lag:
        stride = max(1, len(lag) // 12)
        echo("consumer lag over time (s: cluster/compose): " + "  ".join(
            f"{s['t']:.0f}: {s.get('cluster', '-')}/{s.get('compose', '-')}" for s in lag[::stride]
        ))  # fmt: skip
    sys.stdout.flush()
