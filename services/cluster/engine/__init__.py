"""Online news story clustering engine (pure domain logic, no Kafka)."""

from .clusterer import EngineConfig, StoryClusterer, story_id_for
from .decision import DecisionModel
from .features import FeatureConfig

__all__ = ["StoryClusterer", "EngineConfig", "FeatureConfig", "DecisionModel", "story_id_for"]
