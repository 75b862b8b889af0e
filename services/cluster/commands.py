"""CLI commands of the cluster service (the `bench cluster` command belongs to the engine)."""

from __future__ import annotations

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
