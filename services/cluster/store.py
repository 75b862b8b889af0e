"""Mapping adapters between the engine's MutableMappings and one changelog-backed table.

All of a partition's state lives in ONE faust table, so its changelog partition is a single
ordered log: after a crash the recovered table is a prefix of the writes. ``WriteBuffer`` holds
one article's writes until they are complete, so they can be logged as one change set (see
wal.py); ``PartitionView`` is what the buffer reads through to: the current partition's dirty
keys, then its flushed table keys.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from .delta import diff
from .wal import DELETED, PartitionLog

_DELETED = object()
_MISSING = object()


class WriteBuffer(MutableMapping):
    """Reads through to a backing mapping; writes stay pending until take()."""

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

    def take(self) -> tuple[dict, dict[str, Any]]:
        """The pending writes as (change set to log, new values), and clear them.

        The change set is {"set": {key: value}, "patch": {key: delta}, "del": [key]}: a key
        that existed before gets a delta against its previous value when that is smaller.
        Values are the plain new values (DELETED for removals). Writes that change nothing
        are left out of both.
        """
        sets: dict[str, Any] = {}
        patches: dict[str, dict] = {}
        dels: list[str] = []
        values: dict[str, Any] = {}
        for key, value in self._pending.items():
            if value is _DELETED:
                if key in self.backing:
                    dels.append(key)
                    values[key] = DELETED
                continue
            old = self.backing.get(key, _MISSING)
            # The same object back means it was changed in place: its old value is gone, so
            # no delta can be trusted. Write it whole.
            delta = None if old is _MISSING or old is value else diff(old, value)
            if delta == {}:
                continue  # a dict written back unchanged
            if delta is None:
                sets[key] = value
            else:
                patches[key] = delta
            values[key] = value
        self._pending.clear()
        return {"set": sets, "patch": patches, "del": dels}, values


class PartitionView(MutableMapping):
    """Read-only view of the current partition's state (dirty keys, then flushed keys)."""

    def __init__(self) -> None:
        self.log: PartitionLog | None = None

    def __getitem__(self, key: str) -> Any:
        return self.log.lookup(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.log.contains(key)

    def __setitem__(self, key: str, value: Any) -> None:
        raise TypeError("writes go through a WriteBuffer and the partition's WAL")

    def __delitem__(self, key: str) -> None:
        raise TypeError("writes go through a WriteBuffer and the partition's WAL")

    def __iter__(self) -> Iterator[str]:
        raise TypeError("state mappings are not iterable: a full scan would not scale")

    def __len__(self) -> int:
        raise TypeError("state mappings have no cheap length")


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
