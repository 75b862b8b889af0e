"""A restarted ingest resumes from its state file: no re-publishing, no forgotten positions."""

from __future__ import annotations

from test_ingest_poller import settings_for, write_feed_list
from test_ingest_support import FIXTURES, FixtureServer, read_topic

from newsbrief.topics import ARTICLES, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest.app import build_pipeline, build_poller, open_store
from services.ingest.metrics import IngestMetrics
from services.ingest.publisher import Publisher


async def run_once(settings, publisher: Publisher):
    """One 'process lifetime': open the state, poll every feed once, close the state."""
    store = open_store(settings)
    try:
        poller = build_poller(
            settings, build_pipeline(settings, store), publisher, IngestMetrics(), store
        )
        return [await poller.poll(feed) for feed in poller.feeds]
    finally:
        store.close()


async def test_a_restart_neither_republishes_nor_refetches(kafka_bootstrap, topic_prefix, tmp_path):
    with FixtureServer() as server:
        rss = (FIXTURES / "good" / "rss20.xml").read_bytes()
        server.add("/etag.xml", 200, rss, Content_Type="application/xml", ETag='"e1"')
        # No validators: only the remembered article ids can stop a re-publish.
        atom = (FIXTURES / "good" / "atom.xml").read_bytes()
        server.add("/plain.xml", 200, atom, Content_Type="application/xml")
        feeds_file = write_feed_list(tmp_path, ["etag.xml", "plain.xml"])
        settings = settings_for(
            kafka_bootstrap, topic_prefix, feeds_file, server.base,
            full_text=False, data_dir=str(tmp_path / "state"),
        )  # fmt: skip
        publisher = Publisher(kafka_bootstrap, topic_prefix)
        try:
            first = await run_once(settings, publisher)
            second = await run_once(settings, publisher)
        finally:
            publisher.close()

    assert all(r.delivered for r in first)
    assert [len(r.outcomes) for r in first] == [3, 1]
    etag_feed, plain_feed = second
    assert etag_feed.not_modified  # the ETag survived the restart
    assert [o.status for o in plain_feed.outcomes] == ["duplicate"]
    assert plain_feed.outcomes[0].reason == "same_url"
    articles = read_topic(kafka_bootstrap, topic_name(topic_prefix, ARTICLES), pb.Article, 4)
    assert len(articles) == 4
