"""The walking skeleton: sample feeds -> ingest -> cluster -> compose -> Redis -> API.

All four services run as real processes (`newsbrief serve <name>`) on the session's real
broker and Redis, exactly as `newsbrief up` runs them.
"""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import feedparser
import httpx
import pytest
from stack_support import stack_env

from newsbrief.stack import (
    EXAMPLES,
    start_feed_server,
    start_services,
    stop_pids,
)

FEEDS_USED = 2


def _two_feeds(tmp_path: Path) -> tuple[Path, set[str]]:
    """A feed list with the first two sample feeds, and the links of their articles."""
    feeds = tomllib.loads((EXAMPLES / "feeds.toml").read_text())["feeds"][:FEEDS_USED]
    lines = []
    links: set[str] = set()
    for feed in feeds:
        lines.append("[[feeds]]")
        lines += [f"{key} = {value!r}" for key, value in feed.items() if isinstance(value, str)]
        lines.append("poll_interval = 3600")
        links |= {e.link for e in feedparser.parse(str(EXAMPLES / feed["url"])).entries}
    path = tmp_path / "feeds.toml"
    path.write_text("\n".join(lines).replace("'", '"') + "\n")
    return path, links


@pytest.fixture
def stack(tmp_path, kafka_bootstrap, redis_url, topic_prefix, redis_key_prefix):
    feeds_file, links = _two_feeds(tmp_path)
    # The sample feeds are served from one more free port, on loopback.
    config, env, [feeds] = stack_env(
        tmp_path,
        (kafka_bootstrap, redis_url),
        (topic_prefix, redis_key_prefix),
        feeds_file,
        feeds_base_url="",
        extra_ports=1,
    )
    env["NEWSBRIEF_INGEST_FEEDS_BASE_URL"] = f"http://127.0.0.1:{feeds}/"
    children = {"feeds": start_feed_server(feeds, tmp_path / "logs")}
    children.update(start_services(env, tmp_path / "logs"))
    yield f"http://127.0.0.1:{config.api_port}", links, children, tmp_path / "logs"
    stop_pids([child.pid for child in children.values()])


def _served(client: httpx.Client) -> list[dict]:
    response = client.get("/v1/stories", params={"limit": 100})
    if response.status_code != 200:
        return []
    return response.json()["items"]


def test_sample_feed_articles_reach_the_api_as_briefs(stack) -> None:
    api_url, links, children, logs = stack
    deadline = time.monotonic() + 240
    stories: list[dict] = []
    with httpx.Client(base_url=api_url, timeout=5) as client:
        while time.monotonic() < deadline:
            for name, child in children.items():
                assert child.poll() is None, (logs / f"{name}.log").read_text()[-3000:]
            try:
                stories = _served(client)
            except httpx.HTTPError:
                stories = []
            if sum(s["article_count"] for s in stories) >= len(links):
                break
            time.sleep(1)
        assert stories, "no story was served"
        assert sum(s["article_count"] for s in stories) == len(links)

        served_links: list[str] = []
        for summary in stories:
            response = client.get(f"/v1/stories/{summary['id']}")
            assert response.status_code == 200
            brief = response.json()
            assert brief["headline"]
            assert brief["whats_happened"], brief
            served_links += [a["url"] for a in brief["articles"]]
    # Every sample article is in exactly one story.
    assert sorted(served_links) == sorted(links)
