"""Handing a run over: the engine's run position as plain data and back.

``journal_state`` (what the journal writes), ``export_run`` and ``import_run`` (another engine, in this
process or after a re-initialisation or restore, continues the run) and their helpers. Each function
takes the engine as ``engine``; ``FlowEngine`` binds them as its methods, so its docstrings are these.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import flow_journal
import flow_payloads as payloads
import flow_spec
import flow_step_tasks
import flow_steps
from flow_queue import Action
from flow_state import Entry, FlowError, FlowStatus, RestoreReport

if TYPE_CHECKING:
    from flow_engine import FlowEngine

#: What a timed step does when a run is imported: finish its remaining time, start again, or leave at once.
TIMED_MODES = ("remaining", "restart", "advance")
IMPORT_SOURCES = ("reinit", "restore")
#: ``export_run`` keys that only make sense in the same process (live objects, engine internals).
IN_PROCESS_KEYS = ("history", "queued", "flow_status", "step_data", "last_result", "last_update_time",
                   "end_progress", "change_id", "run_seq", "entry_seq", "run_started", "steps_entered",
                   "entry_times", "paused_at", "go", "warned_keys", "step_tasks", "signals_live", "signal_state")
_RUNNING = FlowStatus.RUNNING


def journal_state(engine: FlowEngine, wall: float = 0.0) -> dict[str, Any]:
    """The run in the journal's state shape (``flow_journal.EMPTY_STATE`` keys, plus ``back``), JSON
    only: context values JSON cannot hold are left out and named in ``lost_keys``. What the journal
    writes when it compacts: give it ``wall`` (wall-clock seconds now; the engine reads no wall clock),
    e.g. ``Journal(path, lambda: engine.journal_state(time.time()), ...)``."""
    state = engine._position(journal=True)
    state["wall"] = float(wall)
    return state


def export_run(engine: FlowEngine) -> dict[str, Any]:
    """The whole run position as plain data: the journal's state shape (context values as they are,
    ``lost_keys`` naming those JSON cannot hold), plus, for a hand-over in the same process only
    (``IN_PROCESS_KEYS``), the history events, the queued actions, the step data and the engine's
    counters. ``import_run`` on another engine continues the run from it."""
    run = engine._run
    entry = run.entry
    state = engine._position(journal=False)
    state.update(
        history=engine._history.events(), queued=engine._queue.export(), flow_status=run.status.value,
        step_data=entry.step_data if entry is not None else None, last_result=run.last_result,
        last_update_time=run.last_update_time, end_progress=run.end_progress,
        change_id=engine._context.last_change_id, run_seq=run.run_seq, entry_seq=run.entry_seq,
        run_started=run.run_started, steps_entered=run.steps_entered, paused_at=run.paused_at,
        go=(engine._go_frame, engine._go_time), warned_keys=sorted(run.warned_keys),
        step_tasks=run.tasks.snapshot(), signals_live=run.mailbox.export(keep_payloads=True),
        signal_state={"frame": run.signal_frame, "wait": run.signal_wait, "deferred": run.wait_deferred},
        entry_times=None if entry is None else {
            "entered_at": entry.entered_at, "paused_total": entry.paused_total,
            "paused_since": entry.paused_since, "deadline": entry.deadline, "timeout_at": entry.timeout_at,
            "timer_fired": entry.timer_fired, "timeout_fired": entry.timeout_fired, "held": entry.held,
            "exited": entry.exited, "alert_at": entry.alert_at, "tasks": entry.tasks, "signal": entry.signal,
            "error": entry.error})
    return state


def import_run(engine: FlowEngine, state: Mapping[str, Any], now: float | None = None, timed: str = "remaining",
               source: str = "reinit") -> RestoreReport:
    """Put the engine in the run position ``state`` (from ``export_run``, or a journal's
    ``read_state``) without firing onStepEnter or onFlowStart.

    ``now``: TD time now (default: the engine's clock). The step is found by name, through the rename
    history when it was renamed; when it no longer exists the run moves on at the next tick as when
    the current step is deleted (onStepExit reason 'removed'). ``timed`` ('remaining', 'restart',
    'advance'): a timed step finishes its remaining time, starts its full duration again, or leaves
    at the next tick; a watchdog counts on from its elapsed time (from 0 with 'restart'). ``source``:
    'reinit' (a re-initialised extension; an ended run is brought back as ended too) or 'restore'
    (after a crash: only a run that was going on, onto an engine with no run going on). Records a
    ``reinit`` or ``restore`` history event. Queued work runs at the next ``tick()``.

    Step tasks and signals: a re-initialised engine keeps the tasks still running and the signal queue.
    From a journal (``restore``) the queued signals come back (those whose payload JSON could not hold
    come back with payload None, named in a warning) and a step with until = signal waits again (a queued
    signal it waits for is taken at the next tick); step
    tasks cannot come back (they ran in the TD session that ended), so a step with until = tasks follows
    its error route at the next tick (``continue``: it leaves by ``then``), its error's origin
    ``restore``; the report's ``lost_tasks`` counts them. A timed step's alert counts from its remaining
    time (an alert already due fires at the next tick).

    Raises FlowError saying why when the run cannot be brought back, ValueError for a bad ``timed``
    or ``source``. Fires nothing (the removed-step rule fires its callbacks at the next tick).
    """
    if timed not in TIMED_MODES:
        raise ValueError(f"timed must be one of {', '.join(TIMED_MODES)}, not {timed!r}")
    if source not in IMPORT_SOURCES:
        raise ValueError(f"source must be one of {', '.join(IMPORT_SOURCES)}, not {source!r}")
    what = "Can't restore the run" if source == "restore" else "Can't take over the run"
    if engine._queue.busy:
        raise FlowError(f"{what} inside a callback; do it from outside the flow's callbacks")
    if not isinstance(state, Mapping):
        raise FlowError(f"{what}: the state is a {type(state).__name__}, not a dict")
    run = engine._run
    if source == "restore" and run.is_running:
        raise FlowError(f"{what}: a run is going on (step {engine.current_step_name!r}); Stop it first")
    at = engine._clock.now() if now is None else float(now)
    if state.get("status") != "running":
        if source == "restore":
            why = "its run ended" if state.get("status") == "ended" else "no run was going on"
            raise FlowError(f"{what}: the journal holds no run to restore ({why})")
        return engine._import_not_running(state)
    definition = run.definition
    if not definition.is_runnable:
        raise FlowError(f"{what}: {engine._not_runnable_reason()}")
    name = str(state.get("step") or "")
    if not name:
        raise FlowError(f"{what}: the state names no current step")
    index = definition.index_of(name)
    renamed_from = removed = None
    if index is not None:
        step = definition.steps[index]
        if step.name != name:
            renamed_from = name
    else:
        old_index = state.get("index")
        if isinstance(old_index, bool) or not isinstance(old_index, int) or old_index < 0:
            raise FlowError(f"{what}: its step {name!r} no longer exists and the state does not say where it was")
        removed, index = name, min(old_index, len(definition) - 1)
        step = flow_steps.StepDef(label=name)  # stands for the deleted step until the run moves on
    in_process = "queued" in state
    paused = bool(state.get("paused"))
    token = whole(state.get("entry"), 0) or run.entry_seq + 1
    entry = Entry(token, index, step, at, paused)
    entry.waiting = bool(state.get("waiting")) or step.kind == "wait"
    entry.step_data = state.get("step_data")
    timer = state.get("timer")
    elapsed = number(timer.get("elapsed"), 0.0) if isinstance(timer, Mapping) and timer else 0.0
    times = state.get("entry_times") if in_process else None
    if isinstance(times, Mapping) and timed == "remaining":
        for key in ("entered_at", "paused_total", "paused_since", "deadline", "timeout_at", "timer_fired",
                    "timeout_fired", "held", "exited", "alert_at", "tasks", "signal", "error"):
            setattr(entry, key, times.get(key, getattr(entry, key)))
    else:
        entry.set_elapsed(0.0 if timed == "restart" else elapsed, at, paused)
        if timed == "advance" and step.kind == "timed" and not entry.waiting:
            entry.deadline = at
        if not in_process and step.kind == "auto" and not entry.waiting:
            entry.held = "auto"  # crashed mid-transition: move on (at once, or on resume)
    context = state.get("context") or {}
    lost = tuple(str(k) for k in (state.get("lost_keys") or ()) if k not in context)
    engine._take_over(state, run.run_seq + 1)
    run.status = _RUNNING
    run.process_id = str(state.get("process_id") or "") or run.process_id
    run.entry = entry
    run.entry_seq = max(run.entry_seq, token, whole(state.get("entry_seq"), 0))
    run.paused = paused
    run.paused_at = number(state.get("paused_at"), at) if in_process else at
    if not in_process:
        run.run_started, run.steps_entered = at, 1
    run.back = deque((str(n) for n in state.get("back") or ()), maxlen=flow_spec.BACK_STACK_SIZE)
    run.warned_keys.update(lost)
    engine._context.load(context, whole(state.get("change_id"), None))
    lost_tasks = engine._import_tasks_and_signals(state, entry, removed is not None)
    if in_process:
        engine._adopt_queue(state.get("queued") or (), entry)
    if entry.held == "auto" and not paused:
        entry.held = None
        engine._queue.append(Action("auto", True, run.advance, token, "auto"))
    if removed is not None:
        engine._queue.append(Action("removed", True, run.do_removed, token, run.run_seq, state.get("index")))
    remaining = None
    if entry.deadline is not None and not entry.waiting:
        remaining = max(0.0, entry.deadline - (entry.paused_since if entry.paused_since is not None else at))
    run.record(source, source, {"entry": token, "timed": timed, "lost_keys": list(lost),
                                "renamed_from": renamed_from, "removed_step": removed, "lost_tasks": lost_tasks,
                                "signals": list(run.mailbox.queued())})
    engine._after_import()
    return RestoreReport(source=source, status=run.status, process_id=run.process_id, step_name=step.name,
                         step_index=index, waiting=entry.waiting, paused=paused, lost_keys=lost,
                         context_keys=tuple(engine._context.data), timed=timed, remaining=remaining,
                         renamed_from=renamed_from, removed_step=removed, lost_tasks=lost_tasks,
                         signals=tuple(run.mailbox.queued()))


def import_tasks_and_signals(engine: FlowEngine, state: Mapping[str, Any], entry: Entry, removed: bool) -> int:
    """The step tasks and signals of an import (see ``import_run``); returns how many tasks were lost."""
    run = engine._run
    step = entry.step
    in_process = "queued" in state
    try:
        lost_payloads = run.mailbox.restore(state.get("signals_live" if in_process else "signals") or ())
    except (ValueError, TypeError, AttributeError) as exc:
        run.mailbox.clear()
        run.warning(f"LOPflow: the queued signals could not be brought back ({exc}); they were dropped")
        lost_payloads = []
    if lost_payloads:
        run.warning(f"LOPflow journal: the payload of signal(s) {', '.join(lost_payloads)} could not be "
                    "journaled (not JSON); they come back with payload None")
    signal_state = state.get("signal_state") if in_process else None
    signal_state = signal_state if isinstance(signal_state, Mapping) else {}
    run.signal_frame = signal_state.get("frame")
    run.signal_wait = None
    run.wait_deferred = False
    keep_tasks = in_process and "step_tasks" in state
    lost = 0
    if keep_tasks:
        run.tasks.load(state["step_tasks"])
    else:
        run.tasks.clear()
        entry.tasks = False
        lost = max(0, whole(state.get("tasks"), 0))
    if removed:
        return lost  # the run moves on from the deleted step at the next tick
    if step.kind == "tasks" and not keep_tasks:
        run.warning(f"LOPflow: step '{step.name}' waits for its step tasks (until = tasks), which cannot be "
                    f"resumed after a restore ({lost} were running); it follows its error route")
        engine._queue.append(Action("error", True, run.do_error, entry.token,
                                  flow_step_tasks.lost_tasks_error(step.name, lost), "restore"))
    elif lost:
        run.warning(f"LOPflow: {lost} step task(s) of step '{step.name}' were running when the run was saved; "
                    "they cannot be resumed after a restore")
    if step.kind == "signal" and entry.signal is None:
        # The step waits again. A queued signal it waits for is taken at the next tick (an import
        # changes nothing by itself), as is a wait the old engine had put off to the next frame.
        if (signal_state.get("deferred") and signal_state.get("wait") == entry.token) or any(
                name in run.mailbox for name in step.signals):
            run.signal_wait, run.wait_deferred = entry.token, True
        else:
            run.start_wait(entry)
    return lost

# ================================================================== internals
def position(engine: FlowEngine, journal: bool) -> dict[str, Any]:
    run = engine._run
    entry = run.entry
    values = engine._context.data
    journalable = flow_journal.is_journalable
    lost = [key for key, value in values.items() if not journalable(value)]
    if journal:
        context = {key: value for key, value in values.items() if key not in lost} if lost else dict(values)
    else:
        context = dict(values)
    status = run.status
    return {
        "status": "running" if status is _RUNNING else "ended" if status.is_final else "idle",
        "process_id": run.process_id or "", "step": entry.step.name if entry is not None else "",
        "index": entry.index if entry is not None else -1, "entry": entry.token if entry is not None else 0,
        "waiting": entry is not None and entry.waiting, "paused": run.paused,
        "timer": run.timer_of(entry, engine._clock.now()) if entry is not None else None,
        "context": context, "wall": 0.0,
        "result_type": "" if status is _RUNNING else run.last_result_type or "", "lost_keys": lost,
        "back": list(run.back), "signals": run.mailbox.export(),
        "tasks": len(run.tasks.running(entry.token)) if entry is not None and entry.tasks else 0,
    }


def take_over(engine: FlowEngine, state: Mapping[str, Any], next_run_seq: int) -> None:
    """The engine-wide part of an import: history, counters, results, the GO guard."""
    run = engine._run
    history = state.get("history")
    if history:
        engine._history.load(history)
    run.run_seq = whole(state.get("run_seq"), next_run_seq)
    run.entry_seq = max(run.entry_seq, whole(state.get("entry_seq"), 0))
    if "last_result" in state:
        run.last_result = state["last_result"]
    run.last_result_type = str(state.get("result_type") or "") or run.last_result_type
    if "last_update_time" in state:
        run.last_update_time = state["last_update_time"]
    if "run_started" in state:
        run.run_started = number(state["run_started"], run.run_started)
        run.steps_entered = whole(state.get("steps_entered"), run.steps_entered)
    run.end_progress = number(state.get("end_progress"), run.end_progress)
    run.warned_keys.update(str(k) for k in state.get("warned_keys") or ())
    go = state.get("go")
    if isinstance(go, (tuple, list)) and len(go) == 2:
        engine._go_frame, engine._go_time = go[0], number(go[1], 0.0)


def import_not_running(engine: FlowEngine, state: Mapping[str, Any]) -> RestoreReport:
    """A re-initialised engine takes over an engine with no run going on (its last run's outcome)."""
    run = engine._run
    engine._take_over(state, run.run_seq)
    run.process_id = str(state.get("process_id") or "") or run.process_id
    try:
        status = FlowStatus(state.get("flow_status"))
    except ValueError:
        status = {"success": FlowStatus.COMPLETED, "error": FlowStatus.ERROR,
                  "stopped": FlowStatus.STOPPED}.get(str(state.get("result_type")), run.status)
    if status.is_final:
        run.status = status
    run.entry = None
    run.paused = False
    run.back.clear()
    run.mailbox.clear()
    run.tasks.clear()
    run.signal_frame = run.signal_wait = None
    run.wait_deferred = False
    context = state.get("context") or {}
    engine._context.load(context, whole(state.get("change_id"), None))
    if "queued" in state:
        engine._adopt_queue(state.get("queued") or (), None)
    run.record("reinit", "reinit", {"entry": None, "timed": "", "lost_keys": []})
    engine._after_import()
    return RestoreReport(source="reinit", status=run.status, process_id=run.process_id, step_name="",
                         step_index=-1, waiting=False, paused=False, lost_keys=(),
                         context_keys=tuple(engine._context.data), timed="remaining")


def adopt_queue(engine: FlowEngine, items: Any, entry: Entry | None) -> None:
    run = engine._run

    def bind(name: str) -> Callable[..., Any] | None:
        function = getattr(run, name, None) if name and not name.startswith("_") else None
        return function if callable(function) else None

    def translate(arg: Any) -> Any:
        kind = type(arg).__name__
        if kind == "Entry" and entry is not None and getattr(arg, "token", None) == entry.token:
            return entry
        if kind == "FlowDefinition":
            return run.definition
        if callable(arg) and getattr(arg, "__module__", "") == payloads.__name__:
            return getattr(payloads, getattr(arg, "__name__", ""), arg)
        return arg

    dropped = engine._queue.adopt(items, bind, translate)
    if dropped:
        run.warning(f"LOPflow: {len(dropped)} queued action(s) could not be taken over after re-initialising "
                    f"({', '.join(dropped)}); they were dropped")


def after_import(engine: FlowEngine) -> None:
    run = engine._run
    engine._timer_written = engine._clock.now()
    if run.on_record is not None:
        run.emit({"k": "snapshot", "state": engine.journal_state()})
    run.changed = True


def number(value: Any, default: Any) -> Any:
    """``value`` as a float when it is a number (not a bool), else ``default``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value)


def whole(value: Any, default: Any) -> Any:
    """``value`` when it is a whole number (not a bool), else ``default``."""
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return value
