"""Round three of the editorial review: the headline tells the development "What's happened"
opens with, not the first day's news the brief has moved on from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from compose_corpus import _article, example_stories
from s8b_briefs import sample_briefs

from services.compose.brief import BriefContext, compose_brief

EXAMPLES = example_stories() or {}
needs_corpus = pytest.mark.skipif(not EXAMPLES, reason="sample corpus not present")
DAY_ONE = datetime(2026, 11, 16, 9, tzinfo=UTC)

# Four outlets' own reports of the first day (no copies: each titles its own report).
FIRST_DAY = [
    (
        "Ledger",
        "Velmora Shipyards enters administration with 2,100 jobs at risk",
        "Velmora Shipyards, the Tyneside shipbuilder, has entered administration, putting 2,100 "
        "jobs at risk.\n\nThe administrators said the yards would keep trading while a buyer "
        "was sought.",
    ),
    (
        "Courier",
        "Velmora Shipyards collapses into administration",
        "Shipbuilder Velmora Shipyards collapsed into administration on Monday, with 2,100 jobs "
        "at risk at its Tyneside yards.\n\nSteel costs and a lost navy order sank the firm.",
    ),
    (
        "Wire",
        "Tyneside shipbuilder Velmora Shipyards enters administration",
        "Velmora Shipyards appointed administrators on Monday after talks with lenders failed, "
        "leaving 2,100 jobs at risk.\n\nThe yards will keep trading for now.",
    ),
    (
        "Gazette",
        "Velmora Shipyards administration puts 2,100 jobs at risk",
        "The 2,100 workers at Velmora Shipyards face an anxious wait after the Tyneside "
        "shipbuilder entered administration.\n\nUnions called for the government to step in.",
    ),
]


def _story(late_title: str, late_text: str) -> list:
    arts = [
        _article(
            f"https://{outlet.lower()}.example/velmora-{i}",
            outlet,
            title,
            text,
            DAY_ONE + timedelta(hours=i),
        )
        for i, (outlet, title, text) in enumerate(FIRST_DAY)
    ]
    late = _article(
        "https://ledger.example/velmora-bids",
        "Ledger",
        late_title,
        late_text,
        DAY_ONE + timedelta(days=4),
    )
    return [*arts, late]


def _brief(arts):
    return compose_brief("velmora", arts, BriefContext(now=DAY_ONE.timestamp() + 6 * 86400))


def test_the_headline_is_the_latest_report_whose_news_the_brief_opens_with():
    brief = _brief(
        _story(
            "Rival bidders circle Velmora's yards",
            "Two rival bidders have emerged for the yards of Velmora Shipyards, the shipbuilder "
            "that collapsed into administration last week, raising hopes for its jobs.\n\n"
            "Both have approached the administrators, according to people familiar with the "
            "process.",
        )
    )
    assert brief.whats_happened[0].text.startswith("Two rival bidders"), brief.whats_happened
    assert brief.headline.text == "Rival bidders circle Velmora's yards"


def test_a_late_title_the_opening_does_not_state_leaves_the_headline():
    brief = _brief(
        _story(
            "Pub landlord fears for trade",
            "Two rival bidders have emerged for the yards of Velmora Shipyards, the shipbuilder "
            "that collapsed into administration last week, raising hopes for its jobs.",
        )
    )
    assert "Velmora Shipyards" in brief.headline.text, brief.headline.text


@needs_corpus
def test_the_sample_headlines_tell_the_latest_news():
    briefs = sample_briefs()
    assert briefs["brightwater-administration"].headline.text == (
        "Rival bidders circle Brightwater's best stores"
    )
    # A late side angle ("Adobe homes bore the brunt") is not what the Peru brief opens with.
    assert briefs["arequipa-earthquake"].headline.text.startswith("Peru earthquake death toll")
