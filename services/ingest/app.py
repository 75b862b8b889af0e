"""FastAPI app of the ingest service: push API, health, readiness, metrics, and the poller."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import orjson
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.ingest.config import IngestSettings
from services.ingest.dedup import Deduplicator
from services.ingest.fetch import Fetcher, FetchLimits, HostGate
from services.ingest.metrics import IngestMetrics
from services.ingest.normalise import Context, raw_from_mapping
from services.ingest.pipeline import (
    ACCEPTED,
    DUPLICATE_RESULT,
    REJECTED,
    Outcome,
    Pipeline,
    accepted_articles,
    rejected_outcome,
)
from services.ingest.poller import Poller, PollOptions, load_feeds
from services.ingest.publisher import DeliveryError, Publisher
from services.ingest.safety import AddressPolicy, Rejected
from services.ingest.state import IngestState

log = logging.getLogger(__name__)
PUSH_SOURCE = "push"


@dataclass
class Runtime:
    """Everything the routes share, built when the app starts."""

    settings: IngestSettings
    pipeline: Pipeline
    publisher: Publisher
    metrics: IngestMetrics
    poller: Poller | None = None
    store: IngestState | None = None


def build_fetcher(settings: IngestSettings, metrics: IngestMetrics) -> Fetcher:
    """A fetcher configured from the settings."""
    limits = FetchLimits(
        max_bytes=settings.max_body_bytes,
        max_redirects=settings.max_redirects,
        timeout=settings.fetch_timeout_s,
        retries=settings.fetch_retries,
        retry_base=settings.retry_base_s,
        respect_robots=settings.respect_robots,
        user_agent=settings.user_agent,
        robots_ttl=settings.robots_ttl_s,
    )
    gate = HostGate(settings.host_concurrency, settings.host_min_interval_s)
    return Fetcher(AddressPolicy(settings.allowed_hosts()), limits, gate, metrics)


def build_poller(
    settings: IngestSettings,
    pipeline: Pipeline,
    publisher: Publisher,
    metrics: IngestMetrics,
    store: IngestState | None = None,
) -> Poller:
    """The feed poller for the configured feed list."""
    feeds = load_feeds(
        settings.feeds_file, settings.feeds_base_url, settings.default_poll_interval_s
    )
    options = PollOptions(
        full_text=settings.full_text,
        teaser_chars=settings.teaser_chars,
        failure_cap=settings.failure_backoff_max_s,
        failing_after=settings.failing_after,
        ack_timeout=settings.ack_timeout_s,
        future_tolerance=settings.future_tolerance_s,
        round_grace=settings.round_grace_s,
    )
    fetcher = build_fetcher(settings, metrics)
    return Poller(feeds, fetcher, pipeline, publisher, metrics, options, store)


def build_pipeline(settings: IngestSettings, store: IngestState | None) -> Pipeline:
    """The pipeline, its duplicate memory reloaded from the state file when there is one."""
    dedup = Deduplicator(settings.near_dup_threshold, settings.dedup_capacity)
    if store is not None:
        dedup.restore(store.delivered())
        store.keep_signatures(dedup.signature_of)
    return Pipeline(dedup)


def open_store(settings: IngestSettings) -> IngestState | None:
    """The state file under NEWSBRIEF_INGEST_DATA_DIR, or None when state stays in memory."""
    if not settings.data_dir:
        return None
    return IngestState(settings.data_dir, settings.dedup_capacity)


def create_app(settings: IngestSettings, publisher: Publisher | None = None) -> FastAPI:
    """Build the ingest app; the poller runs inside it when a feed list is configured."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        metrics = IngestMetrics()
        store = open_store(settings)
        pipeline = build_pipeline(settings, store)
        pub = publisher or Publisher(
            settings.kafka_bootstrap, settings.topic_prefix, settings.delivery_timeout_s
        )
        runtime = Runtime(settings, pipeline, pub, metrics, store=store)
        app.state.runtime = runtime
        stop = asyncio.Event()
        task = None
        if settings.poll and settings.feeds_file:
            runtime.poller = build_poller(settings, pipeline, pub, metrics, store)
            task = asyncio.create_task(runtime.poller.run(stop))
            log.info("polling %d feeds", len(runtime.poller.feeds))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
                await runtime.poller.aclose()
            if publisher is None:
                await asyncio.to_thread(pub.close)
            if store is not None:
                store.close()

    app = FastAPI(title="newsbrief ingest", lifespan=lifespan)
    _routes(app)
    return app


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


def _routes(app: FastAPI) -> None:
    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(rt: RuntimeDep) -> JSONResponse:
        connected = await asyncio.to_thread(rt.publisher.connected)
        failing = sorted(rt.poller.failing()) if rt.poller else []
        body = {"status": "ready" if connected else "broker_unreachable", "failing_feeds": failing}
        return JSONResponse(body, status_code=200 if connected else 503)

    @app.get("/metrics")
    async def metrics(rt: RuntimeDep) -> Response:
        return Response(generate_latest(rt.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/articles", status_code=202)
    async def push(
        request: Request,
        rt: RuntimeDep,
        x_api_key: Annotated[str, Header()] = "",
    ) -> JSONResponse:
        if not x_api_key or x_api_key not in rt.settings.api_key_set():
            raise HTTPException(401, "missing or unknown X-API-Key")
        docs = await _read_batch(request, rt.settings)
        outcomes = [_push_item(rt, doc, index) for index, doc in enumerate(docs)]
        await _deliver_push(rt, outcomes)
        rt.metrics.record(outcomes)
        return JSONResponse(_summary(outcomes), status_code=202)


async def _deliver_push(rt: Runtime, outcomes: list[Outcome]) -> None:
    """Publish a push batch and wait for its acks; 503 when the broker has not answered."""
    try:
        delivery = await asyncio.to_thread(rt.publisher.submit, outcomes, PUSH_SOURCE)
    except DeliveryError as exc:
        rt.pipeline.release(outcomes)
        rt.metrics.producer_errors.inc()
        raise HTTPException(503, f"broker unavailable, nothing queued: {exc}") from exc
    if await asyncio.to_thread(delivery.wait, rt.settings.ack_timeout_s) and not delivery.failed():
        if rt.store is not None:
            rt.store.record_delivered(accepted_articles(outcomes))
        return
    rt.metrics.producer_errors.inc()
    # Failed messages are forgotten so a re-push sends them again. Pending ones stay queued in
    # the producer, which keeps retrying them: a re-push answers "duplicate" for those, and
    # the state file learns of each when its ack arrives (on the producer's thread).
    rt.pipeline.release(delivery.failed())
    if rt.store is not None:
        for outcome, future in delivery.sent:
            if outcome.status == ACCEPTED and outcome.article is not None:
                future.add_callback(_recorder(rt.store, outcome.article))
    raise HTTPException(503, f"broker did not acknowledge ({delivery.error()}); re-push is safe")


def _recorder(store: IngestState, article):
    """A producer callback that records one acknowledged article in the state file."""

    def record(_metadata: object) -> None:
        store.record_delivered([article])

    return record


async def _read_batch(request: Request, settings: IngestSettings) -> list[object]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_body_bytes:
        raise HTTPException(413, f"body over {settings.max_body_bytes} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.max_body_bytes:
            raise HTTPException(413, f"body over {settings.max_body_bytes} bytes")
    try:
        doc = orjson.loads(bytes(body))
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"body is not JSON: {exc}") from exc
    docs = doc.get("articles") if isinstance(doc, dict) else doc
    if not isinstance(docs, list):
        raise HTTPException(400, 'expected a JSON list or {"articles": [...]}')
    if len(docs) > settings.max_batch:
        raise HTTPException(413, f"batch of {len(docs)} over the limit of {settings.max_batch}")
    return docs


def _push_item(rt: Runtime, doc: object, index: int) -> Outcome:
    ref = f"#{index}"
    try:
        raw = raw_from_mapping(doc)
    except Rejected as exc:
        return rejected_outcome(exc, ref)
    ctx = Context(PUSH_SOURCE, future_tolerance=timedelta(seconds=rt.settings.future_tolerance_s))
    outcome = rt.pipeline.item(raw, ctx)
    outcome.item_ref = raw.link or ref
    return outcome


def _summary(outcomes: list[Outcome]) -> dict[str, object]:
    return {
        "accepted": sum(o.status == ACCEPTED for o in outcomes),
        "duplicates": sum(o.status == DUPLICATE_RESULT for o in outcomes),
        "rejected": sum(o.status == REJECTED for o in outcomes),
        "results": [o.as_dict() for o in outcomes],
    }
