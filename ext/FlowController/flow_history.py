"""Flow history: a bounded ring buffer of everything that happened, newest last.

Each ``HistoryEvent`` records the TD frame and time, the process id of the run, the event name, the
step (index and name, -1 / "" outside a step), the source that caused it (``api``, ``pulse``,
``timer``, ``auto``, ...) and a JSON-friendly ``data`` dict. ``seq`` numbers events from 1 over the life
of the buffer, so a reader can tell how many were dropped.

The size can change at run time (FlowController's history-size parameter): shrinking drops the
oldest events. ``snapshot()`` returns plain dicts for tables, dashboards and tests.

Recording is cheap: events are kept as plain tuples and become ``HistoryEvent`` objects only when
read. ``record()`` copies ``data`` into JSON types (``jsonable``); ``append()`` is the engine's fast
path for data it built itself from plain values (it keeps the dict as given). ``summarize_fields``
turns user-supplied values into bounded copies at record time, so the history shows each value as it
was, at a cost that does not grow with the value's size.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import flow_spec
from flow_context import jsonable, summarize

DEFAULT_SIZE = flow_spec.DEFAULT_HISTORY_SIZE


@dataclass(frozen=True)
class HistoryEvent:
    """One recorded event."""

    seq: int
    frame: int
    time: float
    process_id: str | None
    event: str
    step_index: int = -1
    step_name: str = ""
    source: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The event as a plain dict (``data`` already JSON-friendly)."""
        return {
            "seq": self.seq,
            "frame": self.frame,
            "time": self.time,
            "process_id": self.process_id,
            "event": self.event,
            "step_index": self.step_index,
            "step_name": self.step_name,
            "source": self.source,
            "data": dict(self.data),
        }


#: What the ring buffer holds per event: HistoryEvent's fields, in order.
_Row = tuple[int, int, float, str | None, str, int, str, str, dict[str, Any]]


def summarize_fields(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """``data`` with the user values under ``names`` made bounded (see ``flow_context.summarize``).

    A value too large to copy becomes a cut repr, and ``data['truncated']`` lists those fields.
    """
    truncated = []
    for name in names:
        value = data[name]
        if value is None or type(value) in _PLAIN:
            continue
        data[name], cut = summarize(value, flow_spec.HISTORY_VALUE_MAX_ITEMS, flow_spec.HISTORY_VALUE_MAX_CHARS)
        if cut:
            truncated.append(name)
    if truncated:
        data["truncated"] = truncated
    return data


_PLAIN = (bool, int)


class FlowHistory:
    """A ring buffer of at most ``size`` events (``size`` >= 1, changeable at any time)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = self._checked_size(size)
        self._events: deque[_Row] = deque(maxlen=self._size)
        self._total = 0

    @staticmethod
    def _checked_size(size: int) -> int:
        if isinstance(size, bool) or int(size) != size or int(size) < 1:
            raise ValueError(f"History size must be a whole number of at least 1, not {size!r}")
        return int(size)

    @property
    def size(self) -> int:
        """The most events kept."""
        return self._size

    @size.setter
    def size(self, size: int) -> None:
        self._size = self._checked_size(size)
        if self._size != self._events.maxlen:
            self._events = deque(self._events, maxlen=self._size)

    @property
    def total(self) -> int:
        """How many events were ever recorded (kept or dropped)."""
        return self._total

    @property
    def dropped(self) -> int:
        """How many events were dropped because the buffer was full."""
        return self._total - len(self._events)

    def record(self, frame: int, time: float, process_id: str | None, event: str, step_index: int = -1,
               step_name: str = "", source: str = "", data: dict[str, Any] | None = None) -> HistoryEvent:
        """Append an event (``data`` copied into JSON types; the oldest dropped when full) and return it."""
        safe = jsonable(data) if data else {}
        self.append(int(frame), float(time), process_id, event, step_index, step_name, source, safe)
        return HistoryEvent(*self._events[-1])

    def append(self, frame: int, time: float, process_id: str | None, event: str, step_index: int,
               step_name: str, source: str, data: dict[str, Any]) -> int:
        """Append an event whose ``data`` is already JSON-friendly and owned by the history; returns its seq."""
        self._total += 1
        self._events.append((self._total, frame, time, process_id, event, step_index, step_name, source, data))
        return self._total

    def load(self, events: Iterable[Any]) -> None:
        """Put ``events`` (objects with HistoryEvent's fields, oldest first, e.g. another history's
        ``events()``) before the events kept here: an engine brought back by ``import_run`` keeps the old
        engine's history. Events already kept are numbered on after the newest loaded ``seq``; the
        newest ``size`` events are kept."""
        rows: list[_Row] = [(int(e.seq), int(e.frame), float(e.time), e.process_id, str(e.event),
                             int(e.step_index), str(e.step_name), str(e.source), dict(e.data)) for e in events]
        if not rows:
            return
        total = rows[-1][0]
        for _seq, frame, time, process_id, event, step_index, step_name, source, data in self._events:
            total += 1
            rows.append((total, frame, time, process_id, event, step_index, step_name, source, data))
        self._events = deque(rows, maxlen=self._size)
        self._total = total

    def newest(self) -> HistoryEvent:
        """The newest kept event (IndexError when there is none)."""
        return HistoryEvent(*self._events[-1])

    def clear(self) -> None:
        """Forget every event (``total`` keeps counting)."""
        self._events.clear()

    def events(self, event: str | None = None) -> list[HistoryEvent]:
        """The kept events, oldest first; only those named ``event`` when given."""
        return [HistoryEvent(*row) for row in self._events if event is None or row[4] == event]

    def snapshot(self, last: int | None = None) -> list[dict[str, Any]]:
        """The kept events as dicts, oldest first; only the newest ``last`` when given."""
        rows = list(self._events)
        if last is not None:
            rows = rows[-last:] if last > 0 else []
        return [HistoryEvent(*row).as_dict() for row in rows]

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[HistoryEvent]:
        return iter(self.events())
