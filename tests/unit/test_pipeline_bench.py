"""The end-to-end benchmark's pure parts: stream, statistics, invariants, rate search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest

from newsbrief.pipeline_bench import (
    BriefWatcher,
    bad_statuses,
    format_step,
    invariant_violations,
    jsonl_docs,
    lag_of,
    next_rate,
    percentile,
    stream,
    summarise_step,
    sustained,
)

SAMPLE = [
    {
        "url": f"https://{h}.example/x",
        "title": h,
        "text": h,
        "published_at": f"2026-11-2{d}T10:00:00+00:00",
    }
    for h, d in (("a", 0), ("b", 1))
]
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def test_stream_gives_fresh_urls_and_texts_in_forward_time_never_in_the_future() -> None:
    docs = stream(SAMPLE, 5, NOW)
    assert len(docs) == 5
    assert len({d["url"] for d in docs}) == 5
    assert len({d["text"] for d in docs}) == 5
    times = [datetime.fromisoformat(d["published_at"]) for d in docs]
    assert all(t < NOW for t in times)
    assert times == sorted(times)


def test_later_calls_continue_the_stream_without_reusing_urls() -> None:
    first = stream(SAMPLE, 4, NOW)
    later = stream(SAMPLE, 4, NOW + timedelta(hours=1), start_round=2)
    assert not {d["url"] for d in first} & {d["url"] for d in later}
    assert max(d["published_at"] for d in first) < min(d["published_at"] for d in later)


def test_jsonl_lines_without_url_get_one_from_their_id() -> None:
    docs = jsonl_docs(['{"id": "1_10ecb", "title": "T", "text": "x"}', "", '{"url": "https://u"}'])
    made = {"title": "T", "text": "x", "url": "https://bench.example/1_10ecb"}
    assert docs == [made, {"url": "https://u"}]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile([], 50) is None


def test_lag_counts_uncommitted_messages_only() -> None:
    committed = {("t", 0): 10, ("t", 1): 5}
    assert lag_of(committed, {("t", 0): 15, ("t", 1): 5}) == 5
    assert lag_of(committed, {("t", 0): 10}) == 0


def test_a_step_that_keeps_up_is_sustained_and_one_that_lags_is_not() -> None:
    accepted = {f"a{i}": i / 10 for i in range(100)}
    seen = {aid: at + 0.5 for aid, at in accepted.items()}
    lag = [(5.0, {"cluster": 3, "compose": 4})]
    step = summarise_step(10, 100, accepted, seen, (0.0, 9.9, 11.0), lag, {})
    assert step.p50 == 0.5 and step.complete
    assert sustained(step)
    lagging = summarise_step(
        10, 100, accepted, seen, (0.0, 9.9, 11.0), [(5.0, {"cluster": 999})], {}
    )
    assert not sustained(lagging)
    missing = summarise_step(10, 100, accepted, dict(list(seen.items())[:50]), (0, 9.9, 40), [], {})
    assert not sustained(missing)


def test_rate_search_grows_until_a_failure_then_bisects_once() -> None:
    assert next_rate(None, None) == 10.0
    assert next_rate(10.0, None) == 15.0
    assert next_rate(40.0, 60.0) == 50.0
    assert next_rate(50.0, 55.0) is None


def test_invariants_hold_for_a_consistent_state() -> None:
    stories = {"s1": ["a", "b"], "s2": ["c"]}
    assert invariant_violations({"a", "b", "c"}, stories, stories, {"s1": [1, 2, 2]}) == []


def test_each_broken_invariant_is_reported() -> None:
    problems = invariant_violations(
        {"a", "b", "c", "lost"},
        {"s1": ["a", "b", "b"], "s2": ["c", "a"]},
        {"s1": ["a", "b"], "s2": ["c"]},
        {"s1": [1, 3, 2]},
    )
    text = "\n".join(problems)
    assert "lists an article twice" in text
    assert "in no story" in text and "lost" in text
    assert "in several stories" in text
    assert "s2: brief lacks ['a']" in text
    assert "went backwards" in text


def test_only_503_with_retry_after_is_an_acceptable_server_error() -> None:
    answers = [("/a", 200, False), ("/a", 404, False), ("/a", 503, True), ("/b", 503, False)]
    answers.append(("/c", 500, True))
    assert bad_statuses(answers) == [("/b", 503), ("/c", 500)]


def test_a_step_names_the_accepted_articles_never_seen_oldest_first() -> None:
    accepted = {"late": 2.0, "early": 1.0, "shown": 1.5}
    step = summarise_step(10, 3, accepted, {"shown": 1.9}, (0.0, 2.0, 32.0), [], {})
    assert step.missing == ["early", "late"]
    assert "never seen (2): early late" in format_step(step)
    assert "never seen" not in format_step(
        summarise_step(10, 1, {"a": 1}, {"a": 2}, (0, 1, 2), [], {})
    )


def _brief(version: int, articles: list[str]) -> dict:
    return {"id": "s1", "version": version, "articles": [{"article_id": a} for a in articles]}


def test_a_brief_older_than_the_announced_version_is_noted_and_read_again() -> None:
    served = [_brief(1, ["a"]), _brief(2, ["a", "b"])]
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=served.pop(0)))
    watcher = BriefWatcher("http://api")
    watcher.announced["s1"] = 2  # the update stream said version 2 before the read
    with httpx.Client(base_url="http://api", transport=transport) as client:
        watcher.read_brief(client, "s1")
        assert watcher.stale_reads == [("s1", 1, 2)]
        assert watcher._pending.get_nowait() == "s1"  # queued for another read
        watcher.read_brief(client, "s1")
    assert set(watcher.seen) == {"a", "b"}
    assert watcher.stale_reads == [("s1", 1, 2)]


class _BrokenStream:
    """An update stream that delivers two events, then breaks."""

    def iter_lines(self):
        for n, story in ((1, "s1"), (2, "s2")):
            yield f"id: {n}-0"
            yield "event: brief"
            yield "data: " + orjson.dumps({"story_id": story, "version": n}).decode()
            yield ""
        raise httpx.ReadError("connection reset")


def test_a_broken_update_stream_resumes_after_the_last_event_received() -> None:
    watcher = BriefWatcher("http://api")
    with pytest.raises(httpx.ReadError):
        watcher._read_events(_BrokenStream())
    assert watcher.last_event_id == "2-0"  # the reconnect sends it as Last-Event-ID
    assert [watcher._pending.get_nowait() for _ in range(2)] == ["s1", "s2"]
    assert watcher.announced == {"s1": 1, "s2": 2}
