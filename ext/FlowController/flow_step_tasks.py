"""Step tasks: asynchronous tasks tied to the step entry that started them.

``RunTask`` (FlowController) submits a coroutine to TDAsyncIO and tells the engine, which records it
here with ``started(task_id, entry_id, run_id)``. TDAsyncIO's completion callback reaches the engine,
which asks ``finished(task_id, status, current_entry_id, run_id, error)`` what the completion means:

=================== ====================================================================================
outcome             meaning (what the engine does)
=================== ====================================================================================
``stale``           the task's step entry is no longer current, it belongs to an earlier run, it is
                    unknown, or it already ended: the completion never touches the flow (history
                    event ``task_stale``)
``pending``         other tasks of this entry are still running (fire onTaskDone, keep waiting)
``all_completed``   this was the entry's last running task and every task of the entry completed
                    (``until = tasks``: leave by ``then``)
``failed``          the entry's first failure: status ``failed``, ``timeout`` or ``cancelled`` (see
                    below). The first failure wins: ``failure(entry_id)`` keeps it, and when the step
                    is left (``until = tasks``: by its error route) ``to_cancel`` lists the others
``all_ended``       the entry's last running task ended after an earlier failure (useful to an error
                    route of ``continue``, which waits for the rest and then leaves by ``then``)
=================== ====================================================================================

Statuses are TDAsyncIO's terminal task statuses: ``completed``, ``failed``, ``cancelled``, ``timeout``
(``TaskStatus`` members compare equal to them). Any other status raises ValueError.

**A cancelled task.** When a step is left, ``to_cancel(entry_id)`` returns its unfinished tasks (the
adapter cancels them with TDAsyncIO's ``CancelTask``) and forgets the entry, so their ``cancelled``
completions arrive as ``stale``. A ``cancelled`` completion that reaches the current entry was therefore
not caused by the flow (someone called ``CancelTask`` or ``CancelAll`` on TDAsyncIO, or TDAsyncIO was
stopped): the result the step waits for will never arrive, so it counts as a failure, like ``timeout``.

**Restore.** Tasks are not resumable: they ran on the event loop of the TD session that ended. The
journal's ``step`` record carries ``export(entry_id)["tasks"]`` (the tasks still running); when a step
with ``until = tasks`` is restored, the engine reports its tasks as lost (``lost_tasks_error``) and
follows the step's error route.

Every event is O(1) (dict lookups); ``to_cancel`` is O(the entry's running tasks). Memory holds the
tasks still running plus one small record per entry that started tasks and was not yet left.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

#: TDAsyncIO's terminal task statuses.
COMPLETED = "completed"
FAILED = "failed"
CANCELLED = "cancelled"
TIMEOUT = "timeout"
TERMINAL_STATUSES = (COMPLETED, FAILED, CANCELLED, TIMEOUT)
#: The error ``origin`` of a failed step task and of tasks lost by a restore.
ORIGIN_TASK = "task"
ORIGIN_RESTORE = "restore"


class TaskOutcome(enum.StrEnum):
    """What one task completion means for its step (see the module docstring)."""

    STALE = "stale"
    PENDING = "pending"
    ALL_COMPLETED = "all_completed"
    FAILED = "failed"
    ALL_ENDED = "all_ended"

    def __repr__(self) -> str:
        return f"TaskOutcome.{self.name}"


@dataclass(frozen=True)
class TaskFailure:
    """The first failure of an entry: which task, its status and its error (as TDAsyncIO gave it)."""

    task_id: int
    status: str
    error: Any = None


@dataclass
class _EntryTasks:
    run_id: str
    #: Running task ids in start order (a dict used as an ordered set).
    running: dict[int, None] = field(default_factory=dict)
    started: int = 0
    completed: int = 0
    failure: TaskFailure | None = None


def check_status(status: Any) -> str:
    """``status`` as a plain string when it is a terminal TDAsyncIO status, else ValueError."""
    text = str(status)
    if text not in TERMINAL_STATUSES:
        raise ValueError(f"A finished task's status must be one of {', '.join(TERMINAL_STATUSES)}, got {status!r}")
    return text


def task_error(step: str, task_id: int, status: str, error: Any = None) -> dict[str, str]:
    """The ``error`` info of a step task that failed, timed out or was cancelled from outside the flow."""
    detail = f": {error}" if error not in (None, "") else ""
    what = {TIMEOUT: "timed out", CANCELLED: "was cancelled outside the flow"}.get(status, "failed")
    return {"origin": ORIGIN_TASK, "message": f"Task {task_id} of step '{step}' {what}{detail}", "step": step}


def lost_tasks_error(step: str, count: int) -> dict[str, str]:
    """The ``error`` info of a restored step with ``until = tasks``: its tasks cannot be resumed."""
    running = f"{count} task{'s' if count != 1 else ''} of step '{step}' {'were' if count != 1 else 'was'} running"
    return {"origin": ORIGIN_RESTORE,
            "message": f"{running} when the run was saved; step tasks cannot be resumed after a restore, "
                       "so the step follows its error route",
            "step": step}


class StepTasks:
    """The step tasks of a controller, grouped by the step entry that started them."""

    def __init__(self) -> None:
        self._entries: dict[int, _EntryTasks] = {}
        #: task id -> the entry id it belongs to (running tasks only).
        self._tasks: dict[int, int] = {}

    def started(self, task_id: int, entry_id: int, run_id: str = "") -> None:
        """Tie the running task ``task_id`` to step entry ``entry_id`` of run ``run_id``.

        Raises ValueError when ``task_id`` is already running here. An entry id seen before with another
        run id is a new entry: the old record is forgotten (its tasks' completions become stale).
        """
        if task_id in self._tasks:
            raise ValueError(f"Task {task_id} is already tied to step entry {self._tasks[task_id]}")
        entry = self._entries.get(entry_id)
        if entry is None or entry.run_id != run_id:
            if entry is not None:
                self._forget(entry_id)
            entry = self._entries[entry_id] = _EntryTasks(run_id)
        entry.running[task_id] = None
        entry.started += 1
        self._tasks[task_id] = entry_id

    def finished(self, task_id: int, status: Any, current_entry_id: int | None, run_id: str = "",
                 error: Any = None) -> TaskOutcome:
        """What the completion of ``task_id`` with ``status`` means, given the entry current now.

        ``current_entry_id`` is the current step entry (None when no step is current) and ``run_id``
        the current run. Raises ValueError for a status that is not terminal (nothing changes then).
        """
        status = check_status(status)
        entry_id = self._tasks.pop(task_id, None)
        if entry_id is None:
            return TaskOutcome.STALE
        entry = self._entries[entry_id]
        del entry.running[task_id]
        if entry_id != current_entry_id or entry.run_id != run_id:
            return TaskOutcome.STALE
        if status == COMPLETED:
            entry.completed += 1
        elif entry.failure is None:
            entry.failure = TaskFailure(task_id, status, error)
            return TaskOutcome.FAILED
        if entry.running:
            return TaskOutcome.PENDING
        return TaskOutcome.ALL_COMPLETED if entry.failure is None else TaskOutcome.ALL_ENDED

    def to_cancel(self, entry_id: int) -> list[int]:
        """The step of ``entry_id`` is left: its unfinished task ids (start order), and forget the entry.

        The adapter cancels them; their ``cancelled`` completions then arrive as ``stale``.
        """
        return self._forget(entry_id)

    def cancel_all(self) -> list[int]:
        """Every unfinished task id of every entry (start order per entry), and forget them all."""
        ids = [task_id for entry in self._entries.values() for task_id in entry.running]
        self.clear()
        return ids

    def clear(self) -> None:
        """Forget every task and entry (their completions become stale)."""
        self._entries.clear()
        self._tasks.clear()

    # -- reading --------------------------------------------------------------------------------------
    def running(self, entry_id: int) -> tuple[int, ...]:
        """The ids of the tasks of ``entry_id`` still running, in start order."""
        entry = self._entries.get(entry_id)
        return tuple(entry.running) if entry is not None else ()

    def has_tasks(self, entry_id: int) -> bool:
        """True when entry ``entry_id`` started at least one task (and was not left since)."""
        entry = self._entries.get(entry_id)
        return entry is not None and entry.started > 0

    def failure(self, entry_id: int) -> TaskFailure | None:
        """The first failure of entry ``entry_id``, else None."""
        entry = self._entries.get(entry_id)
        return entry.failure if entry is not None else None

    def entry_of(self, task_id: int) -> int | None:
        """The entry a running task belongs to, else None."""
        return self._tasks.get(task_id)

    def export(self, entry_id: int) -> dict[str, Any]:
        """Entry ``entry_id``'s tasks as plain JSON data for the journal: ``tasks`` (how many still run),
        ``started``, ``completed``, ``failed`` (whether one failed)."""
        entry = self._entries.get(entry_id)
        if entry is None:
            return {"tasks": 0, "started": 0, "completed": 0, "failed": False}
        return {"tasks": len(entry.running), "started": entry.started, "completed": entry.completed,
                "failed": entry.failure is not None}

    def snapshot(self) -> list[dict[str, Any]]:
        """Every entry's record as plain data (``load`` takes it back): a re-initialised extension's new engine
        keeps the tasks still running in the same TD session."""
        return [{"entry": entry_id, "run": entry.run_id, "running": list(entry.running), "started": entry.started,
                 "completed": entry.completed,
                 "failure": None if entry.failure is None else [entry.failure.task_id, entry.failure.status,
                                                                entry.failure.error]}
                for entry_id, entry in self._entries.items()]

    def load(self, records: Any) -> None:
        """Replace every record with ``snapshot()``'s ``records``."""
        self.clear()
        for record in records or ():
            entry = _EntryTasks(str(record.get("run", "")), dict.fromkeys(record.get("running") or ()),
                                int(record.get("started", 0)), int(record.get("completed", 0)))
            failure = record.get("failure")
            if failure:
                entry.failure = TaskFailure(failure[0], str(failure[1]), failure[2])
            entry_id = record["entry"]
            self._entries[entry_id] = entry
            for task_id in entry.running:
                self._tasks[task_id] = entry_id

    def __len__(self) -> int:
        """How many tasks are running (over every entry)."""
        return len(self._tasks)

    def __repr__(self) -> str:
        return f"StepTasks(running={len(self._tasks)}, entries={list(self._entries)!r})"

    def _forget(self, entry_id: int) -> list[int]:
        entry = self._entries.pop(entry_id, None)
        if entry is None:
            return []
        ids = list(entry.running)
        for task_id in ids:
            del self._tasks[task_id]
        return ids
