from datetime import UTC, datetime, timedelta

import pytest

from newsbrief.ids import article_id
from services.ingest.feeds import RawItem
from services.ingest.normalise import (
    Context,
    canonical_url,
    classify_kind,
    clean_inline,
    html_to_paragraphs,
    language_code,
    normalise,
    raw_from_mapping,
)
from services.ingest.safety import Rejected

NOW = datetime(2025, 6, 10, 12, tzinfo=UTC)
LONG_EN = (
    "The government announced a new plan for the railways on Tuesday, promising faster trains "
    "and lower fares for commuters across the country within the next five years."
)


def test_canonical_url_strips_tracking_sorts_query_and_drops_fragment_and_default_port():
    url = "HTTPS://News.Example:443//world//story?utm_source=x&b=2&fbclid=y&a=1#comments"
    assert canonical_url(url) == "https://news.example/world/story?a=1&b=2"
    assert (
        canonical_url("http://news.example:8080/a?utm_medium=rss") == "http://news.example:8080/a"
    )
    assert canonical_url("http://news.example") == "http://news.example/"


def test_canonical_url_refuses_non_http_links():
    with pytest.raises(Rejected, match="link_invalid"):
        canonical_url("javascript:alert(1)")


def test_html_to_paragraphs_drops_scripts_styles_and_tags_and_keeps_paragraphs():
    markup = (
        "<div><p>First &amp; <b>bold</b></p><script>evil()</script>"
        "<style>p{}</style><p>Second<br>line</p></div>"
    )
    assert html_to_paragraphs(markup) == ["First & bold", "Second", "line"]
    assert clean_inline("&lt;i&gt;Escaped&lt;/i&gt;   title") == "Escaped title"


def test_language_codes_and_kinds():
    assert language_code("en-GB") == "en"
    assert language_code("english") == ""
    assert classify_kind(["Politics", "Opinion"], "") == "opinion"
    assert classify_kind([], "News analysis") == "analysis"
    assert classify_kind(["World"], "Europe") == ""
    assert classify_kind(["essays"], "") == "opinion"


def test_normalise_builds_a_complete_article():
    raw = RawItem(
        link="https://news.example/a?utm_campaign=z",
        title="Rail <em>plan</em> unveiled",
        content=f"<p>{LONG_EN}</p><p>Second paragraph.</p>",
        summary="Short teaser",
        author="Ann Lee",
        section="Transport",
        image_url="/img/a.jpg",
        published=datetime(2025, 6, 10, 9, tzinfo=UTC),
    )
    article = normalise(raw, Context("feed:x", outlet="News Example", language="en"), NOW)
    assert article.canonical_url == "https://news.example/a"
    assert article.article_id == article_id("https://news.example/a")
    assert article.url == "https://news.example/a?utm_campaign=z"
    assert article.title == "Rail plan unveiled"
    assert article.text == f"{LONG_EN}\n\nSecond paragraph."
    assert article.summary == "Short teaser"
    assert article.image_url == "https://news.example/img/a.jpg"
    assert article.published_at.ToDatetime(UTC) == datetime(2025, 6, 10, 9, tzinfo=UTC)
    assert article.ingested_at.ToDatetime(UTC) == NOW
    assert (article.outlet, article.language, article.source) == ("News Example", "en", "feed:x")
    assert "title_markup_stripped" in article.flags
    assert article.content_hash


def test_missing_unparseable_and_future_dates_are_replaced_and_flagged():
    ctx = Context("s", language="en", future_tolerance=timedelta(minutes=10))
    missing = normalise(RawItem(link="https://n.example/1", title="T"), ctx, NOW)
    assert missing.published_at.ToDatetime(UTC) == NOW
    assert list(missing.flags) == ["published_missing"]
    garbled = normalise(
        RawItem(link="https://n.example/2", title="T", published_raw="soon"), ctx, NOW
    )
    assert list(garbled.flags) == ["published_unparseable"]
    future = RawItem(link="https://n.example/3", title="T", published=NOW + timedelta(days=2))
    assert list(normalise(future, ctx, NOW).flags) == ["published_in_future"]
    near = RawItem(link="https://n.example/4", title="T", published=NOW + timedelta(minutes=5))
    assert normalise(near, ctx, NOW).published_at.ToDatetime(UTC) == NOW + timedelta(minutes=5)


def test_a_date_before_1900_is_treated_as_unknown_and_flagged():
    ctx = Context("s", language="en")
    year_one = RawItem(
        link="https://n.example/5", title="T", published_raw="Mon, 01 Jan 0001 00:00:00 GMT"
    )
    article = normalise(year_one, ctx, NOW)
    assert article.published_at.ToDatetime(UTC) == NOW
    assert list(article.flags) == ["published_implausible"]
    archive = RawItem(
        link="https://n.example/6", title="T", published=datetime(1969, 7, 21, tzinfo=UTC)
    )
    assert normalise(archive, ctx, NOW).published_at.ToDatetime(UTC).year == 1969


def test_language_is_detected_and_flagged_when_not_given():
    raw = RawItem(
        link="https://n.example/de",
        title="Regierung beschließt neues Gesetz",
        content="Der Bundestag hat am Donnerstag ein neues Gesetz zur Förderung der Bahn "
        "beschlossen.",
    )
    article = normalise(raw, Context("s"), NOW)
    assert article.language == "de"
    assert "language_detected" in article.flags


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (RawItem(title="No link"), "item_without_link"),
        (RawItem(link="https://n.example/x"), "item_empty"),
        (RawItem(link="https://n.example/x", title="<script>x()</script>Hi"), "title_script"),
        (RawItem(link="https://n.example/x", title='<a onclick="x()">Hi</a>'), "title_script"),
        (RawItem(link="ftp://n.example/x", title="Hi"), "link_invalid"),
    ],
)
def test_unusable_items_are_rejected_with_a_reason(raw, reason):
    with pytest.raises(Rejected) as info:
        normalise(raw, Context("s", language="en"), NOW)
    assert info.value.reason == reason


def test_rel_canonical_is_honoured_on_the_same_site_only():
    same = RawItem(
        link="https://www.n.example/a?x=1", title="T", canonical_url="https://n.example/a"
    )
    assert normalise(same, Context("s", language="en"), NOW).canonical_url == "https://n.example/a"
    other = RawItem(link="https://n.example/b", title="T", canonical_url="https://evil.example/b")
    assert normalise(other, Context("s", language="en"), NOW).canonical_url == "https://n.example/b"


def test_pushed_mappings_become_raw_items_and_bad_ones_are_refused():
    doc = {"url": "https://n.example/p", "title": "T", "text": "Body", "tags": ["Opinion"]}
    raw = raw_from_mapping({**doc, "published_at": "2025-06-10T05:00:00Z", "kind": "bogus"})
    assert (raw.link, raw.content, raw.categories, raw.kind) == (
        "https://n.example/p",
        "Body",
        ["Opinion"],
        "",
    )
    assert raw.published == datetime(2025, 6, 10, 5, tzinfo=UTC)
    with pytest.raises(Rejected, match="item_not_object"):
        raw_from_mapping(["not", "an", "object"])
    with pytest.raises(Rejected, match="field_invalid"):
        raw_from_mapping({"url": "https://n.example/p", "title": {"nested": 1}})


def test_control_characters_never_reach_titles_or_text() -> None:
    assert clean_inline("Budget\x00 vote\x07 held") == "Budget vote held"
    assert html_to_paragraphs("The council\x00 held the vote.\x1b\x7f") == [
        "The council held the vote."
    ]
