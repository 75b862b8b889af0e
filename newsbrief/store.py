"""Writes of the serving store: the Redis commands that publish one document.

Each function only queues commands on a redis-py pipeline (sync or asyncio: both buffer
commands without awaiting), so callers batch many writes into one round trip and one
MULTI/EXEC. Compose and `rebuild-cache` both use these, so Redis has one writer shape.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from newsbrief import documents as docs
from newsbrief.keys import Keys
from newsbrief.v1 import newsbrief_pb2 as pb

UPDATES_MAXLEN = 100_000
HEADLINE_WEIGHT = 3.0
_WORD = re.compile(r"\w+", re.UNICODE)
# KEYS: one search-term sorted set per term; ARGV[1]: the story id; ARGV[1 + i]: its weight in
# KEYS[i]. Redis caches the compiled script by its hash after the first call.
_ADD_TERMS = """
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[i + 1], ARGV[1])
end
return #KEYS
"""


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of a text (the search index's and the API's terms)."""
    return _WORD.findall(text.lower())


def search_terms(text: str) -> dict[str, float]:
    """Weighted term counts of a search text: its first line (the headline) weighs more."""
    headline, _, body = text.partition("\n")
    counts: Counter[str] = Counter()
    for term in tokens(headline):
        counts[term] += HEADLINE_WEIGHT
    counts.update(tokens(body))
    return dict(counts)


def _score(brief: pb.Brief) -> float:
    return brief.updated_at.seconds + brief.updated_at.nanos / 1e9


def facets(brief: pb.Brief) -> dict[str, list[str]]:
    """Facet values a story is filtered by in `GET /v1/stories`."""
    return {
        "entity": [c.entity_id for c in brief.topics],
        "hub": [h.hub_id for h in brief.go_deeper],
        "outlet": sorted({a.outlet.lower() for a in brief.articles if a.outlet}),
        "lang": [brief.language] if brief.language else [],
    }


def queue_brief(pipe: Any, keys: Keys, brief: pb.Brief, previous: pb.Brief | None = None) -> None:
    """Queue the writes that publish a brief (or a merge tombstone) and announce it.

    ``previous`` is the version the store held before, so that facet entries the new version
    dropped are removed.
    """
    if brief.merged_into:
        queue_tombstone(pipe, keys, brief, previous)
        return
    body = docs.dumps(docs.brief_document(brief))
    pipe.hset(
        keys.story(brief.story_id),
        mapping={
            "json": body,
            "etag": docs.etag(body),
            "version": brief.version,
            "updated_at": _score(brief),
        },
    )
    pipe.set(keys.story_summary(brief.story_id), docs.dumps(docs.story_summary(brief)))
    articles = [docs.source_article(a) for a in brief.articles]
    pipe.set(keys.story_articles(brief.story_id), docs.dumps(articles))
    pipe.set(keys.story_versions(brief.story_id), docs.dumps(docs.versions_document(brief)))
    text = docs.search_text(brief)
    pipe.hset(keys.search_docs, brief.story_id, text)
    _queue_terms(pipe, keys, brief.story_id, text, previous)
    pipe.zadd(keys.stories, {brief.story_id: _score(brief)})
    _queue_facets(pipe, keys, brief, previous)
    pipe.xadd(
        keys.updates,
        {"story_id": brief.story_id, "version": brief.version},
        maxlen=UPDATES_MAXLEN,
        approximate=True,
    )
    # `keys.ready` is set only by a full rebuild: if Redis is flushed while compose runs, its
    # next write must not hide the loss from the API, which rebuilds when the marker is gone.


def _queue_terms(
    pipe: Any, keys: Keys, story_id: str, text: str, previous: pb.Brief | None
) -> None:
    # Readers re-check each candidate against its current text, so an entry left behind (no
    # `previous` given) costs a little work, never a wrong answer.
    terms = search_terms(text)
    if previous is not None and not previous.merged_into:
        for term in search_terms(docs.search_text(previous)).keys() - terms.keys():
            pipe.zrem(keys.search_term(term), story_id)
    if terms:
        # One script call instead of a ZADD per term (a brief has ~100 terms): the writer packs
        # and parses one command, not a hundred, and it is still one MULTI/EXEC step.
        names = [keys.search_term(term) for term in terms]
        pipe.eval(_ADD_TERMS, len(names), *names, story_id, *map(repr, terms.values()))


def _queue_facets(pipe: Any, keys: Keys, brief: pb.Brief, previous: pb.Brief | None) -> None:
    new = facets(brief)
    old = facets(previous) if previous is not None else {}
    for facet, values in new.items():
        for value in set(old.get(facet, [])) - set(values):
            pipe.zrem(keys.stories_by(facet, value), brief.story_id)
        for value in values:
            pipe.zadd(keys.stories_by(facet, value), {brief.story_id: _score(brief)})


def queue_tombstone(pipe: Any, keys: Keys, brief: pb.Brief, previous: pb.Brief | None) -> None:
    """Queue the writes for a story folded into another: redirect, and drop it from listings."""
    story_id = brief.story_id
    pipe.set(keys.redirect(story_id), brief.merged_into)
    pipe.delete(keys.story(story_id), keys.story_summary(story_id))
    pipe.zrem(keys.stories, story_id)
    pipe.hdel(keys.search_docs, story_id)
    if previous is not None:
        for term in search_terms(docs.search_text(previous)):
            pipe.zrem(keys.search_term(term), story_id)
        for facet, values in facets(previous).items():
            for value in values:
                pipe.zrem(keys.stories_by(facet, value), story_id)
    pipe.xadd(
        keys.updates,
        {"story_id": story_id, "version": brief.version, "merged_into": brief.merged_into},
        maxlen=UPDATES_MAXLEN,
        approximate=True,
    )


def queue_hub(pipe: Any, keys: Keys, hub: pb.Hub) -> None:
    """Queue the writes that publish a question hub (or retire it)."""
    if hub.retired:
        pipe.zrem(keys.hubs, hub.hub_id)
    else:
        pipe.zadd(keys.hubs, {hub.hub_id: hub.updated_at.seconds})
    pipe.set(keys.hub(hub.hub_id), docs.dumps(docs.hub_document(hub)))


def queue_entity(pipe: Any, keys: Keys, card: pb.EntityCard) -> None:
    """Queue the writes that publish an entity card and its names for lookup."""
    pipe.set(keys.entity(card.entity_id), docs.dumps(docs.entity_document(card)))
    names = {card.name.lower(): card.entity_id}
    names.update({alias.lower(): card.entity_id for alias in card.aliases})
    pipe.hset(keys.entity_names, mapping=names)
    # Indexes for lookup without reading every name: prefixes by lex range, words by set.
    members = {f"{name}\0{card.entity_id}" for name in names if name}
    pipe.zadd(keys.entity_name_index, dict.fromkeys(members, 0))
    for member in members:
        for word in set(tokens(member.partition("\0")[0])):
            pipe.sadd(keys.entity_word(word), member)
