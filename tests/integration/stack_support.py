"""Set-up shared by the tests that run the whole system as real processes."""

from __future__ import annotations

from pathlib import Path

from newsbrief.infra import free_ports
from newsbrief.stack import StackConfig, service_env


def stack_env(
    run_dir: Path,
    bus: tuple[str, str],
    prefixes: tuple[str, str],
    feeds_file: Path,
    feeds_base_url: str,
    extra_ports: int = 0,
) -> tuple[StackConfig, dict[str, str], list[int]]:
    """Config and environment of a stack on the session's broker and Redis (bus: bootstrap,
    Redis URL; prefixes: topic, Redis key), plus extra free ports for the test's own servers."""
    api, ingest, cluster_web, compose_web, *extra = free_ports(4 + extra_ports)
    config = StackConfig(
        run_dir=run_dir,
        api_port=api,
        ingest_port=ingest,
        cluster_web_port=cluster_web,
        compose_web_port=compose_web,
        feeds_file=feeds_file,
        topic_prefix=prefixes[0],
        redis_key_prefix=prefixes[1],
        partitions=2,  # as the topic_prefix fixture creates them
    )
    env = service_env(config, bus[0], bus[1], feeds_base_url)
    # Debounce briefly so a test sees the finished briefs soon after the last article.
    env["NEWSBRIEF_COMPOSE_DEBOUNCE_SECONDS"] = "0.5"
    return config, env, extra
