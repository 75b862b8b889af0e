"""The order in which one poll round's items are published: oldest published first, across feeds.

The cluster engine decides online, so the order it sees articles in changes its stories: fed
feed by feed, one outlet's take on several events arrives before anyone else's and pulls them
together. Publishing a round oldest first is the order the events actually happened in.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsbrief.flags import GUESSED_DATE
from services.ingest.pipeline import ACCEPTED, Outcome


def published_ns(outcome: Outcome) -> int | None:
    """The publisher's own publish time in nanoseconds, or None when there is none."""
    article = outcome.article
    if article is None or not article.HasField("published_at"):
        return None
    if GUESSED_DATE.intersection(article.flags):
        return None
    return article.published_at.ToNanoseconds()


def publish_order(batches: Sequence[Sequence[Outcome]]) -> list[tuple[int, Outcome]]:
    """Merge the batches of a round (one per feed) into publishing order.

    Returns (batch index, outcome) pairs: dated items oldest first; ties keep batch order, then
    item order. Undated items (and rejections, which carry no article) follow all dated ones in
    batch and item order: their stamped time would be "now", the newest of all, so this is
    where a sort by it would put them too, only without depending on when each was parsed.
    A wire copy whose original is in the round never goes before it, so the cluster engine
    can put the copy straight into its original's story.
    """
    ranks = {
        outcome.article.article_id: _rank(outcome)
        for batch in batches
        for outcome in batch
        if outcome.status == ACCEPTED and outcome.article is not None
    }
    keyed = []
    for batch_index, batch in enumerate(batches):
        for item_index, outcome in enumerate(batch):
            rank, after = _rank(outcome), 0
            original = ranks.get(outcome.article.duplicate_of) if outcome.article else None
            if original is not None:
                rank, after = max(rank, original), 1
            keyed.append((rank, after, batch_index, item_index, outcome))
    keyed.sort(key=lambda entry: entry[:4])
    return [(entry[2], entry[4]) for entry in keyed]


def _rank(outcome: Outcome) -> tuple[int, int]:
    """Dated items by time, then every undated one."""
    published = published_ns(outcome)
    return (0, published) if published is not None else (1, 0)


def feed_runs(ordered: Sequence[tuple[int, Outcome]]) -> list[tuple[int, list[Outcome]]]:
    """Group consecutive items of one batch: each run can be queued in one call, order kept."""
    runs: list[tuple[int, list[Outcome]]] = []
    for batch_index, outcome in ordered:
        if runs and runs[-1][0] == batch_index:
            runs[-1][1].append(outcome)
        else:
            runs.append((batch_index, [outcome]))
    return runs
