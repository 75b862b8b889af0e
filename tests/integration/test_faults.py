"""Faults on the running system: killed workers, a broker and a Redis outage, replays.

One system (its own broker and Redis, since both are stopped here, and the four services as
separate processes) is shared by the tests of this module, which run in order: each injects its
fault while articles keep arriving, then checks the pipeline's invariants over everything
accepted so far.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import redis

from newsbrief.ids import article_id
from newsbrief.infra import KafkaBroker, RedisServer, free_ports
from newsbrief.pipeline_bench import (
    BriefWatcher,
    Pusher,
    SystemUnderTest,
    bad_statuses,
    invariant_violations,
    sample_docs,
    served_state,
    stream,
)
from newsbrief.stack import spawn, stop_pid
from services.ingest.normalise import canonical_url

pytestmark = [pytest.mark.integration, pytest.mark.faults]

SETTLE_S = 90
RATE = 8.0  # articles/s while a fault is injected: enough to be mid-stream, easy on 2 cores


class Faults:
    """The shared system, what was accepted, and what the API answered."""

    def __init__(self, tmp: Path) -> None:
        broker_port, redis_port, feeds_port = free_ports(3)
        self.broker = KafkaBroker(tmp / "kafka", port=broker_port)
        self.redis = RedisServer(tmp / "redis", port=redis_port)
        self.feed_dir = tmp / "feed"
        self.feed_dir.mkdir()
        self.feeds_port = feeds_port
        self.system = SystemUnderTest(tmp / "run", prefix="faults")
        self.sample = sample_docs()
        self.rounds = 0
        self.accepted: set[str] = set()
        self.probes: list[tuple[str, int, bool]] = []
        self.feed_child = None
        # Probes taken while Redis was stopped (a slice of `probes`); None until it was.
        self.outage: tuple[int, int | None] | None = None
        self.lost: set[str] = set()
        self.missing: set[str] = set()
        self.watcher: BriefWatcher | None = None
        self.pusher: Pusher | None = None
        self._stop_probe = threading.Event()

    def start(self) -> None:
        self.broker.start(timeout=180)
        self.redis.start(timeout=30)
        self.system.bootstrap, self.system.redis_url = self.broker.bootstrap, self.redis.url
        write_feed(self.feed_dir / "replay.xml", FEED_ITEMS[:2])
        feeds = self.feed_dir / "feeds.toml"
        feeds.write_text(
            '[[feeds]]\nurl = "replay.xml"\noutlet = "Replay Times"\nlanguage = "en"\n'
            "poll_interval = 2\n"
        )
        args = [sys.executable, "-m", "http.server", str(self.feeds_port), "--bind", "127.0.0.1"]
        args += ["--directory", str(self.feed_dir)]
        self.feed_child = spawn("feeds", args, {}, self.system.run_dir / "logs")
        self.system.feeds_file = str(feeds)
        self.system.extra_env = {
            "NEWSBRIEF_COMPOSE_DEBOUNCE_SECONDS": "0.5",
            "NEWSBRIEF_INGEST_FEEDS_BASE_URL": f"http://127.0.0.1:{self.feeds_port}/",
            "NEWSBRIEF_INGEST_FULL_TEXT": "false",
            "NEWSBRIEF_INGEST_RESPECT_ROBOTS": "false",
            "NEWSBRIEF_API_RETRY_AFTER_SECONDS": "1",
            "NEWSBRIEF_API_CACHE_CHECK_SECONDS": "1",
            # A SIGKILLed worker holds its partitions for a session timeout; a short one keeps
            # the compose-kill case quick (it also passes with the 30 s default: set this
            # variable to 30 to check).
            "NEWSBRIEF_COMPOSE_SESSION_TIMEOUT_SECONDS": os.environ.get(
                "NEWSBRIEF_COMPOSE_SESSION_TIMEOUT_SECONDS", "8"
            ),
        }
        self.system.start()
        self.pusher = Pusher(self.system.ingest_url)
        self.watcher = BriefWatcher(self.system.api_url, fetchers=1).start()
        threading.Thread(target=self._probe, daemon=True).start()

    def docs(self, count: int) -> list[dict]:
        """count fresh articles (new rounds of the sample)."""
        out = stream(self.sample, count, datetime.now(UTC), start_round=self.rounds)
        self.rounds += -(-count // len(self.sample))
        return out

    def push(self, docs: list[dict], batch: int = 4) -> None:
        """Push docs in small batches at RATE, re-pushing whatever ingest answers 503 for."""
        for start in range(0, len(docs), batch):
            began = time.monotonic()
            response = self.pusher.push_retrying(docs[start : start + batch], timeout=180)
            self.accepted |= {
                r["article_id"] for r in response.json()["results"] if r["status"] == "accepted"
            }
            time.sleep(max(0.0, batch / RATE - (time.monotonic() - began)))

    def push_in_background(self, docs: list[dict]) -> threading.Thread:
        thread = threading.Thread(target=self.push, args=(docs,), daemon=True)
        thread.start()
        return thread

    def _probe(self) -> None:
        """Read the API as a client would, every 0.2 s, recording each answer."""
        with httpx.Client(base_url=self.system.api_url, timeout=5) as client:
            while not self._stop_probe.wait(0.2):
                for path in ("/v1/stories?limit=5", "/readyz"):
                    try:
                        response = client.get(path)
                    except httpx.HTTPError:
                        continue
                    self.probes.append((path, response.status_code, _retry_after(response)))
                    if path.startswith("/v1/stories") and response.status_code == 200:
                        for item in response.json()["items"][:2]:
                            self.watcher.enqueue(item["id"])

    def settle(self, expected: set[str] | None = None) -> list[str]:
        """Wait until the invariants hold for every accepted article; return what still breaks."""
        expected = self.accepted if expected is None else expected
        # Articles an earlier test already failed on are not held against the later ones.
        expected = expected - self.lost
        deadline = time.monotonic() + SETTLE_S
        problems = ["not checked"]
        while time.monotonic() < deadline:
            if (msg := self.system.problem()) is not None:
                return [msg]
            try:
                stories, briefs, versions = served_state(self.system.api_url)
            except (httpx.HTTPError, RuntimeError) as exc:
                problems = [f"API not serving: {exc}"]
                time.sleep(1)
                continue
            history = {sid: [*self.watcher.versions.get(sid, []), v] for sid, v in versions.items()}
            problems = invariant_violations(expected, stories, briefs, history)
            if not problems:
                return []
            served = {aid for members in stories.values() for aid in members}
            self.missing = expected - served
            time.sleep(1)
        return problems

    def stop(self) -> None:
        self._stop_probe.set()
        if self.watcher:
            self.watcher.stop()
        if self.pusher:
            self.pusher.close()
        self.system.stop()
        if self.feed_child is not None:
            stop_pid(self.feed_child.pid)
        self.redis.stop()
        self.broker.stop()


def _retry_after(response: httpx.Response) -> bool:
    return "retry-after" in response.headers


FEED_ITEMS = [
    (f"https://replay.example/news/{n}", title, body)
    for n, (title, body) in enumerate(
        [
            ("Harbour bridge reopens after repairs", "The harbour bridge reopened on Monday."),
            ("Library extends opening hours", "The city library will open until 10 pm."),
            ("New tram line approved by council", "The council approved a tram line east."),
        ]
    )
]


def write_feed(path: Path, items: list[tuple[str, str, str]]) -> None:
    """An RSS feed with the given (link, title, text) items, newest first."""
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Thu, 26 Nov 2026 0{i}:00:00 GMT</pubDate><description>{body} "
        f"{body} {body}</description></item>"
        for i, (link, title, body) in enumerate(items)
    )
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Replay Times</title>'
        f"<link>https://replay.example/</link>{entries}</channel></rss>"
    )


def feed_ids(items: list[tuple[str, str, str]]) -> set[str]:
    return {article_id(canonical_url(link)) for link, _, _ in items}


@pytest.fixture(scope="module")
def faults(tmp_path_factory) -> Iterator[Faults]:
    system = Faults(tmp_path_factory.mktemp("faults"))
    try:
        system.start()
        # Warm up: the first articles go through before any fault is injected.
        system.push(system.docs(20))
        system.accepted |= feed_ids(FEED_ITEMS[:2])
        assert system.settle() == []
        yield system
    finally:
        system.stop()


def _assert_settled(faults: Faults, expected: set[str] | None = None) -> None:
    faults.missing = set()
    problems = faults.settle(expected)
    faults.lost |= faults.missing
    assert problems == [], "\n".join(problems)


def _wait(thread: threading.Thread, timeout: float = 240) -> None:
    thread.join(timeout)
    assert not thread.is_alive(), "pushing did not finish"


def test_cluster_worker_killed_and_restarted_after_5s(faults: Faults) -> None:
    pushing = faults.push_in_background(faults.docs(80))
    time.sleep(3)
    faults.system.kill("cluster")
    time.sleep(5)
    faults.system.start_service("cluster")
    _wait(pushing)
    _assert_settled(faults)


# Seen before issue 7's fix: 14-50 accepted articles in no brief after this kill. faust commits
# offsets after `producer.flush()`, whose buffer flush gave up after 0.1 s without progress, so
# commits covered table writes still queued in memory (fixed in newsbrief/streams.py).
def test_compose_worker_killed_mid_stream(faults: Faults) -> None:
    pushing = faults.push_in_background(faults.docs(80))
    time.sleep(3)
    faults.system.kill("compose")
    faults.system.start_service("compose")
    _wait(pushing)
    _assert_settled(faults)


def test_broker_stopped_15s_while_ingest_keeps_receiving(faults: Faults) -> None:
    pushing = faults.push_in_background(faults.docs(120))
    time.sleep(2)
    faults.broker.stop()
    time.sleep(15)
    faults.broker.start(timeout=180)
    assert faults.broker.port == int(faults.system.bootstrap.rsplit(":", 1)[1])
    _wait(pushing)
    _assert_settled(faults)


def test_same_batch_twice_and_a_feed_replaying_old_items(faults: Faults) -> None:
    batch = faults.docs(10)
    first = faults.pusher.push_retrying(batch).json()
    again = faults.pusher.push_retrying(batch).json()
    assert first["accepted"] == 10
    assert again["accepted"] == 0 and again["duplicates"] == 10
    faults.accepted |= {r["article_id"] for r in first["results"]}
    # The feed now lists a new item and replays the two it served at the start.
    write_feed(faults.feed_dir / "replay.xml", FEED_ITEMS[2:] + FEED_ITEMS[:2])
    expected = faults.accepted | feed_ids(FEED_ITEMS)
    _assert_settled(faults, expected)


# After a FLUSHALL the API rebuilds from the compacted briefs topic, but compose writes each
# brief to Redis BEFORE sending it to that topic (services/compose/app.py `publish`), and the
# rebuild's "skip stale" check is a separate HGET before its write (services/api/rebuild.py
# `_write_batch`): a client can read version N+1, then N from the rebuild, then N+1 again.
# Seen in 2 of 3 runs, so the marker is not strict: the race does not lose every time.
def test_redis_flushed_while_running(faults: Faults) -> None:
    pushing = faults.push_in_background(faults.docs(40))
    time.sleep(2)
    client = redis.Redis.from_url(faults.redis.url)
    client.flushall()
    client.close()
    _wait(pushing)
    _assert_settled(faults)


# Before issue 7's fix a brief version went backwards here and its newest article was served in
# no story: two compose agents waited out the outage, and the retry of version N landed after
# version N+1 (services/compose/serving.py now writes one batch at a time, never an older one).
def test_redis_stopped_10s(faults: Faults) -> None:
    pushing = faults.push_in_background(faults.docs(40))
    time.sleep(2)
    _stop_redis(faults, 10)
    _wait(pushing)
    _assert_settled(faults)


def _stop_redis(faults: Faults, seconds: float) -> None:
    """Stop Redis for a while, noting which probes were taken meanwhile; it comes back empty."""
    first = len(faults.probes)
    faults.outage = (first, None)  # open-ended if what follows fails
    faults.redis.stop()
    time.sleep(seconds)
    faults.outage = (first, len(faults.probes))
    faults.redis.start(timeout=30)  # no persistence: it comes back empty


def test_the_api_never_failed_other_than_503_with_retry_after(faults: Faults) -> None:
    if faults.outage is None:
        # Run without test_redis_stopped_10s (alone, or deselected): cause the same outage, so
        # the claim about it below is checked rather than skipped.
        _stop_redis(faults, 10)
        _assert_settled(faults)
    assert faults.probes and faults.watcher.statuses
    assert bad_statuses(faults.probes + faults.watcher.statuses) == []
    unexpected = [(p, s) for p, s, _ in faults.probes if 400 <= s < 500]
    assert unexpected == [], "a valid request was refused"
    first, last = faults.outage
    assert any(s == 503 for _, s, _ in faults.probes[first:last]), "no probe saw Redis away"
