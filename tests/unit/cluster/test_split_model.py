"""The optional split model: a look's two groups judged by a model fit on sampled looks."""

from dataclasses import replace

import pytest
from test_engine_split import _mixer, stream

from services.cluster.engine import DecisionModel, EngineConfig, StoryClusterer
from services.cluster.engine.decision import SPLIT_FEATURE_NAMES
from services.cluster.engine.features import IdfModel, extract
from services.cluster.engine.story_signals import SPLIT_EXTRA_NAMES, split_extra_features
from services.cluster.engine.tuning import collect_split_samples

DUI = "{who} was arrested on suspicion of drunk driving in San Diego early on {day}, police said."
# What a report adds: two kinds of follow-up, so a look at one event's reports divides them
# into two groups of two (a lone outlier against the rest is never scored).
DETAILS = (
    "He was released on bail hours later and his agent declined to comment.",
    "The team said it was aware of the arrest and would say nothing more.",
)


def _group(*leads: tuple[str, str]) -> dict:
    """Story state of one group of reports (who, day)."""
    eng = StoryClusterer(model=_mixer(0.0), config=EngineConfig(merge=False, split_sizes=()))
    feats = [
        extract(
            {"id": str(i), "title": f"{who} arrested", "text": DUI.format(who=who, day=day)},
            eng.idf,
        )
        for i, (who, day) in enumerate(leads)
    ]
    return eng._scratch_story(feats)


def _model_with_split(bias: float) -> DecisionModel:
    """The mixing model of the split tests plus a split model that always answers `bias`."""
    return replace(_mixer(0.5), split_coef=[0.0] * len(SPLIT_FEATURE_NAMES), split_bias=bias)


def test_two_groups_led_by_different_names_miss_each_others_lead_names():
    jackson = _group(("Vincent Jackson", "Tuesday"), ("Vincent Jackson", "Tuesday"))
    williams = _group(("Jamal Williams", "Monday"), ("Jamal Williams", "Monday"))
    again = _group(("Vincent Jackson", "Tuesday"), ("Vincent Jackson", "Tuesday"))
    apart = dict(zip(SPLIT_EXTRA_NAMES, split_extra_features(jackson, williams), strict=True))
    same = dict(zip(SPLIT_EXTRA_NAMES, split_extra_features(jackson, again), strict=True))
    assert apart["lead_name_miss2"] > 0 == same["lead_name_miss2"]
    assert apart["lead_name_miss1"] > same["lead_name_miss1"]
    assert split_extra_features(jackson, williams) == split_extra_features(williams, jackson)


@pytest.mark.parametrize(("split_bias", "splits"), [(-5.0, True), (5.0, False)])
def test_a_look_asks_the_split_model_when_the_model_has_one(split_bias, splits):
    # The mixer alone splits this story at four articles (test_engine_split); here the split
    # model decides, one way or the other.
    eng = StoryClusterer(model=_model_with_split(split_bias), config=EngineConfig(merge=False))
    events = [e for a in stream()[:4] for e in eng.add(a)]
    assert ("split" in [e["type"] for e in events]) is splits


def test_a_model_with_a_split_model_survives_its_file():
    model = _model_with_split(0.7)
    again = DecisionModel.from_dict(model.to_dict())
    assert again.split_coef == model.split_coef and again.split_bias == 0.7
    wrong = dict(model.to_dict(), split_feature_names=["cos_terms"])
    with pytest.raises(ValueError, match="split features"):
        DecisionModel.from_dict(wrong)


def test_sampled_looks_hold_both_kinds_at_each_size():
    # Two events of one kind, five reports each: pure looks of 4 and mixed looks of 4.
    rows = [
        {
            "id": f"{who[0]}{i}",
            "title": f"{who} arrested",
            "ev": who,
            "text": DUI.format(who=who, day=day) + " " + DETAILS[i % 2],
        }
        for who, day in (("Vincent Jackson", "Tuesday"), ("Jamal Williams", "Monday"))
        for i in range(5)
    ]
    cfg = EngineConfig(split_sizes=(4,))
    idf = IdfModel({}, cfg.idf_prior_docs, cfg.idf_background, cfg.idf_online)
    feats = [extract(r, idf, cfg.features) for r in rows]
    X, y = collect_split_samples(rows, feats, cfg, "ev", seed=1)
    assert 0 < sum(y) < len(y)  # one-event and two-event looks
    assert all(len(x) == len(SPLIT_FEATURE_NAMES) for x in X)
    two_event = [x for x, label in zip(X, y, strict=True) if not label]
    miss = SPLIT_FEATURE_NAMES.index("lead_name_miss2")
    assert all(x[miss] > 0 for x in two_event)  # each mixed look divided the two players
