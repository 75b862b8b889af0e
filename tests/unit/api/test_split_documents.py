"""The served story documents and the OpenAPI schema agree on the split fields."""

from __future__ import annotations

from newsbrief.documents import brief_document, versions_document
from newsbrief.v1 import newsbrief_pb2 as pb
from services.api import schemas


def _split_story() -> pb.Brief:
    brief = pb.Brief(story_id="s1", version=3, split_into=["s2"])
    brief.headline.text = "Jewels taken from a Paris museum"
    brief.articles.add(article_id="a1", outlet="Paris Desk 0")
    brief.changes.add(version=3, sections=["articles", "split_into"], removed_article_ids=["a2"])
    return brief


def test_a_split_story_document_names_where_its_articles_went() -> None:
    document = brief_document(_split_story())
    assert document["split_into"] == ["s2"] and document["split_from"] is None
    assert schemas.Brief.model_validate(document).split_into == ["s2"]
    change = versions_document(_split_story())[-1]
    assert change["removed_article_ids"] == ["a2"]
    assert schemas.VersionChange.model_validate(change).removed_article_ids == ["a2"]


def test_a_split_off_story_document_names_its_origin() -> None:
    document = brief_document(pb.Brief(story_id="s2", version=1, split_from="s1"))
    assert document["split_from"] == "s1" and document["split_into"] == []
    assert schemas.Brief.model_validate(document).split_from == "s1"


def test_a_story_never_split_says_so_with_null_and_empty() -> None:
    document = brief_document(pb.Brief(story_id="s3", version=1))
    assert document["split_from"] is None and document["split_into"] == []


def test_the_schema_example_is_a_valid_brief() -> None:
    example = schemas.Brief.model_config["json_schema_extra"]["examples"][0]
    assert set(example) == set(schemas.Brief.model_fields)
    schemas.Brief.model_validate(example)
