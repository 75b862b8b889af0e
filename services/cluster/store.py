"""Mapping adapters between the engine's MutableMappings and one changelog-backed table.

All of a partition's state lives in ONE faust table, so its changelog partition is a single
ordered log: after a crash the recovered table is a prefix of the writes. ``WriteBuffer`` holds
one article's writes until they are complete, so they can be logged ahead (see processor.py).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

_DELETED = object()


class WriteBuffer(MutableMapping):
    """Reads through to a backing mapping; writes stay pending until flush()."""

    def __init__(self, backing: MutableMapping) -> None:
        self.backing = backing
        self._pending: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self._pending:
            value = self._pending[key]
            if value is _DELETED:
                raise KeyError(key)
            return value
        return self.backing[key]

    def __contains__(self, key: object) -> bool:
        if key in self._pending:
            return self._pending[key] is not _DELETED
        return key in self.backing

    def __setitem__(self, key: str, value: Any) -> None:
        self._pending[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._pending[key] = _DELETED

    def __iter__(self) -> Iterator[str]:
        raise TypeError("state mappings are not iterable: a full scan would not scale")

    def __len__(self) -> int:
        raise TypeError("state mappings have no cheap length")

    def discard(self) -> None:
        """Forget pending writes (the article failed before it was committed)."""
        self._pending.clear()

    def pending(self) -> dict[str, list]:
        """Pending writes as a JSON-serialisable change set {"set": {...}, "del": [...]}."""
        sets = {k: v for k, v in self._pending.items() if v is not _DELETED}
        dels = [k for k, v in self._pending.items() if v is _DELETED]
        return {"set": sets, "del": dels}

    def flush(self) -> None:
        """Write pending changes to the backing mapping."""
        apply_changes(self.backing, self.pending())
        self._pending.clear()


def apply_changes(backing: MutableMapping, changes: dict) -> None:
    """Apply a change set from WriteBuffer.pending(); applying it twice is harmless."""
    for key, value in changes["set"].items():
        backing[key] = value
    for key in changes["del"]:
        if key in backing:
            del backing[key]


class PrefixView(MutableMapping):
    """A namespace inside a shared mapping: key k is stored as prefix + k."""

    def __init__(self, backing: MutableMapping, prefix: str) -> None:
        self.backing = backing
        self.prefix = prefix

    def __getitem__(self, key: str) -> Any:
        return self.backing[self.prefix + key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (self.prefix + key) in self.backing

    def __setitem__(self, key: str, value: Any) -> None:
        self.backing[self.prefix + key] = value

    def __delitem__(self, key: str) -> None:
        del self.backing[self.prefix + key]

    def __iter__(self) -> Iterator[str]:
        raise TypeError("state mappings are not iterable: a full scan would not scale")

    def __len__(self) -> int:
        raise TypeError("state mappings have no cheap length")
