"""The engine's step-task and signal calls: ``task_started``, ``task_done`` and ``signal``. Each
function takes the engine as ``engine``; ``FlowEngine`` binds them as its methods, so its docstrings
are these.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flow_signals
from flow_queue import Action
from flow_state import FlowError, FlowStatus
from flow_step_tasks import TaskOutcome
from flow_transitions import plain_id

if TYPE_CHECKING:
    from flow_engine import FlowEngine

_RUNNING = FlowStatus.RUNNING


def task_started(engine: FlowEngine, task_id: Any) -> int:
    """Tie the step task ``task_id`` (just submitted, e.g. to TDAsyncIO) to the current step entry and
    return that entry's id (the ``entry`` of its ``step_enter`` history event). Leaving the step
    cancels the task if it still runs (``on_cancel_tasks``); a step with until = tasks leaves when all
    its tasks have ended. Raises FlowError when not running, ValueError when ``task_id`` already runs.
    Fires nothing."""
    entry = engine._require_running("RunTask")
    run = engine._run
    run.tasks.started(task_id, entry.token, run.process_id or "")
    entry.tasks = True
    run.record("task_started", "task", {"task_id": plain_id(task_id), "entry": entry.token})
    if run.on_record is not None:
        run.journal_step(entry)
    engine._queue.drain()
    return entry.token


def task_done(engine: FlowEngine, task_id: Any, status: str, result: Any = None, error: Any = None) -> bool:
    """A step task ended with ``status`` ('completed', 'failed', 'timeout' or 'cancelled'), ``result``
    or ``error``. Returns False when the completion is stale (its step entry is over, it belongs to
    an earlier run, or the task is unknown): it is recorded as ``task_stale`` and never touches the
    flow. Else True: onTaskDone fires and, with until = tasks, the step leaves by ``then`` when every
    task of the entry has ended (a task that failed or timed out: by its error route, ``onerror``).
    Raises ValueError for another status. Fires: onTaskDone (then onError's and the step's moves:
    onStepExit, onNextStep, onStepEnter)."""
    run = engine._run
    entry = run.entry
    current = entry.token if entry is not None and run.status is _RUNNING else None
    outcome = run.tasks.finished(task_id, status, current, run.process_id or "", error)
    if outcome is TaskOutcome.STALE or entry is None:
        run.record("task_stale", "task", {"task_id": plain_id(task_id), "status": str(status),
                                          "entry": run.tasks.entry_of(task_id)})
        engine._queue.drain()
        return False
    engine._queue.submit(Action("task_done", True, run.do_task_done, entry.token, task_id, str(status), result,
                              error, outcome))
    return True


def signal(engine: FlowEngine, name: str, payload: Any = None, source: str = "api") -> bool:
    """Send the signal ``name`` with ``payload``. Returns True when the current step (until = signal,
    waiting for ``name``) consumed it now: it leaves by ``then``, the payload in its onStepExit /
    onNextStep info (``signal``, ``signal_payload``) and in the context as ``signal.<name>``. Else False:
    it is queued for the run (the latest payload per name wins) and a later step waiting for it takes
    it when entered; or, when no run is going on, it is dropped (a history note). Signals move the flow
    at most one step per frame. Raises FlowError for a name that is empty or has spaces.
    Fires: onSignal (then onContextChange, onRoute, onStepExit, onNextStep, onStepEnter when consumed)."""
    try:
        flow_signals.validate_name(name)
    except ValueError as exc:
        raise FlowError(f"Can't Signal: {exc}") from None
    run = engine._run
    entry = run.entry
    if run.status is not _RUNNING or entry is None:
        run.ignored("signal", source, f"the flow is not running (status {run.status.label})")
        engine._queue.drain()
        return False
    consumed = run.mailbox.send(name, payload, source)
    signal = run.mailbox.last_consumed if consumed else flow_signals.Signal(name, payload, source)
    engine._queue.submit(Action("signal", consumed, run.do_signal, entry.token, signal, consumed))
    return consumed
