"""Kafka producer adapter: articles keyed by article_id, rejections keyed by source."""

from __future__ import annotations

import logging
import socket
import time

from kafka import KafkaProducer
from kafka.errors import KafkaError

from newsbrief.codec import encode
from newsbrief.topics import ARTICLES, REJECTED, topic_name
from services.ingest.pipeline import ACCEPTED, Outcome, rejection_message
from services.ingest.pipeline import REJECTED as REJECTED_STATUS

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """The broker did not acknowledge every message of a batch."""


class Publisher:
    """Publishes outcomes and waits for the broker's acknowledgements."""

    def __init__(self, bootstrap: str, topic_prefix: str, **overrides: object) -> None:
        self._bootstrap = [s.strip() for s in bootstrap.split(",") if s.strip()]
        self.articles_topic = topic_name(topic_prefix, ARTICLES)
        self.rejected_topic = topic_name(topic_prefix, REJECTED)
        config: dict[str, object] = {
            "bootstrap_servers": bootstrap.split(","),
            "client_id": "newsbrief-ingest",
            "acks": "all",
            # Idempotence makes the producer's own retries safe: no duplicate after a lost ack.
            "enable_idempotence": True,
            "linger_ms": 20,  # a short wait fills batches; acks are awaited per feed anyway
            "allow_auto_create_topics": False,  # topics are created by our own admin code
            "batch_size": 256 * 1024,
            "compression_type": None,
            # A known protocol floor lets the producer be built while the broker is still down;
            # it negotiates the real versions once connected.
            "api_version": (2, 8),
            "max_block_ms": 10_000,
            "delivery_timeout_ms": 120_000,
            "request_timeout_ms": 30_000,
        }
        config.update(overrides)
        self._producer = KafkaProducer(**config)
        self.errors = 0

    def deliver(self, outcomes: list[Outcome], source: str, timeout: float = 30.0) -> None:
        """Send accepted articles and rejections, then block until all are acknowledged.

        Raises DeliveryError when any send fails or times out; the caller then retries the whole
        batch (consumers deduplicate by article_id), so nothing is lost.
        """
        self.wait(self.send(outcomes, source), timeout)

    def send(self, outcomes: list[Outcome], source: str) -> list:
        """Queue accepted articles and rejections without waiting; returns their futures."""
        try:
            futures = []
            for outcome in outcomes:
                if outcome.status == ACCEPTED and outcome.article is not None:
                    futures.append(self.send_article(outcome))
                elif outcome.status == REJECTED_STATUS:
                    futures.append(self.send_rejection(outcome, source))
            return futures
        except KafkaError as exc:
            self.errors += 1
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def wait(self, futures: list, timeout: float = 30.0) -> None:
        """Block until every future is acknowledged; raise DeliveryError otherwise."""
        try:
            self._producer.flush(timeout=timeout)
            deadline = time.monotonic() + timeout
            for future in futures:
                future.get(timeout=max(deadline - time.monotonic(), 0.1))
        except (KafkaError, TimeoutError) as exc:
            self.errors += 1
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def send_article(self, outcome: Outcome):
        """Queue one article; returns the producer's future."""
        article = outcome.article
        return self._producer.send(
            self.articles_topic, value=encode(article), key=article.article_id.encode()
        )

    def send_rejection(self, outcome: Outcome, source: str):
        """Queue one rejection record; returns the producer's future."""
        message = rejection_message(outcome, source)
        return self._producer.send(self.rejected_topic, value=encode(message), key=source.encode())

    def connected(self, timeout: float = 1.0) -> bool:
        """Whether any bootstrap broker accepts a TCP connection right now."""
        for server in self._bootstrap:
            host, _, port = server.rpartition(":")
            try:
                with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
                    return True
            except (OSError, ValueError):
                continue
        return False

    def close(self, timeout: float = 10.0) -> None:
        """Flush and close the producer."""
        try:
            self._producer.close(timeout=timeout)
        except KafkaError as exc:  # closing must never take the service down
            log.warning("producer close failed: %s", exc)
