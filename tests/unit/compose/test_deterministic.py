"""A story's brief is the same in every process: a restarted or rebalanced worker must not
publish a new version of a story whose articles did not change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# Composes a few bench stories (their outlets share many words with equal weights) and prints
# what the briefs say and which articles each sentence cites.
_PROGRAM = """
from services.compose import bench
from services.compose.brief import BriefContext, compose_brief
for n, run in ((20, 3), (12, 5), (30, 8)):
    brief = compose_brief("s", bench.story_of(n, run=run), BriefContext(now=0))
    for part in (brief.whats_happened, brief.behind_the_headline, brief.how_we_got_here):
        for s in part:
            print(s.text, *s.article_ids)
    for line in brief.what_the_papers_say:
        print(line.text, line.article_id)
"""


def _briefs(hash_seed: int, program: str = _PROGRAM) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_briefs_do_not_depend_on_string_hashing():
    first = _briefs(1)
    assert first.count("\n") > 20
    assert all(_briefs(seed) == first for seed in (2, 3, 4))


# Every sample story (the sample feeds and the hand-written fixture) and the bench stories whose
# titles tie ("Earthquake in southern Peru kills 10" / "... kills 11": their one differing
# figure weighs the same) composed whole: each brief serialized, its clock-set field cleared.
_WHOLE_PROGRAM = """
import hashlib, sys
sys.path.insert(0, "tests/unit/compose")
from compose_corpus import example_stories, fixture_stories
from services.compose import bench
from services.compose.brief import BriefContext, compose_brief
stories = {**fixture_stories(), **(example_stories() or {})}
for n, run in ((30, 8), (30, 2), (20, 3), (12, 5)):
    stories[f"bench-{n}-{run}"] = bench.story_of(n, run=run)
for key, articles in sorted(stories.items()):
    brief = compose_brief(key, articles, BriefContext(now=0))
    brief.ClearField("updated_at")
    serialized = brief.SerializeToString(deterministic=True)
    print(key, hashlib.sha256(serialized).hexdigest(), brief.headline.text)
"""


def test_whole_briefs_do_not_depend_on_string_hashing():
    # Seeds 4 and 8 once gave the 30-article bench story another headline than seed 1 did
    # ("... kills 15" for "... kills 11"): equal centralities summed over a frozenset of terms
    # differed in their last bit with the set's order.
    first = _briefs(1, _WHOLE_PROGRAM)
    assert "bench-30-8 " in first and first.count("\n") >= 20
    for seed in (4, 8):
        assert _briefs(seed, _WHOLE_PROGRAM) == first, f"PYTHONHASHSEED={seed}"
