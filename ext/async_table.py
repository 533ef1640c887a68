"""Incremental sync of tracked tasks into a table (anything with TD's tableDAT API).

Only what changed is written: the tracker's ``dirty`` ids are appended or deleted, and for a row
that exists only the cells whose text changed are written (the last written row is remembered);
nothing else is touched. Rows stay in task-id (submission) order; the row of a task is found
by bisecting the sorted list of ids the table holds, so no per-frame scan of the table or of the
tracked tasks is needed.

Durations of pending/running tasks change every frame, but rewriting all of them each frame would
cost O(running tasks). Instead they are refreshed round-robin, stalest first, under a write budget
measured in TD time: at most ``refresh_rate`` duration cells per second (a token bucket holding at
most ``rows_per_sync`` writes), and only for rows written at least ``refresh_interval`` seconds ago.
So the table spends a bounded number of cell writes per second on live durations, however many
tasks run; with ``n`` running tasks a row's duration is refreshed every
``max(refresh_interval, n / refresh_rate)`` seconds. A frame with nothing to refresh costs two
comparisons. ``GetTaskInfo`` always reports the exact live duration. Finished rows are written once
with their final duration.

Table calls used (all TD tableDAT API): ``clear``, ``appendRow``, ``insertRow``, ``deleteRow``,
``table[row, col] = value``. This module imports only the standard library.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from typing import Any, Protocol

import async_tasks

COLUMNS = ("task_id", "status", "description", "duration", "created_at", "completed_at", "error", "info")
DURATION_COL = COLUMNS.index("duration")


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
    return [
        str(record.task_id),
        record.status.value,
        record.description,
        format_seconds(record.live_duration(now)),
        format_seconds(record.created_at),
        format_seconds(record.completed_at),
        record.error or "",
        "" if record.info is None else str(record.info),
    ]


class TaskTableSync:
    """Keeps a table equal to the tracked tasks by writing only what changed."""

    def __init__(self, rows_per_sync: int = 4, refresh_interval: float = 1.0, refresh_rate: float = 6.0) -> None:
        self.rows_per_sync = rows_per_sync
        self.refresh_interval = refresh_interval
        #: duration cells of running tasks rewritten per second of TD time, at most
        self.refresh_rate = refresh_rate
        self._tokens = float(rows_per_sync)
        self._tokens_at: float | None = None
        #: TD time before which the budget holds less than one write (lets ``has_work`` skip the bucket)
        self._next_write_at = float("-inf")
        self._row_ids: list[int] = []
        self._refresh: deque[tuple[float, int]] = deque()
        self._refreshing: set[int] = set()
        self._written: dict[int, list[str]] = {}
        #: True until the next sync rewrites the whole table (first sync, after re-enabling updates)
        self.needs_rebuild = True

    @property
    def row_ids(self) -> list[int]:
        """Task ids in table order (row 1 onwards; row 0 is the header)."""
        return list(self._row_ids)

    def has_work(self, tracker: TrackerView, now: float) -> bool:
        """True when ``sync`` would write something (constant time)."""
        if tracker.dirty or self.needs_rebuild:
            return True
        refresh = self._refresh
        if not refresh or now < self._next_write_at:
            return False
        return now - refresh[0][0] >= self.refresh_interval

    def _budget(self, now: float) -> float:
        """Duration writes allowed now (token bucket refilled at ``refresh_rate`` per second)."""
        if self._tokens_at is None:
            self._tokens_at = now
        elapsed = now - self._tokens_at
        if elapsed > 0:
            self._tokens = min(float(self.rows_per_sync), self._tokens + elapsed * self.refresh_rate)
            self._tokens_at = now
        return self._tokens

    def sync(self, table: Any, tracker: TrackerView, now: float) -> int:
        """Write dirty rows and a bounded number of stale running durations; return rows touched."""
        if self.needs_rebuild:
            return self.rebuild(table, tracker, now)
        touched = 0
        if tracker.dirty:
            dirty = sorted(tracker.dirty)
            tracker.dirty.clear()
            for task_id in dirty:
                self._write_row(table, tracker.get(task_id), task_id, now)
            touched += len(dirty)
        return touched + self._refresh_running(table, tracker, now)

    def rebuild(self, table: Any, tracker: TrackerView, now: float) -> int:
        """Rewrite the whole table from the tracker (header + one row per tracked task)."""
        tracker.dirty.clear()
        self._row_ids = []
        self._refresh.clear()
        self._refreshing.clear()
        self._written.clear()
        table.clear()
        table.appendRow(list(COLUMNS))
        for record in tracker.records():
            values = row_values(record, now)
            table.appendRow(values)
            self._row_ids.append(record.task_id)
            self._written[record.task_id] = values
            self._track_running(record, now)
        self.needs_rebuild = False
        return len(self._row_ids)

    def _write_row(self, table: Any, record: async_tasks.TaskRecord | None, task_id: int, now: float) -> None:
        row_ids = self._row_ids
        position = bisect_left(row_ids, task_id)
        present = position < len(row_ids) and row_ids[position] == task_id
        if record is None:
            if present:
                table.deleteRow(position + 1)
                del row_ids[position]
            self._written.pop(task_id, None)
            self._refreshing.discard(task_id)
            return
        values = row_values(record, now)
        if present:
            written = self._written[task_id]  # every row in the table was written by this sync
            for col, value in enumerate(values):
                if written[col] != value:
                    table[position + 1, col] = value
        elif position == len(row_ids):
            table.appendRow(values)
            row_ids.append(task_id)
        else:
            table.insertRow(values, position + 1)
            row_ids.insert(position, task_id)
        self._written[task_id] = values
        self._track_running(record, now)

    def _track_running(self, record: async_tasks.TaskRecord, now: float) -> None:
        if record.is_finished:
            self._refreshing.discard(record.task_id)
        elif record.task_id not in self._refreshing:
            self._refreshing.add(record.task_id)
            self._refresh.append((now, record.task_id))

    def _refresh_running(self, table: Any, tracker: TrackerView, now: float) -> int:
        refresh = self._refresh
        row_ids = self._row_ids
        stale_before = now - self.refresh_interval
        if not refresh or refresh[0][0] > stale_before:
            return 0
        allowed = min(self.rows_per_sync, int(self._budget(now) + 1e-9))  # 0.9999... counts as one write
        written = 0
        for _ in range(len(refresh)):
            if written >= allowed or refresh[0][0] > stale_before:
                break
            _, task_id = refresh.popleft()
            record = tracker.get(task_id)
            if record is None or record.is_finished or task_id not in self._refreshing:
                self._refreshing.discard(task_id)
                continue
            position = bisect_left(row_ids, task_id)
            if position < len(row_ids) and row_ids[position] == task_id:
                text = format_seconds(record.live_duration(now))
                table[position + 1, DURATION_COL] = text
                self._written[task_id][DURATION_COL] = text
                written += 1
            refresh.append((now, task_id))
        self._tokens -= written
        if self._tokens < 1.0 and self.refresh_rate > 0:
            self._next_write_at = now + (1.0 - self._tokens) / self.refresh_rate
        return written
