"""`newsbrief brief ID` shows how a story relates to others: what it follows, was split from,
absorbed and gave up in splits; a merged story's tombstone says where it went."""

from __future__ import annotations

import io

from rich.console import Console

from newsbrief.documents import brief_document
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.render import render_brief


def _rendered(doc: dict) -> str:
    console = Console(file=io.StringIO(), width=100, record=True, color_system=None)
    render_brief(doc, console)
    return console.export_text()


def _brief(**links) -> pb.Brief:
    brief = pb.Brief(story_id="st_now", version=3, headline=pb.Sentence(text="Port strike ends"))
    brief.whats_happened.add(text="Dock workers voted to accept a 7% pay offer.")
    for field, value in links.items():
        if isinstance(value, list):
            getattr(brief, field).extend(value)
        else:
            setattr(brief, field, value)
    return brief


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_every_link_is_listed_under_story_links_before_the_content():
    text = _rendered(
        brief_document(
            _brief(
                follows_story_id="st_walkout",
                split_from="st_ports",
                merged_from=["st_vote", "st_offer"],
                split_into=["st_rail"],
            )
        )
    )
    lines = _lines(text)
    at = lines.index("Story links")
    assert lines[at + 1 : at + 5] == [
        "• Follows st_walkout",
        "• Split from st_ports",
        "• Absorbed st_vote, st_offer",
        "• Split into st_rail",
    ]
    assert at < lines.index("What's happened")


def test_a_story_without_links_shows_no_story_links_block():
    text = _rendered(brief_document(_brief()))
    assert "Story links" not in text
    assert "Dock workers voted to accept a 7% pay offer." in text


def test_only_the_links_a_story_has_are_shown():
    text = _rendered(brief_document(_brief(split_into=["st_rail", "st_ferry"])))
    assert "• Split into st_rail, st_ferry" in _lines(text)
    for absent in ("Follows", "Split from", "Absorbed"):
        assert absent not in text


def test_a_tombstone_says_where_the_story_went():
    text = _rendered({"id": "st_vote", "merged_into": "st_now"})
    assert "Merged into st_now: its brief continues there." in text
    assert "st_vote" in text
    assert "What's happened" not in text
