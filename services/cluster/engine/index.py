"""Inverted index from rare keys (terms, entities) to recently updated story ids.

Each posting list is capped (most recent stories kept), so looking up an article's
top keys touches at most `n_keys * max_postings` ids however many stories exist.
"""

from __future__ import annotations

from collections.abc import MutableMapping


class PostingIndex:
    """Key -> recent story ids, stored in a caller-supplied MutableMapping[str, list[str]]."""

    def __init__(self, postings: MutableMapping[str, list[str]], max_postings: int = 40):
        self.postings = postings
        self.max_postings = max_postings

    def add(self, keys, story_id: str) -> None:
        """Record story_id under each key (moved to the most-recent end, list capped)."""
        for key in keys:
            plist = [s for s in self.postings.get(key, ()) if s != story_id]
            plist.append(story_id)
            if len(plist) > self.max_postings:
                plist = plist[-self.max_postings :]
            # Reassign rather than mutate in place: changelog-backed tables only see sets.
            self.postings[key] = plist

    def lookup(self, weighted_keys: dict[str, float]) -> dict[str, float]:
        """Story id -> summed weight of the query keys whose posting lists contain it."""
        hits: dict[str, float] = {}
        for key, w in weighted_keys.items():
            for sid in self.postings.get(key, ()):
                hits[sid] = hits.get(sid, 0.0) + w
        return hits

    def remove(self, keys, story_id: str) -> None:
        """Drop story_id from the given keys' lists (used when a story is absorbed)."""
        for key in keys:
            plist = self.postings.get(key)
            if plist and story_id in plist:
                self.postings[key] = [s for s in plist if s != story_id]
