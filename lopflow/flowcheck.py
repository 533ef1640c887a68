"""``lopflow check``: a flow file's steps and callbacks file checked, as readable findings.

The step checks are ``ext/FlowController/flow_steps.py``'s (the ones FlowController runs on its Step
parameters), so a flow that passes here loads in TouchDesigner the same way. Two things only a flow
file knows are added here:

- steps marked ``entry = true`` are entered by ``GoToStep()`` from code: they, and the steps they
  lead to (by ``then``, ``ontimeout`` or ``onerror``), are not reported as unreachable (a ``note`` lists
  them instead);
- a route written as an expression (``then = "=..."``) is conditional: its target is known only when the
  step is left, so a ``note`` names the steps it can lead to (``conditional_route``; the graph draws
  them as conditional edges);
- the callbacks file must exist, be UTF-8 Python that compiles, and define no misspelt callback
  (``onStepEntr``: the message names ``onStepEnter``, from the callback registry); a callback must
  take the one ``info`` argument.

The callbacks file is parsed, never run. Pure: no mock_td, no ``td``.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lopflow.flowfile import FlowFile, not_utf8_message, read_utf8
from lopflow.repo import component_module

#: How close a function name must be to a callback name to count as a misspelling of it (difflib ratio).
MISSPELLING_CUTOFF = 0.8


@dataclass(frozen=True)
class CheckFinding:
    """One finding of ``lopflow check``: severity, code, message, the steps it is about, and where.

    ``severity`` is ``error`` (the flow cannot run), ``warning`` or ``note`` (information only);
    ``where`` is the file (and line) the finding is about when that is not the flow file.
    """

    severity: str
    code: str
    message: str
    steps: tuple[str, ...]
    where: str = ""

    @property
    def is_error(self) -> bool:
        """True when the finding makes the flow unrunnable."""
        return self.severity == "error"


def build_definition(flow: FlowFile) -> Any:
    """The engine's ``FlowDefinition`` for the flow file's steps (checked as it is built)."""
    return component_module("FlowController", "flow_steps").FlowDefinition.from_rows(flow.rows())


def check_flow(flow: FlowFile) -> list[CheckFinding]:
    """Every finding for the flow file's steps and callbacks file: errors first, notes last."""
    definition = build_definition(flow)
    findings = [CheckFinding(finding.severity, finding.code, finding.message, tuple(finding.steps))
                for finding in definition.findings if finding.code != "unreachable"]
    findings += _reachability(flow, definition)
    findings += _conditional_routes(definition)
    findings += check_callbacks_file(flow.callbacks) if flow.callbacks is not None else []
    order = {"error": 0, "warning": 1, "note": 2}
    return sorted(findings, key=lambda finding: order.get(finding.severity, 1))


def _reachability(flow: FlowFile, definition: Any) -> list[CheckFinding]:
    """The engine's ``unreachable`` warning, with the entry-point steps and what they lead to left out."""
    if definition.errors:  # the engine's own warning: successors are not all known
        return [CheckFinding(f.severity, f.code, f.message, tuple(f.steps))
                for f in definition.findings if f.code == "unreachable"]
    entries = [i for i, step in enumerate(flow.steps) if step.entry]
    from_start = _reached(definition, [0])
    reached = _reached(definition, [0, *entries])
    names = definition.names
    findings = []
    unreachable = [names[i] for i in range(len(definition)) if i not in reached and names[i]]
    if unreachable:
        plural = len(unreachable) > 1
        findings.append(CheckFinding(
            "warning", "unreachable",
            f"No path from the first step reaches step{'s' if plural else ''} "
            f"{', '.join(repr(n) for n in unreachable)}; only GoToStep() can enter {'them' if plural else 'it'} "
            f"(if code does, mark {'them' if plural else 'it'} entry = true in the flow file)",
            tuple(unreachable)))
    entered_by_code = [names[i] for i in entries if i not in from_start]
    if entered_by_code:
        findings.append(CheckFinding(
            "note", "entry_point",
            f"Entered by GoToStep() from code (entry = true): {', '.join(repr(n) for n in entered_by_code)}",
            tuple(entered_by_code)))
    return findings


def _conditional_routes(definition: Any) -> list[CheckFinding]:
    """A note per expression route: where it can lead (the step names it can give), or that it names none."""
    routes = component_module("FlowController", "flow_routes")
    findings = []
    for index, step in enumerate(definition.steps):
        for field in routes.ROUTE_FIELDS:
            expression = definition.expression(index, field)
            if expression is None or (field == "ontimeout" and not step.has_timeout):
                continue
            targets = routes.referenced_steps(expression, definition.names, include_keywords=True)
            leads = (f"it can lead to {', '.join(repr(t) for t in targets)}" if targets else
                     "it names no step, so any step (or the end) may follow")
            findings.append(CheckFinding(
                "note", "conditional_route",
                f"Step '{step.name}' {field} is conditional, worked out when the step is left: "
                f"={expression} ({leads})", (step.name,)))
    return findings


def _reached(definition: Any, starts: list[int]) -> set[int]:
    """The step indices reached from ``starts`` by following each step's successors (its ``then``, its
    ``ontimeout`` when it has a timeout, its ``onerror`` when it has an error route)."""
    reached: set[int] = set()
    pending: list[int | None] = list(starts)
    while pending:
        current = pending.pop()
        if current is None or current in reached:
            continue
        reached.add(current)
        pending.extend(definition.successors(current))
    return reached


def check_callbacks_file(path: Path) -> list[CheckFinding]:
    """Findings for a callbacks file: missing, not UTF-8, not compiling, misspelt or wrongly shaped callbacks."""
    try:
        text = read_utf8(path)
    except FileNotFoundError:
        return [CheckFinding("error", "callbacks_missing", f"The callbacks file {path.name} does not exist", (),
                             str(path))]
    except UnicodeDecodeError as exc:
        return [CheckFinding("error", "callbacks_encoding", f"The callbacks file is {not_utf8_message(exc)}", (),
                             str(path))]
    except OSError as exc:
        return [CheckFinding("error", "callbacks_unreadable",
                             f"The callbacks file cannot be read ({exc.strerror or exc})", (), str(path))]
    try:
        tree = ast.parse(text, filename=str(path))
        compile(tree, str(path), "exec")
    except SyntaxError as exc:
        return [CheckFinding("error", "callbacks_syntax",
                             f"The callbacks file does not compile: {exc.msg}", (), f"{path}:{exc.lineno or 0}")]
    known = tuple(component_module("FlowController", "flow_callbacks").callback_names())
    findings = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        where = f"{path}:{node.lineno}"
        if node.name in known:
            problem = _signature_problem(node)
            if problem:
                findings.append(CheckFinding("error", "callback_signature", f"{node.name}{problem}", (), where))
            continue
        suggestion = misspelt_callback(node.name, known)
        if suggestion is not None:
            findings.append(CheckFinding(
                "error", "callback_misspelt",
                f"'{node.name}' is not a FlowController callback, so it never runs; did you mean '{suggestion}'?",
                (), where))
    return findings


def misspelt_callback(name: str, known: tuple[str, ...]) -> str | None:
    """The callback ``name`` is a misspelling of (None when it is one, or is not close to any)."""
    if name in known or not name.lower().startswith("on"):
        return None
    by_lower = {callback.lower(): callback for callback in known}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    close = difflib.get_close_matches(name, known, n=1, cutoff=MISSPELLING_CUTOFF)
    return close[0] if close else None


def _signature_problem(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """Why a callback function cannot be called with one info dict ('' when it can)."""
    if isinstance(node, ast.AsyncFunctionDef):
        return " is async; callbacks are plain functions (start async work with op.TDAsyncIO.Run)"
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    required = len(positional) - len(args.defaults)
    if required > 1:
        return f" takes {required} arguments; callbacks get one, the info dict: def {node.name}(info)"
    if not positional and args.vararg is None:
        return f" takes no argument; callbacks get one, the info dict: def {node.name}(info)"
    return ""


def format_findings(flow: FlowFile, findings: list[CheckFinding]) -> str:
    """The report ``lopflow check`` prints: one line per finding, then a verdict line."""
    lines = [f"{finding.where or flow.path}: {finding.severity}: {finding.message} [{finding.code}]"
             for finding in findings]
    errors = sum(1 for finding in findings if finding.is_error)
    warnings = sum(1 for finding in findings if finding.severity == "warning")
    steps = len(flow.steps)
    if errors:
        verdict = f"{flow.path}: {errors} error(s), {warnings} warning(s) in {steps} step(s): the flow cannot run"
    elif warnings:
        verdict = f"{flow.path}: OK with {warnings} warning(s): {steps} step(s)"
    else:
        verdict = f"{flow.path}: OK: {steps} step(s), no problems found"
    return "\n".join([*lines, verdict])
