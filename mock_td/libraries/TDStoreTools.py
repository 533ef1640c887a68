"""TD's ``TDStoreTools`` module: ``StorageManager`` and the deeply dependable collections.

Written from the documented behaviour (td_api_facts.md §10), not from Derivative's source.

``StorageManager(extension, ownerComp, storedItems=None, restoreAllDefaults=False, sync=True,
locked=True)`` keeps its items in ``ownerComp.storage[type(extension).__name__]`` (a plain dict),
so they survive extension re-initialisation and project reload. Each stored item is a dict with
``name`` (required), ``default`` (None), ``property`` (True), ``readOnly`` (False) and
``dependable`` (False). With ``property`` a property ``name`` is added to the extension's class
(so a Capitalized name is promoted with the extension); a ``readOnly`` property cannot be set but
``stored['Name'] = v`` still works. ``dependable=True`` (or ``'deep'``) turns dict/list/set values
into ``DependDict``/``DependList``/``DependSet``.

A value that could not be saved with the project (an OP or any other TD object, or anything Python
cannot pickle) raises tdError when it is set or is an item's default (StorageManager Class,
"Limitations": "You will get an error if you attempt to store a dis-allowed object").

The collections have "all the usual methods and members of their core Python counterparts" (TDStoreTools
page) on top of ``getRaw``/``getDependency``/``setItem``: e.g. ``DependList.sort``, ``DependSet.union``.
Methods that make a new collection (``copy``, ``union``, ``+``, ``|``) return plain Python ones
(UNCONFIRMED: whether TD returns dependable copies). ``DependSet`` has no ``getDependency`` (the page
lists only ``getRaw`` for it).

Choices not confirmed by the docs (listed in SUPPORTED.md): with ``locked=True`` setting a key that
is not a stored item raises ``KeyError``; with ``sync=False`` undefined keys already in storage are
kept (new items still get their defaults); the mock has no expression dependency tracking, so the
Dependency objects only notify their ``callbacks``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, MutableMapping, MutableSequence, MutableSet
from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError
from mock_td.libraries.dependency import Dependency
from mock_td.values import check_savable


def _deep(value: Any, parent: Dependency | None = None) -> Any:
    """Turn dict/list/set (recursively) into their Depend* versions; other values unchanged."""
    if isinstance(value, DependMixin):
        value.parentDep = parent
        return value
    if isinstance(value, dict):
        return DependDict(value, parentDep=parent)
    if isinstance(value, list):
        return DependList(value, parentDep=parent)
    if isinstance(value, set):
        return DependSet(value, parentDep=parent)
    return value


def _raw(value: Any) -> Any:
    """A plain-Python deep copy of a value that may contain Depend* collections."""
    if isinstance(value, DependMixin):
        return value.getRaw()
    return copy.deepcopy(value)


class DependMixin:
    """Shared part of the Depend* collections: ``myMainDep`` (the whole collection) and ``parentDep``."""

    myMainDep: Dependency
    parentDep: Dependency | None
    #: The plain type(s) a collection compares equal to (``DependDict({}) == {}``).
    _plainTypes: tuple[type, ...]

    def _initDeps(self, parentDep: Dependency | None) -> None:
        self.myMainDep = Dependency(self)
        self.parentDep = parentDep

    def _modified(self) -> None:
        self.myMainDep.modified()
        if self.parentDep is not None:
            self.parentDep.modified()

    def getRaw(self, *args: Any) -> Any:  # pragma: no cover - overridden
        """Plain-Python copy of the contents."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DependMixin):
            other = other.getRaw()
        return isinstance(other, self._plainTypes) and bool(self.getRaw() == other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.getRaw()!r})"


class DependDict(DependMixin, MutableMapping[Any, Any]):
    """A deeply dependable dict: nested containers become dependable, reads return the values."""

    _plainTypes = (dict,)

    def __init__(self, *args: Any, parentDep: Dependency | None = None, **kwargs: Any) -> None:
        self._initDeps(parentDep)
        self._data: dict[Any, Any] = {}
        self._deps: dict[Any, Dependency] = {}
        for key, value in dict(*args, **kwargs).items():
            self._store(key, value, raw=False)

    def _store(self, key: Any, value: Any, raw: bool) -> None:
        dep = self._deps.get(key)
        if dep is None:
            dep = self._deps[key] = Dependency()
        stored = value if raw else _deep(value, self.myMainDep)
        self._data[key] = stored
        dep.val = stored

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self.setItem(key, value)

    def setItem(self, key: Any, item: Any, raw: bool = False) -> None:
        """Set ``key``; with ``raw=True`` the item is stored as given (not made dependable)."""
        self._store(key, item, raw)
        self._modified()

    def __delitem__(self, key: Any) -> None:
        del self._data[key]
        self._deps.pop(key, None)
        self._modified()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def getRaw(self, key: Any = None) -> Any:
        """Plain copy of the whole dict, or of the item ``key``."""
        if key is not None:
            return _raw(self._data[key])
        return {k: _raw(v) for k, v in self._data.items()}

    def getDependency(self, key: Any) -> Dependency:
        """The Dependency of item ``key``."""
        return self._deps[key]

    def copy(self) -> dict[Any, Any]:
        """A plain dict copy of the contents (dependencies removed)."""
        return self.getRaw()

    def __or__(self, other: Any) -> dict[Any, Any]:
        return {**self.getRaw(), **dict(other)}



class DependList(DependMixin, MutableSequence[Any]):
    """A deeply dependable list."""

    _plainTypes = (list,)

    def __init__(self, items: Iterable[Any] = (), parentDep: Dependency | None = None) -> None:
        self._initDeps(parentDep)
        self._data: list[Any] = [_deep(v, self.myMainDep) for v in items]
        self._deps: list[Dependency] = [Dependency(v) for v in self._data]

    def __getitem__(self, index: Any) -> Any:
        return self._data[index]

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            self._data[index] = [_deep(v, self.myMainDep) for v in value]
            self._deps = [Dependency(v) for v in self._data]
            self._modified()
            return
        self.setItem(index, value)

    def setItem(self, index: int, item: Any, raw: bool = False) -> None:
        """Set ``index``; with ``raw=True`` the item is stored as given."""
        stored = item if raw else _deep(item, self.myMainDep)
        self._data[index] = stored
        self._deps[index].val = stored
        self._modified()

    def __delitem__(self, index: Any) -> None:
        del self._data[index]
        del self._deps[index]
        self._modified()

    def __len__(self) -> int:
        return len(self._data)

    def insert(self, index: int, item: Any, raw: bool = False) -> None:
        """Insert ``item`` before ``index``; with ``raw=True`` it is stored as given."""
        stored = item if raw else _deep(item, self.myMainDep)
        self._data.insert(index, stored)
        self._deps.insert(index, Dependency(stored))
        self._modified()

    def append(self, item: Any, raw: bool = False) -> None:
        """Append ``item``; with ``raw=True`` it is stored as given."""
        self.insert(len(self._data), item, raw)

    def getRaw(self, index: int | None = None) -> Any:
        """Plain copy of the whole list, or of item ``index``."""
        if index is not None:
            return _raw(self._data[index])
        return [_raw(v) for v in self._data]

    def getDependency(self, index: int) -> Dependency:
        """The Dependency of item ``index``."""
        return self._deps[index]

    def sort(self, key: Any = None, reverse: bool = False) -> None:
        """Sort in place (each item keeps its Dependency)."""
        order = sorted(range(len(self._data)), key=lambda i: (key or (lambda v: v))(self._data[i]), reverse=reverse)
        self._data = [self._data[i] for i in order]
        self._deps = [self._deps[i] for i in order]
        self._modified()

    def copy(self) -> list[Any]:
        """A plain list copy of the contents (dependencies removed)."""
        return self.getRaw()

    def __add__(self, other: Any) -> list[Any]:
        return self.getRaw() + list(other)



class DependSet(DependMixin, MutableSet[Any]):
    """A dependable set (its items are hashable, so they stay plain)."""

    _plainTypes = (set, frozenset)

    def __init__(self, items: Iterable[Any] = (), parentDep: Dependency | None = None) -> None:
        self._initDeps(parentDep)
        self._data: set[Any] = set(items)

    def __contains__(self, item: object) -> bool:
        return item in self._data

    def __iter__(self) -> Iterator[Any]:
        return iter(set(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def add(self, value: Any) -> None:
        """Add ``value``."""
        if value not in self._data:
            self._data.add(value)
            self._modified()

    def discard(self, value: Any) -> None:
        """Remove ``value`` if present."""
        if value in self._data:
            self._data.discard(value)
            self._modified()

    def getRaw(self) -> set[Any]:
        """Plain copy of the set."""
        return set(self._data)

    def copy(self) -> set[Any]:
        """A plain set copy (dependencies removed)."""
        return set(self._data)

    def union(self, *others: Any) -> set[Any]:
        """A plain set of the items here or in any of ``others``."""
        return self._data.union(*others)

    def intersection(self, *others: Any) -> set[Any]:
        """A plain set of the items here and in every one of ``others``."""
        return self._data.intersection(*others)

    def difference(self, *others: Any) -> set[Any]:
        """A plain set of the items here and in none of ``others``."""
        return self._data.difference(*others)

    def update(self, *others: Any) -> None:
        """Add the items of ``others`` (one notification)."""
        before = len(self._data)
        self._data.update(*others)
        if len(self._data) != before:
            self._modified()


_ITEM_KEYS = {"name", "default", "property", "readOnly", "dependable"}


class StorageManager(MutableMapping[str, Any]):
    """Declared persistent items of an extension, kept in ``ownerComp.storage[<extension class name>]``."""

    __td_source__ = "TDStoreTools page (StorageManager); StorageManager_Class"
    __td_member_sources__ = {
        name: "TDStoreTools page: StorageManager is \"derived from the Python MutableMapping class\""
        for name in ("clear", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values")
    }

    def __init__(self, extension: Any, ownerComp: Any, storedItems: list[dict[str, Any]] | None = None,  # noqa: N803
                 restoreAllDefaults: bool = False, sync: bool = True, locked: bool = True) -> None:  # noqa: N803
        self.extension = extension
        self.ownerComp = ownerComp
        self._locked = locked
        self._items: dict[str, dict[str, Any]] = {}
        for item in storedItems or []:
            self._items[self._checkItem(item)] = {
                "default": item.get("default"), "property": item.get("property", True),
                "readOnly": item.get("readOnly", False), "dependable": item.get("dependable", False),
            }
        key = type(extension).__name__
        storage = ownerComp.storage
        if key not in storage or not isinstance(storage[key], dict):
            storage[key] = {}
        self._storage: dict[str, Any] = storage[key]
        if sync:
            for name in [n for n in self._storage if n not in self._items]:
                del self._storage[name]
        for name in self._items:
            if restoreAllDefaults or name not in self._storage:
                self._setDefault(name)
        for name, info in self._items.items():
            if info["property"]:
                self._makeProperty(name, info["readOnly"])

    @staticmethod
    def _checkItem(item: Any) -> str:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise tdError(msg.STORE_ITEM_NAME.format(item=item))
        unknown = set(item) - _ITEM_KEYS
        if unknown:
            raise tdError(msg.STORE_ITEM_KEYS.format(name=item["name"], unknown=sorted(unknown), keys=sorted(_ITEM_KEYS)))
        return str(item["name"])

    def _convert(self, name: str, value: Any) -> Any:
        info = self._items.get(name)
        if info is not None and info["dependable"]:
            return _deep(value)
        return value

    def _setDefault(self, name: str) -> None:
        default = self._items[name]["default"]
        check_savable(default, f"default of {name!r}")
        self._storage[name] = self._convert(name, copy.deepcopy(default))

    def _makeProperty(self, name: str, read_only: bool) -> None:
        cls = type(self.extension)
        managers = self.extension.__dict__.setdefault("_storageManagers", {})
        managers[name] = self

        def getter(instance: Any) -> Any:
            return instance.__dict__["_storageManagers"][name][name]

        def setter(instance: Any, value: Any) -> None:
            instance.__dict__["_storageManagers"][name][name] = value

        doc = f"Stored item {name!r} (StorageManager)."
        setattr(cls, name, property(getter, None if read_only else setter, doc=doc))

    # ------------------------------------------------------------------ mapping
    def __getitem__(self, key: str) -> Any:
        return self._storage[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if self._locked and key not in self._items:
            raise KeyError(msg.STORE_LOCKED_SET.format(key=key, items=", ".join(self._items)))
        check_savable(value, f"value of {key!r}")
        self._storage[key] = self._convert(key, value)

    def __delitem__(self, key: str) -> None:
        if self._locked and key in self._items:
            raise KeyError(msg.STORE_LOCKED_DELETE.format(key=key))
        del self._storage[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._storage))

    def __len__(self) -> int:
        return len(self._storage)

    # ------------------------------------------------------------------ defaults
    def restoreAllDefaults(self) -> None:
        """Set every stored item back to its default."""
        for name in self._items:
            self._setDefault(name)

    def restoreDefault(self, name: str) -> None:
        """Set stored item ``name`` back to its default."""
        if name not in self._items:
            raise KeyError(msg.STORE_NOT_AN_ITEM.format(name=name))
        self._setDefault(name)

    def __repr__(self) -> str:
        return f"StorageManager({type(self.extension).__name__}: {dict(self._storage)!r})"
