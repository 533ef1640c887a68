"""Where a definition's steps go: route expressions, route targets and successors.

Each function takes the definition as ``flow``; ``FlowDefinition`` binds them as its methods
(``successors``, ``expression_targets``, ``_step_targets``, ...), so they read its fields directly.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flow_routes
from flow_spec import ONERROR_CONTINUE, THEN_END, THEN_NEXT
from flow_spec import THEN_KEYWORDS as RESERVED_NAMES
from flow_step_checks import Finding

if TYPE_CHECKING:
    from flow_steps import FlowDefinition, StepDef

#: The step fields that hold a route, in the order of a row.
ROUTE_FIELDS = flow_routes.ROUTE_FIELDS


def successors(flow: FlowDefinition, index: int) -> tuple[int | None, ...]:
    """Where step ``index`` can go by itself: its ``then`` target, its ``ontimeout`` target when it has a
    timeout, its ``onerror`` target when it has an error route (a step index, or None for the end of
    the flow). An expression route counts every step it names (every step when it names none)."""
    step = flow._steps[index]
    routes = flow._expressions[index]
    found: list[int | None] = []
    for position, (route_field, active, target) in enumerate((
            ("then", True, flow._targets[index]),
            ("ontimeout", step.has_timeout, flow._timeout_targets[index]),
            ("onerror", step.catches, flow._error_targets[index]))):
        if not active:
            continue
        expression = routes[position]
        if expression is None:
            if route_field != "onerror" or target is not None:
                found.append(target)
            continue
        found.extend(flow.expression_targets(index, route_field))
    return tuple(found)


def expression_targets(flow: FlowDefinition, index: int, route_field: str) -> tuple[int | None, ...]:
    """The steps (and None for the end) an expression route of step ``index`` can lead to, read from its
    string literals (``flow_routes.referenced_steps``); every step when it names none."""
    expression = flow.expression(index, route_field)
    if expression is None:
        return ()
    referenced = flow_routes.referenced_steps(expression, flow._names, include_keywords=True)
    if not referenced:
        return tuple(range(len(flow._steps)))
    targets: list[int | None] = []
    for name in referenced:
        if name == THEN_END:
            targets.append(None)
        elif name == THEN_NEXT:
            targets.append(index + 1 if index + 1 < len(flow._steps) else None)
        else:
            targets.append(flow._index[name])
    return tuple(targets)


def resolve_route(flow: FlowDefinition, raw: str, onerror: bool = False) -> str:
    raw = raw or THEN_NEXT
    if raw.lower() in RESERVED_NAMES or (onerror and raw.lower() == ONERROR_CONTINUE):
        return raw.lower()
    if flow_routes.is_expression(raw):
        return raw
    target = flow.index_of(raw)
    return flow._names[target] if target is not None else raw


def parse_routes(flow: FlowDefinition, findings: list[Finding]) -> tuple[tuple[str | None, ...], ...]:
    """Per step, its (then, ontimeout, onerror) expression texts (None: not an expression); an expression
    that does not parse is an ``invalid_route`` error."""
    return tuple(flow._parse_step_routes(i, step, findings) for i, step in enumerate(flow._steps))


def parse_step_routes(flow: FlowDefinition, i: int, step: StepDef, findings: list[Finding]) -> tuple[str | None, ...]:
    routes: list[str | None] = []
    for route_field, value in zip(ROUTE_FIELDS, (step.then, step.ontimeout, step.onerror), strict=True):
        if not flow_routes.is_expression(value):
            routes.append(None)
            continue
        try:
            route = flow_routes.parse_route(value, route_field, step.name)
        except flow_routes.RouteError as exc:
            findings.append(Finding("error", "invalid_route", f"{exc} (block {i})", (step.name,), (i,)))
            routes.append(None)
            continue
        routes.append(route.value)
    return tuple(routes)


def is_expression(flow: FlowDefinition, index: int, position: int) -> bool:
    return flow_routes.is_expression((flow._steps[index].then, flow._steps[index].ontimeout,
                                      flow._steps[index].onerror)[position])


def unknown(flow: FlowDefinition, code: str, route_field: str, i: int, raw: str) -> Finding:
    step = flow._steps[i]
    keywords = "'continue', 'next', 'end'" if route_field == "onerror" else "'next', 'end'"
    return Finding("error", code,
                   f"Step '{step.name}' (block {i}) has {route_field} '{raw}', but no step has that name; "
                   f"use {keywords} or one of: {', '.join(flow._names) or '(no steps)'}", (step.name,), (i,))


def step_targets(flow: FlowDefinition, i: int) -> tuple[tuple[int | None, int | None, int | None],
                                         tuple[Finding | None, Finding | None, Finding | None]]:
    """Step ``i``'s (then, ontimeout, onerror) targets and the ``unknown_*`` finding of each (or None)."""
    step = flow._steps[i]
    count = len(flow._steps)
    following = i + 1 if i + 1 < count else None
    then: int | None = None
    then_finding: Finding | None = None
    raw = step.then or THEN_NEXT
    if flow._is_expression(i, 0) or raw.lower() == THEN_END:
        pass
    elif raw.lower() == THEN_NEXT:
        then = following
    else:
        then = flow.index_of(raw)
        if then is None:
            then_finding = flow._unknown("unknown_then", "then", i, raw)
    timeout: int | None = None
    timeout_finding: Finding | None = None
    raw = step.ontimeout or THEN_NEXT
    if not step.has_timeout or raw.lower() == THEN_END or flow._is_expression(i, 1):
        pass
    elif raw.lower() == THEN_NEXT:
        timeout = following
    else:
        timeout = flow.index_of(raw)
        if timeout is None:
            timeout_finding = flow._unknown("unknown_ontimeout", "ontimeout", i, raw)
    error: int | None = None
    error_finding: Finding | None = None
    raw = step.onerror or ONERROR_CONTINUE
    keyword = raw.lower()
    if keyword in (ONERROR_CONTINUE, THEN_END) or flow._is_expression(i, 2):
        pass
    elif keyword == THEN_NEXT:
        error = following
    else:
        error = flow.index_of(raw)
        if error is None:
            error_finding = flow._unknown("unknown_onerror", "onerror", i, raw)
    return (then, timeout, error), (then_finding, timeout_finding, error_finding)


def resolve_all_targets(flow: FlowDefinition, findings: list[Finding]) -> None:
    per_field: tuple[list[Finding], list[Finding], list[Finding]] = ([], [], [])
    targets: tuple[list[int | None], list[int | None], list[int | None]] = ([], [], [])
    for i in range(len(flow._steps)):
        step_targets, step_findings = flow._step_targets(i)
        for position in range(3):
            targets[position].append(step_targets[position])
            finding = step_findings[position]
            if finding is not None:
                per_field[position].append(finding)
    for found in per_field:
        findings.extend(found)
    flow._targets = tuple(targets[0])
    flow._timeout_targets = tuple(targets[1])
    flow._error_targets = tuple(targets[2])
