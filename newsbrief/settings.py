"""Settings shared by every service; each service subclasses with its own env prefix."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Connection settings every service needs.

    Subclasses set ``model_config = service_config("NEWSBRIEF_X_")`` so that each service reads
    its own variables (``NEWSBRIEF_API_REDIS_URL``...). Build them when the app is built, never
    at import, so tests and the local runner can pass their own environment.
    """

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    """Kafka bootstrap servers, comma-separated (env ``<PREFIX>KAFKA_BOOTSTRAP``)."""
    topic_prefix: str = "newsbrief"
    """Prefix of every topic name, e.g. ``newsbrief.articles`` (env ``<PREFIX>TOPIC_PREFIX``)."""
    redis_url: str = "redis://127.0.0.1:6379/0"
    """Redis serving store (env ``<PREFIX>REDIS_URL``)."""
    redis_key_prefix: str = "nb"
    """Prefix of every Redis key, so stacks can share a Redis (env ``<PREFIX>REDIS_KEY_PREFIX``)."""
    log_level: str = "INFO"
    """Log level (env ``<PREFIX>LOG_LEVEL``)."""


def service_config(env_prefix: str) -> SettingsConfigDict:
    """Pydantic settings config for a service reading variables that start with env_prefix."""
    return SettingsConfigDict(env_prefix=env_prefix, frozen=True, extra="ignore")
