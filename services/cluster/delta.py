"""Compact, exact deltas between two JSON values (dicts, lists, scalars).

An article changes a few entries of a story's centroid, appends one id to a member list, moves
one id to the end of a posting list: writing the whole value again for that costs kilobytes.
``diff(old, new)`` describes the change instead, and ``patch(old, delta)`` rebuilds ``new``
exactly (same values, same types, same key order: the engine sums floats in dict order, so a
rebuilt value must iterate like the original or a replay could decide differently).

Delta shapes:
  dict: {"s": {key: new value}, "p": {key: nested delta}, "x": [removed keys],
         "o": the key order, only when it changed: "w" (sorted by value, heaviest first),
              {"as": sibling key} (the order of that sibling's keys), or a list delta}
  list: {"l": [segment, ...]} where a segment is [start, end] (copy old[start:end]) or
        {"v": [literal items]}
``diff`` returns None when the whole new value is the better record (other types, small
values, or most of it changed).
"""

from __future__ import annotations

from typing import Any

_SCALARS = (str, int, float, bool, type(None))
MIN_LIST = 4  # shorter lists are cheaper to write whole
BY_WEIGHT = "w"  # key order record: heaviest value first, ties by key (capped centroids)


def same(a: Any, b: Any) -> bool:
    """Equal as JSON: like ==, but 1, 1.0 and True differ (JSON keeps them apart)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(same(v, b[k]) for k, v in a.items())
    if type(a) is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def diff(old: Any, new: Any) -> dict | None:
    """A delta turning old into new, or None to write new whole."""
    if type(old) is dict and type(new) is dict:
        return _diff_dict(old, new)
    if type(old) is list and type(new) is list:
        return _diff_list(old, new)
    return None


def patch(old: Any, delta: dict) -> Any:
    """Rebuild the new value from old and diff(old, new); old is not modified."""
    if "l" in delta:
        out: list = []
        for seg in delta["l"]:
            if type(seg) is dict:
                out.extend(seg["v"])
            else:
                out.extend(old[seg[0] : seg[1]])
        return out
    gone = set(delta.get("x", ()))
    sets, nested = delta.get("s", {}), delta.get("p", {})
    out = {k: v for k, v in old.items() if k not in gone}
    for key, sub in nested.items():
        out[key] = patch(old[key], sub)
    out.update(sets)  # new keys go last, as diff expects
    order = delta.get("o")
    if order == BY_WEIGHT:
        out = dict(sorted(out.items(), key=_by_weight))
    elif order is not None and "l" in order:
        out = {k: out[k] for k in patch(list(out), order)}
    for key, sub in nested.items():
        sibling = _sibling(sub)
        if sibling is not None:  # ordered like a sibling: that one is complete now
            out[key] = {k: out[key][k] for k in out[sibling] if k in out[key]}
    return out


def _diff_dict(old: dict, new: dict) -> dict | None:
    sets: dict = {}
    nested: dict = {}
    for key, value in new.items():
        if key not in old:
            sets[key] = value
            continue
        before = old[key]
        if same(before, value):
            continue
        sub = diff(before, value)
        if sub is None:
            sets[key] = value
        else:
            nested[key] = sub
    if len(sets) > max(len(new) * 3 // 4, 2):
        return None  # most of it is new: the whole value is about as small
    delta: dict = {}
    if sets:
        delta["s"] = sets
    if nested:
        delta["p"] = nested
    removed = [k for k in old if k not in new]
    if removed:
        delta["x"] = removed
    # patch keeps old's order and appends new keys; a capped centroid re-sorted by weight
    # comes out in another order, which the delta then records (as a delta of the key list).
    expected = [k for k in old if k in new] + [k for k in new if k not in old]
    keys = list(new)
    if expected != keys:
        delta["o"] = _order(expected, new)
    if nested:
        _order_like_siblings(new, nested)
    return delta


def _by_weight(item: tuple) -> tuple:
    return (-item[1], item[0])


def _order(expected: list, new: dict) -> Any:
    """How to reorder the patched keys (in `expected` order) into new's order, compactly."""
    keys = list(new)
    values = [new[k] for k in expected]
    numeric = all(type(v) in (int, float) for v in values)
    # patch sorts the same items in the same starting order, so it gets the same result
    if (
        numeric
        and [k for k, _ in sorted(zip(expected, values, strict=True), key=_by_weight)] == keys
    ):
        return BY_WEIGHT
    return _diff_list(expected, keys) or {"l": [{"v": keys}]}


def _order_like_siblings(new: dict, nested: dict) -> None:
    """Replace a child's key-order record by "like sibling X" when its keys follow X's order."""
    done: list[str] = []
    for key, value in new.items():
        sub = nested.get(key)
        if sub is not None and type(value) is dict and "o" in sub:
            for sibling in done:
                other = new[sibling]
                if type(other) is dict and [k for k in other if k in value] == list(value):
                    sub["o"] = {"as": sibling}
                    break
        if sub is None or _sibling(sub) is None:
            done.append(key)  # a sibling ordered like another cannot be a reference itself


def _sibling(delta: dict) -> str | None:
    """The sibling whose key order a nested delta follows, if it says so."""
    order = delta.get("o")
    return order.get("as") if type(order) is dict else None


def _diff_list(old: list, new: list) -> dict | None:
    if len(new) < MIN_LIST:
        return None
    where: dict = {}
    for i, item in enumerate(old):
        if type(item) not in _SCALARS:
            return None  # lists of containers: not worth matching
        where.setdefault((type(item), item), i)
    segments: list = []
    literal: list = []
    copied = i = 0
    while i < len(new):
        item = new[i]
        start = where.get((type(item), item)) if type(item) in _SCALARS else None
        if start is None:
            literal.append(item)
            i += 1
            continue
        end = start + 1
        while (
            i + end - start < len(new) and end < len(old) and same(new[i + end - start], old[end])
        ):
            end += 1
        if literal:
            segments.append({"v": literal})
            literal = []
        segments.append([start, end])
        copied += end - start
        i += end - start
    if literal:
        segments.append({"v": literal})
    if copied * 2 < len(new):
        return None
    return {"l": segments}
