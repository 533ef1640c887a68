"""The checks of a step definition: ``Finding`` and the findings ``FlowDefinition`` reports.

Each function takes the definition as ``flow``; ``FlowDefinition`` binds them as its private methods
(``_check``, ``_check_step``, ...), so they read its fields directly. Finding codes are listed in
``flow_steps``' docstring.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from flow_spec import THEN_KEYWORDS as RESERVED_NAMES
from flow_spec import UNTIL_DURATION, UNTIL_MODES, UNTIL_SIGNAL, UNTIL_TASKS

if TYPE_CHECKING:
    from flow_steps import FlowDefinition, StepDef

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem found in a definition, with the steps it is about."""

    severity: Severity
    code: str
    message: str
    steps: tuple[str, ...] = ()
    indices: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The finding as a JSON-friendly dict."""
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "steps": list(self.steps),
            "indices": list(self.indices),
        }

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def check(flow: FlowDefinition, findings: list[Finding]) -> None:
    if not flow._steps:
        findings.append(Finding("error", "no_steps", "The flow has no steps; add at least one step"))
        return
    seen: dict[str, list[int]] = {}
    for i, step in enumerate(flow._steps):
        flow._check_step(i, step, findings)
        if step.name:
            seen.setdefault(step.name, []).append(i)
    for name, blocks in seen.items():
        if len(blocks) > 1:
            findings.append(flow._duplicate(name, blocks))
    flow._check_reachability(findings)
    flow._check_instant_loops(findings)


def duplicate(flow: FlowDefinition, name: str, blocks: Sequence[int]) -> Finding:
    labels = ", ".join(repr(flow._steps[b].label) for b in blocks)
    return Finding("error", "duplicate_name",
                   f"Steps in blocks {', '.join(map(str, blocks))} are all named '{name}' (labels {labels}); "
                   "step names must be unique", (name,), tuple(blocks))


def check_step(flow: FlowDefinition, i: int, step: StepDef, findings: list[Finding]) -> None:
    """The findings about step ``i`` alone (its label, duration, timeout, until, signal and alert)."""
    if not step.name:
        findings.append(Finding("error", "empty_label", f"Step block {i} has an empty label; give it a name",
                                (), (i,)))
        return
    if step.name in RESERVED_NAMES:
        findings.append(Finding(
            "error", "reserved_name",
            f"Step '{step.label}' (block {i}) is named '{step.name}', which 'then' uses as a keyword; "
            "rename the step", (step.name,), (i,)))
    if step.kind == "invalid":
        findings.append(Finding(
            "error", "invalid_duration",
            f"Step '{step.name}' (block {i}) has duration {flow._raw_durations[i]!r}; use 0 (advance at "
            "once), -1 (wait for NextStep) or a number of seconds above 0", (step.name,), (i,)))
    if math.isnan(step.timeout):
        findings.append(Finding(
            "error", "invalid_timeout",
            f"Step '{step.name}' (block {i}) has timeout {flow._raw_timeouts[i]!r}; use 0 (no watchdog) "
            "or a number of seconds above 0", (step.name,), (i,)))
    flow._check_until(i, step, findings)
    flow._check_alert(i, step, findings)


def check_until(flow: FlowDefinition, i: int, step: StepDef, findings: list[Finding]) -> None:
    until = (step.until or UNTIL_DURATION).strip().lower()
    where = f"Step '{step.name}' (block {i})"
    if until not in UNTIL_MODES:
        findings.append(Finding("error", "invalid_until",
                                f"{where} has until {step.until!r}; use 'duration', 'tasks' or 'signal'",
                                (step.name,), (i,)))
        return
    names = str(step.signal or "").split()
    if until == UNTIL_SIGNAL and not names:
        findings.append(Finding("error", "no_signal",
                                f"{where} waits for a signal (until 'signal') but names none; give its signal "
                                "one or more names separated by spaces", (step.name,), (i,)))
    elif until != UNTIL_SIGNAL and names:
        findings.append(Finding("warning", "signal_unused",
                                f"{where} has signal {step.signal!r} but until is '{until}', so it does not "
                                "wait for it; set until to 'signal'", (step.name,), (i,)))
    if until != UNTIL_DURATION and step.duration > 0 and not math.isinf(step.duration):
        findings.append(Finding("warning", "duration_unused",
                                f"{where} waits for its {'tasks' if until == UNTIL_TASKS else 'signal'} "
                                f"(until '{until}'): its duration {step.duration:g} s is not used; give it a "
                                "timeout to limit the wait", (step.name,), (i,)))


def check_alert(flow: FlowDefinition, i: int, step: StepDef, findings: list[Finding]) -> None:
    alert = step.alert
    where = f"Step '{step.name}' (block {i})"
    if math.isnan(alert):
        findings.append(Finding("error", "invalid_alert",
                                f"{where} has alert {flow._raw_alerts[i]!r}; use 0 (no alert) or a number of "
                                "seconds above 0", (step.name,), (i,)))
    elif alert > 0 and step.kind != "timed":
        findings.append(Finding("warning", "alert_unused",
                                f"{where} has alert {alert:g} s but is not a timed step (a duration above 0 "
                                "with until 'duration'), so onStepEndAlert never fires", (step.name,), (i,)))
    elif alert > 0 and alert >= step.duration:
        findings.append(Finding("warning", "alert_too_long",
                                f"{where} has alert {alert:g} s, not less than its duration "
                                f"{step.duration:g} s: onStepEndAlert fires at the step's first frame",
                                (step.name,), (i,)))


def check_reachability(flow: FlowDefinition, findings: list[Finding]) -> None:
    finding = flow._unreachable_finding(flow._unreached(flow._reached()))
    if finding is not None:
        findings.append(finding)


def reached(flow: FlowDefinition) -> set[int]:
    reached: set[int] = set()
    pending: list[int | None] = [0]
    while pending:
        current = pending.pop()
        if current is None or current in reached:
            continue
        reached.add(current)
        pending.extend(flow.successors(current))
    return reached


def unreached(flow: FlowDefinition, reached: set[int]) -> list[int]:
    return [i for i in range(len(flow._steps)) if i not in reached and flow._steps[i].name]


def unreachable_finding(flow: FlowDefinition, unreachable: Sequence[int]) -> Finding | None:
    if not unreachable:
        return None
    names = tuple(flow._names[i] for i in unreachable)
    return Finding(
        "warning", "unreachable",
        f"No path from the first step reaches step{'s' if len(names) > 1 else ''} "
        f"{', '.join(repr(n) for n in names)}; only GoToStep() can enter "
        f"{'them' if len(names) > 1 else 'it'}", names, tuple(unreachable))


def check_instant_loops(flow: FlowDefinition, findings: list[Finding]) -> None:
    findings.extend(flow._loop_finding(cycle) for cycle in flow._instant_cycles())


def instant_cycles(flow: FlowDefinition) -> list[list[int]]:
    # Each step has one successor, so every walk ends at the end, in a cycle, or on a step an earlier
    # walk already explored (whose cycle, if any, was found then): each step is walked once, O(n).
    # A step whose then is an expression ends a walk (its target is only known when it is left).
    explored: set[int] = set()
    cycles: list[list[int]] = []
    for start in range(len(flow._steps)):
        path: list[int] = []
        position: dict[int, int] = {}
        current: int | None = start
        while current is not None and current not in position and current not in explored:
            position[current] = len(path)
            path.append(current)
            current = flow._targets[current]
        explored.update(path)
        if current is None or current not in position:
            continue
        cycle = path[position[current]:]
        if all(flow._steps[i].kind == "auto" for i in cycle):
            cycles.append(cycle)
    return cycles


def loop_finding(flow: FlowDefinition, cycle: Sequence[int]) -> Finding:
    names = tuple(flow._names[i] for i in cycle)
    return Finding(
        "warning", "instant_loop",
        f"Steps {' -> '.join(names)} -> {names[0]} loop with duration 0 and no way out; the flow "
        "spins until a callback calls Finish(), Stop() or GoToStep() (give one step a duration)",
        names, tuple(cycle))
