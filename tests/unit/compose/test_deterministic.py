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


def _briefs(hash_seed: int) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_briefs_do_not_depend_on_string_hashing():
    first = _briefs(1)
    assert first.count("\n") > 20
    assert all(_briefs(seed) == first for seed in (2, 3, 4))
