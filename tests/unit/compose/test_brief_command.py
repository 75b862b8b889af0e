"""`newsbrief brief` finds the Redis that `newsbrief up` started on a free port."""

from __future__ import annotations

from newsbrief.stack import StackState
from services.compose.commands import serving_redis_url
from services.compose.config import ComposeSettings

STACK_REDIS = "redis://127.0.0.1:49835/0"


def _running_stack(run_dir) -> None:
    StackState(run_dir=str(run_dir), redis_url=STACK_REDIS).save()


def test_the_running_stack_s_redis_is_used_when_none_is_configured(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSBRIEF_COMPOSE_REDIS_URL", raising=False)
    _running_stack(tmp_path)
    assert serving_redis_url(ComposeSettings(), tmp_path) == STACK_REDIS


def test_a_configured_redis_wins_over_the_stack(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBRIEF_COMPOSE_REDIS_URL", "redis://cache.internal:6380/2")
    _running_stack(tmp_path)
    assert serving_redis_url(ComposeSettings(), tmp_path) == "redis://cache.internal:6380/2"


def test_without_a_stack_the_default_redis_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSBRIEF_COMPOSE_REDIS_URL", raising=False)
    settings = ComposeSettings()
    assert serving_redis_url(settings, tmp_path) == settings.redis_url
