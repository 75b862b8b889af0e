"""The publishing order of a poll round: oldest first across feeds, stable, undated last."""

from datetime import UTC, datetime, timedelta

from services.ingest.feeds import RawItem
from services.ingest.normalise import Context
from services.ingest.ordering import feed_runs, publish_order
from services.ingest.pipeline import Outcome, Pipeline

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def item(pipeline: Pipeline, slug: str, hours_ago: float | None, raw_date: str = "") -> Outcome:
    """One item of a feed, through the real pipeline (so flags are what ingest sets)."""
    published = NOW - timedelta(hours=hours_ago) if hours_ago is not None else None
    raw = RawItem(
        link=f"https://news.example/{slug}",
        title=f"Story {slug} about the {slug} matter",
        summary=f"Body of {slug}: " + " ".join(f"{slug}{i}" for i in range(30)),
        published=published,
        published_raw=raw_date,
    )
    return pipeline.item(raw, Context("https://feeds.example/x", outlet="X", language="en"), NOW)


def slugs(ordered: list[tuple[int, Outcome]]) -> list[str]:
    return [o.item_ref.rsplit("/", 1)[-1] if o.article is None else o.article.url[21:]
            for _, o in ordered]  # fmt: skip


def test_a_round_is_published_oldest_first_across_feeds():
    p = Pipeline()
    # Feeds list newest first, as RSS does; each feed alone would go out as one block.
    ledger = [item(p, "l-new", 1), item(p, "l-old", 30)]
    courier = [item(p, "c-new", 2), item(p, "c-mid", 10), item(p, "c-old", 40)]
    ordered = publish_order([ledger, courier])
    assert slugs(ordered) == ["c-old", "l-old", "c-mid", "c-new", "l-new"]
    assert [index for index, _ in ordered] == [1, 0, 1, 1, 0]


def test_equal_times_keep_feed_order_then_item_order():
    p = Pipeline()
    first = [item(p, "a1", 5), item(p, "a2", 5)]
    second = [item(p, "b1", 5), item(p, "b0", 6)]
    assert slugs(publish_order([first, second])) == ["b0", "a1", "a2", "b1"]


def test_items_without_a_date_of_their_own_follow_the_dated_ones_in_feed_order():
    p = Pipeline()
    first = [item(p, "a-missing", None), item(p, "a-dated", 3)]
    second = [
        item(p, "b-unparseable", None, raw_date="the day before yesterday"),
        item(p, "b-future", -48),  # two days ahead: clamped to now and flagged
        item(p, "b-dated", 9),
    ]
    ordered = publish_order([first, second])
    assert slugs(ordered) == ["b-dated", "a-dated", "a-missing", "b-unparseable", "b-future"]
    flags = [set(o.article.flags) for _, o in ordered[2:]]
    assert flags == [{"published_missing"}, {"published_unparseable"}, {"published_in_future"}]


def test_rejections_carry_no_date_and_follow_the_dated_items():
    p = Pipeline()
    rejected = p.item(RawItem(title="no link"), Context("https://feeds.example/x"), NOW)
    ordered = publish_order([[rejected, item(p, "a", 4)], [item(p, "b", 1)]])
    assert [(o.status, o.reason) for _, o in ordered] == [
        ("accepted", ""), ("accepted", ""), ("rejected", "item_without_link"),
    ]  # fmt: skip


def test_a_wire_copy_never_goes_before_its_original_in_the_round():
    p = Pipeline()
    original = item(p, "wire", 2)
    copy = item(p, "copy", 6)  # the outlet's copy carries an earlier time than the wire
    copy.article.duplicate_of = original.article.article_id
    tied = item(p, "tied", 2)
    tied.article.duplicate_of = original.article.article_id
    ordered = publish_order([[copy, tied], [item(p, "other", 3), original]])
    assert slugs(ordered) == ["other", "wire", "copy", "tied"]


def test_a_copy_of_an_article_outside_the_round_keeps_its_own_time():
    p = Pipeline()
    copy = item(p, "copy", 6)
    copy.article.duplicate_of = "an-article-of-an-earlier-round"
    assert slugs(publish_order([[item(p, "newer", 1)], [copy]])) == ["copy", "newer"]


def test_consecutive_items_of_one_feed_form_one_run():
    p = Pipeline()
    a = [item(p, "a1", 9), item(p, "a2", 8), item(p, "a3", 1)]
    b = [item(p, "b1", 5)]
    runs = feed_runs(publish_order([a, b]))
    assert [(index, len(run)) for index, run in runs] == [(0, 2), (1, 1), (0, 1)]
    assert publish_order([]) == [] and feed_runs([]) == []
