"""What a client reads from the API when a story is split, and when the split is undone.

Compose's own logic (one composer holding every story) builds the briefs of two Paris heists
told as one story, the split that separates them, and the merge that folds them back; its
briefs are published with compose's Redis writers and read back through the served API.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from newsbrief import store
from newsbrief.keys import Keys
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.composer import Composer, Outputs
from services.compose.config import DEFAULT_KB, ComposeSettings
from services.compose.entities import Linker
from services.compose.kb import load_kb

HEISTS = Path(__file__).resolve().parents[1] / "fixtures" / "cluster" / "heists.json"
MIXED, SPLIT_OFF = "s-heists", "s-heist-wigs"


def _articles() -> list[pb.Article]:
    out = []
    for n, report in enumerate(json.loads(HEISTS.read_text())[:4]):  # r1, d1, r2, d2
        article = pb.Article(
            article_id=report["id"],
            url=f"https://heists.example/{report['id']}",
            outlet=f"Paris Desk {n % 3}",
            language="en",
            title=report["title"],
            text=report["text"],
        )
        article.published_at.FromSeconds(1_772_438_400 + 3600 * n)
        out.append(article)
    return out


class Published:
    """Compose's outputs written to Redis as the service writes them, version by version."""

    def __init__(self, url: str, prefix: str) -> None:
        self.client, self.keys = redis.Redis.from_url(url), Keys(prefix)

    def __call__(self, out: Outputs) -> None:
        pipe = self.client.pipeline(transaction=True)
        for brief, previous in out.briefs:
            store.queue_brief(pipe, self.keys, brief, previous)
        pipe.execute()


@pytest.fixture
def publish(redis_url: str, redis_key_prefix: str) -> Iterator[Published]:
    published = Published(redis_url, redis_key_prefix)
    yield published
    published.client.close()


@pytest.fixture
async def api(serve_api) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_api() as client:
        yield client


async def test_the_api_shows_where_split_articles_went_and_came_back(api, publish) -> None:
    composer = Composer(
        ComposeSettings(debounce_seconds=0), Linker(load_kb(DEFAULT_KB)), {}, {}, {}, {}, {}
    )
    articles = _articles()
    for n, article in enumerate(articles):
        added = pb.StoryEvent(story_id=MIXED, kind=pb.StoryEvent.ARTICLE_ADDED, article=article)
        publish(composer.on_event(added, now=1000 + n))
    wigs = [a.article_id for a in articles if a.article_id.startswith("d")]
    split = pb.StoryEvent(
        story_id=MIXED, kind=pb.StoryEvent.SPLIT, moved_article_ids=wigs, split_story_id=SPLIT_OFF
    )
    publish(composer.on_event(split, now=2000))

    story = (await api.get(f"/v1/stories/{MIXED}")).json()
    split_off = (await api.get(f"/v1/stories/{SPLIT_OFF}")).json()
    assert story["split_into"] == [SPLIT_OFF] and story["split_from"] is None
    assert split_off["split_from"] == MIXED and split_off["split_into"] == []
    assert {a["article_id"] for a in split_off["articles"]} == set(wigs)
    versions = (await api.get(f"/v1/stories/{MIXED}/versions")).json()
    assert versions[-1]["version"] == story["version"]
    assert sorted(versions[-1]["removed_article_ids"]) == wigs
    assert "split_into" in versions[-1]["sections"]

    merge = pb.StoryEvent(story_id=MIXED, kind=pb.StoryEvent.MERGED, absorbed_story_ids=[SPLIT_OFF])
    publish(composer.on_event(merge, now=3000))
    gone = await api.get(f"/v1/stories/{SPLIT_OFF}")
    assert gone.status_code == 301 and gone.headers["location"] == f"/v1/stories/{MIXED}"
    whole = (await api.get(f"/v1/stories/{MIXED}")).json()
    assert whole["split_into"] == [] and whole["merged_from"] == [SPLIT_OFF]
    assert {a["article_id"] for a in whole["articles"]} == {a.article_id for a in articles}
