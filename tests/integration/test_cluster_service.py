"""The cluster worker on a real broker: articles in, story events out, crash-safe and sharded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer, KafkaProducer

from newsbrief.bench_scaleout import final_stories as story_members
from newsbrief.codec import decode, encode
from newsbrief.infra import free_ports
from newsbrief.topics import ARTICLES, STORY_EVENTS, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.cluster.config import ClusterSettings
from services.cluster.processor import ShardProcessor

ROOT = Path(__file__).resolve().parents[2]
BASE_TS = 1_780_000_000

# (language, event key, title, text): a few articles per event, two languages.
SAMPLES = [
    (
        "en",
        "quake",
        "Earthquake strikes Chile coast near Valparaiso",
        "A strong earthquake struck the Chilean coast near Valparaiso, damaging buildings.",
    ),
    (
        "en",
        "rates",
        "Central bank raises interest rates to curb inflation",
        "The central bank raised its benchmark interest rate by half a point to curb inflation.",
    ),
    (
        "de",
        "wahl",
        "Bürgermeisterwahl in Leipzig: Stichwahl nötig",
        "Bei der Bürgermeisterwahl in Leipzig erreichte kein Kandidat die absolute Mehrheit.",
    ),
    (
        "en",
        "quake",
        "Chile earthquake: tsunami warning for Valparaiso",
        "Officials issued a tsunami warning after the earthquake near Valparaiso in Chile.",
    ),
    (
        "de",
        "hochwasser",
        "Hochwasser an der Oder: Pegel steigen weiter",
        "An der Oder steigen die Pegel weiter, Deiche werden verstärkt, Hochwasser erwartet.",
    ),
    (
        "en",
        "rates",
        "Mortgage costs climb after central bank interest rate rise",
        "Banks raised mortgage costs after the central bank interest rate rise against inflation.",
    ),
    (
        "en",
        "mars",
        "Rover finds ancient lake sediments on Mars",
        "The Mars rover found ancient lake sediments in Jezero crater, scientists said.",
    ),
    (
        "de",
        "wahl",
        "Leipzig: Stichwahl um das Bürgermeisteramt",
        "In Leipzig kommt es zur Stichwahl um das Bürgermeisteramt, kein Kandidat hat Mehrheit.",
    ),
    (
        "en",
        "quake",
        "Valparaiso counts damage after Chile earthquake",
        "Residents of Valparaiso counted the damage after the earthquake shook Chile's coast.",
    ),
    (
        "de",
        "hochwasser",
        "Oder-Hochwasser: Deiche halten vorerst",
        "Die Deiche an der Oder halten dem Hochwasser vorerst stand, die Pegel steigen langsamer.",
    ),
    (
        "en",
        "mars",
        "Jezero crater lake sediments excite Mars scientists",
        "Mars scientists said lake sediments in Jezero crater could hold signs of ancient life.",
    ),
    (
        "en",
        "rates",
        "Inflation fight: central bank signals more interest rate rises",
        "The central bank signalled more interest rate rises to bring inflation down.",
    ),
]


def sample_articles(languages: tuple[str, ...] = ("en", "de"), rounds: int = 1) -> list[pb.Article]:
    """Sample articles in arrival order, plus a wire copy (duplicate_of) of the first one.

    With rounds > 1 every sample comes back as a follow-up report (fresh id, same event).
    """
    out = []
    for r in range(rounds):
        for i, (lang, _, title, text) in enumerate(SAMPLES):
            if lang not in languages:
                continue
            article = pb.Article(
                article_id=f"a_{i:03d}" + (f"_{r}" if r else ""),
                title=title,
                text=text + (f" Update {r}." if r else ""),
                language=lang,
                outlet=f"Outlet {(i + r) % 3}",
            )
            article.published_at.FromSeconds(BASE_TS + 600 * (len(out) + 1))
            out.append(article)
    copy = pb.Article()
    copy.CopyFrom(out[0])
    copy.article_id, copy.duplicate_of, copy.outlet = "a_copy", out[0].article_id, "Wire"
    copy.published_at.FromSeconds(BASE_TS + 600 * (len(out) + 1))
    out.append(copy)
    return out


def expected_stories(articles: list[pb.Article], settings: ClusterSettings) -> set[frozenset]:
    """What an uninterrupted run decides: the same processor over a plain dict, in order."""
    processor = ShardProcessor({}, settings)
    events = [e for offset, a in enumerate(articles) for e in processor.process(a, 0, offset)]
    return final_stories(events)


def final_stories(events: list[pb.StoryEvent]) -> set[frozenset]:
    """Member sets of the stories still standing once every event is applied."""
    return set(story_members(events).values())


def settings_for(prefix: str, bootstrap: str, app_id: str, **extra) -> ClusterSettings:
    """Test settings: 2 shard partitions, en and de pinned apart, fast failure detection."""
    values = {
        "kafka_bootstrap": bootstrap,
        "topic_prefix": prefix,
        "app_id": app_id,
        "shard_partitions": 2,
        "shard_pins": "en=0,de=1",
        "session_timeout_seconds": 8.0,
    }
    return ClusterSettings(**{**values, **extra})


def publish(bootstrap: str, prefix: str, articles: list[pb.Article]) -> None:
    """Publish articles keyed by article_id, all to partition 0 so their order is fixed."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for article in articles:
        producer.send(
            topic_name(prefix, ARTICLES),
            key=article.article_id.encode(),
            value=encode(article),
            partition=0,
        )
    producer.flush()
    producer.close()


class Worker:
    """A `newsbrief serve cluster` subprocess configured through NEWSBRIEF_CLUSTER_* variables."""

    def __init__(self, settings: ClusterSettings, log_path: Path) -> None:
        self.port = free_ports(1)[0]
        env = {**os.environ, "NEWSBRIEF_CLUSTER_WEB_PORT": str(self.port)}
        for name in (
            "kafka_bootstrap",
            "topic_prefix",
            "app_id",
            "shard_partitions",
            "shard_pins",
            "session_timeout_seconds",
            "flush_every",
        ):
            env[f"NEWSBRIEF_CLUSTER_{name.upper()}"] = str(getattr(settings, name))
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        cmd = [sys.executable, "-c", "from newsbrief.cli import main; main()", "serve", "cluster"]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"http://127.0.0.1:{self.port}{path}", timeout=5)

    def kill(self) -> None:
        """kill -9: no shutdown, no final commit."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture
def workers(tmp_path):
    """Start workers with start(settings); every one is stopped after the test."""
    started: list[Worker] = []

    def start(settings: ClusterSettings) -> Worker:
        worker = Worker(settings, tmp_path / f"worker{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


class EventReader:
    """Reads story events from the start of the topic and accumulates them."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.consumer = KafkaConsumer(
            topic_name(prefix, STORY_EVENTS),
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        self.events: list[pb.StoryEvent] = []

    def read_until(self, done, timeout: float) -> list[pb.StoryEvent]:
        """Poll until done(events) holds or timeout; return all events read so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not done(self.events):
            for records in self.consumer.poll(timeout_ms=500).values():
                self.events += [decode(pb.StoryEvent, r.value) for r in records]
        return self.events

    def settle(self, seconds: float) -> list[pb.StoryEvent]:
        """Keep reading for a while, to catch late or duplicate events."""
        return self.read_until(lambda _: False, seconds)

    def close(self) -> None:
        self.consumer.close()


@pytest.fixture
def reader(kafka_bootstrap, topic_prefix):
    reader = EventReader(kafka_bootstrap, topic_prefix)
    yield reader
    reader.close()


def covers(article_ids):
    """Predicate: the final stories hold every one of article_ids."""
    wanted = set(article_ids)
    return lambda events: wanted <= set().union(*final_stories(events))


def assert_partition(stories: set[frozenset], article_ids: list[str]) -> None:
    """Every article is in exactly one story."""
    members = [aid for story in stories for aid in story]
    assert sorted(members) == sorted(article_ids)


def test_worker_clusters_articles_into_story_events(
    kafka_bootstrap, topic_prefix, unique_name, workers, reader
):
    settings = settings_for(topic_prefix, kafka_bootstrap, unique_name)
    articles = sample_articles()
    publish(kafka_bootstrap, topic_prefix, articles)
    worker = workers(settings)
    ids = [a.article_id for a in articles]
    events = reader.read_until(covers(ids), timeout=90)

    stories = final_stories(events)
    assert_partition(stories, ids)
    assert stories == expected_stories(articles, settings)
    story_of = {aid: story for story in stories for aid in story}
    assert story_of["a_copy"] == story_of["a_000"]  # the wire copy joins its original's story
    quake = {f"a_{i:03d}" for i, s in enumerate(SAMPLES) if s[1] == "quake"}
    assert quake | {"a_copy"} in stories
    for event in events:
        if event.kind in (pb.StoryEvent.CREATED, pb.StoryEvent.ARTICLE_ADDED):
            assert event.article.article_id == event.article_ids[-1]
    per_story: dict[str, list[int]] = {}
    for event in events:
        per_story.setdefault(event.story_id, []).append(event.sequence)
    for sequences in per_story.values():
        assert sequences == list(range(1, len(sequences) + 1))
    assert worker.get("/healthz").json()["status"] == "ok"

    # Replays: publishing every article again changes nothing.
    publish(kafka_bootstrap, topic_prefix, articles)
    before = len(events)
    assert len(reader.settle(8)) == before


# flush_every 5: the kill lands among frequent flushes (segments, checkpoints, deletes);
# 200: no flush at all, the restart rebuilds everything from WAL entries.
@pytest.mark.parametrize("flush_every", [5, 200])
def test_kill_9_mid_stream_then_restart_equals_uninterrupted_run(
    kafka_bootstrap, topic_prefix, unique_name, workers, reader, flush_every
):
    settings = settings_for(topic_prefix, kafka_bootstrap, unique_name, flush_every=flush_every)
    articles = sample_articles(("en",), rounds=8)
    head = 8
    publish(kafka_bootstrap, topic_prefix, articles[:head])
    first = workers(settings)
    reader.read_until(covers([a.article_id for a in articles[:2]]), timeout=90)
    publish(kafka_bootstrap, topic_prefix, articles[head:])
    time.sleep(0.3)  # let it get some way into the rest, then pull the plug
    assert first.proc.poll() is None
    first.kill()

    workers(settings)
    ids = [a.article_id for a in articles]
    events = reader.read_until(covers(ids), timeout=120)
    stories = final_stories(events)
    assert_partition(stories, ids)
    assert stories == expected_stories(articles, settings)


def test_two_workers_share_two_shards(kafka_bootstrap, topic_prefix, unique_name, workers, reader):
    settings = settings_for(topic_prefix, kafka_bootstrap, unique_name, standby_replicas=0)
    one, two = workers(settings), workers(settings)
    articles = sample_articles()
    ids = [a.article_id for a in articles]

    def owned() -> list[list[int]]:
        try:
            return [w.get("/assignment").json()["active"] for w in (one, two)]
        except httpx.HTTPError:
            return []

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and sorted(owned()) != [[0], [1]]:
        time.sleep(1)
    assert sorted(owned()) == [[0], [1]]  # each worker owns one shard partition

    publish(kafka_bootstrap, topic_prefix, articles)
    events = reader.read_until(covers(ids), timeout=90)
    stories = final_stories(events)
    assert_partition(stories, ids)
    assert stories == expected_stories(articles, settings)
    languages = {a.article_id: a.language for a in articles}
    assert all(len({languages[aid] for aid in story}) == 1 for story in stories)
