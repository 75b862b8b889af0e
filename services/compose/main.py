"""Run the compose service: ``newsbrief serve compose``."""

from __future__ import annotations

from services.compose.config import ComposeSettings


def serve() -> None:
    """Run the compose worker until SIGTERM/SIGINT, with settings from the environment."""
    from faust.worker import Worker

    from services.compose.app import create_app

    settings = ComposeSettings()
    app = create_app(settings)
    worker = Worker(app, loglevel=settings.log_level.lower(), quiet=True)
    worker.execute_from_commandline()
