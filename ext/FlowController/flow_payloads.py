"""The payload of every callback the engine fires: the info keys ``flow_callbacks.CALLBACKS`` lists.

The engine hands these builders to ``CallbackDispatcher.fire``, which calls one only when something
handles the callback, so an undefined callback costs no payload. Each builder returns a new dict.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any

import flow_context
import flow_steps
from flow_state import Entry


def step_dict(definition: flow_steps.FlowDefinition, entry: Entry) -> dict[str, Any]:
    """The ``step`` info key: index, name, label, type, duration, then (resolved to current names)."""
    shown = entry.shown
    return (shown if shown is not None else _shown(definition, entry)).copy()


def _shown(definition: flow_steps.FlowDefinition, entry: Entry) -> dict[str, Any]:
    """The step dict of ``entry``, made once per entry (the engine forgets it when the definition changes):
    ``then`` resolved to a current name while the step is in the definition. Callbacks get copies."""
    index = entry.index
    steps = definition.steps
    step = entry.step
    current = 0 <= index < len(steps) and steps[index] is step
    shown = entry.shown = {"index": index, "name": step.name, "label": step.label, "type": step.step_type,
                           "duration": step.duration,
                           "then": definition.resolved_then(index) if current else step.then}
    return shown


def step_keys(definition: flow_steps.FlowDefinition, entry: Entry) -> dict[str, Any]:
    """The step keys of onStepEnter, onStepExit and onWaitForContinue."""
    shown = entry.shown
    if shown is None:
        shown = _shown(definition, entry)
    step = entry.step
    return {"step": shown.copy(), "step_index": entry.index, "step_name": step.name, "step_type": step.step_type,
            "step_label": step.label, "step_duration": step.duration, "step_then": shown["then"],
            "step_data": entry.step_data}


def flow_start(definition: flow_steps.FlowDefinition, restarted: bool, inputs: Mapping[str, Any] | None,
               start_time: float, source: str, process_id: str | None) -> dict[str, Any]:
    """onFlowStart."""
    return {"steps": list(definition.names), "step_count": len(definition), "restarted": restarted,
            "inputs": dict(inputs) if inputs else {}, "start_time": start_time, "source": source,
            "process_id": process_id}


def step_enter(definition: flow_steps.FlowDefinition, entry: Entry, previous_name: str, source: str,
               process_id: str | None) -> dict[str, Any]:
    """onStepEnter (``step_keys`` written out: this runs at every step change)."""
    shown = entry.shown
    if shown is None:
        shown = _shown(definition, entry)
    step = entry.step
    extra = entry.extra
    return {"step": shown.copy(), "step_index": entry.index, "step_name": step.name, "step_type": step.step_type,
            "step_label": step.label, "step_duration": step.duration, "step_then": shown["then"],
            "step_data": entry.step_data, "previous_step_name": previous_name,
            "error": extra.error if extra is not None else None, "source": source, "process_id": process_id}


def wait(definition: flow_steps.FlowDefinition, entry: Entry, update_data: Any, source: str,
         process_id: str | None) -> dict[str, Any]:
    """onWaitForContinue."""
    info = step_keys(definition, entry)
    info["update_data"] = update_data
    info["source"] = source
    info["process_id"] = process_id
    return info


def step_exit(definition: flow_steps.FlowDefinition, entry: Entry, reason: str, next_name: str, elapsed: float,
              source: str, process_id: str | None) -> dict[str, Any]:
    """onStepExit (``step_keys`` written out: this runs at every step change)."""
    shown = entry.shown
    if shown is None:
        shown = _shown(definition, entry)
    step = entry.step
    extra = entry.extra
    signal = extra.signal if extra is not None else None
    return {"step": shown.copy(), "step_index": entry.index, "step_name": step.name, "step_type": step.step_type,
            "step_label": step.label, "step_duration": step.duration, "step_then": shown["then"],
            "step_data": entry.step_data, "reason": reason, "next_step_name": next_name, "elapsed": elapsed,
            "signal": signal.name if signal is not None else None,
            "signal_payload": signal.payload if signal is not None else None, "source": source,
            "process_id": process_id}


def next_step(definition: flow_steps.FlowDefinition, left: Entry, new: Entry, transition: str, source: str,
              process_id: str | None) -> dict[str, Any]:
    """onNextStep."""
    step = new.step
    extra = left.extra
    signal = extra.signal if extra is not None else None
    shown = new.shown
    if shown is None:
        shown = _shown(definition, new)
    return {"from_step_index": left.index, "from_step_name": left.step.name, "step_index": new.index,
            "step_name": step.name, "step_label": step.label, "step": shown.copy(),
            "step_data": new.step_data, "transition": transition,
            "signal": signal.name if signal is not None else None,
            "signal_payload": signal.payload if signal is not None else None, "source": source,
            "process_id": process_id}


def flow_update(definition: flow_steps.FlowDefinition, entry: Entry, update_data: Any, advance: bool,
                source: str, process_id: str | None) -> dict[str, Any]:
    """onFlowUpdate."""
    step = entry.step
    return {"step_index": entry.index, "step_name": step.name, "step_label": step.label,
            "step": step_dict(definition, entry), "step_data": entry.step_data, "update_data": update_data,
            "advance_step": advance, "source": source, "process_id": process_id}


def flow_finish(entry: Entry | None, outcome: dict[str, Any], context: Mapping[str, Any],
                source: str) -> dict[str, Any]:
    """onFlowFinish; ``outcome`` holds result, result_type, status, process_id, times and counts."""
    response = {**outcome, "step_name": entry.step.name if entry else "", "context": dict(context)}
    return {"result": outcome["result"], "result_type": outcome["result_type"], "status": outcome["status"],
            "step_index": entry.index if entry else -1, "step_name": response["step_name"],
            "elapsed": outcome["elapsed"], "response_dict": response, "source": source,
            "process_id": outcome["process_id"]}


def context_change(definition: flow_steps.FlowDefinition, change: flow_context.ContextChange,
                   entry: Entry | None, process_id: str | None) -> dict[str, Any]:
    """onContextChange; ``entry`` is the step that was current when the context changed."""
    info = change.payload()
    info["step"] = step_dict(definition, entry) if entry is not None else None
    info["process_id"] = process_id
    return info


def steps_changed(definition: flow_steps.FlowDefinition, renames: list[tuple[str, str]],
                  process_id: str | None) -> dict[str, Any]:
    """onStepsChanged."""
    return {"steps": list(definition.names), "labels": list(definition.labels), "step_count": len(definition),
            "max_steps": len(definition), "renamed": [list(r) for r in renames],
            "findings": [f.as_dict() for f in definition.findings], "runnable": definition.is_runnable,
            "source": "definition", "process_id": process_id}


def error(text: str, callback_name: str, source: str, exc: BaseException, entry: Entry | None,
          process_id: str | None) -> dict[str, Any]:
    """onError."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {"error": text, "error_type": type(exc).__name__, "callback_name": callback_name,
            "callback_source": source, "exception": exc, "traceback": trace,
            "step_index": entry.index if entry else -1, "step_name": entry.step.name if entry else "",
            "source": source, "process_id": process_id}


def flow_pause(definition: flow_steps.FlowDefinition, entry: Entry, source: str,
               process_id: str | None) -> dict[str, Any]:
    """onFlowPause."""
    return {"step": step_dict(definition, entry), "step_index": entry.index, "step_name": entry.step.name,
            "source": source, "process_id": process_id}


def flow_resume(definition: flow_steps.FlowDefinition, entry: Entry, paused_for: float, source: str,
                process_id: str | None) -> dict[str, Any]:
    """onFlowResume."""
    return {"step": step_dict(definition, entry), "step_index": entry.index, "step_name": entry.step.name,
            "paused_for": paused_for, "source": source, "process_id": process_id}


def step_timeout(definition: flow_steps.FlowDefinition, entry: Entry, elapsed: float, ontimeout: str,
                 next_name: str, source: str, process_id: str | None) -> dict[str, Any]:
    """onStepTimeout."""
    info = step_keys(definition, entry)
    info["timeout"] = entry.step.timeout
    info["elapsed"] = elapsed
    info["ontimeout"] = ontimeout
    info["next_step_name"] = next_name
    info["source"] = source
    info["process_id"] = process_id
    return info


def task_done(definition: flow_steps.FlowDefinition, entry: Entry, task_id: Any, status: str, result: Any,
              error: Any, outcome: str, process_id: str | None) -> dict[str, Any]:
    """onTaskDone."""
    return {"task_id": task_id, "status": status, "result": result, "error": error, "outcome": outcome,
            "step": step_dict(definition, entry), "step_index": entry.index, "step_name": entry.step.name,
            "source": "task", "process_id": process_id}


def signal(definition: flow_steps.FlowDefinition, entry: Entry | None, name: str, payload: Any, consumed: bool,
           source: str, process_id: str | None) -> dict[str, Any]:
    """onSignal; ``entry`` is the current step (None when the run has none)."""
    return {"name": name, "payload": payload, "consumed": consumed,
            "step": step_dict(definition, entry) if entry is not None else None,
            "step_index": entry.index if entry is not None else -1,
            "step_name": entry.step.name if entry is not None else "", "source": source, "process_id": process_id}


def route(definition: flow_steps.FlowDefinition, entry: Entry, route_field: str, proposed: str | None,
          context: flow_context.FlowContext, source: str, process_id: str | None) -> dict[str, Any]:
    """onRoute; ``proposed`` None: the step's own ``then`` (read here, only when onRoute is handled)."""
    shown = entry.shown
    if shown is None:
        shown = _shown(definition, entry)
    return {"step": shown.copy(), "step_index": entry.index, "step_name": entry.step.name, "field": route_field,
            "proposed": shown["then"] if proposed is None else proposed, "context": context.view,
            "source": source, "process_id": process_id}


def step_end_alert(definition: flow_steps.FlowDefinition, entry: Entry, remaining: float,
                   process_id: str | None) -> dict[str, Any]:
    """onStepEndAlert."""
    step = entry.step
    return {"step": step_dict(definition, entry), "step_index": entry.index, "step_name": step.name,
            "remaining": remaining, "alert": step.alert, "duration": step.duration, "source": "alert",
            "process_id": process_id}
