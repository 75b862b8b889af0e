"""The `newsbrief` command: run the stack, run one service, ingest files, benchmarks.

Each service adds its own commands through ``services.<name>.commands.register(cli, bench)``,
so this module only assembles.
"""

from __future__ import annotations

import importlib
import logging

import typer

SERVICES = ("ingest", "cluster", "compose", "api")

cli = typer.Typer(help="newsbrief: news articles in, story briefs out.", no_args_is_help=True)
bench = typer.Typer(help="Benchmarks: each prints the figures its issue asks for.")
cli.add_typer(bench, name="bench")


@cli.command()
def serve(service: str = typer.Argument(..., help="ingest | cluster | compose | api")) -> None:
    """Run one service in the foreground (settings from its NEWSBRIEF_<SERVICE>_* variables)."""
    if service not in SERVICES:
        choices = ", ".join(SERVICES)
        raise typer.BadParameter(f"unknown service {service!r}; choose one of {choices}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    importlib.import_module(f"services.{service}.main").serve()


@cli.command("create-topics")
def create_topics_command(
    bootstrap: str = typer.Option("127.0.0.1:9092", envvar="NEWSBRIEF_KAFKA_BOOTSTRAP"),
    prefix: str = typer.Option("newsbrief", envvar="NEWSBRIEF_TOPIC_PREFIX"),
    partitions: int = typer.Option(
        None, envvar="NEWSBRIEF_PARTITIONS", help="partition count of the partitioned topics"
    ),
    replication: int = typer.Option(
        1, envvar="NEWSBRIEF_REPLICATION", help="replication factor (3 on a production cluster)"
    ),
) -> None:
    """Create the pipeline's topics (idempotent)."""
    from newsbrief.topics import create_topics

    created = create_topics(bootstrap, prefix, partitions=partitions, replication=replication)
    typer.echo(f"created {len(created)} topics" + (f": {', '.join(created)}" if created else ""))


def _register_services() -> None:
    for service in SERVICES:
        try:
            module = importlib.import_module(f"services.{service}.commands")
        except ModuleNotFoundError as exc:
            # A service without commands of its own is fine; a broken import inside one is not.
            if exc.name not in (f"services.{service}", f"services.{service}.commands"):
                raise
            continue
        module.register(cli, bench)


def _register_stack() -> None:
    from newsbrief import bench_scaleout, pipeline_bench, stack

    stack.register(cli)
    pipeline_bench.register(bench)
    bench_scaleout.register(bench)


def main() -> None:
    """Entry point of the `newsbrief` console script."""
    _register_stack()
    _register_services()
    cli()
