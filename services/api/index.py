"""Reads of the search and name indexes that ``newsbrief.store`` writes.

A query reads only the index entries of its own terms or names (bounded below), so its cost
does not grow with the corpus.
"""

from __future__ import annotations

from collections.abc import Mapping

from redis.asyncio import Redis

from newsbrief.keys import Keys
from newsbrief.store import tokens

# A term in more stories than this ranks only the ones where it weighs most (headline hits).
CANDIDATES_PER_TERM = 500
# Names sharing a typed prefix beyond this many are not considered (the answer keeps ~10).
PREFIX_MATCHES = 200


async def matching_names(redis: Redis, keys: Keys, query: str) -> list[tuple[str, str]]:
    """(lower-cased name, entity id) of the names that equal, start with or contain the query."""
    wanted = query.strip().lower()
    words = list(dict.fromkeys(tokens(wanted)))
    if not words:
        return []
    low = b"[" + wanted.encode()
    # UTF-8 never contains 0xff, so this bound is above every name starting with the query.
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zrangebylex(keys.entity_name_index, low, low + b"\xff", 0, PREFIX_MATCHES)
        pipe.sinter([keys.entity_word(word) for word in words])
        prefixed, worded = await pipe.execute()
    members = {m.decode() for m in prefixed} | {m.decode() for m in worded}
    return [(name, eid) for name, _, eid in (m.partition("\0") for m in sorted(members))]


async def search_candidates(
    redis: Redis, keys: Keys, query: str, facets: Mapping[str, str], since: float | None
) -> tuple[dict[str, str], int, dict[str, int]]:
    """Texts of the stories having a query term and passing the filters; corpus size; df."""
    terms = list(dict.fromkeys(tokens(query)))
    if not terms:
        return {}, 0, {}
    async with redis.pipeline(transaction=False) as pipe:
        for term in terms:
            pipe.zrevrange(keys.search_term(term), 0, CANDIDATES_PER_TERM - 1)
            pipe.zcard(keys.search_term(term))
        pipe.zcard(keys.stories)
        replies = await pipe.execute()
    total = replies[-1]
    df = {term: replies[2 * n + 1] for n, term in enumerate(terms)}
    ids = list(dict.fromkeys(m for n in range(len(terms)) for m in replies[2 * n]))
    if not ids:
        return {}, total, df
    filters = [keys.stories_by(facet, value) for facet, value in facets.items()]
    async with redis.pipeline(transaction=False) as pipe:
        for name in filters:
            pipe.zmscore(name, ids)
        if since is not None:
            pipe.zmscore(keys.stories, ids)
        pipe.hmget(keys.search_docs, ids)
        *scores, texts = await pipe.execute()
    keep = [
        all(column[i] is not None for column in scores)
        and (since is None or scores[-1][i] >= since)
        for i in range(len(ids))
    ]
    docs = {
        ident.decode(): text.decode()
        for ident, text, ok in zip(ids, texts, keep, strict=True)
        if ok and text is not None
    }
    return docs, total, df
