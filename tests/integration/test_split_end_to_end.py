"""A story found to hold two events is split, and readers see two clean stories.

The whole system runs as real processes (`newsbrief serve <name>`) on the session's broker and
Redis. Two Paris jewellery heists are pushed in turn; the first report of the second joins the
first's young story (the engine cannot tell them apart yet), the cluster splits the story once
both heists have two reports, and compose moves the articles: the API ends with one story per
heist, each brief built only from its own reports.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from stack_support import stack_env
from test_ingest_support import read_topic

from newsbrief.stack import start_services, stop_pids
from newsbrief.topics import STORY_EVENTS, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb

# Two jewellery heists told with the same words, their reports in turn (r1, d1, r2, d2...).
HEISTS = Path(__file__).resolve().parents[1] / "fixtures" / "cluster" / "heists.json"

KEY = "split-test-key"


@pytest.fixture
def stack(tmp_path, kafka_bootstrap, redis_url, topic_prefix, redis_key_prefix):
    config, env, _ = stack_env(
        tmp_path,
        (kafka_bootstrap, redis_url),
        (topic_prefix, redis_key_prefix),
        Path(""),
        "http://127.0.0.1:9/",
    )
    env["NEWSBRIEF_INGEST_FEEDS_FILE"] = ""  # articles arrive by push only
    env["NEWSBRIEF_INGEST_API_KEYS"] = KEY
    children = start_services(env, tmp_path / "logs")
    api, ingest = (f"http://127.0.0.1:{port}" for port in (config.api_port, config.ingest_port))
    yield api, ingest, children, tmp_path / "logs"
    stop_pids([child.pid for child in children.values()])


def _doc(n: int, article_id: str, title: str, text: str) -> dict:
    return {
        "url": f"https://heists.example/{article_id}",
        "title": title,
        "text": text,
        "outlet": f"Paris Desk {n % 3}",
        "language": "en",
        "published_at": f"2026-03-0{2 + n // 4}T{8 + n % 4:02d}:00:00Z",
    }


def _wait_until_up(client: httpx.Client, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("ingest never became ready")


def _push_in_turn(ingest_url: str) -> dict[str, str]:
    """Push the reports one by one, in order; url -> which heist it reports."""
    heist_of = {}
    with httpx.Client(base_url=ingest_url, timeout=10) as client:
        _wait_until_up(client)
        for n, report in enumerate(json.loads(HEISTS.read_text())):
            doc = _doc(n, report["id"], report["title"], report["text"])
            response = client.post("/v1/articles", json=[doc], headers={"X-API-Key": KEY})
            assert response.status_code == 202 and response.json()["accepted"] == 1, response.text
            heist_of[doc["url"]] = report["id"][0]
            time.sleep(0.3)  # one at a time: the stream order is the point
    return heist_of


def _served(api_url: str) -> dict[str, dict]:
    """story id -> brief, for every story the API lists."""
    with httpx.Client(base_url=api_url, timeout=5) as client:
        try:
            listed = client.get("/v1/stories", params={"limit": 100})
            if listed.status_code != 200:
                return {}
            return {
                s["id"]: client.get(f"/v1/stories/{s['id']}").json() for s in listed.json()["items"]
            }
        except httpx.HTTPError:
            return {}


def test_a_mixed_story_is_split_and_served_as_two_clean_stories(
    stack, kafka_bootstrap, topic_prefix
) -> None:
    api_url, ingest_url, children, logs = stack
    heist_of = _push_in_turn(ingest_url)
    deadline = time.monotonic() + 180
    grouped: list[set[str]] = []
    while time.monotonic() < deadline:
        for name, child in children.items():
            assert child.poll() is None, (logs / f"{name}.log").read_text()[-3000:]
        briefs = _served(api_url)
        grouped = [{a["url"] for a in b.get("articles", [])} for b in briefs.values()]
        if sorted(map(len, grouped)) == [4, 4]:
            break
        time.sleep(1)
    by_heist = sorted(sorted({heist_of[url] for url in group}) for group in grouped)
    assert by_heist == [["d"], ["r"]], grouped
    served = _served(api_url)
    for brief in served.values():
        text = " ".join([brief["headline"]] + [s["text"] for s in brief["whats_happened"]])
        heist = {heist_of[a["url"]] for a in brief["articles"]}
        assert ("wigs" in text.lower() or "80 million" in text) == (heist == {"d"}), text

    # Eight articles make at least eight events, plus the split and the new story's creation.
    events = read_topic(kafka_bootstrap, topic_name(topic_prefix, STORY_EVENTS), pb.StoryEvent, 10)
    kinds = [pb.StoryEvent.Kind.Name(e.kind) for _, e in events]
    assert kinds.count("SPLIT") == 1, kinds

    # A client holding either story id learns where the other heist's reports went.
    split = next(e for _, e in events if e.kind == pb.StoryEvent.SPLIT)
    origin, split_off = served[split.story_id], served[split.split_story_id]
    assert origin["split_into"] == [split_off["id"]] and origin["split_from"] is None
    assert split_off["split_from"] == origin["id"] and split_off["split_into"] == []
