"""The benchmark's replicated corpus: every replica is new text, wire copies stay copies."""

from collections import Counter

from services.ingest.bench_corpus import replicate, vocabulary
from services.ingest.commands import tally
from services.ingest.feeds import parse_feed
from services.ingest.normalise import Context
from services.ingest.pipeline import Pipeline

from .helpers import GOOD

STORY = (
    "Dock workers at the northern port walked out on Tuesday after talks on pay collapsed late "
    "on Monday night. The union said its members had rejected an offer of three per cent and "
    "would stay out until the employers returned with a better deal. Ships were being diverted "
    "to other ports along the coast, and exporters warned of delays to deliveries of grain and "
    "timber. The port authority said it hoped to restart talks by the end of the week."
)


def item(link: str, title: str, text: str) -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link><description>{text}</description></item>"
    )


def wire_feed() -> bytes:
    """An original wire story, a syndicated copy of it, and an unrelated story."""
    copy = STORY.replace("Tuesday", "Tuesday morning") + " Reporting by the wire desk."
    other = " ".join(reversed(STORY.split()))
    items = [
        item("https://wire.example/port", "Dock strike", STORY),
        item("https://paper.example/port-strike", "Port strike", copy),
        item("https://other.example/x", "Other", other),
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>W</title>'
        f"<language>en</language>{''.join(items)}</channel></rss>"
    ).encode()


def test_replicas_are_valid_feeds_with_fresh_links_and_rewritten_text():
    body = (GOOD / "rss20.xml").read_bytes()
    vocab = vocabulary([body, wire_feed()])
    first, second = (parse_feed(replicate(body, r, vocab)).items for r in (1, 2))
    assert len(first) == len(second) == len(parse_feed(body).items)
    pairs = zip(first, second, strict=True)
    assert all(a.link.startswith("https://") and a.link != b.link for a, b in pairs)
    words_a, words_b = first[0].content.split(), second[0].content.split()
    changed = sum(a != b for a, b in zip(words_a, words_b, strict=False)) / len(words_a)
    assert 0.1 < changed < 0.6


def test_wire_copies_match_inside_a_replica_and_never_across_replicas():
    body = wire_feed()
    vocab = vocabulary([body])
    pipeline = Pipeline()
    counts: Counter[str] = Counter()
    for replica in range(4):
        outcomes = pipeline.feed(replicate(body, replica, vocab), None, Context("bench"))
        counts.update(tally(outcomes))
        copy = outcomes[1]
        assert copy.duplicate_of == outcomes[0].article.article_id  # its own replica's original
    assert counts["accepted"] == 12
    assert counts["near_duplicate"] == 4
