"""OP storage: ``storage``, ``store``, ``fetch``, ``fetchOwner``, ``unstore``, ``storeStartupValue``.

* ``fetch(key)`` of a missing key with no default raises tdError (community code catches
  ``td.tdError``; UNCONFIRMED in the docs); with ``search=True`` (the default)
  the parents are searched, nearest first; ``storeDefault=True`` stores the default on this OP.
* ``unstore`` accepts wildcard patterns (``*``, ``?``, ``[]``).
* Storage is saved with the project: on ``project.save()``, ``Session.reload()`` and ``COMP.copy()``
  each value goes through ``pickle``; a key with a startup value comes back as that startup value.
  An OP (also inside a list or dict) is saved as its path and comes back as the OP at that path once
  the whole network is loaded (None if there is none; see ``OP.__reduce__``), so the OP Class example
  ``n.store('moviebank', op('/project1/movies'))`` survives a reload. Other TD objects (Par, Cell,
  Channel, Page, ...) and values that cannot be pickled are dropped with a textport warning, unless the
  key has a startup value (UNCONFIRMED: what TD does then).
* ``StorageManager`` (TDStoreTools) refuses such values at once with tdError (StorageManager Class:
  "You will get an error if you attempt to store a dis-allowed object", notably Operators).

DOCS DISAGREE: OP Class stores an OP (``n.store('moviebank', op('/project1/movies'))``), StorageManager
Class says Operators cannot be stored. Both hold in the mock: plain storage accepts OPs, StorageManager
refuses them.
"""

from __future__ import annotations

import pickle
from fnmatch import fnmatchcase
from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError
from mock_td.values import dumps

_MISSING: Any = object()


class StorageMixin:
    """Storage members of TD's OP class."""

    __td_source__ = "OP_Class"

    _storage: dict[str, Any]
    _startup: dict[str, Any]
    _parent: Any

    def _checkValid(self) -> None:  # pragma: no cover - overridden by OP
        raise NotImplementedError

    @property
    def storage(self) -> dict[str, Any]:
        """The OP's storage dict (the attribute is read-only; its contents are not)."""
        return self._storage

    def store(self, key: str, value: Any) -> Any:
        """Add or replace ``key`` in this OP's storage; returns the value."""
        self._storage[key] = value
        return value

    def fetch(self, key: str, default: Any = _MISSING, search: bool = True, storeDefault: bool = False) -> Any:  # noqa: N803
        """The value stored under ``key`` here (or, with ``search``, in the nearest parent).

        A missing key returns ``default`` (stored here when ``storeDefault``); with no default it raises tdError.
        """
        node: Any = self
        while node is not None:
            if key in node._storage:
                return node._storage[key]
            if not search:
                break
            node = node._parent
        if default is _MISSING:
            raise tdError(msg.STORAGE_KEY_MISSING.format(key=key, path=self._path_unchecked()))  # type: ignore[attr-defined]
        if storeDefault:
            self._storage[key] = default
        return default

    def fetchOwner(self, key: str) -> Any:  # noqa: N802
        """The OP (this one or the nearest parent) whose storage holds ``key``, or None."""
        node: Any = self
        while node is not None:
            if key in node._storage:
                return node
            node = node._parent
        return None

    def unstore(self, *keys: str) -> None:
        """Remove the entries matching the key patterns (and their startup values)."""
        for pattern in keys:
            for k in [k for k in self._storage if fnmatchcase(str(k), pattern)]:
                del self._storage[k]
            for k in [k for k in self._startup if fnmatchcase(str(k), pattern)]:
                del self._startup[k]

    def storeStartupValue(self, key: str, value: Any) -> None:  # noqa: N802
        """The value ``key`` takes when the project is opened (e.g. None for session-only objects)."""
        self._startup[key] = value

    def unstoreStartupValue(self, *keys: str) -> None:  # noqa: N802
        """Remove startup values matching the key patterns (the stored values stay)."""
        for pattern in keys:
            for k in [k for k in self._startup if fnmatchcase(str(k), pattern)]:
                del self._startup[k]


def save_storage(owner: Any, warn: Any) -> bytes:
    """Storage as it would be written to a .toe: startup values applied, every value pickled."""
    saved: dict[str, bytes] = {}
    for key, value in owner._storage.items():
        if key in owner._startup:
            value = owner._startup[key]
        try:
            saved[key] = dumps(value)
        except Exception as exc:  # noqa: BLE001 - anything unpicklable is reported and dropped
            warn(msg.STORAGE_NOT_SAVED.format(key=key, path=owner._path_unchecked(), error=exc))
    startup: dict[str, bytes] = {}
    for key, value in owner._startup.items():
        try:
            startup[key] = dumps(value)
        except Exception as exc:  # noqa: BLE001
            warn(msg.STARTUP_VALUE_NOT_SAVED.format(key=key, path=owner._path_unchecked(), error=exc))
    return pickle.dumps((saved, startup))


def load_storage(owner: Any, data: bytes) -> None:
    """Restore storage written by :func:`save_storage` into a fresh OP (call once the whole network
    exists, so OPs in storage find the OP at their path)."""
    saved, startup = pickle.loads(data)
    owner._storage = {k: pickle.loads(v) for k, v in saved.items()}
    owner._startup = {k: pickle.loads(v) for k, v in startup.items()}
