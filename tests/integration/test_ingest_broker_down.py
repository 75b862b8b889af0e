"""A broker outage in the middle of polling: nothing lost, nothing published twice.

The test runs a broker of its own (the session broker must never go down under other tests),
stops it while feeds are polled, and starts it again on the same data dir and port.
"""

from __future__ import annotations

import asyncio
import uuid

from test_ingest_poller import settings_for, write_feed_list
from test_ingest_support import FIXTURES, FixtureServer, read_topic

from newsbrief.infra import KafkaBroker
from newsbrief.topics import ARTICLES, create_topics, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest.app import build_poller
from services.ingest.metrics import IngestMetrics
from services.ingest.pipeline import Pipeline
from services.ingest.publisher import Publisher

# Longer than the ack timeout the poller is given: a producer that gave up would have by then.
OUTAGE_S = 8.0
FEEDS = {"a.xml": "atom.xml", "b.xml": "rss20.xml", "c.xml": "rdf.xml"}  # 1 + 3 + 1 articles


def serve_feeds(server: FixtureServer) -> None:
    for path, fixture in FEEDS.items():
        body = (FIXTURES / "good" / fixture).read_bytes()
        server.add(f"/{path}", 200, body, Content_Type="application/xml", ETag=f'"{path}-v1"')


async def test_polls_during_a_broker_outage_arrive_once_each_after_it_returns(tmp_path):
    broker = KafkaBroker(tmp_path / "kafka").start(timeout=120)
    bootstrap, port = broker.bootstrap, broker.port
    prefix = "outage" + uuid.uuid4().hex[:8]
    create_topics(bootstrap, prefix, partitions=2)
    try:
        with FixtureServer() as server:
            serve_feeds(server)
            feeds_file = write_feed_list(tmp_path, list(FEEDS))
            settings = settings_for(
                bootstrap, prefix, feeds_file, server.base, full_text=False, ack_timeout_s=2
            )
            # The first poller's producer has met the broker; the second one starts during the
            # outage and has never seen it, so it cannot even learn the topics' partitions.
            warm = Publisher(bootstrap, prefix)
            cold = None
            poller = build_poller(settings, Pipeline(), warm, IngestMetrics())
            feed_a, feed_b, feed_c = poller.feeds
            try:
                assert (await poller.poll(feed_a)).delivered
                broker.stop()

                waiting = asyncio.create_task(poller.poll(feed_b))
                cold = Publisher(bootstrap, prefix, max_block_ms=1500)
                cold_poller = build_poller(settings, Pipeline(), cold, IngestMetrics())
                refused = await cold_poller.poll(cold_poller.feeds[2])
                await asyncio.sleep(OUTAGE_S)
                # The warm producer holds feed b's articles and keeps retrying them; the feed's
                # position (its ETag) must not move before the broker acknowledges them.
                assert not waiting.done()
                assert poller.state[feed_b.url].etag == ""
                assert not refused.delivered and refused.error == "delivery_failed"
                assert cold_poller.state[feed_c.url].etag == ""

                KafkaBroker(tmp_path / "kafka", port=port).start(timeout=120)
                report = await asyncio.wait_for(waiting, timeout=120)
                assert report.delivered and len(report.outcomes) == 3
                assert poller.state[feed_b.url].etag == '"b.xml-v1"'
                assert (await poller.poll(feed_b)).not_modified
                retried = await cold_poller.poll(cold_poller.feeds[2])
                assert retried.delivered
                assert cold_poller.state[feed_c.url].etag == '"c.xml-v1"'
            finally:
                warm.close()
                if cold is not None:
                    cold.close()

        articles = read_topic(bootstrap, topic_name(prefix, ARTICLES), pb.Article, 5, timeout=60)
    finally:
        broker.stop()
    ids = [article.article_id for _, article in articles]
    assert len(ids) == 5, sorted(ids)
    assert len(set(ids)) == 5
    titles = {article.title for _, article in articles}
    assert "Storm warning issued for the coast" in titles  # sent by feed b during the outage
