"""The order in which compose sends what an event produced (services.compose.publishing).

A brief goes out only after the table writes that recorded it are acknowledged: a worker killed
after sending version N of a brief whose table record never landed left its successor building
version N again, with other content, and a later, complete brief numbered below the stale one
readers already had (scale-out kill runs: one story in two runs published v1 twice).
"""

from __future__ import annotations

import asyncio

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.composer import Outputs
from services.compose.publishing import Channels, Publisher


class Log:
    """Everything the publisher did, in order."""

    def __init__(self) -> None:
        self.steps: list[str] = []


class FakeChannel:
    def __init__(self, name: str, log: Log) -> None:
        self.name, self.log = name, log

    async def send(self, *, key: bytes, value: bytes):
        self.log.steps.append(f"{self.name}:{key.decode()}")
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


class FakeWriter:
    def __init__(self, log: Log) -> None:
        self.log = log

    def built(self, briefs) -> None:
        list(briefs)

    async def write(self, batch) -> None:
        self.log.steps.append("redis")


def _publisher(log: Log) -> Publisher:
    async def flush_tables() -> None:
        log.steps.append("tables durable")

    names = ("briefs", "hubs", "entities", "hub_signals", "handoffs", "forwards", "links")
    channels = Channels(**{name: FakeChannel(name, log) for name in names})
    return Publisher(
        channels,
        FakeWriter(log),
        flush_tables=flush_tables,
        drop_forwarded=lambda old: log.steps.append(f"drop:{old}"),
        drop_moved=lambda sid, ids: log.steps.append(f"drop:{sid}:{','.join(ids)}"),
    )


def _brief(story_id: str, version: int) -> pb.Brief:
    return pb.Brief(story_id=story_id, version=version)


def test_a_brief_goes_out_only_after_the_table_writes_that_recorded_it_are_acknowledged():
    log = Log()
    out = Outputs(briefs=[(_brief("s1", 2), _brief("s1", 1))], signals=[_brief("s1", 2)])
    asyncio.run(_publisher(log)(out))
    assert log.steps == ["tables durable", "briefs:s1", "redis", "hub_signals:s1"]


def test_outputs_without_a_brief_do_not_wait_for_the_tables():
    log = Log()
    out = Outputs(handoffs=[("old", "s1")], links=[("s0", "s1")])
    asyncio.run(_publisher(log)(out))
    assert log.steps == ["redis", "handoffs:old", "links:s0"]


def test_an_absorbed_story_is_dropped_after_its_articles_are_forwarded():
    log = Log()
    forward = pb.StoryEvent(story_id="s1", kind=pb.StoryEvent.ARTICLE_ADDED)
    out = Outputs(forwards=[forward], drops=["old"])
    asyncio.run(_publisher(log)(out))
    assert log.steps == ["redis", "forwards:s1", "drop:old"]


def test_articles_a_split_moved_are_dropped_after_their_forwards():
    log = Log()
    forward = pb.StoryEvent(story_id="s2", kind=pb.StoryEvent.ARTICLE_ADDED)
    out = Outputs(forwards=[forward], moved=[("s1", ["a2", "a4"])])
    asyncio.run(_publisher(log)(out))
    assert log.steps == ["redis", "forwards:s2", "drop:s1:a2,a4"]


def test_nothing_to_send_touches_nothing():
    log = Log()
    asyncio.run(_publisher(log)(Outputs()))
    assert log.steps == []
