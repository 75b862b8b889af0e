"""Ingest puts every article of a language into one partition of the articles topic, in the
order it published them (real broker, six partitions)."""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition

from newsbrief.codec import decode
from newsbrief.topics import ARTICLES, article_partition, create_topics, language_of, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest.pipeline import ACCEPTED, Outcome
from services.ingest.publisher import Publisher

PARTITIONS = 6
LANGUAGES = ["en", "de", "fr", "en-GB", "es", "it", "nl", "pt"]


def read_partitions(bootstrap: str, topic: str, expected: int, timeout: float = 30.0):
    """Every article of topic as {partition: [(key, article), ...]} in offset order."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    out: dict[int, list] = {}
    deadline = time.monotonic() + timeout
    try:
        while sum(map(len, out.values())) < expected and time.monotonic() < deadline:
            for tp, records in consumer.poll(timeout_ms=500).items():
                out.setdefault(tp.partition, []).extend(
                    (r.key.decode(), decode(pb.Article, r.value)) for r in records
                )
    finally:
        consumer.close()
    return out


def outcome(index: int) -> Outcome:
    article = pb.Article(
        article_id=f"a{index:02d}",
        url=f"https://example.org/{index}",
        title=f"Item {index}",
        language=LANGUAGES[index % len(LANGUAGES)],
    )
    article.published_at.FromSeconds(1_790_000_000 + 60 * index)
    return Outcome(ACCEPTED, article=article)


def test_each_language_lands_in_one_partition_in_publishing_order(kafka_bootstrap, unique_name):
    prefix = unique_name + "-six"
    create_topics(kafka_bootstrap, prefix, partitions=PARTITIONS)
    outcomes = [outcome(i) for i in range(40)]
    publisher = Publisher(kafka_bootstrap, prefix)
    try:
        publisher.deliver(outcomes[:25], "test")
        publisher.deliver(outcomes[25:], "test")  # a second round keeps the same partitions
        assert publisher.articles_partitions == PARTITIONS  # learned from the broker
    finally:
        publisher.close()

    by_partition = read_partitions(kafka_bootstrap, topic_name(prefix, ARTICLES), 40)
    assert sum(map(len, by_partition.values())) == 40
    homes: dict[str, set[int]] = {}
    for partition, records in by_partition.items():
        for key, article in records:
            assert key == article.article_id  # the key is still the article id
            homes.setdefault(language_of(article.language), set()).add(partition)
    # en and en-GB are one language: one partition, the one the shared function names.
    assert homes == {
        lang: {article_partition(lang, PARTITIONS)}
        for lang in ["en", "de", "fr", "es", "it", "nl", "pt"]
    }
    english = [a.article_id for _, a in by_partition[article_partition("en", PARTITIONS)]
               if language_of(a.language) == "en"]  # fmt: skip
    sent = [o.article.article_id for o in outcomes if language_of(o.article.language) == "en"]
    assert english == sent
