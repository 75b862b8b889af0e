"""The compose benchmark's synthetic story must cost what a real one does: outlets write in
their own words, so its sentences do not collapse into a handful of shared candidates."""

from __future__ import annotations

from services.compose import bench
from services.compose.candidates import build_candidates, parse_article


def test_bench_articles_do_not_repeat_one_text():
    story = bench.story_of(50)
    sentences = [s.text for a in story for s in parse_article(a).sentences]
    assert len(sentences) == 50 * 18  # every article fills the part composing reads
    assert len(set(sentences)) >= 0.5 * len(sentences)
    for a in story[:5]:  # no sentence repeats within an article
        own = [s.text for s in parse_article(a).sentences]
        assert len(own) == len(set(own))


def test_bench_story_yields_many_candidates_and_runs_differ():
    candidates, _ = build_candidates(bench.story_of(50))
    assert len(candidates) >= 150
    first, second = bench.story_of(2, run=0), bench.story_of(2, run=1)
    assert {a.article_id for a in first}.isdisjoint(a.article_id for a in second)
