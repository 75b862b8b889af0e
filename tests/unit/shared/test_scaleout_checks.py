"""The scale-out run's pure checks (newsbrief.bench_scaleout): reused brief versions, lag text."""

from __future__ import annotations

from newsbrief.bench_scaleout import describe_lag, reused_versions
from newsbrief.v1 import newsbrief_pb2 as pb


def _brief(story_id: str, version: int, content: str) -> pb.Brief:
    return pb.Brief(story_id=story_id, version=version, content_hash=content)


def test_a_version_sent_again_with_the_same_content_is_not_reused():
    briefs = [_brief("s1", 1, "a"), _brief("s1", 1, "a"), _brief("s1", 2, "b")]
    assert reused_versions(briefs) == set()


def test_a_version_sent_with_two_contents_is_reported_once():
    briefs = [
        _brief("s1", 1, "a"),
        _brief("s2", 1, "c"),
        _brief("s1", 1, "b"),
        _brief("s1", 1, "d"),
    ]
    assert reused_versions(briefs) == {("s1", 1)}


def test_lag_names_the_partitions_behind_and_the_groups_that_never_committed():
    lag = {
        "p-cluster": {"p.articles:0": 0, "p.cluster-shards:1": 0},
        "p-compose": {"p.story-events:0": 0, "p.story-events:2": 14},
        "q-compose": {},
    }
    assert describe_lag(lag) == "p-compose p.story-events:2 +14; q-compose never committed"
    assert describe_lag({"p-cluster": {"p.articles:0": 0}}) == "nothing"
