"""Every served resource and reference names its id `id`; older stored documents still serve."""

from __future__ import annotations

from newsbrief import documents as docs
from services.api import sample, schemas
from services.api.app import create_app
from services.api.config import ApiSettings


def _brief():
    return sample.brief(3)


def test_an_entity_card_names_its_id_id_and_keeps_entity_id() -> None:
    card = docs.entity_document(sample.entity_card(0, ["s00001"]))
    assert card["id"] == card["entity_id"] == "e-kremlin"
    assert next(iter(card)) == "id"
    assert schemas.Entity.model_validate(card).id == "e-kremlin"


def test_every_reference_in_a_brief_names_its_id_id() -> None:
    brief = docs.brief_document(_brief())
    assert [t["id"] for t in brief["topics"]] == [t["entity_id"] for t in brief["topics"]]
    assert brief["topics"] and brief["go_deeper"]
    assert [h["id"] for h in brief["go_deeper"]] == [h["hub_id"] for h in brief["go_deeper"]]
    schemas.Brief.model_validate(brief)


def test_a_summary_names_hubs_as_objects_like_its_topics() -> None:
    brief = _brief()
    summary = docs.story_summary(brief)
    hub = docs.hub_document(sample.hub(0, [brief.story_id]))
    assert summary["hubs"] == [{"id": "h0", "question": hub["question"]}]
    assert all(set(t) >= {"id", "name"} for t in summary["topics"])
    parsed = schemas.StorySummary.model_validate(summary)
    assert parsed.hubs[0].id == hub["id"]


def test_a_document_already_current_is_served_as_the_same_bytes() -> None:
    for document in (
        docs.brief_document(_brief()),
        docs.story_summary(_brief()),
        docs.entity_document(sample.entity_card(1)),
        docs.hub_document(sample.hub(1, ["s00001"])),
    ):
        body = docs.dumps(document)
        assert docs.current(body) is body


def test_an_older_entity_card_or_brief_is_upgraded_to_exactly_todays_document() -> None:
    for document in (
        docs.entity_document(sample.entity_card(2, ["s00001"])),
        docs.brief_document(_brief()),
    ):
        old = docs.dumps(sample.older_shape(document))
        assert b'"id":"e-' not in old
        assert docs.current(old) == docs.dumps(document)


def test_an_older_summary_gets_ids_and_hub_objects_with_an_empty_question() -> None:
    summary = docs.story_summary(_brief())
    upgraded = docs.current(docs.dumps(sample.older_shape(summary)))
    expected = {**summary, "hubs": [{"id": "h0", "question": ""}]}
    assert docs.dumps(expected) == upgraded
    schemas.StorySummary.model_validate_json(upgraded)


def test_a_text_that_looks_like_an_old_field_is_not_rewritten() -> None:
    # Quotes inside strings are escaped, so a headline quoting JSON is not mistaken for shape.
    brief = _brief()
    brief.headline.text = 'Leak shows {"entity_id": 1} and "hubs":["x"]'
    body = docs.dumps(docs.brief_document(brief))
    assert docs.current(body) is body


def _spec() -> dict:
    return create_app(ApiSettings(rebuild_on_empty=False)).openapi()


def test_the_schema_marks_the_old_id_names_deprecated() -> None:
    models = _spec()["components"]["schemas"]
    for model, old in (("Entity", "entity_id"), ("EntityRef", "entity_id"), ("HubRef", "hub_id")):
        fields = models[model]["properties"]
        assert fields[old].get("deprecated") is True, model
        assert "id" in models[model]["required"] and not fields["id"].get("deprecated")
    assert models["TopicRef"]["properties"]["entity_id"]["deprecated"] is True
    assert models["StorySummary"]["properties"]["hubs"]["items"] == {
        "$ref": "#/components/schemas/HubLink"
    }


def test_the_schema_says_how_the_two_hub_summaries_differ() -> None:
    models = _spec()["components"]["schemas"]
    assert models["HubRef"]["properties"]["summary"]["type"] == "string"
    assert "{text, article_ids}" in models["HubRef"]["properties"]["summary"]["description"]
    assert "go_deeper[].summary" in models["Hub"]["properties"]["summary"]["description"]
