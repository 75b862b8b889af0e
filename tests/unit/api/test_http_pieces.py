"""Small pure pieces: conditional requests, problems, SSE framing, limiter identity, wrk."""

import dataclasses

import pytest

from newsbrief.v1 import newsbrief_pb2 as pb
from services.api.bench import WrkResult, parse_wrk, table
from services.api.config import ApiSettings
from services.api.fastredis import pack
from services.api.hotpath import story_id_of
from services.api.problems import problem_body, validation_detail
from services.api.ratelimit import client_id, retry_after
from services.api.rebuild import latest, stale
from services.api.responses import matches
from services.api.sse import event, valid_stream_id


@pytest.mark.parametrize(
    ("header", "expected"),
    [('"abc"', True), ('W/"abc"', True), ('"x", "abc"', True), ("*", True), ('"x"', False),
     ("", False), (None, False)],
)  # fmt: skip
def test_if_none_match(header, expected):
    assert matches(header, '"abc"') is expected


def test_problem_body_is_rfc9457():
    import orjson

    doc = orjson.loads(problem_body(404, "no story", "/v1/stories/x"))
    assert doc == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no story",
        "instance": "/v1/stories/x",
    }


def test_validation_detail_names_fields():
    detail, fields = validation_detail(
        [{"loc": ("query", "limit"), "msg": "Input should be less than or equal to 100"}]
    )
    assert detail == "query parameter 'limit': Input should be less than or equal to 100"
    assert fields == [{"in": "query", "field": "limit", "message": fields[0]["message"]}]


def test_sse_event_carries_the_stream_id():
    framed = event(b"17-0", {b"story_id": b"s1", b"version": b"3"})
    assert framed == b'id: 17-0\nevent: brief\ndata: {"story_id":"s1","version":3}\n\n'
    merged = event(b"18-0", {b"story_id": b"s2", b"version": b"1", b"merged_into": b"s1"})
    assert b'"merged_into":"s1"' in merged
    assert valid_stream_id("1764-0") and valid_stream_id("5")
    assert not valid_stream_id("$") and not valid_stream_id("1-2-3")


def test_client_identity_prefers_known_api_keys():
    keys = frozenset({"secret"})
    by_key = client_id([(b"x-api-key", b"secret")], ("10.0.0.1", 5), keys)
    assert by_key.startswith("key:") and "secret" not in by_key
    assert client_id([(b"x-api-key", b"forged")], ("10.0.0.1", 5), keys) == "ip:10.0.0.1"
    assert client_id([], None, keys) == "ip:unknown"
    assert retry_after(0.01) == 1 and retry_after(2.2) == 3


def test_hot_path_matches_only_one_story():
    def scope(path, method="GET"):
        return {"path": path, "method": method}

    assert story_id_of(scope("/v1/stories/s1")) == "s1"
    assert story_id_of(scope("/v1/stories/s1/articles")) is None
    assert story_id_of(scope("/v1/stories/")) is None
    assert story_id_of(scope("/v1/stories/s1", "POST")) is None
    assert story_id_of(scope("/v1/stories/" + "x" * 201)) is None


def test_resp_packing():
    assert (
        pack(("HMGET", "k", b"json", 2))
        == b"*4\r\n$5\r\nHMGET\r\n$1\r\nk\r\n$4\r\njson\r\n$1\r\n2\r\n"
    )


def test_latest_value_per_key_with_deletes():
    records = [(b"a", b"1"), (b"b", b"1"), (b"a", b"2"), (b"b", None), (None, b"x")]
    assert latest(records) == {b"a": b"2"}


def test_settings_lists_and_safety():
    settings = ApiSettings(api_keys="a, b", cors_origins='["https://x"]')
    assert settings.api_keys == ["a", "b"] and settings.cors_origins == ["https://x"]
    assert ApiSettings(rate_limit_per_second=0).rate_limited is False
    with pytest.raises(ValueError):
        ApiSettings(environment="production")


WRK = """Running 5s test @ http://127.0.0.1:1/x
  2 threads and 64 connections
  Latency Distribution
     50%    8.63ms
     75%   10.00ms
     90%   12.00ms
     99%  103.99ms
  32000 requests in 5.00s, 160.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:   6587.12
"""


def test_parse_wrk():
    result = parse_wrk("x", WRK)
    assert (result.rps, result.p50_ms, result.p99_ms, result.errors) == (6587.12, 8.63, 103.99, 7)


def test_bench_table_shows_the_ratio_and_cpu_per_request():
    brief = dataclasses.replace(parse_wrk("brief", WRK), cpu_us=131.4)
    bare = WrkResult("bare", 13174.24, 4.0, 9.0, 0)
    rows = table([brief], bare).splitlines()
    assert rows[2] == "| brief | 6,587 | 8.63 | 103.99 | 7 | 0.50 | 131 |"
    assert rows[3].endswith("| 1.00 | - |")


def test_a_rebuild_skips_what_redis_holds_newer():
    brief = pb.Brief(story_id="s1", version=3)
    assert not stale(None, False, brief)
    assert not stale(b"2", False, brief)
    assert stale(b"3", False, brief) and stale(b"7", False, brief)
    # Merges are final: a redirect outranks any live version the topic still holds.
    assert stale(None, True, brief)
    # A merge tombstone is always written.
    assert not stale(b"9", True, pb.Brief(story_id="s1", version=2, merged_into="s2"))
