"""Redis key names of the serving store: compose writes them, the API reads them.

Documents are stored already serialised as JSON bytes (the API's response bodies), so the
API's hot path does no re-encoding.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    """Key names under one deployment's prefix."""

    prefix: str = "nb"

    def story(self, story_id: str) -> str:
        """Hash: ``json`` (the brief document), ``etag``, ``version``, ``updated_at``."""
        return f"{self.prefix}:story:{story_id}"

    def story_summary(self, story_id: str) -> str:
        """String: the JSON summary of a story, as listed by ``GET /v1/stories``."""
        return f"{self.prefix}:story-summary:{story_id}"

    def story_articles(self, story_id: str) -> str:
        """String: JSON list of the story's articles."""
        return f"{self.prefix}:story:{story_id}:articles"

    def story_versions(self, story_id: str) -> str:
        """String: JSON list of what changed between brief versions, oldest first."""
        return f"{self.prefix}:story:{story_id}:versions"

    def redirect(self, story_id: str) -> str:
        """String: the surviving story id of a merged (absorbed) story."""
        return f"{self.prefix}:redirect:{story_id}"

    @property
    def stories(self) -> str:
        """Sorted set: every live story id, scored by last update (epoch seconds)."""
        return f"{self.prefix}:stories"

    def stories_by(self, facet: str, value: str) -> str:
        """Sorted set: story ids with a facet value (entity, hub, outlet, lang).

        ``topic`` is the API's name for the same facet as ``entity`` (a brief's topics are its
        entity cards), so both read one set.
        """
        facet = "entity" if facet == "topic" else facet
        return f"{self.prefix}:stories:{facet}:{value}"

    def hub(self, hub_id: str) -> str:
        """String: the JSON hub document."""
        return f"{self.prefix}:hub:{hub_id}"

    @property
    def hubs(self) -> str:
        """Sorted set: live hub ids scored by last update."""
        return f"{self.prefix}:hubs"

    def entity(self, entity_id: str) -> str:
        """String: the JSON entity card."""
        return f"{self.prefix}:entity:{entity_id}"

    @property
    def entity_names(self) -> str:
        """Hash: lower-cased name or alias -> entity id, for name lookup."""
        return f"{self.prefix}:entity-names"

    @property
    def updates(self) -> str:
        """Stream: one entry per brief change (story_id, version); feeds the SSE endpoint."""
        return f"{self.prefix}:updates"

    @property
    def search_docs(self) -> str:
        """Hash: story id -> searchable text (headline and brief), for ``/v1/search``."""
        return f"{self.prefix}:search-docs"

    def search_term(self, term: str) -> str:
        """Sorted set: ids of the stories whose search text has the term, scored by weight."""
        return f"{self.prefix}:search-term:{term}"

    @property
    def entity_name_index(self) -> str:
        """Sorted set (all scores 0): ``name NUL entity_id`` per name or alias, for prefixes."""
        return f"{self.prefix}:entity-name-index"

    def entity_word(self, word: str) -> str:
        """Set: ``name NUL entity_id`` of every name or alias containing the word."""
        return f"{self.prefix}:entity-word:{word}"

    @property
    def ready(self) -> str:
        """String: set by a completed rebuild; its absence means Redis lost its data."""
        return f"{self.prefix}:ready"
