"""`newsbrief brief` and `rebuild-cache` find the broker and Redis of a running `newsbrief up`."""

from __future__ import annotations

from newsbrief.stack import StackState, stack_default
from services.compose.config import ComposeSettings

STACK_REDIS = "redis://127.0.0.1:49835/0"


STACK_KAFKA = "127.0.0.1:42763"


def _running_stack(run_dir) -> None:
    StackState(run_dir=str(run_dir), bootstrap=STACK_KAFKA, redis_url=STACK_REDIS).save()


def test_the_running_stack_s_redis_is_used_when_none_is_configured(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSBRIEF_COMPOSE_REDIS_URL", raising=False)
    _running_stack(tmp_path)
    assert stack_default(ComposeSettings(), "redis_url", tmp_path) == STACK_REDIS


def test_a_configured_redis_wins_over_the_stack(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBRIEF_COMPOSE_REDIS_URL", "redis://cache.internal:6380/2")
    _running_stack(tmp_path)
    assert (
        stack_default(ComposeSettings(), "redis_url", tmp_path) == "redis://cache.internal:6380/2"
    )


def test_without_a_stack_the_default_redis_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSBRIEF_COMPOSE_REDIS_URL", raising=False)
    settings = ComposeSettings()
    assert stack_default(settings, "redis_url", tmp_path) == settings.redis_url


def test_rebuild_cache_reads_the_running_stack_s_broker(tmp_path, monkeypatch):
    from services.api.config import ApiSettings

    monkeypatch.delenv("NEWSBRIEF_API_KAFKA_BOOTSTRAP", raising=False)
    _running_stack(tmp_path)
    assert stack_default(ApiSettings(), "kafka_bootstrap", tmp_path) == STACK_KAFKA
