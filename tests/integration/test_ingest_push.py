"""The push API against a real broker: auth, limits, per-item results, idempotent re-push."""

from __future__ import annotations

from fastapi.testclient import TestClient
from test_ingest_support import read_topic

from newsbrief.topics import ARTICLES, REJECTED, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest.app import create_app
from services.ingest.config import IngestSettings

KEY = {"X-API-Key": "secret-1"}
BATCH = [
    {"url": "https://push.example/a?utm_source=app", "title": "Harbour bridge approved",
     "text": "The council approved the bridge.", "outlet": "Push Times", "language": "en",
     "published_at": "2025-06-10T08:00:00Z"},
    {"url": "https://push.example/a", "title": "Same article, other tracking link",
     "text": "Different wording."},
    {"title": "No link at all", "text": "Nothing to point to."},
    {"url": "https://push.example/b", "title": "<script>alert(1)</script>Hi"},
    "not an object",
    {"url": "https://push.example/c", "title": "Le pont est approuvé",
     "text": "Le conseil municipal a approuvé la construction du nouveau pont sur le port."},
]  # fmt: skip


def make_settings(kafka_bootstrap: str, topic_prefix: str) -> IngestSettings:
    return IngestSettings(
        kafka_bootstrap=kafka_bootstrap, topic_prefix=topic_prefix, api_keys="secret-1,secret-2",
        max_batch=10, max_body_bytes=50_000, poll=False,
    )  # fmt: skip


def test_push_answers_per_item_and_repushing_is_idempotent(kafka_bootstrap, topic_prefix):
    app = create_app(make_settings(kafka_bootstrap, topic_prefix))
    with TestClient(app) as client:
        assert client.post("/v1/articles", json=BATCH).status_code == 401
        assert (
            client.post("/v1/articles", json=BATCH, headers={"X-API-Key": "x"}).status_code == 401
        )
        assert client.post("/v1/articles", json=BATCH * 2, headers=KEY).status_code == 413
        big = [{"url": "https://push.example/big", "title": "x" * 60_000}]
        assert client.post("/v1/articles", json=big, headers=KEY).status_code == 413
        bad = client.post("/v1/articles", content=b"{nope", headers=KEY)
        assert bad.status_code == 400

        first = client.post("/v1/articles", json={"articles": BATCH}, headers=KEY)
        assert first.status_code == 202
        body = first.json()
        statuses = [(r["status"], r.get("reason", "")) for r in body["results"]]
        assert statuses == [
            ("accepted", ""), ("duplicate", "same_url"), ("rejected", "item_without_link"),
            ("rejected", "title_script"), ("rejected", "item_not_object"), ("accepted", ""),
        ]  # fmt: skip
        assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 1, 3)
        first_id = body["results"][0]["article_id"]

        again = client.post("/v1/articles", json=BATCH[:1], headers=KEY).json()
        assert again["results"][0] == {
            "status": "duplicate", "ref": BATCH[0]["url"], "article_id": first_id,
            "duplicate_of": first_id, "reason": "same_url",
        }  # fmt: skip

        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").status_code == 200
        metrics = client.get("/metrics").text
        assert 'newsbrief_ingest_rejected_total{reason="title_script"} 1.0' in metrics
        assert 'newsbrief_ingest_articles_total{result="duplicate"} 2.0' in metrics

    articles = read_topic(kafka_bootstrap, topic_name(topic_prefix, ARTICLES), pb.Article, 2)
    assert sorted(a.canonical_url for _, a in articles) == [
        "https://push.example/a", "https://push.example/c",
    ]  # fmt: skip
    by_url = {a.canonical_url: a for _, a in articles}
    pushed = by_url["https://push.example/a"]
    assert (pushed.article_id, pushed.outlet, pushed.source) == (first_id, "Push Times", "push")
    french = by_url["https://push.example/c"]
    assert french.language == "fr" and "language_detected" in french.flags
    assert french.outlet == "push.example"  # no outlet given: the site's host
    rejected = read_topic(kafka_bootstrap, topic_name(topic_prefix, REJECTED), pb.RejectedInput, 3)
    assert sorted(r.reason for _, r in rejected) == [
        "item_not_object", "item_without_link", "title_script",
    ]  # fmt: skip
    assert {r.source for _, r in rejected} == {"push"}
