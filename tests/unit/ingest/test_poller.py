from services.ingest.extract import enrich, extract_page, is_teaser
from services.ingest.feeds import RawItem, parse_feed
from services.ingest.poller import load_feeds, parse_interval

from .helpers import GOOD, PAGES


def test_feed_list_resolves_relative_urls_against_the_base(tmp_path):
    path = tmp_path / "feeds.toml"
    path.write_text(
        '[[feeds]]\nurl = "feeds/a.xml"\noutlet = "A"\nlanguage = "en"\npoll_interval = "5m"\n'
        '[[feeds]]\nurl = "https://b.example/rss"\noutlet = "B"\nparent = "B Group"\n'
    )
    feeds = load_feeds(path, "http://127.0.0.1:9000/examples")
    assert [f.url for f in feeds] == [
        "http://127.0.0.1:9000/examples/feeds/a.xml", "https://b.example/rss",
    ]  # fmt: skip
    assert (feeds[0].outlet, feeds[0].language, feeds[0].poll_interval) == ("A", "en", 300.0)
    assert (feeds[1].parent, feeds[1].poll_interval) == ("B Group", 300.0)
    assert load_feeds(path)[0].url == (tmp_path / "feeds" / "a.xml").as_uri()


def test_intervals():
    assert parse_interval(90, 1) == 90
    assert parse_interval("1h", 1) == 3600
    assert parse_interval(None, 42) == 42


def test_a_teaser_gets_the_page_text_author_time_and_image():
    feed = parse_feed((GOOD / "rss20.xml").read_bytes())
    full, teaser = feed.items[0], feed.items[1]
    assert not is_teaser(full, 600)
    assert is_teaser(teaser, 600)
    teaser.published = None
    page = extract_page((PAGES / "storm-warning.html").read_text(), teaser.link)
    assert "amber warning" in page.text
    assert "Copyright" not in page.text and "Subscribe" not in page.text
    merged = enrich(teaser, page)
    assert merged.author == "Tom Reyes"
    assert merged.published is not None and merged.published.isoformat().startswith("2025-06-10")
    assert merged.image_url == "https://gazette.example/img/storm.jpg"
    assert merged.canonical_url == "https://gazette.example/news/storm-warning"
    assert merged.summary.startswith("Forecasters expect")


def test_enrich_keeps_feed_values_it_already_has():
    raw = RawItem(link="https://x.example/a", title="Feed title", author="Feed Author")
    page = extract_page((PAGES / "storm-warning.html").read_text(), raw.link)
    merged = enrich(raw, page)
    assert (merged.title, merged.author) == ("Feed title", "Feed Author")
