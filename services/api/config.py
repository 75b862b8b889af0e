"""Settings of the API service (env prefix ``NEWSBRIEF_API_``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator
from pydantic_settings import NoDecode

from newsbrief.settings import ServiceSettings, service_config


def _split(value: object) -> object:
    """Accept a comma-separated string for list settings (``a,b``), as well as JSON lists."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


class ApiSettings(ServiceSettings):
    """How the API listens, limits clients and finds its Redis."""

    model_config = service_config("NEWSBRIEF_API_")

    environment: str = "development"
    """``development`` or ``production`` (refuses unsafe defaults); env ``..._ENVIRONMENT``."""
    host: str = "127.0.0.1"
    """Listen address (env ``NEWSBRIEF_API_HOST``)."""
    port: int = 8080
    """Listen port (env ``NEWSBRIEF_API_PORT``)."""
    workers: int = 2
    """Uvicorn worker processes (env ``NEWSBRIEF_API_WORKERS``)."""
    redis_pool_size: int = 256
    """Connections per worker in the shared Redis pool (env ``NEWSBRIEF_API_REDIS_POOL_SIZE``)."""
    redis_timeout: float = 2.0
    """Seconds before a Redis call counts as failed (env ``NEWSBRIEF_API_REDIS_TIMEOUT``)."""
    rate_limit_per_second: float = 50.0
    """Tokens per second per client, 0 = off (env ``NEWSBRIEF_API_RATE_LIMIT_PER_SECOND``)."""
    rate_limit_burst: int = 200
    """Bucket size: requests a client may make at once (env ``NEWSBRIEF_API_RATE_LIMIT_BURST``)."""
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Accepted API keys, comma-separated (env ``NEWSBRIEF_API_API_KEYS``)."""
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Origins allowed by CORS, comma-separated (env ``NEWSBRIEF_API_CORS_ORIGINS``)."""
    retry_after_seconds: int = 5
    """Retry-After of a 503 while Redis is down (env ``NEWSBRIEF_API_RETRY_AFTER_SECONDS``)."""
    rebuild_on_empty: bool = True
    """Rebuild from the compacted topics when Redis is empty (env ``..._REBUILD_ON_EMPTY``)."""
    cache_check_seconds: float = 10.0
    """Seconds between checks that Redis still holds the cache (env ``..._CACHE_CHECK_SECONDS``)."""
    brief_cache_seconds: float = 1.0
    """Longest a worker serves its in-memory copy of a brief, 0 = no copy; Redis invalidates
    copies as soon as a brief changes, so this only caps a stalled connection (``doccache.py``)
    (env ``NEWSBRIEF_API_BRIEF_CACHE_SECONDS``)."""
    sse_heartbeat_seconds: float = 15.0
    """Seconds between SSE keep-alive comments (env ``NEWSBRIEF_API_SSE_HEARTBEAT_SECONDS``)."""

    @model_validator(mode="before")
    @classmethod
    def _lists(cls, data: object) -> object:
        if isinstance(data, dict):
            for name in ("api_keys", "cors_origins"):
                if name in data:
                    data[name] = _split(data[name])
        return data

    @model_validator(mode="after")
    def _safe_outside_development(self) -> ApiSettings:
        if self.environment != "development":
            if not self.api_keys:
                raise ValueError("NEWSBRIEF_API_API_KEYS must be set outside development")
            if "*" in self.cors_origins:
                raise ValueError("NEWSBRIEF_API_CORS_ORIGINS='*' is refused outside development")
        return self

    @property
    def rate_limited(self) -> bool:
        """Whether per-client rate limiting is on."""
        return self.rate_limit_per_second > 0
