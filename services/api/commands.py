"""CLI: ``newsbrief rebuild-cache`` and ``newsbrief bench api``."""

from __future__ import annotations

import typer


def register(cli: typer.Typer, bench: typer.Typer) -> None:
    """Add the API's commands to the `newsbrief` CLI."""
    cli.command("rebuild-cache")(rebuild_cache_command)
    bench.command("api")(bench_api)


def rebuild_cache_command(
    bootstrap: str = typer.Option(
        None, help="Kafka bootstrap (default NEWSBRIEF_API_KAFKA_BOOTSTRAP)"
    ),
    topic_prefix: str = typer.Option(
        None, help="topic prefix (default NEWSBRIEF_API_TOPIC_PREFIX)"
    ),
    redis_url: str = typer.Option(None, help="Redis URL (default NEWSBRIEF_API_REDIS_URL)"),
    key_prefix: str = typer.Option(
        None, help="Redis key prefix (default NEWSBRIEF_API_REDIS_KEY_PREFIX)"
    ),
) -> None:
    """Rebuild every Redis document from the compacted briefs, hubs and entities topics."""
    from newsbrief.stack import stack_default
    from services.api.config import ApiSettings
    from services.api.rebuild import rebuild_cache

    settings = ApiSettings()
    counts = rebuild_cache(
        bootstrap or stack_default(settings, "kafka_bootstrap"),
        topic_prefix or settings.topic_prefix,
        redis_url or stack_default(settings, "redis_url"),
        key_prefix or settings.redis_key_prefix,
    )
    typer.echo(
        f"rebuilt {counts.briefs} briefs, {counts.hubs} hubs, {counts.entities} entity cards"
    )


def bench_api(
    seconds: int = typer.Option(10, help="duration of each wrk run"),
    workers: int = typer.Option(2, help="uvicorn workers of both servers"),
    stories: int = typer.Option(500, help="synthetic briefs when examples/ cannot be composed"),
    unlimited: bool = typer.Option(False, help="also measure the API with the limiter off"),
) -> None:
    """Drive the API (hot path with and without gzip) and a bare Starlette route with wrk.

    wrk runs with 2 threads and 64 connections (the issue's setting), always.
    """
    from services.api.bench import CONNECTIONS, run

    typer.echo(run(seconds, CONNECTIONS, workers, stories, unlimited))
