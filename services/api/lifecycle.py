"""Background duties of a running API: rebuild an empty cache, close pools on shutdown."""

from __future__ import annotations

import asyncio
import logging
import os

from redis.asyncio import Redis
from redis.exceptions import RedisError

from newsbrief.keys import Keys
from services.api.config import ApiSettings
from services.api.rebuild import LOCK_SECONDS, lock_key, rebuild_cache

log = logging.getLogger(__name__)


async def ensure_cache(redis: Redis, keys: Keys, settings: ApiSettings) -> bool:
    """Rebuild from the compacted topics unless a completed rebuild's marker is present.

    Compose's writes never set the marker, so a Redis flushed while compose keeps writing
    (partial data, no marker) is rebuilt in full. True if this process rebuilt.
    """
    if await redis.exists(keys.ready):
        return False
    # Only one worker (of any replica) rebuilds; the others keep answering 503 on /readyz.
    if not await redis.set(lock_key(keys), os.getpid(), nx=True, ex=LOCK_SECONDS):
        return False
    try:
        log.warning("redis holds no data: rebuilding the cache from the compacted topics")
        await asyncio.to_thread(
            rebuild_cache,
            settings.kafka_bootstrap,
            settings.topic_prefix,
            settings.redis_url,
            settings.redis_key_prefix,
        )
        return True
    finally:
        await redis.delete(lock_key(keys))


async def watch_cache(redis: Redis, keys: Keys, settings: ApiSettings) -> None:
    """Check now and then that the cache is whole; rebuild it when Redis was emptied."""
    while True:
        try:
            await ensure_cache(redis, keys, settings)
        except RedisError as exc:
            log.warning("cannot check the cache (redis down?): %s", exc)
        except Exception:
            log.exception("cache rebuild failed; retrying in %ss", settings.cache_check_seconds)
        await asyncio.sleep(settings.cache_check_seconds)
