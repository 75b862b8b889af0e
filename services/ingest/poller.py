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
from services.ingest.ordering import feed_runs, publish_order
from services.ingest.pipeline import Outcome, Pipeline, accepted_articles, rejected_outcome
from services.ingest.publisher import Delivery, DeliveryError, Publisher
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
    # How long a round waits for its slowest feeds before publishing what is parsed.
    round_grace: float = 10.0


@dataclass
class PollReport:
    """What one poll of one feed did."""

    url: str
    fetched: bool = False
    not_modified: bool = False
    delivered: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    error: str = ""


@dataclass
class Collected:
    """A feed polled up to its delivery, and what its state becomes once the broker answered."""

    feed: FeedConfig
    report: PollReport
    deliver: bool = False
    position: tuple[str, str] = ("", "")  # etag, last-modified, saved only once delivered
    failure: str = ""  # a refused feed body: the feed failed, even when its rejection is sent


@dataclass
class Queued:
    """One feed's share of a round queued on the producer; outcomes refused before queueing."""

    delivery: Delivery = field(default_factory=Delivery)
    unqueued: list[Outcome] = field(default_factory=list)
    error: str = ""


class Poller:
    """Polls every feed of the list on its interval; never lets one feed stop the others.

    Feeds due together form a round: their items are published together, oldest first across
    feeds (see ordering.py), because the cluster engine decides in arrival order. A round waits
    at most ``round_grace`` seconds for its feeds; a slower feed is published on its own.
    """

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
        """Poll due feeds, one round per set of feeds due together, until stop is set."""
        slots = asyncio.Semaphore(self._options.max_parallel_feeds)
        running: dict[str, asyncio.Task] = {}
        while not stop.is_set():
            due = self._due(running)
            if due:
                task = asyncio.create_task(self._guarded(due, slots))
                running.update(dict.fromkeys((feed.url for feed in due), task))
            for url, task in list(running.items()):
                if task.done():
                    del running[url]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
        rounds = set(running.values())
        for task in rounds:
            task.cancel()
        await asyncio.gather(*rounds, return_exceptions=True)

    def _due(self, running: dict[str, asyncio.Task]) -> list[FeedConfig]:
        now = time.monotonic()
        return [
            feed
            for feed in self.feeds
            if self.state[feed.url].next_due <= now and feed.url not in running
        ]

    async def _guarded(self, feeds: list[FeedConfig], slots: asyncio.Semaphore) -> None:
        try:
            await self.poll_round(feeds, slots)
        except Exception:  # a bug in a round's handling must not kill the loop
            log.exception("poll round of %d feeds crashed", len(feeds))
            for feed in feeds:
                self._failed(feed, "crash")

    async def poll(self, feed: FeedConfig) -> PollReport:
        """Poll one feed once and schedule its next poll."""
        (report,) = await self.poll_round([feed])
        return report

    async def poll_round(
        self, feeds: list[FeedConfig], slots: asyncio.Semaphore | None = None
    ) -> list[PollReport]:
        """Poll feeds together; publish the items of those parsed within the grace period
        oldest first across feeds, then each slower feed as it finishes. Reports in feed order.
        """
        tasks = [asyncio.create_task(self._collect_guarded(feed, slots)) for feed in feeds]
        if not tasks:
            return []
        try:
            _, late = await asyncio.wait(tasks, timeout=self._options.round_grace)
            await self._publish([task.result() for task in tasks if task not in late])
            for straggler in asyncio.as_completed(late):
                await self._publish([await straggler])
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return [task.result().report for task in tasks]

    async def _collect_guarded(
        self, feed: FeedConfig, slots: asyncio.Semaphore | None
    ) -> Collected:
        async with slots or contextlib.nullcontext():
            try:
                return await self._collect(feed)
            except Exception:  # a bug in one feed's handling must not stop the round
                log.exception("poll of %s crashed", feed.url)
                self._failed(feed, "crash")
                return Collected(feed, PollReport(feed.url, error="crash"))

    async def _collect(self, feed: FeedConfig) -> Collected:
        """Fetch and process one feed; what has nothing to deliver is settled here."""
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
            return Collected(feed, report)
        except Rejected as exc:
            report.error = exc.reason
            report.outcomes = [rejected_outcome(exc, feed.url)]
            return Collected(feed, report, deliver=True, failure=exc.reason)
        report.fetched = True
        if result.not_modified:
            report.not_modified = True
            self._succeeded(feed)
            return Collected(feed, report)
        report.outcomes = await self._process(feed, result.body, result.content_type)
        return Collected(feed, report, deliver=True, position=(result.etag, result.last_modified))

    async def _publish(self, collected: list[Collected]) -> None:
        """Queue the feeds' outcomes in publishing order, then settle each feed on its acks."""
        todo = [c for c in collected if c.deliver]
        if not todo:
            return
        queued = await asyncio.to_thread(self._queue_in_order, todo)
        await asyncio.gather(*(self._finish(c, q) for c, q in zip(todo, queued, strict=True)))

    def _queue_in_order(self, todo: list[Collected]) -> list[Queued]:
        """Runs in a worker thread: submit() is called in publishing order, so each partition
        of the articles topic holds the round oldest first."""
        queued = [Queued() for _ in todo]
        refused = ""
        for index, run in feed_runs(publish_order([c.report.outcomes for c in todo])):
            share = queued[index]
            if not refused:
                try:
                    share.delivery.sent += self._publisher.submit(run, todo[index].feed.url).sent
                    continue
                except DeliveryError as exc:
                    # The broker cannot even be asked: each further submit would block for
                    # max_block_ms, and queueing later items first would break the order.
                    refused = str(exc)
            share.unqueued += run
            share.error = share.error or refused
        return queued

    async def _finish(self, collected: Collected, queued: Queued) -> None:
        """Wait for the broker's answer on one feed's outcomes, then move the feed on."""
        feed, report = collected.feed, collected.report
        delivered = await self._settle(feed, report, queued)
        if collected.failure:
            self._failed(feed, collected.failure)
        elif delivered:
            # Advance the feed's position only now that the broker has acknowledged everything.
            state = self.state[feed.url]
            state.etag, state.last_modified = collected.position
            if self._store is not None:
                self._store.save_position(feed.url, state.etag, state.last_modified)
            self._succeeded(feed)
        else:
            state = self.state[feed.url]
            state.last_error = "delivery_failed"
            state.next_due = time.monotonic() + min(feed.poll_interval, _DELIVERY_RETRY_S)

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

    async def _settle(self, feed: FeedConfig, report: PollReport, queued: Queued) -> bool:
        """Wait for the broker's answer for every queued outcome of one feed.

        While the broker is away the producer keeps the messages and retries them itself, so
        this waits (the feed is not polled again meanwhile) instead of sending them twice.
        Only messages that failed for good, or were never queued, are released for the next
        poll to send again.
        """
        if not report.outcomes:
            report.delivered = True
            return True
        delivery = queued.delivery
        await self._await_acks(feed, delivery)
        failed = delivery.failed()
        lost = failed + queued.unqueued
        if self._store is not None:
            lost_ids = {id(outcome) for outcome in lost}
            acked = [o for o in report.outcomes if id(o) not in lost_ids]
            self._store.record_delivered(accepted_articles(acked))
        if lost:
            return self._undelivered(
                feed, report, lost, delivery.error() if failed else queued.error
            )
        self._metrics.record(report.outcomes)
        report.delivered = True
        return True

    async def _await_acks(self, feed: FeedConfig, delivery: Delivery) -> None:
        waited = 0.0
        while not await asyncio.to_thread(delivery.wait, _ACK_SLICE_S):
            waited += _ACK_SLICE_S
            if waited % self._options.ack_timeout < _ACK_SLICE_S:
                log.warning("%s: %d messages still unacknowledged after %.0fs, waiting",
                            feed.url, len(delivery.pending()), waited)  # fmt: skip

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
