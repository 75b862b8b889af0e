"""Every sample and hostile fixture through parse + normalise + dedup."""

from services.ingest.normalise import Context
from services.ingest.pipeline import (
    ACCEPTED,
    DUPLICATE_RESULT,
    REJECTED,
    Pipeline,
    rejection_message,
)

from .helpers import GOOD, HOSTILE


def run(path, pipeline=None):
    return (pipeline or Pipeline()).feed(path.read_bytes(), None, Context(f"file:{path.name}"))


def test_every_sample_feed_yields_accepted_articles():
    for path in sorted(GOOD.iterdir()):
        outcomes = run(path)
        assert outcomes, path.name
        assert all(o.status == ACCEPTED for o in outcomes), path.name
        assert all(o.article.title and o.article.language for o in outcomes), path.name


def test_a_hostile_feed_is_one_rejection_with_its_reason():
    expected = {
        "billion-laughs.xml": "xml_entities_forbidden",
        "external-entity.xml": "xml_external_entity",
        "malformed.xml": "xml_malformed",
        "wrong-encoding.xml": "encoding_invalid",
        "missing-encoding.xml": "encoding_invalid",
        "unknown-encoding.xml": "encoding_unknown",
    }
    for name, reason in expected.items():
        outcomes = run(HOSTILE / name)
        assert [(o.status, o.reason) for o in outcomes] == [(REJECTED, reason)], name


def test_bad_items_are_rejected_and_the_rest_of_the_feed_goes_through():
    outcomes = run(HOSTILE / "empty-items.xml")
    assert [o.reason for o in outcomes if o.status == REJECTED] == [
        "item_without_link", "item_without_link", "item_empty", "link_invalid",
    ]  # fmt: skip
    assert [o.article.title for o in outcomes if o.status == ACCEPTED] == ["Fine item"]


def test_script_in_titles_is_rejected_and_plain_markup_is_stripped():
    outcomes = run(HOSTILE / "script-title.xml")
    assert [o.reason for o in outcomes if o.status == REJECTED] == ["title_script", "title_script"]
    (kept,) = [o.article for o in outcomes if o.status == ACCEPTED]
    assert kept.title == "Budget passes first vote"
    assert kept.text == "The budget passed."  # the script in the body is gone too
    assert "<" not in kept.title + kept.text


def test_a_declared_latin1_feed_is_decoded():
    (outcome,) = run(HOSTILE / "latin1-declared.xml")
    assert outcome.article.title == "Le café rouvre"


def test_reingesting_a_feed_reports_duplicates():
    pipeline = Pipeline()
    run(GOOD / "rss20.xml", pipeline)
    again = run(GOOD / "rss20.xml", pipeline)
    assert {o.status for o in again} == {DUPLICATE_RESULT}
    assert {o.reason for o in again} == {"same_url"}


def test_rejection_messages_carry_reason_source_and_payload_head():
    (outcome,) = run(HOSTILE / "billion-laughs.xml")
    message = rejection_message(outcome, "https://laughs.example/rss")
    assert (message.service, message.reason) == ("ingest", "xml_entities_forbidden")
    assert message.source == "https://laughs.example/rss"
    assert message.payload_head.startswith(b"<?xml")
    assert message.at.seconds > 0


def test_an_article_too_large_to_publish_is_rejected_and_not_remembered():
    from newsbrief.ids import article_id
    from services.ingest.feeds import RawItem

    pipeline = Pipeline(max_article_bytes=2_000)
    huge = RawItem(link="https://a.example/long", title="Long read", content="word " * 1000)
    outcome = pipeline.item(huge, Context("push"))
    assert (outcome.status, outcome.reason) == (REJECTED, "article_too_large")
    assert not pipeline.dedup.seen(article_id("https://a.example/long"))  # a retry is not a dup
    small = RawItem(link="https://a.example/short", title="Short", content="word " * 100)
    assert pipeline.item(small, Context("push")).status == ACCEPTED
