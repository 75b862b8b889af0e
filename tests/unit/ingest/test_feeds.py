from datetime import UTC, datetime

import pytest

from services.ingest.feeds import parse_date, parse_feed
from services.ingest.safety import Rejected

from .helpers import GOOD


def test_rss20_items_carry_links_authors_sections_images_and_utc_times():
    feed = parse_feed((GOOD / "rss20.xml").read_bytes(), "application/rss+xml")
    assert feed.format == "rss20"
    assert feed.language == "en-gb"
    first = feed.items[0]
    assert first.link.startswith("https://gazette.example/news/harbour-bridge")
    assert first.author == "Mara Quinn"
    assert first.section == "Local"
    assert first.image_url == "https://gazette.example/img/bridge.jpg"
    assert first.published == datetime(2025, 6, 10, 7, 30, tzinfo=UTC)
    assert "412 million" in first.content
    assert len(feed.items) == 3


def test_rdf_atom_jsonfeed_and_news_sitemap_are_understood():
    rdf = parse_feed((GOOD / "rdf.xml").read_bytes())
    assert rdf.format == "rss10"
    assert rdf.items[0].published == datetime(2025, 6, 9, 17, 45, tzinfo=UTC)
    atom = parse_feed((GOOD / "atom.xml").read_bytes())
    assert atom.format.startswith("atom")
    assert atom.items[0].title == "La grève des transports se poursuit"
    assert atom.items[0].author == "Claire Dubois"
    jf = parse_feed((GOOD / "feed.json").read_bytes(), "application/feed+json")
    assert jf.format == "jsonfeed"
    assert jf.items[0].author == "Sam Okafor"
    assert jf.items[0].published == datetime(2025, 6, 10, 5, tzinfo=UTC)
    sitemap = parse_feed((GOOD / "news-sitemap.xml").read_bytes())
    assert sitemap.format == "news-sitemap"
    item = sitemap.items[0]
    assert (item.outlet, item.language, item.title) == (
        "Metro Daily", "en", "New tram line opens to passengers",
    )  # fmt: skip
    assert item.published == datetime(2025, 6, 10, 6, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "feed_empty"),
        (b"hello there", "feed_unrecognised"),
        (b"<html><body>not a feed</body></html>", "feed_unrecognised"),
        (b'{"version": "nope"}', "feed_unrecognised"),
        (b"{not json", "json_malformed"),
    ],
)
def test_bodies_that_are_not_feeds_are_refused(body, reason):
    with pytest.raises(Rejected) as info:
        parse_feed(body)
    assert info.value.reason == reason


def test_parse_date_handles_iso_rfc822_naive_and_garbage():
    assert parse_date("2025-06-10T05:00:00Z") == datetime(2025, 6, 10, 5, tzinfo=UTC)
    assert parse_date("Tue, 10 Jun 2025 08:30:00 +0100") == datetime(2025, 6, 10, 7, 30, tzinfo=UTC)
    assert parse_date("2025-06-10 05:00:00") == datetime(2025, 6, 10, 5, tzinfo=UTC)
    assert parse_date("yesterday-ish") is None
