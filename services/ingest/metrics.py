"""Prometheus metrics of the ingest service, on a registry of its own (one per app)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from services.ingest.pipeline import ACCEPTED, DUPLICATE_RESULT, REJECTED, Outcome


class IngestMetrics:
    """Counters and histograms named ``newsbrief_ingest_*``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        reg = self.registry
        self.fetches = Counter(
            "newsbrief_ingest_fetches",
            "Feed and page fetches by outcome",
            ["outcome"],
            registry=reg,
        )
        self.fetch_seconds = Histogram(
            "newsbrief_ingest_fetch_seconds", "Fetch latency", registry=reg,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )  # fmt: skip
        self.articles = Counter(
            "newsbrief_ingest_articles", "Articles by result", ["result"], registry=reg
        )
        self.rejected = Counter(
            "newsbrief_ingest_rejected", "Rejected inputs by reason", ["reason"], registry=reg
        )
        self.producer_errors = Counter(
            "newsbrief_ingest_producer_errors", "Failed deliveries to Kafka", registry=reg
        )
        self.failing_feeds = Gauge(
            "newsbrief_ingest_failing_feeds", "Feeds backed off after repeated failures",
            registry=reg,
        )  # fmt: skip

    def record(self, outcomes: list[Outcome]) -> None:
        """Count delivered outcomes."""
        for outcome in outcomes:
            if outcome.status == REJECTED:
                self.rejected.labels(outcome.reason).inc()
            elif outcome.status == DUPLICATE_RESULT:
                self.articles.labels("duplicate").inc()
            elif outcome.status == ACCEPTED:
                result = "near_duplicate" if outcome.duplicate_of else "accepted"
                self.articles.labels(result).inc()
