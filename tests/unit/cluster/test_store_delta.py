"""Deltas between JSON values: patch(old, diff(old, new)) rebuilds new exactly."""

import json
import random

import pytest

from services.cluster.delta import diff, patch, same


def exact(value) -> str:
    """JSON text: equal texts mean equal values, types and key order."""
    return json.dumps(value)


def roundtrip(old, new):
    delta = diff(old, new)
    assert delta is not None
    # The delta is what goes to the changelog: it must survive JSON.
    rebuilt = patch(json.loads(json.dumps(old)), json.loads(json.dumps(delta)))
    assert exact(rebuilt) == exact(new)
    return delta


def test_posting_list_move_to_end_and_cap_is_a_small_delta():
    old = [f"st_{i:016d}" for i in range(40)]
    new = [s for s in old if s != old[7]][1:] + [old[7]]
    delta = roundtrip(old, new)
    assert len(json.dumps(delta)) < len(json.dumps(new)) / 4


def test_story_update_writes_only_what_changed():
    terms = {f"term{i}": i / 7 for i in range(300)}
    old = {"n": 3, "articles": ["a1", "a2", "a3", "a4"], "vec": {"terms": terms, "years": {}}}
    new = dict(old, n=4, articles=[*old["articles"], "a5"])
    new["vec"] = dict(old["vec"], terms=dict(terms, term5=9.5, fresh=0.25))
    delta = roundtrip(old, new)
    assert len(json.dumps(delta)) < 200


def test_resorted_dict_keeps_its_new_key_order():
    old = {f"k{i}": float(i) for i in range(50)}
    new = dict(sorted({**old, "k3": 99.0, "new": 20.5}.items(), key=lambda kv: (-kv[1], kv[0])))
    roundtrip(old, new)


def test_removed_keys_and_type_changes_are_exact():
    old = {"a": 1, "b": True, "c": 1.0, "d": [1, 2, 3, 4], "e": {"x": 1}, "f": "gone"}
    new = {"a": True, "b": 1, "c": 1, "d": [1, 2, 3, True], "e": {"x": 1.0}, "g": None}
    roundtrip(old, new)
    assert not same(1, True) and not same({"x": 1}, {"x": 1.0})


@pytest.mark.parametrize("old,new", [(1, 2), ("a", "b"), ([1], [2]), ({"a": 1}, [1])])
def test_small_or_mismatched_values_are_written_whole(old, new):
    assert diff(old, new) is None


def _mutate(rng: random.Random, value, depth: int = 0):
    if isinstance(value, dict):
        out = dict(value)
        for key in rng.sample(sorted(out), k=min(len(out), rng.randint(0, 3))):
            if rng.random() < 0.3:
                del out[key]
            else:
                out[key] = _mutate(rng, out[key], depth + 1)
        for _ in range(rng.randint(0, 3)):
            out[f"n{rng.randint(0, 99)}"] = rng.choice([1, 2.5, True, None, "s", [1, 2]])
        if rng.random() < 0.3:
            items = list(out.items())
            rng.shuffle(items)
            out = dict(items)
        return out
    if isinstance(value, list):
        out = list(value)
        if out and rng.random() < 0.5:
            out.pop(rng.randrange(len(out)))
        out += [rng.choice(["x", "y", 3, 4.5])] * rng.randint(0, 2)
        if rng.random() < 0.3:
            out = out[rng.randint(0, 2) :]
        return out
    return rng.choice([value, 7, 7.0, False, "z", None])


def _random_value(rng: random.Random, depth: int = 0):
    if depth > 2 or rng.random() < 0.3:
        return rng.choice([0, 1, 1.5, True, None, "a", "b"])
    if rng.random() < 0.5:
        return [rng.choice(["p", "q", "r", 1, 2]) for _ in range(rng.randint(0, 12))]
    return {f"k{i}": _random_value(rng, depth + 1) for i in range(rng.randint(0, 8))}


@pytest.mark.parametrize("seed", range(300))
def test_random_changes_roundtrip_exactly(seed):
    rng = random.Random(seed)
    old = _random_value(rng)
    new = _mutate(rng, old)
    delta = diff(old, new)
    rebuilt = new if delta is None else patch(json.loads(json.dumps(old)), delta)
    assert exact(rebuilt) == exact(new)


def test_key_orders_are_recorded_compactly():
    # A capped centroid is re-sorted by weight; its companion maps follow its key order.
    terms = {f"t{i}": 1.0 / (i + 1) for i in range(300)}
    counts = {k: i % 5 for i, k in enumerate(terms)}
    old = {"terms": terms, "counts": counts}
    bumped = dict(terms, t250=0.9, t280=0.5, fresh=0.7)
    new_terms = dict(sorted(bumped.items(), key=lambda kv: (-kv[1], kv[0])))
    new_counts = {k: counts.get(k, 0) + (k in ("t250", "t280", "fresh")) for k in new_terms}
    new = {"terms": new_terms, "counts": new_counts}
    delta = roundtrip(old, new)
    assert delta["p"]["terms"]["o"] == "w" and delta["p"]["counts"]["o"] == {"as": "terms"}
    assert len(json.dumps(delta)) < 250
