"""Task records, the task status enum and the tracker that keeps them (pure bookkeeping).

The tracker knows nothing about asyncio or TouchDesigner: the runtime tells it when a task was
submitted, started and finished. It guarantees that a task reaches exactly one terminal status
(``finish`` refuses a second one), keeps finished tasks in completion order so that expiring old
ones costs only the number expired (never a scan of running tasks), and collects the ids whose
row in the task table must be rewritten (``dirty``).

Time comes from an injected clock; this module imports only the standard library.
"""

# No `from __future__ import annotations` here: @dataclass with string annotations looks the module up in
# sys.modules, which a module built from a Text DAT may not be registered in.

import enum
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Clock = Callable[[], float]


class TaskStatus(enum.StrEnum):
    """The closed set of task statuses; members compare equal to their value (``'completed'``)."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"

    @property
    def is_terminal(self) -> bool:
        """True for the statuses a task ends in (completed, failed, cancelled, timeout)."""
        return self not in (TaskStatus.PENDING, TaskStatus.RUNNING)

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"TaskStatus.{self.name}"


TERMINAL_STATUSES = frozenset(status for status in TaskStatus if status.is_terminal)


def safe_str(value: Any) -> str:
    """``str(value)``, or a placeholder naming the failure when user code's ``__str__`` raises (anything)."""
    try:
        return str(value)
    except BaseException as exc:  # noqa: B036 - a user __str__ raising SystemExit must not escape a frame
        return f"<{type(value).__name__} whose str() raised {type(exc).__name__}>"


def format_exception(exception: BaseException) -> str:
    """``"ValueError: bad url"`` (the class name alone when the message is empty or cannot be made)."""
    text = safe_str(exception)
    return f"{type(exception).__name__}: {text}" if text else type(exception).__name__
_PENDING = TaskStatus.PENDING
_RUNNING = TaskStatus.RUNNING


@dataclass(eq=False, slots=True)
class TaskRecord:
    """Everything known about one submitted coroutine; given to its completion callback.

    ``error`` is a readable message (``"ValueError: bad url"``, ``"Timed out after 2 s"``) and
    ``exception`` the exception object, for failed and timed-out tasks. ``duration`` is final once
    the task finished (``completed_at - created_at``); ``live_duration(now)`` gives it while running.
    """

    task_id: int
    description: str
    info: Any
    created_at: float
    timeout: float | None = None
    status: TaskStatus = TaskStatus.PENDING
    result: Any = None
    error: str | None = None
    exception: BaseException | None = None
    started_at: float | None = None
    completed_at: float | None = None
    duration: float | None = None

    @property
    def is_finished(self) -> bool:
        """True once the task reached its terminal status."""
        return self.completed_at is not None

    def live_duration(self, now: float) -> float:
        """Seconds since submission: final once finished, growing while pending or running."""
        if self.duration is not None:
            return self.duration
        return max(0.0, now - self.created_at)

    def as_dict(self, now: float) -> dict[str, Any]:
        """A plain dict of the record (``status`` as its string value, live ``duration``)."""
        return {
            "task_id": self.task_id,
            "status": self.status.value,
            "description": self.description,
            "info": self.info,
            "result": self.result,
            "error": self.error,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "duration": self.live_duration(now),
            "timeout": self.timeout,
        }


class TaskTracker:
    """Keeps task records, their terminal-state bookkeeping and the table's dirty set."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._records: dict[int, TaskRecord] = {}
        #: ``get(task_id)``: the tracked record with this id, or None (the dict's own lookup: no Python call)
        self.get: Callable[[int], TaskRecord | None] = self._records.get
        #: pending + running records (every unfinished record is tracked: only finished ones are forgotten)
        self._active = 0
        # Finished tasks in completion order, as two parallel queues (no tuple per task for the garbage
        # collector to track): completion times and task ids. May hold ids already forgotten.
        self._finished_times: deque[float] = deque()
        self._finished_ids: deque[int] = deque()
        self._next_id = 1
        #: ids whose table row must be written (added, changed) or deleted (forgotten), as an ordered set
        #: (a dict with None values): in the order they first changed, so new tasks come in id order
        self.dirty: dict[int, None] = {}

    def set_clock(self, clock: Clock) -> None:
        """Replace the clock (tests; the runtime keeps it equal to the loop's clock)."""
        self._clock = clock

    def now(self) -> float:
        """The tracker's clock reading."""
        return self._clock()

    # -- lifecycle ---------------------------------------------------------------------------

    def new_record(self, description: str, info: Any = None, timeout: float | None = None) -> TaskRecord:
        """Create and track a pending record with the next task id."""
        task_id = self._next_id
        self._next_id = task_id + 1
        record = TaskRecord(task_id, description, info, self._clock(), timeout)
        self._records[task_id] = record
        self._active += 1
        self.dirty[task_id] = None
        return record

    def mark_running(self, record: TaskRecord) -> None:
        """Pending -> running (no effect on a record that already left pending)."""
        if record.status is _PENDING:
            record.status = _RUNNING
            record.started_at = self._clock()
            self.dirty[record.task_id] = None

    def finish(self, record: TaskRecord, status: TaskStatus, result: Any = None,
               error: str | None = None, exception: BaseException | None = None) -> bool:
        """Put ``record`` in its terminal ``status``; False (and no change) if it already finished."""
        if record.completed_at is not None:
            return False
        if status is _PENDING or status is _RUNNING:  # identity: an Enum hash is a Python-level call
            raise ValueError(f"finish() needs a terminal status, not {status!r}")
        now = self._clock()
        task_id = record.task_id
        record.status = status
        record.result = result
        record.error = error
        record.exception = exception
        record.completed_at = now
        duration = now - record.created_at
        record.duration = duration if duration > 0.0 else 0.0
        self._active -= 1
        self._finished_times.append(now)
        self._finished_ids.append(task_id)
        self.dirty[task_id] = None
        return True

    # -- queries -----------------------------------------------------------------------------

    def __contains__(self, task_id: object) -> bool:
        return task_id in self._records

    def __len__(self) -> int:
        return len(self._records)

    def records(self) -> Iterator[TaskRecord]:
        """Every tracked record, oldest id first."""
        return iter(list(self._records.values()))

    def active_records(self) -> list[TaskRecord]:
        """Pending and running records, oldest id first (a scan of the tracked tasks)."""
        return [record for record in self._records.values() if record.completed_at is None]

    def expiry_due(self, clock: Clock, keep_for: float) -> bool:
        """True when the oldest finished task completed ``keep_for`` seconds before ``clock()`` or earlier.

        Reads the clock only when a finished task is tracked (constant time).
        """
        times = self._finished_times
        return bool(times) and times[0] <= clock() - keep_for

    @property
    def has_finished(self) -> bool:
        """True when finished tasks may still be tracked (constant time)."""
        return bool(self._finished_ids)

    @property
    def active_count(self) -> int:
        """Number of pending and running tasks (constant time)."""
        return self._active

    # -- forgetting --------------------------------------------------------------------------

    def forget(self, task_id: int) -> bool:
        """Stop tracking a finished task; False if unknown or still active."""
        record = self._records.get(task_id)
        if record is None or not record.is_finished:
            return False
        del self._records[task_id]
        self.dirty[task_id] = None
        return True

    def expire(self, now: float, keep_for: float, max_count: int | None = None) -> list[int]:
        """Forget finished tasks that completed at least ``keep_for`` seconds before ``now`` (at most ``max_count``).

        Costs the number of entries expired (finished tasks are kept in completion order).
        """
        times, ids = self._finished_times, self._finished_ids
        removed: list[int] = []
        limit = now - keep_for
        left = len(times) if max_count is None else max_count
        while times and times[0] <= limit and left > 0:
            left -= 1
            times.popleft()
            task_id = ids.popleft()
            if self.forget(task_id):
                removed.append(task_id)
        return removed

    def next_expiry(self, keep_for: float) -> float | None:
        """When the oldest finished task expires, or None if none is finished."""
        times, ids = self._finished_times, self._finished_ids
        while ids and ids[0] not in self._records:
            times.popleft()
            ids.popleft()
        return times[0] + keep_for if times else None

    def forget_finished(self) -> list[int]:
        """Forget every finished task; return their ids."""
        removed = [task_id for task_id in self._finished_ids if self.forget(task_id)]
        self._finished_times.clear()
        self._finished_ids.clear()
        return removed
