"""`newsbrief serve cluster`: run one cluster worker until SIGTERM/SIGINT."""

from __future__ import annotations

from newsbrief.streams import run_worker

from .app import create_app
from .config import ClusterSettings


def serve() -> None:
    """Build settings from the environment and run the faust worker in the foreground."""
    settings = ClusterSettings()
    run_worker(create_app(settings), settings.kafka_bootstrap, settings.log_level)
