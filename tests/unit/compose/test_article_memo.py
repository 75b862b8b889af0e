"""Per-article analysis: done once when an article arrives, re-used by every rebuild of its
story, and held within a bound of count and approximate bytes."""

from __future__ import annotations

import pytest
from compose_corpus import fixture_stories

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import bench
from services.compose.candidates import ArticleMemo, parse_article, parsed_bytes, parsed_memo
from services.compose.composer import Composer
from services.compose.config import DEFAULT_KB, ComposeSettings
from services.compose.entities import Linker
from services.compose.kb import load_kb

LINKER = Linker(load_kb(DEFAULT_KB))


def _added(story_id: str, article: pb.Article) -> pb.StoryEvent:
    return pb.StoryEvent(story_id=story_id, kind=pb.StoryEvent.ARTICLE_ADDED, article=article)


def _article(i: int) -> pb.Article:
    return pb.Article(article_id=f"a{i}", content_hash=f"h{i}")


@pytest.fixture
def default_bounds():
    """Composers bound the process's memo: put the default bounds back after a test."""
    yield
    Composer(ComposeSettings(), LINKER, {}, {}, {})


def test_memo_evicts_the_least_recently_used_past_its_count():
    memo: ArticleMemo[str] = ArticleMemo(capacity=3)
    for i in range(3):
        memo.put(_article(i), f"v{i}")
    assert memo.get(_article(0)) == "v0"  # used again: now the most recent
    memo.put(_article(3), "v3")
    assert len(memo) == 3 and memo.evicted == 1
    assert memo.get(_article(1)) is None  # the least recently used went
    assert [memo.get(_article(i)) for i in (0, 2, 3)] == ["v0", "v2", "v3"]


def test_memo_evicts_past_its_bytes_and_keeps_its_byte_count():
    memo: ArticleMemo[str] = ArticleMemo(capacity=1000, max_bytes=100, size=len)
    for i in range(10):
        memo.put(_article(i), "x" * 30)
    assert memo.bytes <= 100 and len(memo) == 3
    assert memo.bytes == sum(len(memo.get(_article(i)) or "") for i in range(10))
    memo.put(_article(9), "x" * 10)  # a new version of a kept article replaces its bytes
    assert memo.bytes == 70
    memo.limit(1000, 40)
    assert memo.bytes <= 40 and memo.get(_article(9)) == "x" * 10


def test_memo_tells_article_versions_apart():
    memo: ArticleMemo[str] = ArticleMemo()
    memo.put(pb.Article(article_id="a", content_hash="1"), "first text")
    assert memo.get(pb.Article(article_id="a", content_hash="2")) is None


def test_parsed_bytes_grows_with_the_article():
    short, long_ = bench.article(1), bench.article(2)
    short.text = short.text[:400]
    assert 2_000 < parsed_bytes(parse_article(short)) < parsed_bytes(parse_article(long_))
    assert parsed_bytes(parse_article(long_)) < 60_000


def test_arriving_articles_are_analysed_once_and_rebuilds_reuse_them():
    composer = Composer(ComposeSettings(debounce_seconds=10.0), LINKER, {}, {}, {})
    peru = fixture_stories()["quake-peru"]
    parsed_memo().clear()  # other tests of this process may have composed these articles
    LINKER.memo.clear()
    composer.on_event(_added("s", peru[0]), now=1000)
    composer.on_event(_added("s", peru[1]), now=1001)  # debounced
    # The second article is analysed on arrival, though its story is not rebuilt yet.
    parsed = parsed_memo().get(peru[1])
    entities = LINKER.memo.get(peru[1])
    assert parsed is not None and parsed.sentences and entities is not None
    # The rebuild reads the articles back from the table (new objects) and finds them analysed.
    [(brief, _)] = composer.rebuild("s", 1011).briefs
    assert len(brief.articles) == 2
    assert parsed_memo().get(peru[1]) is parsed and LINKER.memo.get(peru[1]) is entities


def test_composer_bounds_the_memos_from_its_settings(default_bounds):
    settings = ComposeSettings(article_memo_articles=10, article_memo_mb=0.25)
    composer = Composer(settings, LINKER, {}, {}, {})
    memo = parsed_memo()
    for i, article in enumerate(bench.story_of(30, run=4242)):
        composer.on_event(_added(f"s{i}", article), now=1000 + i)
    assert len(memo) <= 10 and len(LINKER.memo) <= 10
    assert memo.bytes <= 0.25 * 2**20 and memo.evicted > 0
    assert LINKER.memo.bytes <= 0.25 * 2**20 / 16
    # An evicted article is analysed again when its story is rebuilt: the brief is the same.
    again = composer.rebuild("s0", 5000)
    assert not again.briefs  # same content: no new version
