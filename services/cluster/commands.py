"""CLI commands of the cluster service: `cluster-shards` and `bench cluster`."""

from __future__ import annotations

from pathlib import Path

import typer


def register(cli: typer.Typer, bench: typer.Typer) -> None:
    """Add the cluster service's commands to the `newsbrief` CLI."""

    @cli.command("cluster-shards")
    def cluster_shards(
        shards: list[str] = typer.Argument(..., help="shard names, e.g. en de fr"),
    ) -> None:
        """Print the shard-topic partition of each shard (settings from NEWSBRIEF_CLUSTER_*)."""
        from .config import ClusterSettings
        from .sharding import partition_for

        settings = ClusterSettings()
        for shard in shards:
            partition = partition_for(shard, settings.shard_partitions, settings.pins)
            typer.echo(f"{shard}\t{settings.shard_topic}[{partition}]")

    @bench.command("cluster-service")
    def bench_cluster_service(
        articles: int = typer.Option(2000, help="articles in the backlog"),
        bootstrap: str = typer.Option("", help="Kafka bootstrap (default: start a broker)"),
        languages: str = typer.Option("en", help="comma-separated languages (shards)"),
    ) -> None:
        """The cluster worker alone on a real broker: drain rate, CPU and changelog per article."""
        from .service_bench import main as run_bench

        extra = ["--bootstrap", bootstrap] if bootstrap else []
        run_bench(["--articles", str(articles), "--languages", languages, *extra])

    @bench.command("cluster")
    def bench_cluster(
        input: Path | None = typer.Argument(None, help="JSONL: id, title, text [, outlet, ...]"),
        out: Path | None = typer.Option(None, "--out", help="write id<TAB>story_id here"),
        gold: str | None = typer.Option(None, "--gold", help="score against this field"),
        synthetic: int = typer.Option(0, "--synthetic", help="stream N sample-corpus articles"),
        cv: bool = typer.Option(False, "--cv", help="cross-validate by topic (needs --gold)"),
        topic: str = typer.Option("topic", "--topic", help="field that groups folds for --cv"),
        folds: int = typer.Option(5, "--folds", help="CV folds (by topic)"),
        orders: int = typer.Option(5, "--orders", help="shuffled arrival orders for --cv"),
    ) -> None:
        """Cluster a JSONL file in file order (one pass), or a synthetic stream, or run CV."""
        if synthetic:
            _synthetic(synthetic)
        elif input is None:
            raise typer.BadParameter("give INPUT.jsonl or --synthetic N")
        elif cv:
            if not gold:
                raise typer.BadParameter("--cv needs --gold FIELD")
            _cv(input, gold, topic, folds, orders)
        else:
            if out is None:
                raise typer.BadParameter("--out PRED.tsv is required")
            from .engine.evaluate import run_file

            run_file(str(input), str(out), gold_field=gold)


def _synthetic(n: int) -> None:
    """Throughput and peak RSS over n synthetic articles."""
    from .bench import run_synthetic
    from .sample import load_sample

    r = run_synthetic(load_sample(), n, progress=lambda line: typer.echo(line, err=True))
    typer.echo(
        f"{r['articles']} articles: {r['articles_per_s']:.0f} articles/s (wall clock); "
        f"per CPU second: first 1k block {r['first_block_per_cpu_s']:.0f}, "
        f"last block {r['last_block_per_cpu_s']:.0f}; "
        f"{r['stories']} stories ({r['active_stories']} active); "
        f"peak RSS {r['peak_rss_mb']:.0f} MiB"
    )


def _cv(input: Path, gold: str, topic: str, folds: int, orders: int) -> None:
    """By-topic cross-validation over several shuffled arrival orders: mean and worst."""
    from .engine.clusterer import EngineConfig
    from .engine.tuning import cross_validate, load

    rows = load(str(input))
    res = cross_validate(rows, EngineConfig(), gold, topic, folds, tuple(range(orders)))
    typer.echo(
        f"BCubed F1 mean {res['b3_mean']:.4f} worst {res['b3_worst']:.4f} "
        f"(P {res['b3_p']:.3f} R {res['b3_r']:.3f}); pairwise F1 mean {res['pw_mean']:.4f} "
        f"worst {res['pw_worst']:.4f}; stories {res['stories_mean']:.1f} "
        f"{res['stories_range']} (gold {res['n_gold']})"
    )
