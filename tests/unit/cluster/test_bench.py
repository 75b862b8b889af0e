"""The `newsbrief bench cluster` command and its synthetic stream (small sizes only)."""

import json
from datetime import datetime

from typer.testing import CliRunner

from newsbrief.cli import bench, cli
from services.cluster import commands
from services.cluster.bench import run_synthetic, synthetic_rows

BASE = [
    {
        "id": "x",
        "title": "Quake hits Chile",
        "text": "A quake hit Valparaiso, Chile.",
        "published": "2026-11-16T10:00:00+00:00",
        "outlet": "A",
    },
    {
        "id": "y",
        "title": "Rates rise",
        "text": "The central bank raised rates.",
        "published": "2026-11-17T10:00:00+00:00",
        "outlet": "B",
    },
]

commands.register(cli, bench)


def test_synthetic_rows_have_fresh_ids_and_move_forward_in_time():
    rows = list(synthetic_rows(BASE, 5, shift_days=20))
    assert len({r["id"] for r in rows}) == 5
    assert not {r["id"] for r in rows} & {"x", "y"}
    times = [datetime.fromisoformat(r["published"]) for r in rows]
    assert (times[2] - times[0]).days == 20 and times[4] > times[2]


def test_run_synthetic_reports_rate_and_memory():
    res = run_synthetic(BASE, 6, block=2)
    assert res["articles"] == 6 and res["articles_per_s"] > 0 and res["peak_rss_mb"] > 0
    assert res["stories"] >= 2


def test_bench_cluster_writes_every_line_and_scores(tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [dict(r, gold=r["id"]) for r in BASE]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "pred.tsv"
    result = CliRunner().invoke(
        cli, ["bench", "cluster", str(src), "--out", str(out), "--gold", "gold"]
    )
    assert result.exit_code == 0, result.output
    assert "articles/s" in result.output and "bcubed" in result.output
    assert [line.split("\t")[0] for line in out.read_text().splitlines()] == ["x", "y"]
