"""Cluster settings come from NEWSBRIEF_CLUSTER_* variables and refuse nonsense."""

import pydantic
import pytest

from services.cluster.config import ClusterSettings


def test_settings_read_their_own_prefix(monkeypatch):
    monkeypatch.setenv("NEWSBRIEF_CLUSTER_WEB_PORT", "7001")
    monkeypatch.setenv("NEWSBRIEF_CLUSTER_SHARD_PINS", "en=0,de=1")
    monkeypatch.setenv("NEWSBRIEF_CLUSTER_TOPIC_PREFIX", "stage")
    monkeypatch.setenv("NEWSBRIEF_COMPOSE_WEB_PORT", "9999")
    settings = ClusterSettings()
    assert settings.web_port == 7001
    assert settings.pins == {"en": 0, "de": 1}
    assert settings.shard_topic == "stage.cluster-shards"


def test_defaults_work_on_one_machine(monkeypatch):
    for name in ("WEB_PORT", "SHARD_KEY", "ENGINE", "APP_ID"):
        monkeypatch.delenv(f"NEWSBRIEF_CLUSTER_{name}", raising=False)
    settings = ClusterSettings()
    assert (settings.web_port, settings.shard_key, settings.app_id) == (
        6066,
        "language",
        "newsbrief-cluster",
    )
    assert settings.close_after_seconds < settings.idle_window_seconds
    assert settings.engine == "engine"  # the tuned engine, not the stand-in


@pytest.mark.parametrize(
    "bad", [{"shard_key": "outlet"}, {"engine": "magic"}, {"shard_pins": "en:0"}]
)
def test_bad_values_are_refused(bad):
    with pytest.raises(pydantic.ValidationError):
        ClusterSettings(**bad)
