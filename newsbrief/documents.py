"""The API's JSON documents, built from the protobuf messages.

Compose writes them into Redis and `rebuild-cache` rebuilds them from the compacted topics with
this one module, so the served shape has one definition.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from google.protobuf.timestamp_pb2 import Timestamp

from newsbrief.v1 import newsbrief_pb2 as pb


def iso(ts: Timestamp) -> str | None:
    """RFC 3339 UTC time of a timestamp, or None when unset."""
    if not ts.seconds and not ts.nanos:
        return None
    return ts.ToDatetime().strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(document: Any) -> bytes:
    """Serialise a document the way the API sends it."""
    return orjson.dumps(document)


def etag(body: bytes) -> str:
    """Strong ETag of a serialised document."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def sentence(s: pb.Sentence) -> dict[str, Any]:
    return {"text": s.text, "article_ids": list(s.article_ids)}


# Every resource and every reference to one names its id `id`, first. Entity cards and hub
# references also keep the older `entity_id` / `hub_id` (deprecated in the OpenAPI schema) so
# clients written against them keep working.


def topic_ref(card: pb.EntityCard) -> dict[str, Any]:
    """An entity as a story summary names it."""
    return {"id": card.entity_id, "entity_id": card.entity_id, "name": card.name}


def entity_ref(card: pb.EntityCard) -> dict[str, Any]:
    """An entity as a brief names it: a summary's reference, with what it is."""
    return {**topic_ref(card), "kind": card.kind, "description": card.description}


def hub_ref(ref: pb.HubRef) -> dict[str, Any]:
    """A brief's "go deeper" entry; `summary` is the hub summary's plain text (HubRef's)."""
    return {
        "id": ref.hub_id,
        "hub_id": ref.hub_id,
        "question": ref.question,
        "summary": ref.summary,
    }


def hub_link(ref: pb.HubRef) -> dict[str, Any]:
    """A hub as a story summary names it: the same `id` and `question` as the hub document."""
    return {"id": ref.hub_id, "question": ref.question}


def source_article(a: pb.SourceArticle) -> dict[str, Any]:
    return {
        "article_id": a.article_id,
        "outlet": a.outlet,
        "url": a.url,
        "title": a.title,
        "published_at": iso(a.published_at),
        "duplicate_of": a.duplicate_of or None,
    }


def brief_document(brief: pb.Brief) -> dict[str, Any]:
    """The full brief, as `GET /v1/stories/{id}` serves it."""
    return {
        "id": brief.story_id,
        "version": brief.version,
        "headline": brief.headline.text,
        "headline_article_ids": list(brief.headline.article_ids),
        "whats_happened": [sentence(s) for s in brief.whats_happened],
        "behind_the_headline": [sentence(s) for s in brief.behind_the_headline],
        "what_the_papers_say": [
            {"outlet": p.outlet, "text": p.text, "article_id": p.article_id, "url": p.url}
            for p in brief.what_the_papers_say
        ],
        "how_we_got_here": [sentence(s) for s in brief.how_we_got_here],
        "timeline": [
            {
                "at": iso(t.at),
                "text": t.text,
                "story_id": t.story_id,
                "article_ids": list(t.article_ids),
            }
            for t in brief.timeline
        ],
        "go_deeper": [hub_ref(h) for h in brief.go_deeper],
        "topics": [entity_ref(c) for c in brief.topics],
        "articles": [source_article(a) for a in brief.articles],
        "outlets": list(brief.outlets),
        "language": brief.language,
        "first_published_at": iso(brief.first_published_at),
        "updated_at": iso(brief.updated_at),
        "follows_story_id": brief.follows_story_id or None,
        "merged_from": list(brief.merged_from),
        "split_from": brief.split_from or None,
        "split_into": list(brief.split_into),
    }


def story_summary(brief: pb.Brief) -> dict[str, Any]:
    """A story as listed by `GET /v1/stories` and search: enough to render a card."""
    return {
        "id": brief.story_id,
        "version": brief.version,
        "headline": brief.headline.text,
        "lede": brief.whats_happened[0].text if brief.whats_happened else "",
        "outlets": list(brief.outlets),
        "article_count": len(brief.articles),
        "language": brief.language,
        "topics": [topic_ref(c) for c in brief.topics],
        "hubs": [hub_link(h) for h in brief.go_deeper],
        "first_published_at": iso(brief.first_published_at),
        "updated_at": iso(brief.updated_at),
        "href": f"/v1/stories/{brief.story_id}",
    }


def versions_document(brief: pb.Brief) -> list[dict[str, Any]]:
    """What changed between versions, oldest first, as `GET /v1/stories/{id}/versions` serves."""
    return [
        {
            "version": c.version,
            "at": iso(c.at),
            "sections": list(c.sections),
            "added_article_ids": list(c.added_article_ids),
            "removed_article_ids": list(c.removed_article_ids),
        }
        for c in brief.changes
    ]


def hub_document(hub: pb.Hub) -> dict[str, Any]:
    """A question hub with its story ids (newest first)."""
    return {
        "id": hub.hub_id,
        "question": hub.question,
        "summary": sentence(hub.summary),
        "story_ids": list(hub.story_ids),
        "entity_ids": list(hub.entity_ids),
        "updated_at": iso(hub.updated_at),
        "retired": hub.retired,
    }


def entity_document(card: pb.EntityCard) -> dict[str, Any]:
    """An entity card with its recent story ids."""
    return {
        **entity_ref(card),
        "aliases": list(card.aliases),
        "description_source": card.description_source,
        "article_ids": list(card.article_ids),
        "story_ids": list(card.story_ids),
        "updated_at": iso(card.updated_at),
    }


def search_text(brief: pb.Brief) -> str:
    """The text a story is searched by: headline, brief sentences and topic names."""
    parts = [brief.headline.text]
    parts += [s.text for s in brief.whats_happened]
    parts += [s.text for s in brief.behind_the_headline]
    parts += [c.name for c in brief.topics]
    return "\n".join(p for p in parts if p)


# --- documents stored by an older compose ---------------------------------------------------------

# Bytes only a document written before `id` was added contains: today's put `id` first in
# every entity and hub reference, and a `"` inside a JSON string is always escaped, so these
# can only be structure. Checking them costs a substring search, not a parse.
_OLD_ENTITY, _OLD_HUB, _OLD_HUBS = b'{"entity_id":', b'{"hub_id":', b'"hubs":["'


def current(body: bytes) -> bytes:
    """A stored document in today's shape: unchanged when it already is, else upgraded."""
    if _OLD_ENTITY not in body and _OLD_HUB not in body and _OLD_HUBS not in body:
        return body
    return dumps(upgraded(orjson.loads(body)))


def current_stored(body: bytes, tag: bytes) -> tuple[bytes, bytes]:
    """A stored document and its ETag ``tag`` in today's shape; an upgrade gets its own ETag."""
    served = current(body)
    if served is body:
        return body, tag
    return served, etag(served).encode()


def upgraded(value: Any) -> Any:
    """A decoded document with the fields an older compose did not write filled in.

    `id` comes from `entity_id` / `hub_id`; a summary's `hubs`, once bare ids, become
    `{id, question}` with an empty question: the old summary does not hold it, and it comes
    back when compose writes the story's next version.
    """
    if isinstance(value, list):
        return [upgraded(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: upgraded(item) for key, item in value.items()}
    if "id" not in out:
        ident = out.get("entity_id", out.get("hub_id"))
        if isinstance(ident, str):
            out = {"id": ident, **out}
    hubs = out.get("hubs")
    if isinstance(hubs, list):
        out["hubs"] = [{"id": h, "question": ""} if isinstance(h, str) else h for h in hubs]
    return out
