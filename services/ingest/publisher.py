"""Kafka producer adapter: articles keyed by article_id (one partition per language),
rejections keyed by source."""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from dataclasses import dataclass, field

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.future import Future

from newsbrief.codec import encode
from newsbrief.topics import ARTICLES, REJECTED, article_partition, topic_name
from services.ingest.pipeline import ACCEPTED, Outcome, rejection_message
from services.ingest.pipeline import REJECTED as REJECTED_STATUS

log = logging.getLogger(__name__)


# How long the producer itself keeps retrying a queued message before it gives up on it. A
# broker outage shorter than this loses nothing and duplicates nothing: the idempotent producer
# resends the same batches (same sequence numbers) once the broker is back.
DEFAULT_DELIVERY_TIMEOUT_S = 24 * 3600.0


class DeliveryError(RuntimeError):
    """The broker did not acknowledge every message of a batch."""


@dataclass
class Delivery:
    """Outcomes queued on the producer, each with the future of its message."""

    sent: list[tuple[Outcome, object]] = field(default_factory=list)

    def done(self) -> bool:
        """Whether the broker answered for every message (acknowledged or failed for good)."""
        return all(future.is_done for _, future in self.sent)

    def wait(self, timeout: float) -> bool:
        """Wait up to timeout seconds for every answer; return done()."""
        deadline = time.monotonic() + timeout
        for _, future in self.sent:
            remaining = deadline - time.monotonic()
            if future.is_done:
                continue
            if remaining <= 0:
                return False
            # A timeout leaves the future pending; a failure is read from the future below.
            with contextlib.suppress(Exception):
                future.get(timeout=remaining)
        return self.done()

    def failed(self) -> list[Outcome]:
        """Outcomes whose message failed for good (not the ones still pending)."""
        return [outcome for outcome, future in self.sent if future.failed()]

    def pending(self) -> list[Outcome]:
        """Outcomes the broker has not answered for yet."""
        return [outcome for outcome, future in self.sent if not future.is_done]

    def error(self) -> str:
        """The first failure, for logs and HTTP answers."""
        for _, future in self.sent:
            if future.failed():
                return f"{type(future.exception).__name__}: {future.exception}"
        return "not acknowledged yet"


class Publisher:
    """Publishes outcomes and waits for the broker's acknowledgements."""

    def __init__(
        self,
        bootstrap: str,
        topic_prefix: str,
        delivery_timeout_s: float = DEFAULT_DELIVERY_TIMEOUT_S,
        **overrides: object,
    ) -> None:
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
            # send() blocks only while a topic's partitions are unknown; ensure_metadata() turns
            # that into a clean failure before anything of a batch is queued.
            "max_block_ms": 10_000,
            # retries are unbounded (the default): delivery_timeout_ms alone ends them.
            "delivery_timeout_ms": int(delivery_timeout_s * 1000),
            "request_timeout_ms": 30_000,
            # Reconnect quickly once a broker comes back (the default backoff grows to 30 s).
            "reconnect_backoff_max_ms": 1_000,
        }
        config.update(overrides)
        self._producer = KafkaProducer(**config)
        self.errors = 0
        # Partition count of the articles topic, learned from the broker before the first
        # article is queued and kept for the life of the process (see article_partition).
        self.articles_partitions: int | None = None

    def deliver(self, outcomes: list[Outcome], source: str, timeout: float = 30.0) -> None:
        """Send accepted articles and rejections, then block until all are acknowledged.

        Raises DeliveryError when a message failed or is still unacknowledged after timeout.
        Unacknowledged messages stay queued in the producer, which keeps retrying them.
        """
        delivery = self.submit(outcomes, source)
        if not delivery.wait(timeout) or delivery.failed():
            self.errors += 1
            raise DeliveryError(delivery.error())

    def submit(self, outcomes: list[Outcome], source: str) -> Delivery:
        """Queue accepted articles and rejections without waiting for acks.

        Raises DeliveryError, with nothing queued, when the topics' partitions are unknown and
        the broker cannot be asked (down since the producer started).
        """
        self.ensure_metadata()
        delivery = Delivery()
        for outcome in outcomes:
            if outcome.status == ACCEPTED and outcome.article is not None:
                delivery.sent.append((outcome, self._queue(self.send_article, outcome)))
            elif outcome.status == REJECTED_STATUS:
                delivery.sent.append((outcome, self._queue(self.send_rejection, outcome, source)))
        return delivery

    def _queue(self, send, *args):
        """Queue one message; a send that raises becomes a failed future of that message only,
        so the rest of the batch is still accounted for."""
        try:
            return send(*args)
        except KafkaError as exc:
            self.errors += 1
            return Future().failure(exc)

    def ensure_metadata(self) -> None:
        """Make sure both topics' partitions are known, so send() never blocks mid-batch."""
        try:
            self._learn_partitions()
            self._producer.partitions_for(self.rejected_topic)
        except KafkaError as exc:
            self.errors += 1
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def _learn_partitions(self) -> int:
        """The articles topic's partition count, asked from the broker once.

        Kept fixed afterwards: a count that changed under a running publisher would move a
        language to another partition mid-stream, so its articles could overtake each other.
        Partitions are only ever added, so the kept count always names existing partitions.
        """
        if self.articles_partitions is None:
            self.articles_partitions = len(self._producer.partitions_for(self.articles_topic))
        return self.articles_partitions

    def send(self, outcomes: list[Outcome], source: str) -> list:
        """Queue accepted articles and rejections without waiting; returns their futures."""
        return [future for _, future in self.submit(outcomes, source).sent]

    def wait(self, futures: list, timeout: float = 30.0) -> None:
        """Block until every future is acknowledged; raise DeliveryError otherwise."""
        delivery = Delivery([(Outcome(ACCEPTED), future) for future in futures])
        if not delivery.wait(timeout) or delivery.failed():
            self.errors += 1
            raise DeliveryError(delivery.error())

    def send_article(self, outcome: Outcome):
        """Queue one article in its language's partition; returns the producer's future."""
        article = outcome.article
        return self._producer.send(
            self.articles_topic,
            value=encode(article),
            key=article.article_id.encode(),
            partition=article_partition(article.language, self._learn_partitions()),
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
