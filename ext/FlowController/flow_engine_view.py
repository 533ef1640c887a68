"""What an engine shows: its read-only state (status, current step, tasks, signals, results, the next
due time, the ``FlowState`` snapshot), its graph and channels, and its state and event listeners.
``FlowEngine`` binds these functions (each takes the engine as ``engine``) as its properties and
methods, so its docstrings are these.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flow_channel_layout
import flow_context
import flow_graph
import flow_history
import flow_names
import flow_steps
from flow_state import EventListener, FlowState, StateListener

if TYPE_CHECKING:
    from flow_engine import FlowEngine


def definition(engine: FlowEngine) -> flow_steps.FlowDefinition:
    """The definition the engine runs on."""
    return engine._run.definition


def context(engine: FlowEngine) -> flow_context.FlowContext:
    """The per-run context (changes made on it directly fire onContextChange too)."""
    return engine._context


def history(engine: FlowEngine) -> flow_history.FlowHistory:
    """The event history (a ring buffer)."""
    return engine._history


def names(engine: FlowEngine) -> flow_names.NameHistory:
    """The step rename history (old name -> current name)."""
    return engine._names


def is_running(engine: FlowEngine) -> bool:
    """True while a run is going on (paused or not)."""
    return engine._run.is_running


def is_paused(engine: FlowEngine) -> bool:
    """True while the run is paused."""
    return engine._run.paused


def current_step_index(engine: FlowEngine) -> int:
    """The current step's index, -1 when not running."""
    entry = engine._run.entry
    return entry.index if entry is not None else -1


def current_step_name(engine: FlowEngine) -> str:
    """The current step's name, '' when not running."""
    entry = engine._run.entry
    return entry.step.name if entry is not None else ""


def process_id(engine: FlowEngine) -> str | None:
    """The id of the current run (of the last one when not running), None before the first run."""
    return engine._run.process_id


def running_tasks(engine: FlowEngine) -> tuple[Any, ...]:
    """The ids of the current step entry's step tasks still running, in start order."""
    entry = engine._run.entry
    return engine._run.tasks.running(entry.token) if entry is not None else ()


def queued_signals(engine: FlowEngine) -> dict[str, Any]:
    """The signals queued for a later step, ``{name: payload}`` in queue order (a copy)."""
    return engine._run.mailbox.queued()


def waiting_signals(engine: FlowEngine) -> tuple[str, ...]:
    """The signal names the current step waits for now (empty when it waits for none)."""
    run = engine._run
    entry = run.entry
    if entry is None or run.signal_wait != entry.token:
        return ()
    return entry.step.signals


def last_result(engine: FlowEngine) -> Any:
    """The result of the last run that ended (Finish's result, or onFlowFinish's returnValue)."""
    return engine._run.last_result


def last_result_type(engine: FlowEngine) -> str | None:
    """'success', 'error' or 'stopped' for the last run that ended; None before."""
    return engine._run.last_result_type


def step_data(engine: FlowEngine) -> Any:
    """The current step entry's data (WaitForContinue / Update), None when not running."""
    entry = engine._run.entry
    return entry.step_data if entry is not None else None


def last_update_time(engine: FlowEngine) -> float | None:
    """TD time of the last Update, None before any."""
    return engine._run.last_update_time


def event_totals(engine: FlowEngine) -> dict[str, int]:
    """How many times each CHOP event happened since the engine was created."""
    return dict(engine._run.events.totals)


def runaways(engine: FlowEngine) -> int:
    """How many frames spent their whole frame budget (each recorded as a ``runaway`` event)."""
    return engine._budget.runaways


def next_due(engine: FlowEngine) -> float | None:
    """When ``tick()`` next has work, in TD seconds: 0.0 while actions wait for the next frame, the
    armed timer's deadline, or None when nothing will happen without an API call (the adapter
    switches its frame callbacks off then)."""
    run = engine._run
    if engine._queue.pending or run.wait_deferred:
        return 0.0
    entry = run.entry
    if entry is None or run.paused or not run.is_running:
        return None
    due = entry.deadline if not (entry.waiting or entry.timer_fired) else None
    alert_at = entry.alert_at
    if alert_at is not None and due is not None and alert_at < due:
        due = alert_at
    timeout_at = entry.timeout_at if not entry.timeout_fired else None
    if timeout_at is not None and (due is None or timeout_at < due):
        return timeout_at
    return due


def state(engine: FlowEngine) -> FlowState:
    """An immutable snapshot of everything the adapter shows."""
    run = engine._run
    entry = run.entry
    return FlowState(
        status=run.status, process_id=run.process_id,
        step_index=entry.index if entry else -1, step_name=entry.step.name if entry else "",
        step_label=entry.step.label if entry else "", waiting=bool(entry and entry.waiting),
        progress=run.progress(), last_result=run.last_result, last_result_type=run.last_result_type,
        step_data=entry.step_data if entry else None, steps=run.definition.names,
        labels=run.definition.labels, name_history=tuple(engine._names.entries()),
        context_change_id=engine._context.last_change_id, runnable=run.definition.is_runnable,
        paused=run.paused,
    )


def graph(engine: FlowEngine) -> flow_graph.FlowGraph:
    """The graph of the current definition (``GetFlowGraph`` returns ``graph().as_dict()``)."""
    return flow_graph.build_graph(engine._run.definition)


def channel_values(engine: FlowEngine) -> list[tuple[str, float]]:
    """The always-present Script CHOP channels, consuming the event counts (call once per cook)."""
    run = engine._run
    entry = run.entry
    return flow_channel_layout.channel_values(
        run.events.consume(), status_channel=run.status.channel, step_index=engine.current_step_index,
        step_count=len(run.definition), waiting=entry is not None and entry.waiting, running=run.is_running,
        progress=run.progress(), paused=run.paused)


def add_listener(engine: FlowEngine, listener: StateListener) -> None:
    """Call ``listener(StateChange)`` after every batch of actions that changed the state."""
    if not engine._listeners:
        engine._last_state = engine.state
    engine._listeners.append(listener)


def add_event_listener(engine: FlowEngine, listener: EventListener) -> None:
    """Call ``listener(HistoryEvent)`` for every history event as it is recorded."""
    engine._run.event_listeners.append(listener)
