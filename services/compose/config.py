"""Compose settings, read from ``NEWSBRIEF_COMPOSE_*`` variables when the app is built."""

from __future__ import annotations

from pathlib import Path

from newsbrief.settings import ServiceSettings, service_config

DEFAULT_KB = Path(__file__).parent / "data" / "entities.jsonl"


class ComposeSettings(ServiceSettings):
    """Settings of the compose service (env prefix ``NEWSBRIEF_COMPOSE_``)."""

    model_config = service_config("NEWSBRIEF_COMPOSE_")

    app_id: str = "newsbrief-compose"
    """Faust app id, also the consumer group (env ``NEWSBRIEF_COMPOSE_APP_ID``)."""
    partitions: int = 6
    """Partition count of the story-events topic; tables and the rebuild topic use the same
    (env ``NEWSBRIEF_COMPOSE_PARTITIONS``)."""
    debounce_seconds: float = 1.0
    """At most one rebuild per story per this many seconds; a story quiet for that long is
    rebuilt at once (env ``NEWSBRIEF_COMPOSE_DEBOUNCE_SECONDS``)."""
    web_port: int = 6067
    """Port of the faust web server with ``/healthz`` (env ``NEWSBRIEF_COMPOSE_WEB_PORT``)."""
    web_host: str = "127.0.0.1"
    """Bind address of the faust web server (env ``NEWSBRIEF_COMPOSE_WEB_HOST``)."""
    session_timeout_seconds: float = 30.0
    """How soon the group notices a dead worker and reassigns its partitions (env
    ``NEWSBRIEF_COMPOSE_SESSION_TIMEOUT_SECONDS``)."""
    kb_path: Path = DEFAULT_KB
    """Entity knowledge base, JSON lines (env ``NEWSBRIEF_COMPOSE_KB_PATH``)."""
    max_papers_lines: int = 5
    """Most "What the papers say" lines per brief (env ``NEWSBRIEF_COMPOSE_MAX_PAPERS_LINES``)."""
    max_topics: int = 6
    """Most entity cards per brief (env ``NEWSBRIEF_COMPOSE_MAX_TOPICS``)."""
    max_changes: int = 50
    """Version history kept per brief (env ``NEWSBRIEF_COMPOSE_MAX_CHANGES``)."""
    hub_window_days: float = 30.0
    """Stories older than this leave their hubs; empty hubs retire
    (env ``NEWSBRIEF_COMPOSE_HUB_WINDOW_DAYS``)."""
    data_dir: Path = Path("/tmp/newsbrief-compose")
    """Faust's local data directory (env ``NEWSBRIEF_COMPOSE_DATA_DIR``)."""
    article_memo_articles: int = 20000
    """Most articles whose analysis (sentences, terms, entities) compose remembers between
    rebuilds of their stories (env ``NEWSBRIEF_COMPOSE_ARTICLE_MEMO_ARTICLES``)."""
    article_memo_mb: float = 128.0
    """Approximate memory those remembered analyses may take, in MB; past it (or the count)
    the least recently used articles are forgotten, and analysed again if their story grows
    (env ``NEWSBRIEF_COMPOSE_ARTICLE_MEMO_MB``)."""
