"""Polite, guarded HTTP fetching: SSRF checks on every hop, size limits, conditional GET,
per-host concurrency and pacing, robots.txt, retries with backoff and jitter."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from services.ingest.metrics import IngestMetrics
from services.ingest.safety import AddressPolicy, Rejected, check_content_type

log = logging.getLogger(__name__)

REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
ROBOTS_MAX_BYTES = 512 * 1024


class FetchError(Rejected):
    """A fetch that failed for a reason that may go away (network, 5xx): retry later."""


@dataclass
class FetchResult:
    """A fetched body, or ``not_modified`` after a conditional GET."""

    url: str  # final URL after redirects
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2**attempt)]."""
    ceiling = min(cap, base * (2**attempt))
    return (rng or random).uniform(0, ceiling)


def failure_pause(interval: float, failures: int, cap: float) -> float:
    """How long a feed rests after `failures` consecutive failed polls (doubling, capped)."""
    if failures <= 0:
        return interval
    return min(cap, interval * (2 ** min(failures, 20)))


class HostGate:
    """Per-host concurrency limit and minimum gap between request starts."""

    def __init__(self, concurrency: int, min_interval: float) -> None:
        self._concurrency = concurrency
        self._min_interval = min_interval
        self._sems: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    async def __call__(self, host: str):
        """Acquire a slot for host (use as ``async with await gate(host):``)."""
        sem = self._sems.setdefault(host, asyncio.Semaphore(self._concurrency))
        await sem.acquire()
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            wait = self._last.get(host, 0.0) + self._min_interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last[host] = time.monotonic()
        return _Release(sem)


class _Release:
    def __init__(self, sem: asyncio.Semaphore) -> None:
        self._sem = sem

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        self._sem.release()


@dataclass(frozen=True)
class FetchLimits:
    """Limits of one fetcher."""

    max_bytes: int = 5_000_000
    max_redirects: int = 5
    timeout: float = 10.0
    retries: int = 3
    retry_base: float = 0.5
    retry_cap: float = 10.0
    respect_robots: bool = True
    user_agent: str = "newsbrief-ingest/0.1"
    robots_ttl: float = 24 * 3600.0  # RFC 9309 §2.4: do not use a cached robots.txt for longer


class Fetcher:
    """Fetches feeds and pages through every guard; one per service."""

    def __init__(
        self,
        policy: AddressPolicy,
        limits: FetchLimits,
        gate: HostGate,
        metrics: IngestMetrics | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._policy = policy
        self._limits = limits
        self._gate = gate
        self._metrics = metrics
        self._robots: dict[str, tuple[RobotFileParser, float]] = {}  # origin -> (rules, expiry)
        self._client = httpx.AsyncClient(
            follow_redirects=False,  # every hop is checked against the address policy
            timeout=limits.timeout,
            headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
            trust_env=False,  # never route through a proxy picked up from the environment
        )

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def fetch(
        self, url: str, allowed_types: frozenset[str], etag: str = "", last_modified: str = ""
    ) -> FetchResult:
        """GET url with retries; raise Rejected (permanent) or FetchError (transient)."""
        started = time.monotonic()
        try:
            result = await self._with_retries(url, allowed_types, etag, last_modified)
        except FetchError as exc:
            self._count("error", started, exc.reason)
            raise
        except Rejected as exc:
            self._count("rejected", started, exc.reason)
            raise
        self._count("not_modified" if result.not_modified else "ok", started)
        return result

    def _count(self, outcome: str, started: float, reason: str = "") -> None:
        if self._metrics is not None:
            self._metrics.fetches.labels(outcome).inc()
            self._metrics.fetch_seconds.observe(time.monotonic() - started)

    async def _with_retries(
        self, url: str, allowed: frozenset[str], etag: str, last_modified: str
    ) -> FetchResult:
        for attempt in range(self._limits.retries + 1):
            try:
                return await self._follow(url, allowed, etag, last_modified)
            except FetchError as exc:
                if attempt == self._limits.retries:
                    raise
                delay = backoff_delay(attempt, self._limits.retry_base, self._limits.retry_cap)
                log.info("retrying %s in %.2fs after %s", url, delay, exc.reason)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _follow(
        self, url: str, allowed: frozenset[str], etag: str, last_modified: str
    ) -> FetchResult:
        seen: set[str] = set()
        for _hop in range(self._limits.max_redirects + 1):
            if url in seen:
                raise Rejected("redirect_loop", f"{url} redirects back to itself")
            seen.add(url)
            self._policy.check(url)
            if self._limits.respect_robots:
                await self._check_robots(url)
            result = await self._get(url, etag, last_modified)
            if result.status in REDIRECTS:
                url = urljoin(url, result.etag)  # _get puts the Location in etag for redirects
                continue
            if result.not_modified:
                return result
            check_content_type(result.content_type, allowed)
            return result
        raise Rejected("too_many_redirects", f"more than {self._limits.max_redirects} redirects")

    async def _get(self, url: str, etag: str = "", last_modified: str = "") -> FetchResult:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = urlsplit(url).netloc
        async with await self._gate(host):
            try:
                async with self._client.stream("GET", url, headers=headers) as response:
                    return await self._read(url, response)
            except httpx.TransportError as exc:
                raise FetchError("fetch_failed", f"{type(exc).__name__}: {exc}") from exc

    async def _read(self, url: str, response: httpx.Response) -> FetchResult:
        status = response.status_code
        if status in REDIRECTS:
            location = response.headers.get("location", "")
            if not location:
                raise Rejected("redirect_invalid", f"{status} without Location")
            return FetchResult(url, status, etag=location)
        if status == 304:
            return FetchResult(url, 304, etag=response.headers.get("etag", ""))
        if status in RETRY_STATUSES:
            raise FetchError("http_transient", f"HTTP {status}")
        if status != 200:
            raise Rejected(f"http_{status}", f"HTTP {status} for {url}")
        limit = self._limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Rejected("body_too_large", f"Content-Length {declared} > limit {limit}")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise Rejected("body_too_large", f"more than {limit} bytes", b"".join(chunks)[:256])
            chunks.append(chunk)
        return FetchResult(
            url,
            200,
            b"".join(chunks),
            response.headers.get("content-type", ""),
            response.headers.get("etag", ""),
            response.headers.get("last-modified", ""),
        )

    async def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser, expires = self._robots.get(origin, (None, 0.0))
        if parser is None or time.monotonic() >= expires:
            parser = await self._load_robots(origin)
            self._robots[origin] = (parser, time.monotonic() + self._limits.robots_ttl)
        if not parser.can_fetch(self._limits.user_agent, url):
            raise Rejected("robots_disallowed", f"robots.txt of {origin} disallows {url}")

    async def _load_robots(self, origin: str) -> RobotFileParser:
        parser = RobotFileParser()
        robots_url = f"{origin}/robots.txt"
        try:
            self._policy.check(robots_url)
            result = await self._get(robots_url)
        except Rejected as exc:
            if exc.reason.startswith("http_4"):
                parser.parse([])  # RFC 9309: a 4xx robots.txt means there are no rules
                return parser
            # RFC 9309: an unreachable robots.txt means "assume disallowed" for now.
            raise FetchError("robots_unreachable", str(exc)) from exc
        if result.status == 200 and len(result.body) <= ROBOTS_MAX_BYTES:
            parser.parse(result.body.decode("utf-8", "replace").splitlines())
        else:
            parser.parse([])  # redirects are not followed for robots.txt: no rules
        return parser
