"""`newsbrief ingest FILE...` against a real broker."""

from __future__ import annotations

import typer
from test_ingest_support import FIXTURES, read_topic
from typer.testing import CliRunner

from newsbrief.topics import ARTICLES, REJECTED, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest import commands


def test_ingest_files_publishes_and_summarises(kafka_bootstrap, topic_prefix, tmp_path):
    jsonl = tmp_path / "batch.jsonl"
    jsonl.write_text(
        '{"url": "https://files.example/1", "title": "First", "text": "One.", "language": "en"}\n'
        '{"url": "https://files.example/1?utm_source=x", "title": "Again", "text": "Two."}\n'
        "{broken json\n"
        "\n"
        '{"title": "no link"}\n'
    )
    cli, bench = typer.Typer(), typer.Typer()
    cli.add_typer(bench, name="bench")
    commands.register(cli, bench)
    feed = FIXTURES / "hostile" / "empty-items.xml"
    args = ["ingest", str(jsonl), str(feed), "--bootstrap", kafka_bootstrap]
    result = CliRunner().invoke(cli, [*args, "--topic-prefix", topic_prefix])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "rejected:json_malformed" in out and "rejected:item_without_link" in out
    assert "duplicate:same_url" in out

    articles = read_topic(kafka_bootstrap, topic_name(topic_prefix, ARTICLES), pb.Article, 2)
    assert sorted((a.title, a.source) for _, a in articles) == [
        ("Fine item", "file:empty-items.xml"), ("First", "file:batch.jsonl"),
    ]  # fmt: skip
    rejected = read_topic(kafka_bootstrap, topic_name(topic_prefix, REJECTED), pb.RejectedInput, 6)
    refs = {(r.source, r.reason, r.item_ref) for _, r in rejected}
    assert ("file:batch.jsonl", "json_malformed", "line 3") in refs
    assert ("file:batch.jsonl", "item_without_link", "line 5") in refs
    assert len(rejected) == 6  # 2 from the JSONL file, 4 from the feed
