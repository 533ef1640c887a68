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
    step = entry.step
    then = entry.then if entry.then is not None else _then(definition, entry)
    return {"index": entry.index, "name": step.name, "label": step.label, "type": step.step_type,
            "duration": step.duration, "then": then}


def _then(definition: flow_steps.FlowDefinition, entry: Entry) -> str:
    """Where ``entry``'s step goes next, worked out once per entry (the engine forgets it when the
    definition changes): resolved to a current name while the step is in the definition."""
    index = entry.index
    steps = definition.steps
    current = 0 <= index < len(steps) and steps[index] is entry.step
    then = entry.then = definition.resolved_then(index) if current else entry.step.then
    return then


def step_keys(definition: flow_steps.FlowDefinition, entry: Entry) -> dict[str, Any]:
    """The step keys of onStepEnter, onStepExit and onWaitForContinue."""
    step = entry.step
    index = entry.index
    then = entry.then if entry.then is not None else _then(definition, entry)
    return {"step": {"index": index, "name": step.name, "label": step.label, "type": step.step_type,
                     "duration": step.duration, "then": then},
            "step_index": index, "step_name": step.name, "step_type": step.step_type, "step_label": step.label,
            "step_duration": step.duration, "step_then": then, "step_data": entry.step_data}


def flow_start(definition: flow_steps.FlowDefinition, restarted: bool, inputs: Mapping[str, Any] | None,
               start_time: float, source: str, process_id: str | None) -> dict[str, Any]:
    """onFlowStart."""
    return {"steps": list(definition.names), "step_count": len(definition), "restarted": restarted,
            "inputs": dict(inputs) if inputs else {}, "start_time": start_time, "source": source,
            "process_id": process_id}


def step_enter(definition: flow_steps.FlowDefinition, entry: Entry, previous_name: str, source: str,
               process_id: str | None) -> dict[str, Any]:
    """onStepEnter."""
    info = step_keys(definition, entry)
    info["previous_step_name"] = previous_name
    info["source"] = source
    info["process_id"] = process_id
    return info


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
    """onStepExit."""
    info = step_keys(definition, entry)
    info["reason"] = reason
    info["next_step_name"] = next_name
    info["elapsed"] = elapsed
    info["source"] = source
    info["process_id"] = process_id
    return info


def next_step(definition: flow_steps.FlowDefinition, left: Entry, new: Entry, transition: str, source: str,
              process_id: str | None) -> dict[str, Any]:
    """onNextStep."""
    step = new.step
    return {"from_step_index": left.index, "from_step_name": left.step.name, "step_index": new.index,
            "step_name": step.name, "step_label": step.label, "step": step_dict(definition, new),
            "step_data": new.step_data, "transition": transition, "source": source, "process_id": process_id}


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
