"""Feeds due together are published as one round, oldest item first (loopback HTTP, real broker)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from test_ingest_poller import settings_for, write_feed_list
from test_ingest_support import FixtureServer, read_topic

from newsbrief.infra import free_ports
from newsbrief.topics import ARTICLES, REJECTED, create_topics, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest.app import build_poller
from services.ingest.metrics import IngestMetrics
from services.ingest.pipeline import Pipeline
from services.ingest.publisher import Publisher

START = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
WORDS = ["harbour", "budget", "tram", "storm", "court", "vote", "strike", "market", "summit"]


def rss(outlet: str, items: list[tuple[str, int]]) -> bytes:
    """An RSS feed whose items (slug, hours after START) are listed newest first."""
    entries = []
    for slug, hours in sorted(items, key=lambda entry: -entry[1]):
        when = format_datetime(START + timedelta(hours=hours))
        # Distinct words per item: nothing here may look like a near duplicate of another.
        body = " ".join(f"{w}{slug}{i}" for i, w in enumerate(WORDS * 3))
        entries.append(
            f"<item><title>{outlet} {slug}</title><link>https://{outlet}.example/{slug}</link>"
            f"<pubDate>{when}</pubDate><description>{body}</description></item>"
        )
    channel = f"<channel><title>{outlet}</title>{''.join(entries)}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


FEEDS = {
    "ledger": [("l1", 1), ("l5", 50), ("l9", 90)],
    "courier": [("c2", 20), ("c3", 30), ("c8", 80)],
    "wire": [("w0", 0), ("w4", 40), ("w6", 60), ("w7", 70)],
}


@pytest.fixture
def one_partition_prefix(kafka_bootstrap: str, unique_name: str) -> str:
    """Topics of one partition: the topic's order is then the whole round's order."""
    prefix = unique_name + "-one"
    create_topics(kafka_bootstrap, prefix, partitions=1)
    return prefix


def serve_feeds(server: FixtureServer, feeds: dict[str, list[tuple[str, int]]]) -> list[str]:
    for name, items in feeds.items():
        server.add(f"/{name}.xml", 200, rss(name, items), Content_Type="application/rss+xml",
                   ETag=f'"{name}-v1"')  # fmt: skip
    return [f"{name}.xml" for name in feeds]


def slugs(articles) -> list[str]:
    return [a.url.rsplit("/", 1)[-1] for _, a in articles]


async def test_a_round_goes_out_oldest_first_across_feeds_and_advances_every_feed(
    kafka_bootstrap, one_partition_prefix, tmp_path
):
    prefix = one_partition_prefix
    with FixtureServer() as server:
        paths = serve_feeds(server, FEEDS)
        server.add("/logo.png", 200, b"\x89PNG\r\n", Content_Type="image/png")
        feeds_file = write_feed_list(tmp_path, [*paths, "logo.png"])
        settings = settings_for(kafka_bootstrap, prefix, feeds_file, server.base, full_text=False)
        publisher = Publisher(kafka_bootstrap, prefix)
        metrics = IngestMetrics()
        poller = build_poller(settings, Pipeline(), publisher, metrics)
        try:
            reports = await poller.poll_round(poller.feeds)
            again = await poller.poll_round(poller.feeds[:3])
        finally:
            publisher.close()

    articles = read_topic(kafka_bootstrap, topic_name(prefix, ARTICLES), pb.Article, 10)
    # Feed by feed this would be l9 l5 l1 c8 c3 c2 w7 w6 w4 w0.
    assert slugs(articles) == ["w0", "l1", "c2", "c3", "w4", "l5", "w6", "w7", "c8", "l9"]
    assert all(r.delivered for r in reports)
    assert [poller.state[f.url].etag for f in poller.feeds[:3]] == [
        '"ledger-v1"', '"courier-v1"', '"wire-v1"',
    ]  # fmt: skip
    # The refused feed's rejection is still published, and only that feed counts a failure.
    rejected = read_topic(kafka_bootstrap, topic_name(prefix, REJECTED), pb.RejectedInput, 1)
    assert [(r.reason, r.source) for _, r in rejected] == [
        ("content_type_unsupported", server.base + "/logo.png")
    ]
    assert [s.failures for s in poller.state.values()] == [0, 0, 0, 1]
    assert metrics.articles.labels("accepted")._value.get() == 10
    assert metrics.rejected.labels("content_type_unsupported")._value.get() == 1
    assert all(r.not_modified and not r.outcomes for r in again)


class _SlowFeed(BaseHTTPRequestHandler):
    body = b""
    delay = 0.0

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        time.sleep(self.delay)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", '"slow-v1"')
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


class SlowServer:
    """One feed on loopback that answers only after `delay` seconds."""

    def __init__(self, body: bytes, delay: float) -> None:
        handler = type("Slow", (_SlowFeed,), {"body": body, "delay": delay})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/slow.xml"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SlowServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


async def test_a_slow_feed_is_published_on_its_own_after_the_grace_period(
    kafka_bootstrap, one_partition_prefix, tmp_path
):
    prefix = one_partition_prefix
    fast = {"ledger": FEEDS["ledger"], "courier": FEEDS["courier"]}
    # The slow feed holds the oldest item: waiting for it would have put it first.
    slow_body = rss("slow", [("s00", -5), ("s99", 99)])
    with FixtureServer() as server, SlowServer(slow_body, delay=4.0) as slow:
        feeds_file = write_feed_list(tmp_path, [*serve_feeds(server, fast), slow.url])
        settings = settings_for(
            kafka_bootstrap, prefix, feeds_file, server.base, full_text=False,
            round_grace_s=0.5, fetch_timeout_s=10.0,
        )  # fmt: skip
        publisher = Publisher(kafka_bootstrap, prefix)
        poller = build_poller(settings, Pipeline(), publisher, IngestMetrics())
        fast_urls = [feed.url for feed in poller.feeds[:2]]
        try:
            started = time.monotonic()
            round_task = asyncio.create_task(poller.poll_round(poller.feeds))
            while not all(poller.state[url].etag for url in fast_urls):
                assert time.monotonic() - started < 3.5, "the fast feeds waited for the slow one"
                await asyncio.sleep(0.05)
            assert not round_task.done() and poller.state[slow.url].etag == ""
            reports = await round_task
        finally:
            publisher.close()

    assert all(r.delivered for r in reports)
    assert poller.state[slow.url].etag == '"slow-v1"'
    articles = read_topic(kafka_bootstrap, topic_name(prefix, ARTICLES), pb.Article, 8)
    assert slugs(articles) == ["l1", "c2", "c3", "l5", "c8", "l9", "s00", "s99"]


async def test_a_round_the_broker_refused_is_sent_again_whole_and_once(
    kafka_bootstrap, one_partition_prefix, tmp_path
):
    prefix = one_partition_prefix
    pipeline = Pipeline()  # one duplicate memory for both attempts, as in one process
    (nobody,) = free_ports(1)
    with FixtureServer() as server:
        feeds_file = write_feed_list(tmp_path, serve_feeds(server, FEEDS))
        settings = settings_for(kafka_bootstrap, prefix, feeds_file, server.base, full_text=False)
        # A broker that cannot be asked: nothing of the round may be queued, no feed advances.
        refused = Publisher(f"127.0.0.1:{nobody}", prefix, max_block_ms=1000)
        metrics = IngestMetrics()
        poller = build_poller(settings, pipeline, refused, metrics)
        try:
            first = await poller.poll_round(poller.feeds)
        finally:
            refused.close(timeout=1)
        assert not any(r.delivered for r in first)
        states = poller.state.values()
        assert all(s.etag == "" and s.last_error == "delivery_failed" for s in states)
        assert metrics.producer_errors._value.get() == 3
        assert metrics.articles.labels("accepted")._value.get() == 0

        publisher = Publisher(kafka_bootstrap, prefix)
        retry = build_poller(settings, pipeline, publisher, IngestMetrics())
        try:
            second = await retry.poll_round(retry.feeds)
        finally:
            publisher.close()
    assert all(r.delivered for r in second)
    articles = read_topic(kafka_bootstrap, topic_name(prefix, ARTICLES), pb.Article, 10)
    assert slugs(articles) == ["w0", "l1", "c2", "c3", "w4", "l5", "w6", "w7", "c8", "l9"]
