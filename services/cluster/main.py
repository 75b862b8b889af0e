"""`newsbrief serve cluster`: run one cluster worker until SIGTERM/SIGINT."""

from __future__ import annotations

import faust

from .app import create_app
from .config import ClusterSettings


def serve() -> None:
    """Build settings from the environment and run the faust worker in the foreground."""
    settings = ClusterSettings()
    app = create_app(settings)
    worker = faust.Worker(app, loglevel=settings.log_level.lower())
    worker.execute_from_commandline()
