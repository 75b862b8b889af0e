"""Splits: a young story found to hold two events is divided, online, and stays divided."""

import json

from services.cluster.engine import DecisionModel, EngineConfig, StoryClusterer
from services.cluster.engine.clusterer import story_id_for
from services.cluster.engine.features import IdfModel, extract
from services.cluster.engine.similarity import FEATURE_NAMES
from services.cluster.engine.split import (
    pack_member,
    split_story_id,
    two_groups,
    unpack_member,
)

# Two heists in one city, told with the same words except the specifics of each.
RAM_RAID = (
    "Four men rammed a car into a jewellery store on the Rue de la Paix and fled with "
    "watches worth 2.6 million euros, police said. The ram raid shattered the shop window "
    "before dawn; the thieves escaped on scooters towards the ring road."
)
DRAG = (
    "Robbers disguised in wigs and dresses walked into a diamond boutique near Place "
    "Vendome and took jewels worth 80 million euros, police said. The disguised gang held "
    "staff at gunpoint and left calmly through the front door."
)


def heist(article_id: str, body: str, n: int) -> dict:
    return {"id": article_id, "title": f"Paris jewellery heist report {n}", "text": body}


def _mixer(split_threshold: float) -> DecisionModel:
    """Joins any story sharing a word (so the two heists mix); the split decision reads
    term similarity the same way, so groups with little in common are told apart."""
    coef = [0.0] * len(FEATURE_NAMES)
    coef[FEATURE_NAMES.index("cos_terms")] = 12.0
    return DecisionModel(
        coef=coef,
        bias=-3.0,
        join_threshold=0.0,  # every article joins the best candidate: a mixed story forms
        merge_threshold=1.01,
        merge_coef=list(coef),
        merge_bias=-3.0,
        split_threshold=split_threshold,
    )


def stream() -> list[dict]:
    """A ram raid report, then the drag robbery, then two more of each, interleaved."""
    return [
        heist("r1", RAM_RAID, 1),
        heist("d1", DRAG, 2),
        heist("r2", RAM_RAID, 3),
        heist("d2", DRAG, 4),
        heist("r3", RAM_RAID, 5),
        heist("d3", DRAG, 6),
    ]


def test_a_story_holding_two_events_splits_at_a_look_size():
    eng = StoryClusterer(model=_mixer(0.5), config=EngineConfig(merge=False))
    events = [e for a in stream()[:4] for e in eng.add(a)]
    first = story_id_for("r1")
    assert [e["type"] for e in events] == ["created", "added", "added", "added", "split"]
    split = events[-1]
    assert split["story_id"] == first
    assert split["article_ids"] == ["d1", "d2"]
    assert split["new_story_id"] == split_story_id(first, "d1", "d2")
    assert {a: eng.story_of(a) for a in ("r1", "r2", "d1", "d2")} == {
        "r1": first,
        "r2": first,
        "d1": split["new_story_id"],
        "d2": split["new_story_id"],
    }
    assert eng.stories[first]["n"] == 2 and eng.stories[split["new_story_id"]]["n"] == 2


def test_after_a_split_each_event_attracts_its_own_reports():
    eng = StoryClusterer(model=_mixer(0.5), config=EngineConfig(merge=False))
    for a in stream():
        eng.add(a)
    assert eng.story_of("r3") == story_id_for("r1")
    assert eng.story_of("d3") == eng.story_of("d1") != eng.story_of("r1")


def test_without_a_split_threshold_the_story_stays_mixed():
    eng = StoryClusterer(model=_mixer(0.0), config=EngineConfig(merge=False))
    events = [e for a in stream() for e in eng.add(a)]
    assert "split" not in [e["type"] for e in events]
    assert len({eng.story_of(a["id"]) for a in stream()}) == 1


def test_one_event_told_six_times_never_splits():
    eng = StoryClusterer(model=_mixer(0.5), config=EngineConfig(merge=False))
    events = [e for n in range(6) for e in eng.add(heist(f"r{n}", RAM_RAID, n))]
    assert [e["type"] for e in events] == ["created"] + ["added"] * 5


def test_replaying_the_stream_after_a_split_changes_nothing():
    eng = StoryClusterer(model=_mixer(0.5), config=EngineConfig(merge=False))
    for a in stream():
        eng.add(a)
    before = json.dumps(eng.stories, sort_keys=True)
    assert all(eng.add(a) == [] for a in stream())
    assert json.dumps(eng.stories, sort_keys=True) == before


def test_member_features_are_forgotten_once_a_story_is_past_its_last_look():
    members: dict = {}
    cfg = EngineConfig(merge=False, split_sizes=(4,))
    eng = StoryClusterer(model=_mixer(0.5), config=cfg, members=members)
    for n in range(4):
        eng.add(heist(f"r{n}", RAM_RAID, n))
    assert set(members) == {"r0", "r1", "r2", "r3"}  # kept while the story may still split
    eng.add(heist("r4", RAM_RAID, 4))
    assert members == {}
    assert eng.stories[story_id_for("r0")]["settled"] is True


def test_member_features_survive_json_and_score_the_same():
    f = extract(heist("d1", DRAG, 1), IdfModel({}))
    back = unpack_member(json.loads(json.dumps(pack_member(f))))
    assert (back.lead_nums, back.when, back.years) == (f.lead_nums, f.when, f.years)
    assert back.ents.keys() == f.ents.keys()
    assert all(abs(back.terms[k] - v) < 1e-4 for k, v in f.terms.items())


def test_two_groups_divides_members_by_what_they_share():
    terms = {
        "a": {"ram": 1.0, "car": 1.0, "paris": 0.2},
        "b": {"wig": 1.0, "dress": 1.0, "paris": 0.2},
        "c": {"ram": 1.0, "scooter": 1.0, "paris": 0.2},
        "d": {"wig": 1.0, "gunpoint": 1.0, "paris": 0.2},
    }
    assert two_groups(["a", "b", "c", "d"], terms) == (["a", "c"], ["b", "d"])


def test_split_off_story_ids_never_collide_with_an_articles_own_story_id():
    assert split_story_id("st_x", "d1", "d2") != story_id_for("d1")
    assert split_story_id("st_x", "d1", "d2") == split_story_id("st_x", "d1", "d2")
    assert split_story_id("st_x", "d1", "d2") != split_story_id("st_x", "d1", "d3")


def _eager_merger() -> DecisionModel:
    """The mixer, with a merge model that would fold any two stories together."""
    model = _mixer(0.75)
    model.merge_coef, model.merge_bias, model.merge_threshold = [0.0] * len(FEATURE_NAMES), 5.0, 0.5
    return model


def test_a_merge_does_not_fold_back_what_a_split_cut():
    config = EngineConfig(merge_min_cos=0.0)
    eng = StoryClusterer(model=_eager_merger(), config=config)
    events = [e for a in stream() for e in eng.add(a)]
    assert "split" in [e["type"] for e in events]
    assert "merged" not in [e["type"] for e in events]
    assert eng.story_of("r3") == story_id_for("r1") != eng.story_of("d3") == eng.story_of("d1")


def test_without_the_split_test_on_merges_the_story_flips_back_and_forth():
    config = EngineConfig(merge_min_cos=0.0, merge_after_split="free")
    eng = StoryClusterer(model=_eager_merger(), config=config)
    events = [e["type"] for a in stream() for e in eng.add(a)]
    assert [e for e in events if e in ("split", "merged")] == ["split", "merged", "split"]


def test_a_duplicate_leaves_with_its_original_when_the_story_splits():
    eng = StoryClusterer(model=_mixer(0.5), config=EngineConfig(merge=False))
    r1, d1, r2, d2, r3, _ = stream()
    copy = dict(d1, id="d1-wire", duplicate_of="d1")
    events = [e for a in (r1, d1, copy, r2, d2, r3) for e in eng.add(a)]
    split = events[-1]
    assert split["type"] == "split"
    assert sorted(split["article_ids"]) == ["d1", "d1-wire", "d2"]
    assert eng.story_of("d1-wire") == eng.story_of("d1") == split["new_story_id"]
    assert eng.stories[split["new_story_id"]]["n"] == 3
    assert eng.stories[story_id_for("r1")]["articles"] == ["r1", "r2", "r3"]
