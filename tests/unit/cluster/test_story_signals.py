"""Story-level merge signals (off by default): what one story repeats and the other lacks."""

import pytest

from services.cluster.engine import DecisionModel, EngineConfig, StoryClusterer
from services.cluster.engine.similarity import FEATURE_NAMES
from services.cluster.engine.story_signals import STORY_FEATURE_NAMES, story_pair_features

HEIST = "Robbers stole {loot} from a jewellery store in Paris on {day}, police said."


def story(*bodies: str) -> dict:
    """The state of a one-story engine fed these reports."""
    eng = StoryClusterer(model=_joiner(), config=EngineConfig(merge=False, split_sizes=()))
    for n, body in enumerate(bodies):
        eng.add({"id": f"a{n}", "title": "Paris jewellery heist", "text": body})
    (state,) = [s for s in eng.stories.values() if s["n"]]
    return state


def _joiner() -> DecisionModel:
    return DecisionModel(coef=[0.0] * len(FEATURE_NAMES), bias=5.0, join_threshold=0.5)


def test_recurring_specifics_of_one_story_missing_from_the_other_are_measured():
    watches = story(
        *(HEIST.format(loot="watches worth 2.6 million euros", day=d) for d in ("Monday",) * 2)
    )
    same = story(HEIST.format(loot="watches worth 2.6 million euros", day="Monday"))
    other = story(*(HEIST.format(loot="diamonds worth 80 million euros", day="Friday"),) * 2)
    near, far = (
        dict(zip(STORY_FEATURE_NAMES, story_pair_features(watches, s), strict=True))
        for s in (same, other)
    )
    assert near["core_miss_max"] < far["core_miss_max"]
    assert near["when_miss"] == 0 < far["when_miss"]
    assert near["cos_centroids"] > far["cos_centroids"]
    assert story_pair_features(watches, other) == story_pair_features(other, watches)


def test_a_model_with_story_coefficients_roundtrips_and_an_old_one_ignores_the_signals():
    pair = [0.1] * len(FEATURE_NAMES)
    signals = [0.5] * len(STORY_FEATURE_NAMES)
    old = DecisionModel(
        coef=[0.0] * len(FEATURE_NAMES), bias=0.0, merge_coef=[1.0] * len(FEATURE_NAMES)
    )
    assert not old.story_signals
    assert old.merge_prob(pair + signals) == old.merge_prob(pair)
    new = DecisionModel(
        coef=[0.0] * len(FEATURE_NAMES),
        bias=0.0,
        merge_coef=[1.0] * len(FEATURE_NAMES) + [-2.0] * len(STORY_FEATURE_NAMES),
    )
    again = DecisionModel.from_dict(new.to_dict())
    assert again.story_signals and again.merge_coef == new.merge_coef
    assert again.merge_prob(pair + signals) < old.merge_prob(pair)
    wrong = dict(new.to_dict(), merge_story_feature_names=["something_else"])
    with pytest.raises(ValueError):
        DecisionModel.from_dict(wrong)
