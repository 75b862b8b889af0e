"""Feed polling against a loopback HTTP server and a real broker: both topics checked."""

from __future__ import annotations

from collections import Counter

from test_ingest_support import FIXTURES, FixtureServer, read_topic

from newsbrief.topics import ARTICLES, REJECTED, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest.app import build_poller
from services.ingest.config import IngestSettings
from services.ingest.metrics import IngestMetrics
from services.ingest.pipeline import Pipeline
from services.ingest.publisher import Publisher

GOOD = ["rss20.xml", "rdf.xml", "atom.xml", "feed.json", "news-sitemap.xml"]
HOSTILE = [
    "billion-laughs.xml", "external-entity.xml", "malformed.xml", "wrong-encoding.xml",
    "missing-encoding.xml", "unknown-encoding.xml", "script-title.xml", "empty-items.xml",
]  # fmt: skip
EXPECTED_REJECTIONS = {
    "xml_entities_forbidden": 1, "xml_external_entity": 1, "xml_malformed": 1,
    "encoding_invalid": 2, "encoding_unknown": 1, "title_script": 2, "item_without_link": 2,
    "item_empty": 1, "link_invalid": 1, "body_too_large": 1, "content_type_unsupported": 1,
    "redirect_loop": 1, "address_blocked": 1,
}  # fmt: skip


def serve_everything(server: FixtureServer) -> list[str]:
    """Register every route; return the feed paths relative to the server root."""
    paths = []
    for name in GOOD:
        server.add_file(f"/good/{name}", FIXTURES / "good" / name)
        paths.append(f"good/{name}")
    for name in HOSTILE:
        server.add_file(f"/hostile/{name}", FIXTURES / "hostile" / name, "text/xml")
        paths.append(f"hostile/{name}")
    server.add(
        "/hostile/huge.xml", 200, b"<rss>" + b" " * 50_000 + b"</rss>", Content_Type="text/xml"
    )
    server.add("/hostile/logo.png", 200, b"\x89PNG\r\n", Content_Type="image/png")
    server.add("/hostile/loop-a", 302, Location="/hostile/loop-b")
    server.add("/hostile/loop-b", 302, Location="/hostile/loop-a")
    server.add("/hostile/to-metadata", 302, Location="http://169.254.169.254/latest/meta-data/")
    paths += ["hostile/huge.xml", "hostile/logo.png", "hostile/loop-a", "hostile/to-metadata"]
    return paths


def write_feed_list(tmp_path, paths: list[str]) -> str:
    entries = [f'[[feeds]]\nurl = "{p}"\noutlet = "Outlet {i}"\n' for i, p in enumerate(paths)]
    path = tmp_path / "feeds.toml"
    path.write_text("\n".join(entries))
    return str(path)


def settings_for(kafka_bootstrap, topic_prefix, feeds_file, base, **extra) -> IngestSettings:
    return IngestSettings(
        kafka_bootstrap=kafka_bootstrap,
        topic_prefix=topic_prefix,
        feeds_file=feeds_file,
        feeds_base_url=base + "/",
        allow_hosts="127.0.0.1",
        host_min_interval_s=0,
        fetch_retries=0,
        max_body_bytes=20_000,
        **extra,
    )


async def test_sample_and_hostile_feeds_land_on_articles_and_rejected(
    kafka_bootstrap, topic_prefix, tmp_path
):
    with FixtureServer() as server:
        feeds_file = write_feed_list(tmp_path, serve_everything(server))
        # Sample items link to *.example hosts: no page fetches, the test stays on loopback.
        settings = settings_for(
            kafka_bootstrap, topic_prefix, feeds_file, server.base, full_text=False
        )
        publisher = Publisher(kafka_bootstrap, topic_prefix)
        metrics = IngestMetrics()
        poller = build_poller(settings, Pipeline(), publisher, metrics)
        try:
            reports = [await poller.poll(feed) for feed in poller.feeds]
            assert all(r.delivered for r in reports if r.fetched)
            # Second round: nothing new may be published (dedup), and the service keeps going.
            again = [await poller.poll(feed) for feed in poller.feeds[: len(GOOD)]]
            assert all(r.delivered for r in again)
        finally:
            publisher.close()

    articles = read_topic(kafka_bootstrap, topic_name(topic_prefix, ARTICLES), pb.Article, 9)
    rejected = read_topic(kafka_bootstrap, topic_name(topic_prefix, REJECTED), pb.RejectedInput, 16)
    ids = [a.article_id for _, a in articles]
    assert len(ids) == len(set(ids)) == 9
    assert all(key == a.article_id for key, a in articles)
    titles = {a.title for _, a in articles}
    assert {"Fine item", "Budget passes first vote", "Le petit", "Metro"} - titles == {
        "Le petit",
        "Metro",
    }
    assert "New tram line opens to passengers" in titles
    assert all("<" not in a.title and a.source.startswith(server.base) for _, a in articles)
    reasons = Counter(r.reason for _, r in rejected)
    assert reasons == EXPECTED_REJECTIONS
    assert all(r.service == "ingest" and r.source.startswith(server.base) for _, r in rejected)
    assert metrics.rejected.labels("xml_entities_forbidden")._value.get() == 1
    assert metrics.articles.labels("accepted")._value.get() == 9


async def test_teaser_items_get_the_full_text_of_their_page(
    kafka_bootstrap, topic_prefix, tmp_path
):
    with FixtureServer() as server:
        page = server.add_file("/news/storm-warning", FIXTURES / "pages" / "storm-warning.html")
        rss = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>G</title><item>'
            f"<title>Storm warning issued for the coast</title><link>{page}</link>"
            "<description>Forecasters expect gusts of up to 90 km/h.</description>"
            "</item></channel></rss>"
        ).encode()
        server.add("/teasers.xml", 200, rss, Content_Type="application/rss+xml", ETag='"t1"')
        feeds_file = write_feed_list(tmp_path, ["teasers.xml"])
        settings = settings_for(kafka_bootstrap, topic_prefix, feeds_file, server.base)
        publisher = Publisher(kafka_bootstrap, topic_prefix)
        poller = build_poller(settings, Pipeline(), publisher, IngestMetrics())
        try:
            first = await poller.poll(poller.feeds[0])
            second = await poller.poll(poller.feeds[0])
        finally:
            publisher.close()
    assert first.delivered and not first.not_modified
    assert second.not_modified  # conditional GET with the stored ETag
    ((_, article),) = read_topic(kafka_bootstrap, topic_name(topic_prefix, ARTICLES), pb.Article, 1)
    assert "amber warning" in article.text and "\n\n" in article.text
    assert "Copyright" not in article.text
    assert article.author == "Tom Reyes"
    assert article.summary.startswith("Forecasters expect")
    assert article.published_at.ToDatetime().isoformat().startswith("2025-06-10")
    assert "published_missing" not in article.flags
