"""Response shapes for the OpenAPI schema only.

Routes send the bytes stored in Redis (shaped by ``newsbrief.documents``); these models
document them and are never used to serialise, so the hot path does no encoding.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

_EXAMPLE_ID = "s-7f3a9c2e1b"

# Every time the API sends is RFC 3339 in UTC to the second ("2026-11-20T08:00:00Z"), or null
# when unknown; typed so the schema says `format: date-time` and generated clients parse it.
When = Annotated[
    datetime | None, Field(description="RFC 3339 UTC time, e.g. 2026-11-20T08:00:00Z; or null.")
]


class Sentence(BaseModel):
    text: str
    article_ids: list[str]


class PaperLine(BaseModel):
    outlet: str
    text: str
    article_id: str
    url: str


class TimelineEntry(BaseModel):
    at: When
    text: str
    story_id: str
    article_ids: list[str]


# Every resource, and every reference to one, names its id `id`. Entities and a brief's hub
# references also carry the older `entity_id` / `hub_id`, kept for existing clients.
HubId = Annotated[str, Field(description="The hub's id, as in `GET /v1/hubs/{id}`.")]
EntityId = Annotated[str, Field(description="The entity's id, as in `GET /v1/entities/{id}`.")]
OLD_ID = "Deprecated: the same value as `id`; read `id` instead."


class HubRef(BaseModel):
    """A hub this story belongs to, as the brief's "Go deeper" section shows it."""

    id: HubId
    hub_id: str = Field(description=OLD_ID, deprecated=True)
    question: str = Field(description="The hub's question, as in the hub document.")
    summary: str = Field(
        description="Plain text: the hub summary's sentence when the brief was composed, "
        "without its article ids. Not the same shape as a hub document's `summary`, which is "
        "`{text, article_ids}`; fetch `GET /v1/hubs/{id}` for the provenance."
    )


class EntityRef(BaseModel):
    """An entity named by the story ("More on these topics")."""

    id: EntityId
    entity_id: str = Field(description=OLD_ID, deprecated=True)
    name: str
    kind: str
    description: str


class Article(BaseModel):
    article_id: str
    outlet: str
    url: str
    title: str
    published_at: When
    duplicate_of: str | None


class Brief(BaseModel):
    """A story brief, section by section, with the article ids behind every sentence."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _EXAMPLE_ID,
                    "version": 3,
                    "headline": "Talks on a ceasefire resume in Geneva",
                    "headline_article_ids": ["a1"],
                    "whats_happened": [
                        {"text": "Negotiators met again on Tuesday.", "article_ids": ["a1"]}
                    ],
                    "behind_the_headline": [],
                    "what_the_papers_say": [
                        {
                            "outlet": "The Northern Ledger",
                            "text": "The Northern Ledger notes that no deal has been reached.",
                            "article_id": "a1",
                            "url": "https://ledger.example/geneva",
                        }
                    ],
                    "how_we_got_here": [],
                    "timeline": [],
                    "go_deeper": [],
                    "topics": [],
                    "articles": [],
                    "outlets": ["The Northern Ledger"],
                    "language": "en",
                    "first_published_at": "2026-11-20T08:00:00Z",
                    "updated_at": "2026-11-20T10:30:00Z",
                    "follows_story_id": None,
                    "merged_from": [],
                    "split_from": None,
                    "split_into": ["s-0c81d4a7e2"],
                }
            ]
        }
    )

    id: str
    version: int
    headline: str
    headline_article_ids: list[str]
    whats_happened: list[Sentence]
    behind_the_headline: list[Sentence]
    what_the_papers_say: list[PaperLine]
    how_we_got_here: list[Sentence]
    timeline: list[TimelineEntry]
    go_deeper: list[HubRef]
    topics: list[EntityRef]
    articles: list[Article]
    outlets: list[str]
    language: str
    first_published_at: When
    updated_at: When
    follows_story_id: str | None = Field(
        description="The earlier, quiet story this one follows up, if any."
    )
    merged_from: list[str] = Field(
        description="Stories folded into this one; their ids now redirect here."
    )
    split_from: str | None = Field(
        description="The story this one's articles were split off (it reported two events), if any."
    )
    split_into: list[str] = Field(
        description="Stories that took articles split off this one, oldest split first; a "
        "story merged back here is listed in merged_from instead."
    )


class TopicRef(BaseModel):
    """An entity the story names."""

    id: EntityId
    entity_id: str = Field(description=OLD_ID, deprecated=True)
    name: str


class HubLink(BaseModel):
    """A hub the story belongs to."""

    id: HubId
    question: str = Field(
        description="The hub's question, as in the hub document; empty only in a summary "
        "stored before this field existed, until it is rewritten."
    )


class StorySummary(BaseModel):
    """Enough of a story to render a card in a list."""

    id: str = Field(examples=[_EXAMPLE_ID])
    version: int
    headline: str
    lede: str
    outlets: list[str]
    article_count: int
    language: str
    topics: list[TopicRef]
    hubs: list[HubLink]
    first_published_at: When
    updated_at: When
    href: str = Field(examples=[f"/v1/stories/{_EXAMPLE_ID}"])


class StoryPage(BaseModel):
    """One page of stories; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[StorySummary]
    next_cursor: str | None = Field(examples=["WzE3NjQyMDAwMDAuMCwiczEiXQ"])


class VersionChange(BaseModel):
    version: int
    at: When
    sections: list[str] = Field(examples=[["whats_happened", "articles", "split_into"]])
    added_article_ids: list[str]
    removed_article_ids: list[str] = Field(
        description="Articles that left the story in this version: split off into the "
        "story named in split_into."
    )


class Hub(BaseModel):
    """A common question grouping related stories."""

    id: str = Field(examples=["h-conflicts"])
    question: str = Field(
        examples=["What's the latest on international conflicts and diplomatic tensions?"]
    )
    summary: Sentence = Field(
        description="One sentence answering the question, with the article ids behind it. A "
        "brief's `go_deeper[].summary` carries only this sentence's text, as a string."
    )
    story_ids: list[str]
    entity_ids: list[str]
    updated_at: When
    retired: bool


class HubPage(BaseModel):
    items: list[Hub]
    next_cursor: str | None


class HubDetail(BaseModel):
    hub: Hub
    stories: list[StorySummary]


class Entity(BaseModel):
    """An entity card: who or what it is, and where the description came from."""

    id: EntityId = Field(examples=["e-kremlin"])
    entity_id: str = Field(description=OLD_ID, deprecated=True, examples=["e-kremlin"])
    name: str = Field(examples=["the Kremlin"])
    kind: str = Field(examples=["organisation"])
    description: str
    aliases: list[str]
    description_source: str = Field(examples=["kb"])
    article_ids: list[str]
    story_ids: list[str]
    updated_at: When


class EntityDetail(BaseModel):
    entity: Entity
    stories: list[StorySummary]


class EntityMatches(BaseModel):
    items: list[Entity]


class StoryHit(BaseModel):
    score: float
    story: StorySummary


class SearchResults(BaseModel):
    """Stories ranked by relevance (headline matches weigh most) and matching entities."""

    query: str = Field(examples=["ceasefire geneva"])
    stories: list[StoryHit]
    entities: list[Entity]


class Status(BaseModel):
    status: str = Field(examples=["ok"])


class ProblemDoc(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["about:blank"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no story with id 's-unknown'"])
    instance: str | None = Field(default=None, examples=["/v1/stories/s-unknown"])
