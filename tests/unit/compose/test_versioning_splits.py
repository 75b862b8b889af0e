"""Brief versions and the split links: a link is content, and briefs stored before keep theirs."""

from __future__ import annotations

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.versioning import content_hash, next_version


def _brief(*article_ids: str) -> pb.Brief:
    brief = pb.Brief(story_id="s1", merged_from=["s0"], follows_story_id="s-1")
    brief.headline.text = "Talks resume"
    brief.headline.article_ids.append("a1")
    for article_id in article_ids:
        brief.articles.add(article_id=article_id, outlet="Ledger")
    return brief


def test_a_brief_without_split_links_keeps_the_hash_it_was_stored_with() -> None:
    # Computed by the versioning code before split_from and split_into existed: a stored
    # brief rebuilt unchanged after an upgrade must not get a new version.
    assert content_hash(_brief("a1")) == "24572ba04a4b91d7c81e46ac67b50c54"


def test_a_new_split_link_alone_is_a_new_version() -> None:
    first = next_version(_brief("a1", "a2"), None)
    assert first is not None
    linked = _brief("a1", "a2")
    linked.split_into.append("s2")
    second = next_version(linked, first)
    assert second is not None and second.version == 2
    assert list(second.changes[-1].sections) == ["split_into"]
    assert next_version(_copy(second), second) is None  # rebuilt the same: no version


def test_articles_leaving_with_a_split_are_listed_as_removed() -> None:
    first = next_version(_brief("a1", "a2", "a3"), None)
    assert first is not None
    after = _brief("a1")
    after.split_into.append("s2")
    second = next_version(after, first)
    assert second is not None
    change = second.changes[-1]
    assert list(change.removed_article_ids) == ["a2", "a3"]
    assert list(change.added_article_ids) == []
    assert list(change.sections) == ["articles", "split_into"]
    assert list(second.changes[0].removed_article_ids) == []  # history keeps each version's


def _copy(brief: pb.Brief) -> pb.Brief:
    out = pb.Brief()
    out.CopyFrom(brief)
    out.ClearField("version")
    out.ClearField("content_hash")
    return out
