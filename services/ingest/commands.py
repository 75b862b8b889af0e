"""CLI: `newsbrief ingest FILE...` and `newsbrief bench ingest`."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import orjson
import typer

from services.ingest.normalise import Context, raw_from_mapping
from services.ingest.pipeline import (
    ACCEPTED,
    DUPLICATE_RESULT,
    REJECTED,
    Outcome,
    Pipeline,
    accepted_articles,
    rejected_outcome,
)
from services.ingest.safety import Rejected

JSONL_SUFFIXES = (".jsonl", ".ndjson")
CHUNK = 500
ROOT = Path(__file__).resolve().parents[2]


def file_outcomes(path: Path, pipeline: Pipeline, ctx: Context) -> list[Outcome]:
    """Outcomes of every article in a JSONL file or a feed file (XML or JSON Feed)."""
    if path.suffix.lower() in JSONL_SUFFIXES:
        return [
            _jsonl_line(pipeline, ctx, line, number)
            for number, line in enumerate(path.read_bytes().splitlines(), start=1)
            if line.strip()
        ]
    return pipeline.feed(path.read_bytes(), None, ctx)


def _jsonl_line(pipeline: Pipeline, ctx: Context, line: bytes, number: int) -> Outcome:
    ref = f"line {number}"
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return rejected_outcome(Rejected("json_malformed", str(exc), line[:256]), ref)
    try:
        raw = raw_from_mapping(doc)
    except Rejected as exc:
        return rejected_outcome(exc, ref)
    outcome = pipeline.item(raw, ctx)
    outcome.item_ref = raw.link or ref
    return outcome


def tally(outcomes: list[Outcome]) -> Counter[str]:
    """Counts by status, and rejections by reason (``rejected:REASON``)."""
    counts: Counter[str] = Counter()
    for outcome in outcomes:
        counts[outcome.status] += 1
        if outcome.status == ACCEPTED and outcome.duplicate_of:
            counts["near_duplicate"] += 1
        if outcome.status in (REJECTED, DUPLICATE_RESULT) and outcome.reason:
            counts[f"{outcome.status}:{outcome.reason}"] += 1
    return counts


def register(cli: typer.Typer, bench: typer.Typer) -> None:
    """Add the ingest commands to the newsbrief CLI."""
    cli.command("ingest")(ingest_files)
    bench.command("ingest")(bench_ingest)


def ingest_files(
    files: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, help="JSONL or feed files"
    ),
    bootstrap: str = typer.Option(None, help="Kafka bootstrap (default from settings)"),
    topic_prefix: str = typer.Option(None, help="topic prefix (default from settings)"),
    outlet: str = typer.Option("", help="outlet for items that name none"),
    language: str = typer.Option("", help="language for items that give none"),
) -> None:
    """Ingest JSONL (one article per line) and feed files, then print a summary."""
    from rich.console import Console
    from rich.progress import Progress

    from services.ingest.app import build_pipeline, open_store
    from services.ingest.config import IngestSettings
    from services.ingest.publisher import Publisher

    settings = IngestSettings()
    publisher = Publisher(
        bootstrap or settings.kafka_bootstrap,
        topic_prefix or settings.topic_prefix,
        settings.delivery_timeout_s,
    )
    store = open_store(settings)
    pipeline = build_pipeline(settings, store)
    counts: Counter[str] = Counter()
    try:
        with Progress() as progress:
            task = progress.add_task("ingesting", total=len(files))
            for path in files:
                source = f"file:{path.name}"
                outcomes = file_outcomes(path, pipeline, Context(source, outlet, "", language))
                for start in range(0, len(outcomes), CHUNK):
                    _deliver_chunk(publisher, store, outcomes[start : start + CHUNK], source)
                counts.update(tally(outcomes))
                progress.update(task, advance=1, description=f"{path.name}: {len(outcomes)} items")
    finally:
        publisher.close()
        if store is not None:
            store.close()
    _print_summary(Console(), counts)


def _deliver_chunk(publisher, store, chunk: list[Outcome], source: str) -> None:
    """Queue a chunk and wait for every ack, however long the broker is away."""
    from services.ingest.publisher import DeliveryError

    try:
        delivery = publisher.submit(chunk, source)
    except DeliveryError as exc:
        typer.echo(f"broker unreachable, nothing sent from {source}: {exc}", err=True)
        raise typer.Exit(1) from exc
    while not delivery.wait(5.0):
        typer.echo(f"waiting for the broker: {len(delivery.pending())} unacknowledged", err=True)
    if delivery.failed():
        typer.echo(f"delivery failed: {delivery.error()}", err=True)
        raise typer.Exit(1)
    if store is not None:
        store.record_delivered(accepted_articles(chunk))


def _print_summary(console, counts: Counter[str]) -> None:
    from rich.table import Table

    table = Table(title="ingest summary")
    table.add_column("result")
    table.add_column("count", justify="right")
    for key in (ACCEPTED, "near_duplicate", DUPLICATE_RESULT, REJECTED):
        table.add_row(key, str(counts.get(key, 0)))
    for key in sorted(k for k in counts if ":" in k):
        table.add_row(f"  {key}", str(counts[key]))
    console.print(table)


def bench_ingest(
    count: int = typer.Option(10_000, help="articles to process (at least)"),
    corpus: Path = typer.Option(ROOT / "examples" / "feeds", help="folder of sample feeds"),
    bootstrap: str = typer.Option(None, help="Kafka bootstrap; default: start a temporary broker"),
    profile: Path = typer.Option(None, help="write a cProfile of the timed run to this file"),
) -> None:
    """Articles/s of parse + normalise + dedup + produce (acks=all) on the replicated corpus."""
    from services.ingest.bench_corpus import replicate, vocabulary
    from services.ingest.dedup import Deduplicator
    from services.ingest.publisher import Publisher

    if not corpus.is_dir():
        raise typer.BadParameter(f"{corpus} is not a folder of feeds")
    feeds = sorted(p for p in corpus.iterdir() if p.suffix in (".xml", ".json", ".rss", ".atom"))
    if not feeds:
        raise typer.BadParameter(f"no feeds in {corpus}")
    bodies = [p.read_bytes() for p in feeds]
    per_pass = sum(len(Pipeline().feed(b, None, Context("bench"))) for b in bodies)
    replicas = -(-count // max(per_pass, 1))
    vocab = vocabulary(bodies)
    # Each replica is new text (see bench_corpus), so near-dup lookups both hit and miss.
    work = [replicate(b, r, vocab) for r in range(replicas) for b in bodies]  # not timed
    broker, bootstrap = _broker(bootstrap)
    try:
        prefix = "bench" + uuid.uuid4().hex[:8]
        from newsbrief.topics import create_topics

        create_topics(bootstrap, prefix)
        publisher = Publisher(bootstrap, prefix)
        pipeline = Pipeline(Deduplicator())
        _warm_up(pipeline)
        counts, elapsed, cpu = _timed_run(work, pipeline, publisher, profile)
        publisher.close()
    finally:
        if broker is not None:
            broker.stop()
            shutil.rmtree(broker.data_dir, ignore_errors=True)
    items = sum(counts[k] for k in (ACCEPTED, DUPLICATE_RESULT, REJECTED))
    typer.echo(
        f"feeds={len(feeds)} replicas={replicas} items={items} accepted={counts[ACCEPTED]} "
        f"near_duplicates={counts['near_duplicate']} duplicates={counts[DUPLICATE_RESULT]} "
        f"rejected={counts[REJECTED]}"
    )
    typer.echo(f"elapsed={elapsed:.2f}s cpu={cpu:.2f}s")
    typer.echo(f"articles/s={items / elapsed:.0f} (wall clock, parse+normalise+dedup+produce)")
    # On a shared machine the wall clock includes waiting for a core; CPU time does not.
    typer.echo(f"articles/cpu-s={items / cpu:.0f} (this process's CPU, incl. producer thread)")
    typer.echo(f"cpu-us/article={cpu / max(items, 1) * 1e6:.0f}")


def _warm_up(pipeline: Pipeline) -> None:
    # Load the language model before timing: a running service pays this once at start.
    from services.ingest.normalise import detect_language

    detect_language("warm up the language model")
    del pipeline


def _timed_run(
    work: list[bytes], pipeline: Pipeline, publisher, profile: Path | None = None
) -> tuple[Counter, float, float]:
    import cProfile

    counts: Counter[str] = Counter()
    futures = []
    profiler = cProfile.Profile() if profile else None
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for index, body in enumerate(work):
        outcomes = pipeline.feed(body, None, Context(f"bench:{index}"))
        futures += publisher.send(outcomes, "bench")
        counts.update(tally(outcomes))
    publisher.wait(futures, timeout=120)
    if profiler:
        profiler.disable()
        profiler.dump_stats(str(profile))
    return counts, time.perf_counter() - started, time.process_time() - cpu_started


def _broker(bootstrap: str | None):
    if bootstrap:
        return None, bootstrap
    from newsbrief.infra import KafkaBroker

    typer.echo("starting a temporary Kafka broker...")
    broker = KafkaBroker(tempfile.mkdtemp(prefix="nb-bench-kafka-"))
    broker.start(timeout=180)
    return broker, broker.bootstrap
