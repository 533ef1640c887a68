"""Loading steps into an engine: ``load_rows`` (an edit of one block goes through
``FlowDefinition.with_row``), the rename history and the switch to a new definition. Each function takes
the engine as ``engine``; ``FlowEngine`` binds them as its methods, so its docstrings are these.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import flow_names
import flow_payloads as payloads
import flow_steps
from flow_queue import Action
from flow_state import FlowStatus

if TYPE_CHECKING:
    from flow_engine import FlowEngine


def load_rows(engine: FlowEngine, rows: Iterable[Any]) -> flow_steps.FlowDefinition:
    """Build a definition from ``(label, duration, then, timeout, ontimeout, until, signal, onerror,
    alert)`` rows (the fields after the label may be left out; see ``FlowDefinition.from_rows``),
    recording renames first, and use it.

    Renames are found against the previous rows given (by block index), so a ``then`` that still
    holds the old name resolves. Returns the new definition (read its ``findings``). Fires:
    onStepsChanged (when the steps or their findings changed).
    """
    rows = list(rows)
    edited = engine._edit_rows(rows)
    if edited is None:
        plain = flow_steps.FlowDefinition.from_rows(rows)
        flow_names.apply_renames(engine._names, engine._seen_names, plain.names)
        definition = flow_steps.FlowDefinition.from_rows(rows, engine._names)
        engine._set_definition(definition)
    else:
        definition, renames = edited
        engine._set_definition(definition, renames)
    engine._loaded_rows = (rows, definition)
    return definition


def edit_rows(engine: FlowEngine, rows: list[Any]) -> tuple[flow_steps.FlowDefinition, list[tuple[str, str]]] | None:
    """When ``rows`` differ from the rows last loaded in one block only: the last definition with that
    block replaced (``FlowDefinition.with_row``) and the rename it made, recorded first as
    ``flow_names.apply_renames`` would; else None (rebuild)."""
    if engine._loaded_rows is None:
        return None
    previous, base = engine._loaded_rows
    if len(previous) != len(rows) or engine._seen_names is not base.names:
        return None
    if not all(type(row) is tuple or type(row) is flow_steps.StepDef for row in rows):
        return None  # a dict row may have been changed in place: compare nothing, rebuild
    changed = [i for i, (old, new) in enumerate(zip(previous, rows, strict=True)) if old != new]
    if len(changed) != 1:
        return None
    index = changed[0]
    old_name, name = base.names[index], flow_steps.row_step(rows[index]).name
    # flow_names.apply_renames for one block, without a pass over every name: a rename when the old name
    # is gone and the new one is new; then every live name is dropped from the history.
    renames: list[tuple[str, str]] = []
    if old_name and name and old_name != name and base.name_count(old_name) == 1 and not base.name_count(name):
        renames.append((old_name, name))
        engine._names.record(old_name, name)
    for key in list(engine._names):
        if key == name or base.name_count(key) - (key == old_name) > 0:
            engine._names.forget(key)
    return base.with_row(index, rows[index], engine._names), renames


def clear_name_history(engine: FlowEngine) -> None:
    """Forget every recorded rename (``ClearNameHistory``)."""
    engine._names.clear()
    engine._run.record("name_history_cleared", "api")
    engine._queue.drain()


def set_definition(engine: FlowEngine, definition: flow_steps.FlowDefinition,
                    renames: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    if renames is None:
        renames = flow_names.apply_renames(engine._names, engine._seen_names, definition.names)
    engine._seen_names = definition.names
    run = engine._run
    previous = run.definition
    unchanged = (previous.steps == definition.steps and previous.findings == definition.findings
                 and previous.history.entries() == definition.history.entries())
    rejected = run.is_running and not definition.is_runnable
    if not rejected:
        run.use(definition)
        if run.is_running:
            run.remap_entry()
        elif not definition.is_runnable:
            run.status = FlowStatus.NOT_SETUP
        elif run.status is FlowStatus.NOT_SETUP:
            run.status = FlowStatus.IDLE
    run.record("definition_rejected" if rejected else "steps_changed", "definition", {
        "steps": list(definition.names), "renamed": [list(r) for r in renames],
        "findings": [f.message for f in definition.findings]})
    if not unchanged or renames or rejected:
        engine._queue.append(Action("callback", False, run.fire, "onStepsChanged", payloads.steps_changed,
                                  definition, renames, run.process_id))
    engine._queue.drain()
    return renames
