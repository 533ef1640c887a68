"""Editing a definition one block at a time: ``FlowDefinition.with_row`` worked out from the old one.

``with_step`` checks again only the steps an edit can affect (see ``FlowDefinition.with_row``);
``EditState`` is what it carries from one definition to the next. ``FlowDefinition`` binds
``finish``, ``resolved_routes`` and ``edit_state`` as its private methods.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import flow_names
from flow_spec import ONERROR_CONTINUE
from flow_step_checks import Finding

if TYPE_CHECKING:
    from flow_steps import FlowDefinition, StepDef

_UNKNOWN_CODES = ("unknown_then", "unknown_ontimeout", "unknown_onerror")


@dataclass(frozen=True)
class EditState:
    """What ``FlowDefinition.with_row`` carries from one definition to the next (never mutated)."""

    positions: dict[str, list[int]]  # step name -> its blocks
    routes: dict[str, frozenset[int]]  # a name routes look up -> the steps whose routes look it up
    invalid_route: dict[int, tuple[Finding, ...]]
    unknown: tuple[dict[int, Finding], ...]  # per route field: block -> its unknown_* finding
    local: dict[int, tuple[Finding, ...]]  # block -> the findings about that step alone
    duplicates: dict[str, Finding]
    unreachable: tuple[int, ...]
    cycles: tuple[tuple[int, ...], ...]


def with_step(flow: FlowDefinition, index: int, step: StepDef, raw_duration: Any, raw_timeout: Any, raw_alert: Any,
              history: flow_names.NameHistory | None) -> FlowDefinition:
    """``FlowDefinition.with_row`` once the row is parsed: ``step`` (with its raw duration, timeout and
    alert) replaces block ``index``."""
    cls = type(flow)
    history = history if history is not None else flow._history
    count = len(flow._steps)
    if not 0 <= index < count:
        raise IndexError(f"block {index} is not in a flow of {count} steps")
    steps = flow._steps[:index] + (step,) + flow._steps[index + 1:]
    durations = flow._raw_durations[:index] + (raw_duration,) + flow._raw_durations[index + 1:]
    timeouts = flow._raw_timeouts[:index] + (raw_timeout,) + flow._raw_timeouts[index + 1:]
    alerts = flow._raw_alerts[:index] + (raw_alert,) + flow._raw_alerts[index + 1:]
    route_findings: list[Finding] = []
    routes = flow._parse_step_routes(index, step, route_findings)
    if flow.has_expressions or any(routes):
        return cls(steps, history, durations, timeouts, alerts)
    state = flow._edit_state()
    new = cls.__new__(cls)
    new._steps = steps
    new._raw_durations, new._raw_timeouts, new._raw_alerts = durations, timeouts, alerts
    new._history = flow_names.NameHistory(history.entries())
    new._expressions = flow._expressions
    new.has_expressions = False
    old_step = flow._steps[index]
    old_name, name = old_step.name, step.name
    new._names = flow._names[:index] + (name,) + flow._names[index + 1:]
    new._labels = flow._labels[:index] + (step.label,) + flow._labels[index + 1:]
    # Names whose lookup may give another answer: the old and new name, and every rename that changed.
    changed: set[str] = {old_name, name} if old_name != name else set()
    positions = state.positions
    new._index = flow._index
    if changed:
        positions = dict(positions)
        new._index = dict(flow._index)
        old_blocks = [b for b in positions[old_name] if b != index]
        if old_blocks:
            positions[old_name] = old_blocks
            new._index[old_name] = old_blocks[0]
        else:
            del positions[old_name]
            del new._index[old_name]
        blocks = sorted([*positions.get(name, ()), index])
        positions[name] = blocks
        new._index[name] = blocks[0]
    before, after = flow._history.as_dict(), new._history.as_dict()
    for key in before.keys() | after.keys():
        if before.get(key) != after.get(key):
            changed.add(key)
            changed.update(value for value in (before.get(key), after.get(key)) if value is not None)
    affected = {index}
    for key in changed:
        affected.update(state.routes.get(key, ()))
    if old_name != name:  # every unknown_* message lists the step names
        for found in state.unknown:
            affected.update(found)
    # Routes: work out again only the affected steps.
    targets = [list(flow._targets), list(flow._timeout_targets), list(flow._error_targets)]
    resolved = [list(flow._resolved_then), list(flow._resolved_ontimeout), list(flow._resolved_onerror)]
    unknown = tuple(dict(found) for found in state.unknown)
    route_keys = dict(state.routes)
    for j in sorted(affected):
        step_targets, step_findings = new._step_targets(j)
        for position in range(3):
            targets[position][j] = step_targets[position]
            if step_findings[position] is not None:
                unknown[position][j] = step_findings[position]  # type: ignore[assignment]
            else:
                unknown[position].pop(j, None)
        resolved[0][j], resolved[1][j], resolved[2][j] = new._resolved_routes(steps[j])
        for key in flow._route_keys(j) - new._route_keys(j):
            route_keys[key] = route_keys[key] - {j}
        for key in new._route_keys(j) - flow._route_keys(j):
            route_keys[key] = route_keys.get(key, frozenset()) | {j}
    new._targets, new._timeout_targets, new._error_targets = (tuple(t) for t in targets)
    new._resolved_then, new._resolved_ontimeout, new._resolved_onerror = (tuple(r) for r in resolved)
    # Findings about one step, and duplicates of the two names.
    invalid_route = dict(state.invalid_route)
    if route_findings:
        invalid_route[index] = tuple(route_findings)
    else:
        invalid_route.pop(index, None)
    local = dict(state.local)
    step_findings_list: list[Finding] = []
    new._check_step(index, step, step_findings_list)
    if step_findings_list:
        local[index] = tuple(step_findings_list)
    else:
        local.pop(index, None)
    duplicates = dict(state.duplicates)
    for key in {old_name, name} - {""}:
        blocks = positions.get(key, [])
        if len(blocks) > 1:
            duplicates[key] = new._duplicate(key, blocks)
        else:
            duplicates.pop(key, None)
    # Reachability and instant loops: again only when a route target (or the step's kind) changed.
    moved = any(flow.successors(j) != new.successors(j) for j in affected)
    checked = len(affected)
    unreachable = state.unreachable
    if moved or bool(old_name) != bool(name):
        unreachable = tuple(new._unreached(new._reached()))
        checked += count
    cycles = state.cycles
    if moved or (old_step.kind == "auto") != (step.kind == "auto"):
        cycles = tuple(tuple(cycle) for cycle in new._instant_cycles())
        checked += count
    unreachable_finding = new._unreachable_finding(unreachable)
    loops = [new._loop_finding(cycle) for cycle in cycles]
    findings: list[Finding] = []
    for j in sorted(invalid_route):
        findings.extend(invalid_route[j])
    for found in unknown:
        findings.extend(found[j] for j in sorted(found))
    for j in sorted(local):
        findings.extend(local[j])
    findings.extend(duplicates[key] for key in sorted(duplicates, key=lambda key: positions[key][0]))
    if unreachable_finding is not None:
        findings.append(unreachable_finding)
    findings.extend(loops)
    new._finish(findings)
    new.steps_checked = checked
    new._edit = EditState(positions, route_keys, invalid_route, unknown, local, duplicates, unreachable, cycles)
    return new


def finish(flow: FlowDefinition, findings: list[Finding]) -> None:
    order = {"error": 0, "warning": 1}
    flow._findings = tuple(sorted(findings, key=lambda f: order[f.severity]))
    flow._errors = tuple(f for f in flow._findings if f.severity == "error")
    flow._warnings = tuple(f for f in flow._findings if f.severity == "warning")
    flow._loop_steps = frozenset(i for f in flow._warnings if f.code == "instant_loop" for i in f.indices)


def resolved_routes(flow: FlowDefinition, step: StepDef) -> tuple[str, str, str]:
    return (flow._resolve_route(step.then), flow._resolve_route(step.ontimeout),
            flow._resolve_route(step.onerror or ONERROR_CONTINUE, onerror=True))


def edit_state(flow: FlowDefinition) -> EditState:
    """What ``with_row`` reuses, built once per definition from its findings (O(steps) the first time)."""
    if flow._edit is not None:
        return flow._edit
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(flow._names):
        positions.setdefault(name, []).append(i)
    route_keys: dict[str, frozenset[int]] = {}
    for i in range(len(flow._steps)):
        for key in flow._route_keys(i):
            route_keys[key] = route_keys.get(key, frozenset()) | {i}
    invalid_route: dict[int, tuple[Finding, ...]] = {}
    unknown: tuple[dict[int, Finding], ...] = ({}, {}, {})
    local: dict[int, tuple[Finding, ...]] = {}
    duplicates: dict[str, Finding] = {}
    unreachable: tuple[int, ...] = ()
    cycles: list[tuple[int, ...]] = []
    for finding in flow._findings:
        if finding.code == "invalid_route":
            invalid_route[finding.indices[0]] = (*invalid_route.get(finding.indices[0], ()), finding)
        elif finding.code in _UNKNOWN_CODES:
            unknown[_UNKNOWN_CODES.index(finding.code)][finding.indices[0]] = finding
        elif finding.code == "duplicate_name":
            duplicates[finding.steps[0]] = finding
        elif finding.code == "unreachable":
            unreachable = finding.indices
        elif finding.code == "instant_loop":
            cycles.append(finding.indices)
        elif finding.code != "no_steps":
            local[finding.indices[0]] = (*local.get(finding.indices[0], ()), finding)
    flow._edit = EditState(positions, route_keys, invalid_route, unknown, local, duplicates, unreachable,
                            tuple(cycles))
    return flow._edit
