"""The feed polling loop: fetch, extract, normalise, deliver, and only then advance."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin

from newsbrief.ids import article_id
from services.ingest.extract import enrich, extract_page, is_teaser
from services.ingest.feeds import ParsedFeed, RawItem, parse_feed
from services.ingest.fetch import Fetcher, FetchError, failure_pause
from services.ingest.metrics import IngestMetrics
from services.ingest.normalise import Context, canonical_url
from services.ingest.pipeline import Outcome, Pipeline, accepted_articles, rejected_outcome
from services.ingest.publisher import DeliveryError, Publisher
from services.ingest.safety import FEED_TYPES, PAGE_TYPES, Rejected, decode_text, media_type
from services.ingest.state import IngestState

log = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600}
# Acks are awaited in short slices so a shutdown never waits long on a worker thread.
_ACK_SLICE_S = 1.0
# A feed whose delivery failed is retried this soon (or at its interval, if shorter): the fault
# is the broker's, not the feed's.
_DELIVERY_RETRY_S = 15.0


@dataclass(frozen=True)
class FeedConfig:
    """One entry of the feed list."""

    url: str
    outlet: str = ""
    language: str = ""
    poll_interval: float = 300.0
    parent: str = ""


@dataclass
class FeedState:
    """Where a feed stands: conditional-GET validators and failure backoff."""

    etag: str = ""
    last_modified: str = ""
    failures: int = 0
    next_due: float = 0.0
    last_error: str = ""
    polls: int = 0


def parse_interval(value: object, default: float) -> float:
    """Seconds from a number or a string like ``90``, ``15m``, ``1h``."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip():
        text = value.strip().lower()
        if text[-1] in _UNITS:
            return float(text[:-1]) * _UNITS[text[-1]]
        return float(text)
    return default


def load_feeds(
    path: str | Path, base_url: str = "", default_interval: float = 300.0
) -> list[FeedConfig]:
    """Read the TOML feed list; relative URLs resolve against base_url (or the file's folder)."""
    path = Path(path)
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = doc.get("feeds") or doc.get("feed") or []
    base = base_url or path.resolve().parent.as_uri() + "/"
    if not base.endswith("/"):
        base += "/"
    return [
        FeedConfig(
            url=urljoin(base, str(entry["url"])),
            outlet=str(entry.get("outlet", "")),
            language=str(entry.get("language", "")),
            poll_interval=parse_interval(entry.get("poll_interval"), default_interval),
            parent=str(entry.get("parent", "") or entry.get("parent_outlet", "")),
        )
        for entry in entries
        if isinstance(entry, dict) and entry.get("url")
    ]


@dataclass
class PollOptions:
    """Poller knobs taken from the settings."""

    full_text: bool = True
    teaser_chars: int = 600
    failure_cap: float = 3600.0
    failing_after: int = 3
    ack_timeout: float = 30.0
    max_parallel_feeds: int = 8
    future_tolerance: float = 600.0


@dataclass
class PollReport:
    """What one poll of one feed did."""

    url: str
    fetched: bool = False
    not_modified: bool = False
    delivered: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    error: str = ""


class Poller:
    """Polls every feed of the list on its interval; never lets one feed stop the others."""

    def __init__(
        self,
        feeds: list[FeedConfig],
        fetcher: Fetcher,
        pipeline: Pipeline,
        publisher: Publisher,
        metrics: IngestMetrics,
        options: PollOptions | None = None,
        store: IngestState | None = None,
    ) -> None:
        self.feeds = feeds
        self.state = {feed.url: FeedState() for feed in feeds}
        self._store = store
        # A restarted service resumes each feed from its last acknowledged position.
        for url, (etag, last_modified) in (store.positions() if store else {}).items():
            if url in self.state:
                self.state[url].etag, self.state[url].last_modified = etag, last_modified
        self._fetcher = fetcher
        self._pipeline = pipeline
        self._publisher = publisher
        self._metrics = metrics
        self._options = options or PollOptions()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll due feeds until stop is set."""
        slots = asyncio.Semaphore(self._options.max_parallel_feeds)
        running: dict[str, asyncio.Task] = {}
        while not stop.is_set():
            now = time.monotonic()
            for feed in self.feeds:
                due = self.state[feed.url].next_due <= now
                if due and feed.url not in running:
                    running[feed.url] = asyncio.create_task(self._guarded(feed, slots))
            for url, task in list(running.items()):
                if task.done():
                    del running[url]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
        for task in running.values():
            task.cancel()
        await asyncio.gather(*running.values(), return_exceptions=True)

    async def _guarded(self, feed: FeedConfig, slots: asyncio.Semaphore) -> None:
        async with slots:
            try:
                await self.poll(feed)
            except Exception:  # a bug in one feed's handling must not kill the loop
                log.exception("poll of %s crashed", feed.url)
                self._failed(feed, "crash")

    async def poll(self, feed: FeedConfig) -> PollReport:
        """Poll one feed once and schedule its next poll."""
        state = self.state[feed.url]
        state.polls += 1
        report = PollReport(feed.url)
        try:
            result = await self._fetcher.fetch(
                feed.url, FEED_TYPES, state.etag, state.last_modified
            )
        except FetchError as exc:
            report.error = exc.reason
            self._failed(feed, exc.reason)
            return report
        except Rejected as exc:
            report.error = exc.reason
            report.outcomes = [rejected_outcome(exc, feed.url)]
            await self._deliver(feed, report)
            self._failed(feed, exc.reason)
            return report
        report.fetched = True
        if result.not_modified:
            report.not_modified = True
            self._succeeded(feed)
            return report
        report.outcomes = await self._process(feed, result.body, result.content_type)
        if await self._deliver(feed, report):
            # Advance the feed's position only now that the broker has acknowledged everything.
            state.etag, state.last_modified = result.etag, result.last_modified
            if self._store is not None:
                self._store.save_position(feed.url, state.etag, state.last_modified)
            self._succeeded(feed)
        else:
            state.last_error = "delivery_failed"
            state.next_due = time.monotonic() + min(feed.poll_interval, _DELIVERY_RETRY_S)
        return report

    async def _process(self, feed: FeedConfig, body: bytes, content_type: str) -> list[Outcome]:
        try:
            parsed = parse_feed(body, content_type)
        except Rejected as exc:
            return [rejected_outcome(exc, feed.url)]
        if self._options.full_text:
            parsed.items = [await self._full_text(raw) for raw in parsed.items]
        return self._pipeline.items(parsed, self._context(feed))

    def _context(self, feed: FeedConfig) -> Context:
        return Context(
            source=feed.url,
            outlet=feed.outlet,
            parent_outlet=feed.parent,
            language=feed.language,
            future_tolerance=timedelta(seconds=self._options.future_tolerance),
        )

    async def _full_text(self, raw: RawItem) -> RawItem:
        if not raw.link or not is_teaser(raw, self._options.teaser_chars):
            return raw
        try:
            if self._pipeline.dedup.seen(article_id(canonical_url(raw.link))):
                return raw  # already delivered: do not fetch its page again
            page = await self._fetcher.fetch(raw.link, PAGE_TYPES)
            _, charset = media_type(page.content_type)
            text = decode_text(page.body, charset)
            info = await asyncio.to_thread(extract_page, text, page.url)
        except Rejected as exc:
            # The teaser is still a valid article; the page is just unavailable.
            log.info("no full text for %s: %s", raw.link, exc.reason)
            return raw
        return enrich(raw, info)

    async def _deliver(self, feed: FeedConfig, report: PollReport) -> bool:
        """Queue the outcomes and wait for the broker's answer for every one of them.

        While the broker is away the producer keeps the messages and retries them itself, so
        this waits (the feed is not polled again meanwhile) instead of sending them twice.
        Only messages that failed for good are released for the next poll to send again.
        """
        if not report.outcomes:
            report.delivered = True
            return True
        try:
            delivery = await asyncio.to_thread(self._publisher.submit, report.outcomes, feed.url)
        except DeliveryError as exc:
            return self._undelivered(feed, report, report.outcomes, str(exc))
        waited = 0.0
        while not await asyncio.to_thread(delivery.wait, _ACK_SLICE_S):
            waited += _ACK_SLICE_S
            if waited % self._options.ack_timeout < _ACK_SLICE_S:
                log.warning("%s: %d messages still unacknowledged after %.0fs, waiting",
                            feed.url, len(delivery.pending()), waited)  # fmt: skip
        failed = delivery.failed()
        lost = {id(outcome) for outcome in failed}
        if self._store is not None:
            acked = [o for o in report.outcomes if id(o) not in lost]
            self._store.record_delivered(accepted_articles(acked))
        if failed:
            return self._undelivered(feed, report, failed, delivery.error())
        self._metrics.record(report.outcomes)
        report.delivered = True
        return True

    def _undelivered(
        self, feed: FeedConfig, report: PollReport, lost: list[Outcome], error: str
    ) -> bool:
        log.warning("delivery for %s failed, will retry: %s", feed.url, error)
        self._metrics.producer_errors.inc()
        # Acknowledged articles stay remembered: the retry drops them as already delivered.
        self._pipeline.release(lost)
        report.error = "delivery_failed"
        return False

    def _succeeded(self, feed: FeedConfig) -> None:
        state = self.state[feed.url]
        if state.failures >= self._options.failing_after:
            self._metrics.failing_feeds.dec()
            log.info("feed %s recovered after %d failures", feed.url, state.failures)
        state.failures, state.last_error = 0, ""
        state.next_due = time.monotonic() + feed.poll_interval

    def _failed(self, feed: FeedConfig, reason: str) -> None:
        state = self.state[feed.url]
        state.failures += 1
        state.last_error = reason
        pause = failure_pause(feed.poll_interval, state.failures, self._options.failure_cap)
        state.next_due = time.monotonic() + pause
        if state.failures == self._options.failing_after:
            self._metrics.failing_feeds.inc()
        if state.failures >= self._options.failing_after:
            log.warning(
                "feed %s failing (%d in a row, last %s); next try in %.0fs",
                feed.url, state.failures, reason, pause,
            )  # fmt: skip

    async def aclose(self) -> None:
        """Release the fetcher's connections."""
        await self._fetcher.aclose()

    def failing(self) -> dict[str, FeedState]:
        """Feeds currently backed off after repeated failures."""
        return {
            url: s for url, s in self.state.items() if s.failures >= self._options.failing_after
        }


__all__ = ["FeedConfig", "FeedState", "ParsedFeed", "PollOptions", "Poller", "load_feeds"]
