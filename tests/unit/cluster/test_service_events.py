"""Article -> engine record, event time, and event specs -> StoryEvent messages."""

from newsbrief.v1 import newsbrief_pb2 as pb
from services.cluster.events import article_dict, event_time, story_event
from services.cluster.ledger import ARTICLE_ADDED, MERGED, EventSpec


def article(published=0, ingested=0, **fields):
    message = pb.Article(article_id="a1", title="T", text="Body", language="en", **fields)
    if published:
        message.published_at.FromSeconds(published)
    if ingested:
        message.ingested_at.FromSeconds(ingested)
    return message


def test_event_time_is_published_but_never_after_ingestion():
    assert event_time(article(published=100, ingested=200)) == 100
    assert event_time(article(published=900, ingested=200)) == 200  # publisher clock ahead
    assert event_time(article(ingested=200)) == 200
    assert event_time(article()) is None


def test_engine_record_has_the_bench_fields():
    record = article_dict(article(published=86400, summary="S", duplicate_of="a0", url="u"))
    assert record["id"] == "a1" and record["lang"] == "en" and record["duplicate_of"] == "a0"
    assert record["published"] == "1970-01-02T00:00:00+00:00"
    assert (
        article_dict(pb.Article(article_id="b", summary="only summary"))["text"] == "only summary"
    )
    assert article_dict(pb.Article(article_id="b"))["published"] is None


def test_story_event_carries_members_prefix_and_the_article():
    spec = EventSpec(ARTICLE_ADDED, "s1", 2, 2, 1.5, article_id="a1")
    event = story_event(spec, ["a0", "a1", "a9"], article())
    assert list(event.article_ids) == ["a0", "a1"]  # members at the time of the event
    assert event.kind == pb.StoryEvent.ARTICLE_ADDED and event.sequence == 2
    assert event.article.article_id == "a1"
    assert event.at.ToNanoseconds() == 1_500_000_000


def test_merge_event_has_absorbed_ids_and_no_article():
    spec = EventSpec(MERGED, "s1", 3, 3, None, absorbed=["s2"])
    event = story_event(spec, ["a0", "a1", "a2"], article())
    assert list(event.absorbed_story_ids) == ["s2"]
    assert not event.HasField("article") and not event.HasField("at")
