"""What a demanding client checks: HEAD, 406, 304 headers, filters as typed, schema vs. answers.

Each test here failed before the fix it guards, except the pagination walk, which pins down
the behaviour the README promises (and its one caveat).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import jsonschema_rs
import pytest
import redis

from newsbrief import documents as docs
from newsbrief.keys import Keys
from newsbrief.v1 import newsbrief_pb2 as pb
from services.api import sample
from services.api.compression import gzip_tag

PROBLEM = "application/problem+json"


@pytest.fixture
def seeded(redis_url: str, redis_key_prefix: str) -> list[pb.Brief]:
    """Eight stories (English and French), three hubs, entity cards and one merged story."""
    briefs = [sample.brief(i) for i in range(1, 9)]
    hubs = [sample.hub(h, [b.story_id for b in briefs]) for h in range(3)]
    cards = [sample.entity_card(i, [b.story_id for b in briefs[:3]]) for i in range(6)]
    merged = sample.brief(9)
    merged.merged_into = "s00001"
    client = redis.Redis.from_url(redis_url)
    sample.publish(client, Keys(redis_key_prefix), [*cards, *hubs, *briefs, merged])
    client.close()
    return briefs


@pytest.fixture
async def api(serve_api) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_api(sse_heartbeat_seconds=0.2) as client:
        yield client


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["type"] and body["title"] and body["detail"] and body["status"] == status
    return body


GET_ROUTES = [
    "/v1/stories/s00003",  # the hot path
    "/v1/stories?limit=2",  # the list's fast path
    "/v1/stories?limit=2&since=2020-01-01T00:00:00Z",  # the list through FastAPI
    "/v1/stories/s00003/versions",
    "/v1/stories/s00003/articles",
    "/v1/hubs",
    "/v1/hubs/h1",
    "/v1/entities?q=kremlin",
    "/v1/entities/e-kremlin",
    "/v1/search?q=ceasefire",
    "/healthz",
    "/openapi.json",
]


@pytest.mark.parametrize("path", GET_ROUTES)
async def test_head_answers_like_get_without_a_body(api, seeded, path):
    got = await api.get(path)
    head = await api.head(path)
    assert got.status_code == 200
    assert head.status_code == 200, head.text
    assert head.content == b""
    for name in ("content-type", "etag", "cache-control", "link"):
        assert head.headers.get(name) == got.headers.get(name), name
    # The length of the body as sent (gzip-coded when large: httpx asks for gzip).
    assert head.headers["content-length"] == got.headers["content-length"]
    assert got.headers["content-length"] == str(got.num_bytes_downloaded)
    if "etag" in got.headers:
        again = await api.head(path, headers={"If-None-Match": got.headers["etag"]})
        assert again.status_code == 304


async def test_head_of_a_merged_or_unknown_story(api, seeded):
    moved = await api.head("/v1/stories/s00009")
    assert moved.status_code == 301 and moved.headers["location"] == "/v1/stories/s00001"
    missing = await api.head("/v1/stories/nope")
    assert missing.status_code == 404 and missing.content == b""


async def test_head_of_the_update_stream_returns_at_once(api, seeded):
    response = await api.head("/v1/updates")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.content == b""


@pytest.mark.parametrize("path", ["/v1/stories", "/v1/stories/s00001", "/v1/hubs", "/healthz"])
async def test_other_methods_are_405_naming_get_and_head(api, seeded, path):
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        body = assert_problem(await api.request(method, path), 405)
        assert method in body["detail"]
        response = await api.request(method, path)
        assert response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "path", ["/v1/stories/s00002", "/v1/stories", "/v1/hubs", "/v1/search?q=talks", "/readyz"]
)
@pytest.mark.parametrize(
    "accept", ["application/xml", "text/html", "application/json;q=0, */*;q=0.5", "image/*"]
)
async def test_an_accept_that_rules_out_json_is_a_406_problem(api, seeded, path, accept):
    body = assert_problem(await api.get(path, headers={"Accept": accept}), 406)
    assert "application/json" in body["detail"]


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "application/*",
        "*/*",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # a browser
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
    ],
)
async def test_an_accept_that_allows_json_is_served(api, seeded, accept):
    for path in ("/v1/stories/s00002", "/v1/stories", "/v1/hubs"):
        response = await api.get(path, headers={"Accept": accept})
        assert response.status_code == 200, (path, response.text)


async def test_metrics_and_the_stream_negotiate_their_own_types(api, seeded):
    assert (await api.get("/metrics", headers={"Accept": "text/plain"})).status_code == 200
    assert_problem(await api.get("/metrics", headers={"Accept": "application/json"}), 406)
    assert_problem(await api.get("/v1/updates", headers={"Accept": "application/json"}), 406)


@pytest.mark.parametrize("path", ["/v1/stories/s00004", "/v1/stories", "/v1/stories?limit=3"])
async def test_not_modified_does_not_claim_an_empty_body(api, seeded, path):
    # RFC 9110 8.6: a 304's Content-Length, if sent, must be the length of the 200's body.
    first = await api.get(path)
    cached = await api.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert cached.status_code == 304
    length = cached.headers.get("content-length")
    assert length is None or length == str(len(first.content))


@pytest.mark.parametrize("lang", ["en", "EN", "en-GB", "En_us"])
async def test_language_filter_takes_any_case_and_region(api, seeded, lang):
    english = sorted(b.story_id for b in seeded if b.language == "en")
    fast = await api.get("/v1/stories", params={"lang": lang, "limit": 100})
    slow = await api.get(
        "/v1/stories", params={"lang": lang, "limit": 100, "since": "2000-01-01T00:00:00Z"}
    )
    for response in (fast, slow):
        assert response.status_code == 200
        assert sorted(item["id"] for item in response.json()["items"]) == english


# --- the served OpenAPI document against the real answers ----------------------------------------


async def _spec(api: httpx.AsyncClient) -> dict:
    return (await api.get("/openapi.json")).json()


def _schema_errors(spec: dict, schema: dict, value: object) -> list[str]:
    """Where a value breaks a schema of the spec (its refs resolved against the spec's own)."""
    text = json.dumps({"$defs": spec["components"]["schemas"], **schema})
    resolved = json.loads(text.replace("#/components/schemas/", "#/$defs/"))
    validator = jsonschema_rs.validator_for(resolved, validate_formats=True)
    return [str(e) for e in validator.iter_errors(value)]


async def test_every_error_is_documented_as_problem_json_only(api):
    spec = await _spec(api)
    for path, methods in spec["paths"].items():
        for operation in methods.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert set(response.get("content", {})) == {PROBLEM}, (path, status)
                    schema = response["content"][PROBLEM]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ProblemDoc"}, (path, status)
            assert "406" in operation["responses"], path


async def test_every_time_field_is_documented_as_date_time(api):
    spec = await _spec(api)
    times = {"at", "published_at", "first_published_at", "updated_at"}
    found = 0
    for name, model in spec["components"]["schemas"].items():
        for field, schema in model.get("properties", {}).items():
            if field in times:
                found += 1
                formats = {option.get("format") for option in schema.get("anyOf", [schema])}
                assert "date-time" in formats, (name, field)
    assert found >= 9


@pytest.mark.parametrize(
    "path",
    [
        "/v1/stories?limit=100",
        "/v1/stories?lang=fr&since=2000-01-01T00:00:00Z",
        "/v1/stories/s00002",
        "/v1/stories/s00002/versions",
        "/v1/stories/s00002/articles",
        "/v1/hubs",
        "/v1/hubs/h0",
        "/v1/entities?q=put",
        "/v1/entities/e-putin",
        "/v1/search?q=central bank",
        "/v1/stories/nope",
        "/v1/stories/nope/versions",
        "/v1/hubs/nope",
        "/v1/entities/nope",
        "/v1/stories?limit=0",
        "/v1/stories?cursor=bogus",
        "/readyz",
    ],
)
async def test_real_answers_match_the_documented_schema(api, seeded, path):
    spec = await _spec(api)
    response = await api.get(path)
    template = _template(spec, path.split("?")[0])
    documented = spec["paths"][template]["get"]["responses"]
    assert str(response.status_code) in documented, (path, response.status_code)
    content = documented[str(response.status_code)].get("content", {})
    media = response.headers["content-type"].split(";")[0]
    assert media in content, (path, media, list(content))
    errors = _schema_errors(spec, content[media]["schema"], response.json())
    assert not errors, (path, errors[:3])


def _template(spec: dict, path: str) -> str:
    """The spec's path template that a concrete path instantiates."""
    parts = path.strip("/").split("/")
    for template in spec["paths"]:
        pieces = template.strip("/").split("/")
        if len(pieces) == len(parts) and all(
            p == q or p.startswith("{") for p, q in zip(pieces, parts, strict=True)
        ):
            return template
    raise AssertionError(f"{path} is not in the schema")


@pytest.mark.parametrize("since", [None, "2000-01-01T00:00:00Z"])  # fast path, FastAPI route
async def test_a_walk_never_repeats_a_story_updated_or_added_meanwhile(
    api, seeded, redis_url, redis_key_prefix, since
):
    # As the README says: no repeats and no shift from new stories; an updated story moves
    # to the head, above the cursor, so this walk does not meet it again.
    params = {"limit": 3} | ({"since": since} if since else {})
    first = await api.get("/v1/stories", params=params)
    seen = [item["id"] for item in first.json()["items"]]
    cursor = first.json()["next_cursor"]
    client = redis.Redis.from_url(redis_url)
    newest = sample.BASE_TIME + 10_000
    sample.publish(
        client,
        Keys(redis_key_prefix),
        [sample.brief(1, version=2, updated=newest), sample.brief(20, updated=newest + 1)],
    )
    client.close()
    while cursor:
        page = await api.get("/v1/stories", params=params | {"cursor": cursor})
        seen += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
    assert len(seen) == len(set(seen))
    # s00001 was the oldest, on the last page; updated, it jumped above the cursor.
    assert set(seen) == {b.story_id for b in seeded} - {"s00001"}
    top = await api.get("/v1/stories", params={"limit": 2})
    assert [item["id"] for item in top.json()["items"]] == ["s00020", "s00001"]


async def test_with_cors_every_answer_varies_by_origin(serve_api, seeded):
    # A shared cache keeps the answer to a request without Origin (public, max-age); served to
    # a browser on the allowed origin, it would lack Access-Control-Allow-Origin.
    async with serve_api(cors_origins="https://app.example") as client:
        for path in ("/v1/stories/s00001", "/v1/stories", "/v1/stories/nope", "/v1/hubs"):
            plain = await client.get(path)
            assert "origin" in plain.headers.get("vary", "").lower(), path
            browser = await client.get(path, headers={"Origin": "https://app.example"})
            assert browser.headers["access-control-allow-origin"] == "https://app.example"
            assert "origin" in browser.headers.get("vary", "").lower(), path


# --- documents written by an older compose --------------------------------------------------------


def _store_older_documents(redis_url: str, prefix: str, briefs: list[pb.Brief]) -> None:
    """Overwrite the seeded documents with what compose wrote before `id` was uniform."""
    keys = Keys(prefix)
    client = redis.Redis.from_url(redis_url)
    for brief in briefs:
        body = docs.dumps(sample.older_shape(docs.brief_document(brief)))
        client.hset(keys.story(brief.story_id), mapping={"json": body, "etag": docs.etag(body)})
        summary = sample.older_shape(docs.story_summary(brief))
        client.set(keys.story_summary(brief.story_id), docs.dumps(summary))
    for index in range(6):
        card = docs.entity_document(sample.entity_card(index, [b.story_id for b in briefs[:3]]))
        client.set(keys.entity(card["id"]), docs.dumps(sample.older_shape(card)))
    client.close()


OLDER_PATHS = [
    "/v1/stories/s00002",
    "/v1/stories?limit=100",
    "/v1/stories?limit=100&since=2000-01-01T00:00:00Z",
    "/v1/hubs/h0",
    "/v1/entities?q=put",
    "/v1/entities/e-putin",
    "/v1/search?q=central bank",
]


def _ids_everywhere(value: object) -> None:
    """Every object naming an `entity_id` or `hub_id` also names the same `id`."""
    if isinstance(value, list):
        for item in value:
            _ids_everywhere(item)
    elif isinstance(value, dict):
        for old in ("entity_id", "hub_id"):
            if old in value:
                assert value.get("id") == value[old], value
        for item in value.values():
            _ids_everywhere(item)


@pytest.mark.parametrize("path", OLDER_PATHS)
async def test_documents_stored_by_an_older_compose_are_served_in_todays_shape(
    api, seeded, redis_url, redis_key_prefix, path
):
    _store_older_documents(redis_url, redis_key_prefix, seeded)
    spec = await _spec(api)
    response = await api.get(path)
    assert response.status_code == 200, response.text
    schema = spec["paths"][_template(spec, path.split("?")[0])]["get"]["responses"]["200"]
    body = response.json()
    errors = _schema_errors(spec, schema["content"]["application/json"]["schema"], body)
    assert not errors, (path, errors[:3])
    _ids_everywhere(body)
    # The ETag is the served bytes' own, so a client's cached copy of the old shape is replaced.
    tag = docs.etag(response.content)
    if response.headers.get("content-encoding") == "gzip":
        tag = gzip_tag(tag)
    assert response.headers["etag"] == tag
    again = await api.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


async def test_a_summary_names_its_hubs_with_the_hub_documents_question(api, seeded):
    hub = (await api.get("/v1/hubs/h0")).json()["hub"]
    items = (await api.get("/v1/stories", params={"hub": "h0", "limit": 100})).json()["items"]
    assert items
    for item in items:
        assert {"id": hub["id"], "question": hub["question"]} in item["hubs"]
        assert all(topic["id"] for topic in item["topics"])
