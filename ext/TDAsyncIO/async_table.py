"""Incremental sync of tracked tasks into a table (anything with TD's tableDAT API).

Only what changed is written: the tracker's ``dirty`` ids are appended or deleted, and for a row
that exists only the cells whose text changed are written (the last written row is remembered);
nothing else is touched. Rows stay in task-id (submission) order; the row of a task is found
by bisecting the sorted list of ids the table holds, so no per-frame scan of the table or of the
tracked tasks is needed.

Durations of pending/running tasks change every frame, but rewriting all of them each frame would
cost O(running tasks). Instead they are refreshed in small batches, stalest first: at most one
refresh pass every ``refresh_period`` seconds of TD time, each writing at most ``rows_per_refresh``
duration cells, and only for rows written at least ``refresh_interval`` seconds ago. The table
therefore spends at most ``rows_per_refresh / refresh_period`` cell writes per second (4 by
default) on live durations, however many tasks run: with up to 4 running tasks every duration
moves once a second, with ``n`` running tasks a row's duration is refreshed every ``n / 4``
seconds. A frame with nothing to write costs one comparison. ``GetTaskInfo`` always reports the
exact live duration. Finished rows are written once, with their final duration.

Table calls used (all TD tableDAT API): ``clear``, ``appendRow``, ``appendRows``, ``insertRow``, ``deleteRows``,
``table[row, col] = value``. This module imports only the standard library.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable
from typing import Any, Protocol

import async_tasks
import tdasyncio_spec

COLUMNS = tdasyncio_spec.TABLE_COLUMNS
DURATION_COL = COLUMNS.index("duration")
_NEVER = float("inf")
#: rows appended per ``appendRows`` call when many new tasks appear in one frame
APPEND_BATCH = 256


class TrackerView(Protocol):
    """What the table sync needs from ``async_tasks.TaskTracker``."""

    dirty: set[int]

    def get(self, task_id: int) -> async_tasks.TaskRecord | None: ...

    def records(self) -> Any: ...


def format_seconds(value: float | None) -> str:
    """Seconds as table text (millisecond precision), empty for None."""
    return "" if value is None else f"{value:.3f}"


def row_values(record: async_tasks.TaskRecord, now: float) -> list[str]:
    """The table row of ``record`` (column order of ``COLUMNS``)."""
    completed_at = record.completed_at
    return [
        str(record.task_id),
        record.status._value_,  # the enum's documented value attribute (``.value`` is a slower descriptor)
        record.description,
        f"{record.live_duration(now):.3f}",
        f"{record.created_at:.3f}",
        "" if completed_at is None else f"{completed_at:.3f}",
        record.error or "",
        "" if record.info is None else str(record.info),
    ]


class TaskTableSync:
    """Keeps a table equal to the tracked tasks by writing only what changed."""

    def __init__(self, rows_per_refresh: int = 2, refresh_period: float = 0.5, refresh_interval: float = 1.0) -> None:
        #: duration cells of running tasks written per refresh pass, at most
        self.rows_per_refresh = rows_per_refresh
        #: seconds of TD time between refresh passes, at least
        self.refresh_period = refresh_period
        #: seconds a running row's duration stays as written before it is refreshed, at least
        self.refresh_interval = refresh_interval
        #: TD time of the next refresh pass (infinite while no running row is shown)
        self._next_refresh_at = _NEVER
        self._last_pass_at = -_NEVER
        self._row_ids: list[int] = []
        #: (time the duration was written, record) of shown pending/running tasks, stalest first
        self._refresh: deque[tuple[float, async_tasks.TaskRecord]] = deque()
        self._refreshing: set[int] = set()
        #: the texts last written to the rows of pending/running tasks (a finished row never changes again)
        self._written: dict[int, list[str]] = {}
        #: True until the next sync rewrites the whole table (first sync, after re-enabling updates)
        self.needs_rebuild = True

    @property
    def row_ids(self) -> list[int]:
        """Task ids in table order (row 1 onwards; row 0 is the header)."""
        return list(self._row_ids)

    @property
    def max_refresh_rate(self) -> float:
        """Live-duration cell writes per second of TD time, at most."""
        return self.rows_per_refresh / self.refresh_period if self.refresh_period > 0 else float(self.rows_per_refresh)

    def has_work(self, tracker: TrackerView, now: float) -> bool:
        """True when ``sync`` would write something (constant time)."""
        return bool(tracker.dirty) or self.needs_rebuild or now >= self._next_refresh_at

    def sync(self, table: Any, tracker: TrackerView, now: float) -> int:
        """Write dirty rows and, when a refresh pass is due, a few stale running durations; return rows touched."""
        if self.needs_rebuild:
            return self.rebuild(table, tracker, now)
        touched = 0
        if tracker.dirty:
            dirty = sorted(tracker.dirty)
            tracker.dirty.clear()
            get = tracker.get
            # Ids above every shown id are new tasks: their rows go at the end, appended in batches.
            first_new = bisect_right(dirty, self._row_ids[-1]) if self._row_ids else 0
            shown = dirty[:first_new]
            self._delete_rows(table, [task_id for task_id in shown if get(task_id) is None])
            for task_id in shown:
                record = get(task_id)
                if record is not None:
                    self._write_row(table, record, task_id, now)
            self._append_rows(table, (record for record in map(get, dirty[first_new:]) if record is not None), now)
            touched += len(dirty)
        if now >= self._next_refresh_at:
            touched += self._refresh_running(table, now)
        return touched

    def rebuild(self, table: Any, tracker: TrackerView, now: float) -> int:
        """Rewrite the whole table from the tracker (header + one row per tracked task)."""
        tracker.dirty.clear()
        self._row_ids = []
        self._refresh.clear()
        self._refreshing.clear()
        self._written.clear()
        self._next_refresh_at = _NEVER
        self._last_pass_at = -_NEVER
        table.clear()
        table.appendRow(list(COLUMNS))
        self._append_rows(table, tracker.records(), now)
        self.needs_rebuild = False
        return len(self._row_ids)

    def _delete_rows(self, table: Any, task_ids: list[int]) -> None:
        """Delete the rows of forgotten tasks in one table call.

        Row indexes go to ``deleteRows`` highest first, so the result is the same whether the
        table deletes them one after another or all at once.
        """
        row_ids = self._row_ids
        positions = []
        for task_id in task_ids:
            self._drop_shown(task_id)
            position = bisect_left(row_ids, task_id)
            if position < len(row_ids) and row_ids[position] == task_id:
                positions.append(position)
        if not positions:
            return
        positions.reverse()  # task_ids ascend, so their positions do: highest first now
        table.deleteRows([position + 1 for position in positions])
        for position in positions:
            del row_ids[position]

    def _append_rows(self, table: Any, records: Iterable[async_tasks.TaskRecord], now: float) -> None:
        """Append rows for ``records`` (ids above every shown id), ``APPEND_BATCH`` rows per table call."""
        batch: list[list[str]] = []
        for record in records:
            batch.append(self._remember(record, now))
            if len(batch) == APPEND_BATCH:
                table.appendRows(batch)
                batch = []
        if batch:
            table.appendRows(batch)

    def _remember(self, record: async_tasks.TaskRecord, now: float) -> list[str]:
        """The row of a task about to be appended at the end of the table (bookkeeping done)."""
        values = row_values(record, now)
        self._row_ids.append(record.task_id)
        self._note_shown(record, values, now)
        return values

    def _write_row(self, table: Any, record: async_tasks.TaskRecord, task_id: int, now: float) -> None:
        """Write the changed cells of a shown row (or add the row where it belongs)."""
        row_ids = self._row_ids
        position = bisect_left(row_ids, task_id)
        present = position < len(row_ids) and row_ids[position] == task_id
        values = row_values(record, now)
        if present:
            written = self._written.get(task_id)
            for col, value in enumerate(values):
                if written is None or written[col] != value:
                    table[position + 1, col] = value
        elif position == len(row_ids):
            table.appendRow(values)
            row_ids.append(task_id)
        else:
            table.insertRow(values, position + 1)
            row_ids.insert(position, task_id)
        self._note_shown(record, values, now)

    def _note_shown(self, record: async_tasks.TaskRecord, values: list[str], now: float) -> None:
        """Remember what a pending/running row shows and queue its duration for refreshes."""
        task_id = record.task_id
        if record.completed_at is not None:  # a finished row never changes again: nothing to keep
            self._drop_shown(task_id)
            return
        self._written[task_id] = values
        if task_id not in self._refreshing:
            self._refreshing.add(task_id)
            if not self._refresh:
                self._schedule_pass(now + self.refresh_interval)
            self._refresh.append((now, record))

    def _drop_shown(self, task_id: int) -> None:
        """Forget what the row of ``task_id`` shows and stop refreshing it."""
        self._written.pop(task_id, None)
        self._refreshing.discard(task_id)

    def _schedule_pass(self, stale_at: float) -> None:
        if self.rows_per_refresh <= 0:
            self._next_refresh_at = _NEVER
        else:
            self._next_refresh_at = max(stale_at, self._last_pass_at + self.refresh_period)

    def _refresh_running(self, table: Any, now: float) -> int:
        """One refresh pass: rewrite the durations of up to ``rows_per_refresh`` stale running rows."""
        refresh = self._refresh
        refreshing = self._refreshing
        row_ids = self._row_ids
        stale_before = now - self.refresh_interval
        written = 0
        while refresh and written < self.rows_per_refresh:
            written_at, record = refresh[0]
            if written_at > stale_before:
                break
            refresh.popleft()
            task_id = record.task_id
            if record.completed_at is not None or task_id not in refreshing:
                refreshing.discard(task_id)  # finished or forgotten: its final row was written as dirty
                continue
            position = bisect_left(row_ids, task_id)
            if position < len(row_ids) and row_ids[position] == task_id:
                # ``_written`` keeps the older duration: the row's next full write rewrites that cell anyway.
                table[position + 1, DURATION_COL] = format_seconds(record.live_duration(now))
                written += 1
            refresh.append((now, record))
        self._last_pass_at = now
        if refresh:
            self._schedule_pass(refresh[0][0] + self.refresh_interval)
        else:
            self._next_refresh_at = _NEVER
        return written
