"""Synthetic but realistic briefs, hubs and entity cards, for the benchmark and tests.

Sized like real briefs (6-8 articles, four outlets, ~5 KB of JSON) when no composed corpus is
available; the benchmark prefers briefs composed from ``examples/`` when compose exists.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from newsbrief import store
from newsbrief.keys import Keys
from newsbrief.v1 import newsbrief_pb2 as pb

OUTLETS = ("The Northern Ledger", "Harbour Times", "Daily Meridian", "Coastline Post", "The Dial")
ENTITIES = (
    ("e-kremlin", "the Kremlin", "organisation", ["Kremlin"]),
    ("e-putin", "Vladimir Putin", "person", ["Putin"]),
    ("e-geneva", "Geneva", "place", []),
    ("e-un", "United Nations", "organisation", ["UN", "U.N."]),
    ("e-ecb", "European Central Bank", "organisation", ["ECB"]),
    ("e-lagarde", "Christine Lagarde", "person", ["Lagarde"]),
)
SUBJECTS = (
    "Ceasefire talks resume in Geneva",
    "Central bank holds interest rates",
    "Storm floods coastal towns",
    "Port strike halts container traffic",
    "Court blocks new mining permit",
    "Rail operator announces fare rise",
)
BASE_TIME = 1_764_000_000


def ts(seconds: float) -> Timestamp:
    """A protobuf timestamp."""
    stamp = Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


def entity_card(index: int, story_ids: list[str] | None = None) -> pb.EntityCard:
    """One of the sample entity cards."""
    entity_id, name, kind, aliases = ENTITIES[index % len(ENTITIES)]
    return pb.EntityCard(
        entity_id=entity_id,
        name=name,
        kind=kind,
        description=f"{name} is a {kind} often in the news.",
        aliases=aliases,
        description_source="kb",
        story_ids=story_ids or [],
        updated_at=ts(BASE_TIME),
    )


def brief(index: int, version: int = 1, updated: float | None = None) -> pb.Brief:
    """A realistic brief for story ``s<index>``, deterministic in its arguments."""
    rng = random.Random(index * 1000 + version)
    story_id = f"s{index:05d}"
    subject = SUBJECTS[index % len(SUBJECTS)]
    at = updated if updated is not None else BASE_TIME + index * 60
    outlets = rng.sample(OUTLETS, 4)
    articles = [
        pb.SourceArticle(
            article_id=f"a_{index:05d}_{n}",
            outlet=outlets[n % len(outlets)],
            url=f"https://news.example/{index}/{n}",
            title=f"{subject}: report {n}",
            published_at=ts(at - 3600 + n * 300),
        )
        for n in range(rng.randint(6, 8))
    ]
    ids = [a.article_id for a in articles]

    def sentence(text: str, n: int) -> pb.Sentence:
        return pb.Sentence(text=text, article_ids=ids[n % len(ids) : n % len(ids) + 2])

    topics = [entity_card(index + k) for k in range(2)]
    for card in topics:
        del card.story_ids[:]
    return pb.Brief(
        story_id=story_id,
        version=version,
        headline=sentence(f"{subject} ({index})", 0),
        whats_happened=[
            sentence(f"{subject}; officials confirmed the news on day {d} of the talks.", d)
            for d in range(3)
        ],
        behind_the_headline=[
            sentence(f"Analysts say the decision signals a shift, point {d} of the debate.", d)
            for d in range(3)
        ],
        what_the_papers_say=[
            pb.PaperLine(
                outlet=a.outlet,
                text=f"{a.outlet} reports that negotiators expect further rounds.",
                article_id=a.article_id,
                url=a.url,
            )
            for a in articles[:4]
        ],
        how_we_got_here=[sentence("The dispute began last spring after a failed vote.", 1)],
        timeline=[
            pb.TimelineEntry(at=ts(at - 86400 * d), text=f"Step {d}", story_id=story_id)
            for d in range(3)
        ],
        go_deeper=[
            pb.HubRef(
                hub_id=f"h{index % 3}",
                question="What's the latest on international diplomacy?",
                summary="Talks, summits and treaties.",
            )
        ],
        topics=topics,
        articles=articles,
        outlets=sorted({a.outlet for a in articles}),
        language="en" if index % 4 else "fr",
        first_published_at=ts(at - 3600),
        updated_at=ts(at),
        changes=[
            pb.VersionChange(version=v, at=ts(at - 600 * (version - v)), sections=["headline"])
            for v in range(1, version + 1)
        ],
    )


def hub(index: int, story_ids: list[str]) -> pb.Hub:
    """Sample question hub ``h<index>``."""
    return pb.Hub(
        hub_id=f"h{index}",
        question="What's the latest on international diplomacy?",
        summary=pb.Sentence(text="Talks, summits and treaties.", article_ids=[]),
        story_ids=story_ids,
        updated_at=ts(BASE_TIME + index),
    )


def publish(client: Any, keys: Keys, messages: Iterable[pb.Brief | pb.Hub | pb.EntityCard]) -> int:
    """Write messages into Redis with ``newsbrief.store`` (compose's writers), pipelined."""
    pipe = client.pipeline(transaction=False)
    count = 0
    for message in messages:
        if isinstance(message, pb.Brief):
            store.queue_brief(pipe, keys, message)
        elif isinstance(message, pb.Hub):
            store.queue_hub(pipe, keys, message)
        else:
            store.queue_entity(pipe, keys, message)
        count += 1
        if count % 500 == 0:
            pipe.execute()
    pipe.execute()
    return count


def older_shape(document: Any) -> Any:
    """A document as compose wrote it before `id` joined entity and hub references.

    No `id` beside `entity_id` or `hub_id`, and a story summary's `hubs` as bare ids: what the
    API must still serve correctly from a Redis filled by an older compose.
    """
    if isinstance(document, list):
        return [older_shape(item) for item in document]
    if not isinstance(document, dict):
        return document
    old = {key: older_shape(value) for key, value in document.items()}
    if "entity_id" in old or "hub_id" in old:
        old.pop("id", None)
    if "hubs" in old:
        old["hubs"] = [hub["id"] for hub in document["hubs"]]
    return old
