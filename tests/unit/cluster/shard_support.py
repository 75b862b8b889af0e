"""Driving a ShardProcessor by hand in tests: one partition, offsets in arrival order."""

from newsbrief.bench_scaleout import final_stories


def run(processor, items, start: int = 0) -> list:
    """Every story event the processor emits for items read at offsets start, start + 1..."""
    return [e for offset, a in enumerate(items, start) for e in processor.process(a, 0, offset)]


def final(events) -> set[frozenset[str]]:
    """The member sets of the stories still standing after the events."""
    return set(final_stories(events).values())
