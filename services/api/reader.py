"""Reads of the serving store (layout in ``newsbrief.keys``); returns stored bytes, upgraded
to today's shape only when an older compose wrote them (``documents.current``)."""

from __future__ import annotations

from redis.asyncio import Redis

from newsbrief import documents as docs
from newsbrief.keys import Keys
from services.api.pagination import Cursor, page

Rows = list[tuple[str, float]]


def _rows(raw: list[tuple[bytes, float]]) -> Rows:
    return [(member.decode(), float(score)) for member, score in raw]


async def ranked_page(
    redis: Redis, key: str, since: float | None, cursor: Cursor | None, limit: int
) -> tuple[Rows, Cursor | None]:
    """One page of a sorted set, newest first, in a single round trip."""
    low: float | str = since if since is not None else "-inf"
    if cursor is None:
        raw = await redis.zrange(
            key, "+inf", low, desc=True, byscore=True, offset=0, num=limit + 1, withscores=True
        )
        return page(_rows(raw), None, limit)
    async with redis.pipeline(transaction=False) as pipe:
        # Members sharing the cursor's score are ordered by id; fetch them apart so none is lost.
        pipe.zrange(key, cursor.score, cursor.score, byscore=True, withscores=True)
        pipe.zrange(
            key,
            f"({cursor.score!r}",
            low,
            desc=True,
            byscore=True,
            offset=0,
            num=limit + 1,
            withscores=True,
        )
        ties, older = await pipe.execute()
    rows = [row for row in _rows(ties) if since is None or row[1] >= since]
    return page(rows + _rows(older), cursor, limit)


async def intersection_page(
    redis: Redis, keys: list[str], since: float | None, cursor: Cursor | None, limit: int
) -> tuple[Rows, Cursor | None]:
    """One page of the stories in every one of several facet sets."""
    raw = await redis.zinter(keys, aggregate="MAX", withscores=True)
    rows = [row for row in _rows(raw) if since is None or row[1] >= since]
    return page(rows, cursor, limit)


async def story_page(
    redis: Redis,
    keys: Keys,
    facets: dict[str, str],
    since: float | None,
    cursor: Cursor | None,
    limit: int,
) -> tuple[Rows, Cursor | None]:
    """Story ids for ``GET /v1/stories`` with its filters."""
    sets = [keys.stories_by(facet, value) for facet, value in facets.items()]
    if len(sets) > 1:
        return await intersection_page(redis, sets, since, cursor, limit)
    return await ranked_page(redis, sets[0] if sets else keys.stories, since, cursor, limit)


async def documents(redis: Redis, names: list[str]) -> list[bytes]:
    """The stored documents under these keys (in today's shape), skipping any that vanished."""
    if not names:
        return []
    return [docs.current(doc) for doc in await redis.mget(names) if doc is not None]


async def summaries(redis: Redis, keys: Keys, story_ids: list[str]) -> list[bytes]:
    """Story summaries, in the order given."""
    return await documents(redis, [keys.story_summary(sid) for sid in story_ids])
