"""Per-run context: the key/value store steps share through ``Set`` / ``Get`` / ``ClearContext``.

Every change gets a change id that is unique and strictly increasing over the life of the context
object (clearing does not reset it), so a listener or a dashboard can tell changes apart and spot
ones it missed. Listeners are called after every change with a ``ContextChange``.

``snapshot()`` returns a JSON-friendly copy (``jsonable`` turns tuples, sets, objects and non-string
keys into JSON types, so dashboards and history never hold live objects). ``summarize`` is the
bounded version: a copy of a small value, or a cut ``bounded_repr`` of a large one, at a cost that
does not grow with the value's size (the history keeps user values that way).

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

ChangeKind = Literal["set", "clear"]

_MISSING: Any = object()
_PLAIN = (str, int, bool)


def _is_plain(value: Any) -> bool:
    kind = type(value)
    return value is None or kind in _PLAIN or (kind is float and math.isfinite(value))


def jsonable(value: Any, _depth: int = 0) -> Any:
    """A JSON-serialisable copy of ``value``: containers copied, other objects as their ``repr``.

    Non-finite floats become strings (``"nan"``, ``"inf"``), mapping keys become strings, tuples and
    sets become lists (sets sorted by repr). Nesting deeper than 32 levels is cut off as a repr.
    """
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if kind is dict and all(type(k) is str and _is_plain(v) for k, v in value.items()):
        return dict(value)  # fast path: a flat dict of plain values
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if _depth > 32:
        return repr(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, _depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return [jsonable(v, _depth + 1) for v in sorted(value, key=repr)]
    return repr(value)


def summarize(value: Any, max_items: int, max_chars: int) -> tuple[Any, bool]:
    """``(jsonable(value), False)`` for a small value, else ``(a repr cut to max_chars, True)``.

    Small: at most ``max_items`` items (nested items counted) and no string or bytes longer than
    ``max_chars``. Deciding it looks at no more than ``max_items`` items, so the cost does not grow
    with the size of the value (an object's own ``repr`` excepted: it is the object's to bound).
    """
    budget = [max_items]
    if _fits(value, budget, max_chars, 0):
        return jsonable(value), False
    return bounded_repr(value, max_chars), True


def _fits(value: Any, budget: list[int], max_chars: int, depth: int) -> bool:
    if isinstance(value, (str, bytes, bytearray)):
        return len(value) <= max_chars
    if not isinstance(value, (Mapping, list, tuple, set, frozenset)):
        return True
    budget[0] -= len(value)
    if budget[0] < 0 or depth > 32:
        return False
    items = value.items() if isinstance(value, Mapping) else ((None, v) for v in value)
    return all(_fits(k, budget, max_chars, depth + 1) and _fits(v, budget, max_chars, depth + 1)
               for k, v in items)


_BRACKETS = {list: ("[", "]"), tuple: ("(", ")")}


class _Full(Exception):
    """Raised inside ``bounded_repr`` when the text is long enough."""


def bounded_repr(value: Any, max_chars: int) -> str:
    """``repr(value)`` cut to ``max_chars`` (ending in ``...``), reading only what it shows of containers."""
    parts: list[str] = []
    room = [max_chars + 1]

    def put(text: str) -> None:
        parts.append(text[:room[0]])
        room[0] -= len(text)
        if room[0] <= 0:
            raise _Full

    def walk(item: Any) -> None:
        if isinstance(item, (str, bytes, bytearray)):
            put(repr(item[:room[0]]))
        elif isinstance(item, Mapping):
            _walk_items(put, walk, "{", "}", item.items(), pairs=True)
        elif isinstance(item, (list, tuple)) or (isinstance(item, (set, frozenset)) and item):
            opening, closing = _BRACKETS.get(type(item), ("{", "}"))
            if isinstance(item, frozenset):
                opening, closing = "frozenset({", "})"
            elif type(item) is tuple and len(item) == 1:
                closing = ",)"
            _walk_items(put, walk, opening, closing, ((None, v) for v in item), pairs=False)
        else:
            put(repr(item))

    try:
        walk(value)
    except _Full:
        return "".join(parts)[:max(0, max_chars - 3)] + "..."
    return "".join(parts)


def _walk_items(put: Callable[[str], None], walk: Callable[[Any], None], opening: str, closing: str,
                items: Iterable[tuple[Any, Any]], pairs: bool) -> None:
    put(opening)
    for position, (key, item) in enumerate(items):
        if position:
            put(", ")
        if pairs:
            walk(key)
            put(": ")
        walk(item)
    put(closing)


@dataclass(frozen=True)
class ContextChange:
    """One change to the context: a ``set`` of one key, or a ``clear`` of all keys (``key`` None)."""

    change_id: int
    kind: ChangeKind
    key: str | None
    value: Any
    old_value: Any
    source: str

    @property
    def is_new_key(self) -> bool:
        """True for a ``set`` that created the key."""
        return self.kind == "set" and self.old_value is _MISSING

    def payload(self) -> dict[str, Any]:
        """The change as callback info keys: change_id, kind, key, value, old_value (None if new), source."""
        return {
            "change_id": self.change_id,
            "kind": self.kind,
            "key": self.key,
            "value": self.value,
            "old_value": None if self.old_value is _MISSING else self.old_value,
            "source": self.source,
        }


ContextListener = Callable[[ContextChange], None]


class FlowContext:
    """A dict of per-run values with change ids and change listeners.

    ``first_change_id`` lets a re-initialised extension continue the id sequence it stored.
    """

    def __init__(self, first_change_id: int = 1) -> None:
        self._data: dict[str, Any] = {}
        #: A read-only live view of the context (the same object as ``data``, read without a call).
        self.view: Mapping[str, Any] = MappingProxyType(self._data)
        self._next_id = int(first_change_id)
        self._listeners: list[ContextListener] = []

    # -- reading --------------------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, or ``default`` when it is not set."""
        return self._data.get(key, default)

    @property
    def data(self) -> Mapping[str, Any]:
        """A read-only live view of the context."""
        return self.view

    @property
    def last_change_id(self) -> int:
        """The id of the latest change (0 before the first one)."""
        return self._next_id - 1

    def snapshot(self) -> dict[str, Any]:
        """A JSON-friendly copy of the context."""
        result = jsonable(self._data)
        assert isinstance(result, dict)
        return result

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._data))

    # -- changing -------------------------------------------------------------------------------------
    def set(self, key: str, value: Any, source: str = "api") -> ContextChange:
        """Set ``key`` to ``value``; returns the change (also given to every listener).

        Raises TypeError when ``key`` is not a non-empty string.
        """
        if not isinstance(key, str) or not key:
            raise TypeError(f"Can't Set: the context key must be a non-empty string, not {key!r}")
        old = self._data.get(key, _MISSING)
        self._data[key] = value
        return self._emit(ContextChange(self._take_id(), "set", key, value, old, source))

    def clear(self, source: str = "api") -> ContextChange:
        """Remove every key; returns the ``clear`` change (``old_value`` holds the previous contents)."""
        old = dict(self._data)
        self._data.clear()
        return self._emit(ContextChange(self._take_id(), "clear", None, None, old, source))

    def load(self, values: Mapping[str, Any], last_change_id: int | None = None) -> None:
        """Replace the whole context with ``values`` silently (no listener is called): a run brought back
        by ``FlowEngine.import_run``. ``last_change_id``: continue the change ids after it (never back)."""
        self._data = dict(values)
        self.view = MappingProxyType(self._data)
        if last_change_id is not None:
            self._next_id = max(self._next_id, int(last_change_id) + 1)

    # -- listeners ------------------------------------------------------------------------------------
    def add_listener(self, listener: ContextListener) -> None:
        """Call ``listener(change)`` after every change. Listener exceptions propagate to the caller."""
        self._listeners.append(listener)

    def remove_listener(self, listener: ContextListener) -> None:
        """Stop calling ``listener``; unknown listeners are ignored."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _take_id(self) -> int:
        change_id = self._next_id
        self._next_id += 1
        return change_id

    def _emit(self, change: ContextChange) -> ContextChange:
        for listener in list(self._listeners):
            listener(change)
        return change
