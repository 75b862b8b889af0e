"""Run the compose service: ``newsbrief serve compose``."""

from __future__ import annotations

from newsbrief.streams import run_worker
from services.compose.config import ComposeSettings


def serve() -> None:
    """Run the compose worker until SIGTERM/SIGINT, with settings from the environment."""
    from services.compose.app import create_app

    settings = ComposeSettings()
    run_worker(create_app(settings), settings.kafka_bootstrap, settings.log_level)
