"""Merge rules, boosted-tree decision option and document-count bookkeeping of the engine."""

import json

import numpy as np

from services.cluster.engine import DecisionModel, EngineConfig, StoryClusterer
from services.cluster.engine.boost import fit_gbdt, predict_margin
from services.cluster.engine.features import IdfModel, extract
from services.cluster.engine.similarity import FEATURE_NAMES

NAVY_23 = {
    "id": "p1",
    "title": "Indian navy captures 23 pirates in Gulf of Aden",
    "text": "The Indian navy captured 23 Somali pirates in the Gulf of Aden on Saturday, "
    "a spokesman said. The pirates had tried to board a merchant ship.",
}
NAVY_26 = {
    "id": "p3",
    "title": "Indian navy captures 26 pirates in Gulf of Aden",
    "text": "The Indian navy captured 26 Somali pirates in the Gulf of Aden on Wednesday, "
    "November 9, 2011, a spokesman said. The pirates had tried to board a merchant ship.",
}
GAS = {
    "id": "g1",
    "title": "EU ministers extend joint gas buying",
    "text": "European Union energy ministers agreed to extend joint purchasing of gas for "
    "another winter, a spokesman said on Saturday, as prices climb.",
}


def _merge_happy() -> DecisionModel:
    """Never joins; merges anything with the least shared content."""
    merge_coef = [0.0] * len(FEATURE_NAMES)
    merge_coef[FEATURE_NAMES.index("cos_terms")] = 20.0
    return DecisionModel(
        coef=[0.0] * len(FEATURE_NAMES),
        bias=-10.0,
        join_threshold=0.5,
        merge_threshold=0.5,
        merge_coef=merge_coef,
    )


def test_two_grown_stories_are_never_merged():
    """Merges only fold a young story (<= merge_max_size articles) into another."""
    cfg = EngineConfig(merge=False, merge_max_size=2)
    eng = StoryClusterer(model=_merge_happy(), config=cfg)
    eng.add(NAVY_23)
    eng.add(NAVY_26)
    a, b = eng.story_of("p1"), eng.story_of("p3")
    assert a != b
    assert [o for _, o in eng.merge_candidates(b, None)] == [a]
    for i in range(2):
        for base, sid in ((NAVY_23, a), (NAVY_26, b)):
            aid = f"{base['id']}-{i}"
            eng._add_to_story(sid, aid, extract(dict(base, id=aid), eng.idf), None)
    assert eng.merge_candidates(b, None) == []


def test_stories_with_little_shared_content_are_never_merge_candidates():
    strict = StoryClusterer(model=_merge_happy(), config=EngineConfig(merge_min_cos=0.3))
    loose = StoryClusterer(model=_merge_happy(), config=EngineConfig(merge_min_cos=0.0))
    for eng in (strict, loose):
        eng.add(NAVY_23)
        eng.add(GAS)  # shares only "spokesman" / "saturday"-level words with the navy story
    assert strict.story_of("g1") != strict.story_of("p1")
    x_cos = [x[0] for x, _ in loose.merge_candidates(loose.story_of("g1"), None)]
    assert all(c < 0.3 for c in x_cos)


def test_online_idf_off_keeps_no_document_counts():
    df: dict = {}
    extract(NAVY_23, IdfModel(df, use_online=False))
    assert df == {}
    extract(NAVY_23, IdfModel(df, use_online=True))
    assert df["__docs__"] == 1


def test_online_idf_off_gives_the_same_features_as_before():
    """Skipping the counts changes no weight: background IDF alone decides them."""
    a = extract(NAVY_23, IdfModel({}, use_online=False))
    b = extract(NAVY_23, IdfModel({"__docs__": 50, "t:navi": 40}, use_online=False))
    assert a.terms == b.terms and a.ents == b.ents and a.nums == b.nums


def test_boosted_trees_learn_an_interaction():
    """Join only when content is close AND nothing clashes: a product a linear model lacks."""
    rng = np.random.default_rng(0)
    X = rng.random((3000, 3))
    clash = X[:, 1] > 0.5
    y = ((X[:, 0] > 0.6) & ~clash).astype(float)
    trees, base = fit_gbdt(X, y, n_trees=40)
    z = lambda row: predict_margin(trees, base, row)  # noqa: E731
    assert z([0.9, 0.1, 0.5]) > 0 > z([0.9, 0.9, 0.5])
    assert z([0.2, 0.1, 0.5]) < 0
    masked, _ = fit_gbdt(X, y, n_trees=5, mask=np.array([1, 0, 1]))
    assert all(node[0] != 1 for tree in masked for node in tree if len(node) == 4)


def test_tree_model_roundtrips_and_scores():
    trees = [[[0, 0.5, 1, 2], [-2.0], [2.0]]]
    m = DecisionModel(coef=[0.0] * len(FEATURE_NAMES), bias=0.0, trees=trees, tree_base=0.0)
    x = [0.0] * len(FEATURE_NAMES)
    assert m.prob(x) < 0.5
    x[0] = 0.9
    assert m.prob(x) > 0.5
    back = DecisionModel.from_dict(json.loads(json.dumps(m.to_dict())))
    assert back.prob(x) == m.prob(x)
