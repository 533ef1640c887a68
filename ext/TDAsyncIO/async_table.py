"""Incremental sync of tracked tasks into a table (anything with TD's tableDAT API).

Only what changed is written: the tracker's ``dirty`` ids are appended or deleted, and for a row
that exists only the cells whose text changed are written (the last written row is remembered);
nothing else is touched. Rows stay in task-id (submission) order; the row of a task is found
by bisecting the sorted list of ids the table holds, so no per-frame scan of the table or of the
tracked tasks is needed.

Writing is budgeted: changed ids wait in a queue (oldest change first, each id once) and ``sync``
writes them ``CHUNK`` rows at a time until its deadline passes (after a guaranteed minimum), so
10,000 tasks appearing at once fill the table over several frames instead of stalling one. A
rebuild (first sync, updates turned back on, after a failed write) clears the table to its header
and queues every tracked task the same way.

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
from collections.abc import Callable
from typing import Any, Protocol

import async_tasks
import tdasyncio_spec
from async_tasks import safe_str

COLUMNS = tdasyncio_spec.TABLE_COLUMNS
DURATION_COL = COLUMNS.index("duration")
_NEVER = float("inf")
#: rows written between two budget checks (and appended per ``appendRows`` call at most)
CHUNK = 64
#: formatted times kept for reuse, at most (the cache is emptied when full)
_SECONDS_TEXTS = 1024


class TrackerView(Protocol):
    """What the table sync needs from ``async_tasks.TaskTracker``."""

    dirty: dict[int, None]

    def get(self, task_id: int) -> async_tasks.TaskRecord | None: ...

    def records(self) -> Any: ...


def format_seconds(value: float | None) -> str:
    """Seconds as table text (millisecond precision), empty for None."""
    return "" if value is None else f"{value:.3f}"


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
        #: ids whose rows are still to be written, in the order they changed (and the same as a set)
        self._queue: list[int] = []
        #: index in ``_queue`` of the next id to write (ids before it are written)
        self._head = 0
        self._queued: dict[int, None] = {}
        #: seconds -> text: tasks created or finished in one frame share their TD time, so a burst of
        #: rows formats each time once (float formatting is most of a row's cost); bounded
        self._seconds_texts: dict[float, str] = {}
        self._needs_rebuild = True
        #: TD time from which ``sync`` has work even with no task changed: -inf while rows are queued
        #: or a rebuild is due, the next refresh pass otherwise (infinite while no running row is shown)
        self.due_at = -_NEVER

    @property
    def needs_rebuild(self) -> bool:
        """True until the next sync rewrites the whole table (first sync, after re-enabling updates)."""
        return self._needs_rebuild

    @needs_rebuild.setter
    def needs_rebuild(self, value: bool) -> None:
        self._needs_rebuild = bool(value)
        self._update_due()

    def _update_due(self) -> None:
        self.due_at = -_NEVER if self._head < len(self._queue) or self._needs_rebuild else self._next_refresh_at

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
        return bool(tracker.dirty) or now >= self.due_at

    @property
    def queued(self) -> int:
        """Rows waiting to be written by the next syncs (the budget of the last sync ran out first)."""
        return len(self._queue) - self._head

    def sync(self, table: Any, tracker: TrackerView, now: float, deadline: float = _NEVER,
             clock: Callable[[], float] | None = None, min_rows: int = 0) -> int:
        """Write changed rows, oldest change first, and, when a refresh pass is due, a few stale running
        durations; return rows touched.

        Rows are written ``CHUNK`` at a time; with a ``clock``, no further chunk starts once
        ``clock() >= deadline`` and at least ``min_rows`` rows were written. Rows not written stay
        queued, first in line for the next sync. Without a clock every change is written.
        """
        if self._needs_rebuild:
            self.rebuild(table, tracker, now)
        if tracker.dirty:
            self._enqueue(tracker)
        touched = 0
        queue, forget = self._queue, self._queued.pop
        head = self._head
        while head < len(queue):
            if clock is not None and touched >= min_rows and clock() >= deadline:
                break
            chunk = queue[head:head + CHUNK]
            head += len(chunk)
            for task_id in chunk:
                forget(task_id)
            chunk.sort()
            self._write_sorted(table, tracker, chunk, now)
            touched += len(chunk)
        if head == len(queue):
            queue.clear()
            head = 0
        elif head > CHUNK and head > len(queue) // 2:  # drop the written part (amortised constant time)
            del queue[:head]
            head = 0
        self._head = head
        if now >= self._next_refresh_at:
            touched += self._refresh_running(table, now)
        self._update_due()
        return touched

    def _enqueue(self, tracker: TrackerView) -> None:
        """Take the tracker's changed ids and queue them behind those already queued (no id twice).

        The tracker lists them in the order they first changed, so new tasks come in id order and
        their rows can be appended. With nothing queued, the tracker's dict itself becomes the
        membership set (constant time for it, whatever the number of ids).
        """
        dirty = tracker.dirty
        tracker.dirty = {}
        if self._head == len(self._queue):
            self._queue[:] = dirty
            self._head = 0
            self._queued = dirty
            return
        queued = self._queued
        new = [task_id for task_id in dirty if task_id not in queued]
        self._queue.extend(new)
        queued.update(dict.fromkeys(new))

    def _write_sorted(self, table: Any, tracker: TrackerView, ids: list[int], now: float) -> None:
        """Write the rows of ``ids`` (ascending): deletions in one call, changed cells, new rows appended."""
        get = tracker.get
        row_ids = self._row_ids
        # Ids above every shown id are new tasks: their rows go at the end, appended in one call.
        first_new = bisect_right(ids, row_ids[-1]) if row_ids else 0
        if first_new:
            shown = ids[:first_new]
            self._delete_rows(table, [task_id for task_id in shown if get(task_id) is None])
            for task_id in shown:
                record = get(task_id)
                if record is not None:
                    self._write_row(table, record, task_id, now)
            ids = ids[first_new:]
        rows: list[list[str]] = []
        row = self.row
        for record in map(get, ids):
            if record is None:  # forgotten before its row was written
                continue
            values = row(record, now)
            row_ids.append(record.task_id)
            if record.completed_at is None:  # a new finished row: nothing to remember or refresh
                self._note_shown(record, values, now)
            rows.append(values)
        if rows:
            table.appendRows(rows)

    def rebuild(self, table: Any, tracker: TrackerView, now: float) -> int:
        """Clear the table to its header and queue a row for every tracked task; return how many.

        The rows are written by ``sync`` (this one and the next ones, within their budget).
        """
        tracker.dirty = {}
        self._row_ids = []
        self._refresh.clear()
        self._refreshing.clear()
        self._written.clear()
        self._next_refresh_at = _NEVER
        self._last_pass_at = -_NEVER
        table.clear()
        table.appendRow(list(COLUMNS))
        ids = [record.task_id for record in tracker.records()]
        self._queue = ids
        self._head = 0
        self._queued = dict.fromkeys(ids)
        self._needs_rebuild = False
        self._update_due()
        return len(ids)

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

    def row(self, record: async_tasks.TaskRecord, now: float) -> list[str]:
        """The table row of ``record`` (column order of ``COLUMNS``); live duration while it runs."""
        texts = self._seconds_texts
        created_at, completed_at, duration = record.created_at, record.completed_at, record.duration
        if duration is None:
            duration = max(0.0, now - created_at)
        return [
            str(record.task_id),
            record.status._value_,  # the enum's documented value attribute (``.value`` is a slower descriptor)
            record.description,
            texts.get(duration) or self._seconds_text(duration),
            texts.get(created_at) or self._seconds_text(created_at),
            "" if completed_at is None else texts.get(completed_at) or self._seconds_text(completed_at),
            record.error or "",
            "" if record.info is None else safe_str(record.info),
        ]

    def _seconds_text(self, value: float) -> str:
        texts = self._seconds_texts
        if len(texts) >= _SECONDS_TEXTS:
            texts.clear()
        text = texts[value] = f"{value:.3f}"
        return text

    def _write_row(self, table: Any, record: async_tasks.TaskRecord, task_id: int, now: float) -> None:
        """Write the changed cells of a shown row (or add the row where it belongs)."""
        row_ids = self._row_ids
        position = bisect_left(row_ids, task_id)
        present = position < len(row_ids) and row_ids[position] == task_id
        values = self.row(record, now)
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
