"""The API as production runs it (supervised uvicorn workers), and the limiter's top-ups."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import redis
from test_api import seeded  # noqa: F401

from newsbrief.infra import free_ports
from newsbrief.keys import Keys
from services.api.fastredis import FastRedis
from services.api.ratelimit import Limiter

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> list[int]:
    """Process ids whose parent is pid."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def raw_get(port: int, paths: list[str]) -> list[tuple[bytes, bytes]]:
    """Several GETs pipelined on one keep-alive connection; (head, body) of each answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        request = "".join(f"GET {p} HTTP/1.1\r\nHost: api\r\n\r\n" for p in paths)
        sock.sendall(request.encode())
        received, answers = b"", []
        while len(answers) < len(paths):
            head, sep, rest = received.partition(b"\r\n\r\n")
            length = re.search(rb"content-length: (\d+)", head) if sep else None
            if length and len(rest) >= int(length.group(1)):
                answers.append((head, rest[: int(length.group(1))]))
                received = rest[int(length.group(1)) :]
                continue
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection"
            received += chunk
        return answers


def test_supervised_workers_serve_and_stop_on_sigterm(redis_url, redis_key_prefix, seeded):  # noqa: F811
    port = free_ports()[0]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PROMETHEUS_MULTIPROC_DIR": "",
        "NEWSBRIEF_API_REDIS_URL": redis_url,
        "NEWSBRIEF_API_REDIS_KEY_PREFIX": redis_key_prefix,
        "NEWSBRIEF_API_PORT": str(port),
        "NEWSBRIEF_API_WORKERS": "2",
        "NEWSBRIEF_API_REBUILD_ON_EMPTY": "false",
    }
    code = "from services.api.main import serve; serve()"
    server = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "the API did not start"
            time.sleep(0.2)
        workers = [p for p in children(server.pid) if b"spawn_main" in _cmdline(p)]
        assert len(workers) == 2
        story = Keys(redis_key_prefix).story("s00001")
        stored = redis.Redis.from_url(redis_url).hget(story, "json")
        # Pipelined requests on one connection: every answer whole, in order, one after another.
        answers = raw_get(port, ["/v1/stories/s00001", "/v1/stories/nope", "/v1/stories/s00001"])
        assert [head[9:12] for head, _ in answers] == [b"200", b"404", b"200"]
        assert answers[0][1] == answers[2][1] == stored
        assert b'"status":404' in answers[1][1]
        with httpx.Client(base_url=base) as client:
            etag = client.get("/v1/stories/s00001").headers["etag"]
            assert (
                client.get("/v1/stories/s00001", headers={"If-None-Match": etag}).status_code == 304
            )
            assert client.get("/v1/stories", params={"limit": 2}).json()["next_cursor"]
            assert 'route="/v1/stories/{story_id}"' in client.get("/metrics").text
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)
    assert server.returncode == 0
    assert children(server.pid) == []


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


async def test_a_busy_client_never_waits_for_the_limiter(redis_url, redis_key_prefix):
    fast = FastRedis(redis_url, 2.0)
    limiter = Limiter(fast, redis_key_prefix, rate=640, burst=5000, api_keys=[])
    bucket = f"{redis_key_prefix}:ratelimit:ip:10.0.0.1"
    fetched, held = 0, []
    start = time.monotonic()
    try:
        for _ in range(600):
            prepared = await limiter.prepare(bucket)
            if not isinstance(prepared[0], bool):
                # A lease fetch the request itself waits for (sent along with its own read).
                fetched += 1
                reply = (await fast.execute_many([prepared], errors=True))[0]
                prepared = await limiter.settle(prepared, reply)
            assert prepared == (True, 0.0)
            held.append(limiter.leases[bucket].tokens)
            # A request's own Redis read: a top-up sent meanwhile is answered in the same time.
            await fast.execute("PING")
        elapsed = time.monotonic() - start
    finally:
        await fast.close()
    # Only the first request fetched a lease; the 599 others spent tokens topped up behind them.
    assert fetched == 1
    assert max(held) <= limiter.lease == 64
    tokens = float(redis.Redis.from_url(redis_url).hget(bucket, "tokens"))
    # Every admitted request spent a token taken from the shared bucket, which refilled meanwhile.
    assert tokens <= 5000 - 600 + 640 * elapsed


def test_workers_that_cannot_build_the_app_stop_the_server():
    # rediss:// is refused by the fast path: every worker would fail, so none is restarted.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PROMETHEUS_MULTIPROC_DIR": ""}
    env |= {"NEWSBRIEF_API_WORKERS": "2", "NEWSBRIEF_API_PORT": str(free_ports()[0])}
    env["NEWSBRIEF_API_REDIS_URL"] = "rediss://127.0.0.1:1/0"
    code = "from services.api.main import serve; serve()"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, timeout=60
    )
    assert done.returncode == 3
    assert b"the app cannot be built" in done.stderr
