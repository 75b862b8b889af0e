"""Cluster service settings (environment variables prefixed NEWSBRIEF_CLUSTER_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator

from newsbrief.settings import ServiceSettings, service_config

from .sharding import SHARD_KEYS, parse_pins

ENGINES = ("simple", "engine")


class ClusterSettings(ServiceSettings):
    """Settings of the cluster worker; build with ClusterSettings() when the app is built."""

    model_config = service_config("NEWSBRIEF_CLUSTER_")

    app_id: str = "newsbrief-cluster"
    """Faust app id: consumer group, changelog prefix (env ``NEWSBRIEF_CLUSTER_APP_ID``)."""
    data_dir: Path = Path("/tmp/newsbrief-cluster")
    """Where faust keeps its local files, under the app id (``NEWSBRIEF_CLUSTER_DATA_DIR``);
    faust's own default is the working directory."""
    web_host: str = "127.0.0.1"
    """Interface of the worker's web server (env ``NEWSBRIEF_CLUSTER_WEB_HOST``)."""
    web_port: int = 6066
    """Port of the worker's web server with /healthz (env ``NEWSBRIEF_CLUSTER_WEB_PORT``)."""
    shard_key: str = "language"
    """How articles are sharded: language | single (env ``NEWSBRIEF_CLUSTER_SHARD_KEY``)."""
    shard_partitions: int = 6
    """Partitions of the shard topic and state table (``NEWSBRIEF_CLUSTER_SHARD_PARTITIONS``)."""
    shard_pins: str = ""
    """Pinned shard partitions, e.g. "en=0,de=1" (env ``NEWSBRIEF_CLUSTER_SHARD_PINS``)."""
    idle_window_seconds: float = 7 * 24 * 3600.0
    """Idle time until a story leaves the active set (``NEWSBRIEF_CLUSTER_IDLE_WINDOW_SECONDS``)."""
    close_after_seconds: float = 48 * 3600.0
    """Quiet time (event time) before CLOSED (``NEWSBRIEF_CLUSTER_CLOSE_AFTER_SECONDS``)."""
    engine: str = "engine"
    """Clustering engine: engine (tuned) | simple (stand-in) (env ``NEWSBRIEF_CLUSTER_ENGINE``)."""
    session_timeout_seconds: float = 30.0
    """Dead worker detection time (``NEWSBRIEF_CLUSTER_SESSION_TIMEOUT_SECONDS``)."""
    standby_replicas: int = 1
    """Standby copies of the state on other workers (``NEWSBRIEF_CLUSTER_STANDBY_REPLICAS``)."""
    flush_every: int = 200
    """Articles between writes of the changed state keys; each article is one WAL write in
    between, and a restart replays at most this many (``NEWSBRIEF_CLUSTER_FLUSH_EVERY``)."""

    @field_validator("flush_every")
    @classmethod
    def _positive_flush(cls, value: int) -> int:
        if value < 1:
            raise ValueError("flush_every must be at least 1")
        return value

    @field_validator("shard_key")
    @classmethod
    def _known_shard_key(cls, value: str) -> str:
        if value not in SHARD_KEYS:
            raise ValueError(f"shard_key must be one of {', '.join(SHARD_KEYS)}")
        return value

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}")
        return value

    @field_validator("shard_pins")
    @classmethod
    def _valid_pins(cls, value: str) -> str:
        parse_pins(value)
        return value

    @property
    def pins(self) -> dict[str, int]:
        """Pinned shard -> partition."""
        return parse_pins(self.shard_pins)

    @property
    def shard_topic(self) -> str:
        """The internal topic that re-keys articles by shard."""
        return f"{self.topic_prefix}.cluster-shards"
