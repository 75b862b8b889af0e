"""``newsbrief bench api``: the API as in production under wrk, against a bare Starlette route."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis

from newsbrief import documents as docs
from newsbrief.infra import RedisServer, free_ports
from newsbrief.keys import Keys
from newsbrief.v1 import newsbrief_pb2 as pb
from services.api import sample
from services.api.bench_bare import BODY_FILE_ENV
from services.api.compression import LEVEL, compress

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
# The issue fixes the load: wrk with 2 threads and 64 connections.
CONNECTIONS = 64


@dataclass(frozen=True)
class WrkResult:
    """What wrk measured for one target."""

    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us: float | None = None
    """Server CPU (user + system, workers and Redis) per request, in microseconds."""


def parse_wrk(name: str, output: str) -> WrkResult:
    """Requests/s, p50 and p99 (ms) and non-2xx/3xx or socket errors from ``wrk --latency``."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()  # type: ignore[union-attr]
        return float(value) * _UNITS[unit]

    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sock = re.search(r"Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    errors += sum(int(g) for g in sock.groups()) if sock else 0
    return WrkResult(name, rps, percentile("50"), percentile("99"), errors)


def examples_briefs() -> list[pb.Brief]:
    """Briefs composed from the sample corpus in examples/, when it and compose exist."""
    stories_tsv = EXAMPLES / "stories.tsv"
    if not stories_tsv.is_file() or not any(EXAMPLES.glob("feeds/*.xml")):
        return []
    try:
        import feedparser

        from services.compose.brief import BriefContext, compose_brief
    except ImportError:
        return []
    from newsbrief.ids import article_id

    with stories_tsv.open() as handle:
        story_of = {row[0]: row[1] for row in csv.reader(handle, delimiter="\t") if len(row) >= 2}
    groups: dict[str, list[pb.Article]] = {}
    for feed in sorted(EXAMPLES.glob("feeds/*.xml")):
        parsed = feedparser.parse(feed.read_bytes())
        outlet = parsed.feed.get("title", feed.stem)
        for entry in parsed.entries:
            link = entry.get("link", "")
            if link not in story_of:
                continue
            article = pb.Article(
                article_id=article_id(link),
                url=link,
                canonical_url=link,
                outlet=outlet,
                language=parsed.feed.get("language", "en")[:2],
                title=entry.get("title", ""),
                text=entry.get("summary", ""),
            )
            if entry.get("published_parsed"):
                article.published_at.FromSeconds(int(time.mktime(entry.published_parsed)))
            groups.setdefault(story_of[link], []).append(article)
    now = time.time()
    briefs = []
    for n, (key, articles) in enumerate(sorted(groups.items())):
        brief = compose_brief(f"x{n:05d}", articles, BriefContext(now=now - n))
        brief.version = 1
        briefs.append(brief)
        del key
    return briefs


def corpus(count: int) -> tuple[list[pb.Brief], str]:
    """The briefs to serve, and where they came from."""
    composed = examples_briefs()
    if composed:
        return composed, f"{len(composed)} briefs composed from examples/"
    return [sample.brief(i) for i in range(count)], f"{count} synthetic briefs"


@contextmanager
def process(args: list[str], env: dict[str, str], ready_url: str) -> Iterator[int]:
    """Run a server process until the block ends; wait until ready_url answers; its pid."""
    proc = subprocess.Popen(args, env={**os.environ, **env}, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(ready_url, timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{args} did not start")
            time.sleep(0.2)
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def wrk(name: str, url: str, seconds: int, connections: int, script: Path | None) -> WrkResult:
    """One wrk run (2 threads) against url."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        args += ["-s", str(script)]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(name, out)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes and their children (uvicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    wanted, total = set(pids), 0.0
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat_file.parent.name) in wanted or int(fields[1]) in wanted:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measured(pids: list[int], *args: object) -> WrkResult:
    """``wrk(*args)``, with the CPU the server processes spent per request meanwhile.

    On a shared machine the neighbours move req/s and latency, much less CPU per request.
    """
    before, start = cpu_seconds(pids), time.monotonic()
    result = wrk(*args)  # type: ignore[arg-type]
    spent, elapsed = cpu_seconds(pids) - before, time.monotonic() - start
    requests = result.rps * elapsed
    return dataclasses.replace(result, cpu_us=spent / requests * 1e6 if requests else None)


def rotation_script(path: Path, story_ids: list[str], gzip: bool = False) -> Path:
    """A wrk Lua script that cycles through the story ids (asking for gzip, when told)."""
    ids = ",".join(f'"{sid}"' for sid in story_ids)
    headers = '{["Accept-Encoding"] = "gzip"}' if gzip else "nil"
    path.write_text(
        f"local ids = {{{ids}}}\nlocal i = 0\nlocal headers = {headers}\n"
        "request = function()\n  i = i % #ids + 1\n"
        '  return wrk.format("GET", "/v1/stories/" .. ids[i], headers)\nend\n'
    )
    return path


def gzip_sizes(bodies: list[bytes]) -> str:
    """Identity vs gzip bytes of the served briefs: medians and the median ratio."""
    plain = [len(body) for body in bodies]
    coded = [len(compress(body)) for body in bodies]
    ratios = [c / p for c, p in zip(coded, plain, strict=True)]
    return (
        f"brief bytes identity median {statistics.median(plain):,.0f}, gzip median "
        f"{statistics.median(coded):,.0f}, gzip/identity median {statistics.median(ratios):.3f} "
        f"(min {min(ratios):.3f}, max {max(ratios):.3f}; {len(bodies)} briefs, level {LEVEL})"
    )


def check_gzip(api: str, story_id: str) -> None:
    """Refuse to measure unless the API answers gzip to a client asking for it."""
    response = httpx.get(f"{api}/v1/stories/{story_id}", headers={"Accept-Encoding": "gzip"})
    if response.headers.get("content-encoding") != "gzip":
        raise RuntimeError("the API did not answer gzip to Accept-Encoding: gzip")


def table(results: list[WrkResult], bare: WrkResult) -> str:
    """The figures as a Markdown table; ratio is against the bare route's req/s."""
    lines = [
        "| target | req/s | p50 ms | p99 ms | errors | vs bare | server CPU us/req |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in [*results, bare]:
        cpu = f"{r.cpu_us:.0f}" if r.cpu_us is not None else "-"
        lines.append(
            f"| {r.name} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} "
            f"| {r.rps / bare.rps:.2f} | {cpu} |"
        )
    return "\n".join(lines)


def load_average() -> str:
    """The machine's 1/5/15-minute load averages, to tell a noisy run from a quiet one."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (cores: {os.cpu_count()})"


def run(seconds: int, connections: int, workers: int, stories: int, unlimited: bool) -> str:
    """Load the corpus, start the API and the bare route, drive both with wrk; the report."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk not found: apt-get install -y wrk")
    before = load_average()
    with tempfile.TemporaryDirectory(prefix="newsbrief-bench-api-") as tmp:
        server = RedisServer(Path(tmp) / "redis").start(timeout=30)
        try:
            report = _run(
                Path(tmp), server.url, server.pid, seconds, connections, workers, stories, unlimited
            )
        finally:
            server.stop()
    return f"load average before: {before}\n{report}\nload average after: {load_average()}"


def _run(
    tmp: Path,
    redis_url: str,
    redis_pid: int | None,
    seconds: int,
    connections: int,
    workers: int,
    stories: int,
    unlimited: bool,
) -> str:
    briefs, source = corpus(stories)
    client = redis.Redis.from_url(redis_url)
    sample.publish(client, Keys("bench"), briefs)
    client.close()
    body_file = tmp / "brief.json"
    body_file.write_bytes(docs.dumps(docs.brief_document(briefs[0])))
    api_port, open_port, bare_port = free_ports(3)
    common = {"PYTHONPATH": str(ROOT), "PROMETHEUS_MULTIPROC_DIR": ""}
    api_env = {
        **common,
        "NEWSBRIEF_API_REDIS_URL": redis_url,
        "NEWSBRIEF_API_REDIS_KEY_PREFIX": "bench",
        "NEWSBRIEF_API_PORT": str(api_port),
        "NEWSBRIEF_API_WORKERS": str(workers),
        "NEWSBRIEF_API_REBUILD_ON_EMPTY": "false",
        "NEWSBRIEF_API_LOG_LEVEL": "warning",
        # Limiter on, as in production, with a budget the single load client never exhausts
        # (so every answer is a real 200): leases of MAX_LEASE tokens per script call.
        "NEWSBRIEF_API_RATE_LIMIT_PER_SECOND": "1000000000",
        "NEWSBRIEF_API_RATE_LIMIT_BURST": "1000000000",
    }
    # Optionally the same API without the limiter, to show what the limiter costs.
    open_env = {
        **api_env,
        "NEWSBRIEF_API_PORT": str(open_port),
        "NEWSBRIEF_API_RATE_LIMIT_PER_SECOND": "0",
    }
    api_cmd = [sys.executable, "-c", "from services.api.main import serve; serve()"]
    # The bare route runs under the same supervisor and worker count as the API.
    bare_cmd = [sys.executable, "-m", "services.api.bench_bare", str(bare_port), str(workers)]
    api = f"http://127.0.0.1:{api_port}"
    open_api = f"http://127.0.0.1:{open_port}"
    bare_url = f"http://127.0.0.1:{bare_port}/bare/{briefs[0].story_id}"
    script = rotation_script(tmp / "rotate.lua", [b.story_id for b in briefs])
    gzip_script = rotation_script(tmp / "rotate-gzip.lua", [b.story_id for b in briefs], True)
    with contextlib.ExitStack() as stack:
        redis_pids = [redis_pid] if redis_pid else []
        api_pids = [stack.enter_context(process(api_cmd, api_env, f"{api}/healthz")), *redis_pids]
        bare_env = {**common, BODY_FILE_ENV: str(body_file)}
        bare_pids = [stack.enter_context(process(bare_cmd, bare_env, bare_url))]
        open_pids = []
        if unlimited:
            open_pids = [stack.enter_context(process(api_cmd, open_env, f"{open_api}/healthz"))]
        warm = [f"{api}/v1/stories/{briefs[0].story_id}", f"{api}/v1/stories", bare_url]
        for url in warm + ([f"{open_api}/healthz"] if unlimited else []):
            wrk("warm-up", url, 2, connections, None)
        check_gzip(api, briefs[0].story_id)
        results = [
            measured(api_pids, "GET /v1/stories/{id}", api, seconds, connections, script),
            measured(
                api_pids, "GET /v1/stories/{id}, gzip", api, seconds, connections, gzip_script
            ),
            measured(api_pids, "GET /v1/stories", f"{api}/v1/stories", seconds, connections, None),
        ]
        if unlimited:
            name = "GET /v1/stories/{id}, no limiter"
            results.append(
                measured(open_pids + redis_pids, name, open_api, seconds, connections, script)
            )
        name = "bare Starlette route (same bytes)"
        bare = measured(bare_pids, name, bare_url, seconds, connections, None)
    header = (
        f"corpus: {source}; brief {body_file.stat().st_size} bytes; uvicorn workers: {workers} "
        "(SO_REUSEPORT, both servers); rate limiter on; per-worker document cache on "
        f"(doccache.py); wrk -t2 -c{connections} -d{seconds}s --latency\n"
        f"{gzip_sizes([docs.dumps(docs.brief_document(b)) for b in briefs])}\n"
    )
    return header + table(results, bare)
