"""Step definitions: what a flow is made of, checked when it is built.

A flow is an ordered list of steps, each a block of FlowController's ``Step`` sequence parameter
(``Step{n}label``, ``Step{n}duration``, ``Step{n}then``, ``Step{n}timeout``, ``Step{n}ontimeout``,
``Step{n}until``, ``Step{n}signal``, ``Step{n}onerror``, ``Step{n}alert``) or a ``[[steps]]`` table of a
flow file.

- ``step_name(label)``: a step's name is its label, stripped, lowercased, with runs of whitespace
  replaced by one underscore (``"Check  Input "`` -> ``"check_input"``). Names must be unique.
- ``duration``: ``0`` advances at once (type ``auto``), ``-1`` waits for ``NextStep()`` (type ``wait``),
  above 0 advances after that many seconds of TD time (type ``timed``). Anything else is an error.
- ``then``: ``"next"`` (the following step; from the last step: end), ``"end"`` (finish), or another
  step's name. A label (``"Check Input"``) and an old name recorded in the rename history
  (``flow_names.NameHistory``) are accepted too and resolved to the current name. An empty ``then``
  means ``"next"``.
- ``timeout`` (the watchdog): seconds a step may stay current (paused time excluded) before it leaves by
  ``ontimeout``; ``0`` means no watchdog. ``ontimeout`` takes the same values as ``then`` (default
  ``"next"``) and is only checked when the step has a timeout.
- ``until``: what ends the step. ``"duration"`` (the default: its duration, as above), ``"tasks"``
  (type ``tasks``: it leaves when every step task started in this stay has ended, see
  ``flow_step_tasks``) or ``"signal"`` (type ``signal``: it leaves when one of the names in ``signal``
  arrives, see ``flow_signals``). With ``tasks`` or ``signal`` the duration is not used; NextStep,
  GoToStep and the watchdog still move the step.
- ``signal``: the signal names (space-separated) a step with ``until = "signal"`` waits for.
- ``onerror`` (the error route): where the run goes when a callback of this step raises or one of its step
  tasks fails or times out: ``"continue"`` (the default: nothing changes), ``"end"`` (finish with
  result_type 'error'), ``"next"`` or a step name.
- ``alert``: seconds before a timed step ends at which ``onStepEndAlert`` fires (0: none).
- ``then``, ``ontimeout`` and ``onerror`` may be expressions, strings starting with ``=`` evaluated when
  the step is left (``flow_routes``): their targets are only known then (``expression(i, field)``).

``FlowDefinition.from_rows(rows, history)`` builds a definition from ``(label, duration, then, timeout,
ontimeout, until, signal, onerror, alert)`` rows (the last fields may be left out: ``(label, duration,
then)`` rows are the steps of earlier versions; tuples of 1 to 9 fields, mappings with those keys, or
``StepDef``) and checks it. Every problem is a ``Finding`` (severity ``error`` or ``warning``, a ``code``,
a message naming the steps, the step names and block indices). Codes:

=================== ======== ==========================================================================
code                severity meaning
=================== ======== ==========================================================================
``no_steps``        error    the step list is empty
``empty_label``     error    a block has no label (so no name)
``reserved_name``   error    a step is named ``next`` or ``end``, which ``then`` uses as keywords
``duplicate_name``  error    two labels give the same name
``invalid_duration`` error   duration is not a number, or is not 0, -1 or above 0
``unknown_then``    error    ``then`` names no step
``invalid_timeout`` error    timeout is not a number, or is below 0
``unknown_ontimeout`` error  a step with a timeout has an ``ontimeout`` that names no step
``invalid_until``   error    ``until`` is not ``duration``, ``tasks`` or ``signal``
``no_signal``       error    a step with ``until = signal`` names no signal
``unknown_onerror`` error    ``onerror`` names no step
``invalid_alert``   error    alert is not a number, or is below 0
``invalid_route``   error    an expression route (``=...``) that does not parse or uses a name it may not
``unreachable``     warning  no path from the first step (by ``then``, ``ontimeout`` or ``onerror``)
                             reaches the step (only ``GoToStep`` can)
``instant_loop``    warning  a loop made only of duration-0 steps with no way out: it runs until a
                             callback ends it (the frame budget keeps TD responsive)
``signal_unused``   warning  a step names signals but does not wait for them (``until`` is not signal)
``duration_unused`` warning  a step with ``until`` tasks or signal has a duration above 0 (not used)
``alert_unused``    warning  a step has an alert but is not a timed step: onStepEndAlert never fires
``alert_too_long``  warning  an alert not shorter than the step's duration: it fires at the step's
                             first frame
=================== ======== ==========================================================================

``definition.with_row(index, row, history)`` is the same definition with one block replaced, equal to
``from_rows`` of the edited rows but worked out from the old one: an edit costs O(1) in the number of
steps apart from copying plain tuples (the engine's ``load_rows`` uses it when one row changed).

A definition with errors is not runnable (``is_runnable`` is False): FlowController shows the findings
as a warning on the component and the engine keeps its status ``Not Setup`` (or, while running, keeps
running on the previous definition).

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import flow_names
import flow_routes
from flow_spec import (
    DEFAULT_ALERT,
    DEFAULT_ONERROR,
    DEFAULT_ONTIMEOUT,
    DEFAULT_TIMEOUT,
    DEFAULT_UNTIL,
    DURATION_INSTANT,
    DURATION_WAIT,
    ONERROR_CONTINUE,
    THEN_END,
    THEN_KEYWORDS,
    THEN_NEXT,
    UNTIL_DURATION,
    UNTIL_MODES,
    UNTIL_SIGNAL,
    UNTIL_TASKS,
)

RESERVED_NAMES = THEN_KEYWORDS

StepKind = Literal["auto", "wait", "timed", "tasks", "signal", "invalid"]
Severity = Literal["error", "warning"]
#: The step fields that hold a route, in the order of a row.
ROUTE_FIELDS = flow_routes.ROUTE_FIELDS


def step_name(label: str) -> str:
    """The step name for ``label``: stripped, lowercased, whitespace runs become one underscore."""
    return "_".join(str(label).strip().lower().split())


def parse_duration(value: Any) -> float | None:
    """``value`` as a valid duration (0, -1 or a finite number above 0), or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    if number == DURATION_INSTANT or number == DURATION_WAIT or number > 0:
        return number
    return None


def parse_timeout(value: Any) -> float | None:
    """``value`` as a valid timeout or alert (a finite number of seconds, 0 or above), or None when it is
    not one."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number) or number < 0:
        return None
    return number


def _kind(duration: float, until: str = UNTIL_DURATION) -> StepKind:
    if duration == DURATION_INSTANT:
        kind: StepKind = "auto"
    elif duration == DURATION_WAIT:
        kind = "wait"
    elif duration > 0 and not math.isinf(duration):
        kind = "timed"
    else:
        return "invalid"
    if until == UNTIL_TASKS:
        return "tasks"
    if until == UNTIL_SIGNAL:
        return "signal"
    return kind


#: A step as a row: ``(label, duration, then, timeout, ontimeout, until, signal, onerror, alert)``.
Row = tuple[str, float, str, float, str, str, str, str, float]


@dataclass(frozen=True)
class StepDef:
    """One step: its label, its duration (0, -1 or seconds), where it goes next (``then``), its watchdog
    (``timeout`` seconds, 0: none, after which it leaves by ``ontimeout``), what ends it (``until``:
    duration, tasks or signal; ``signal``: the names it waits for), its error route (``onerror``) and its
    end alert (``alert`` seconds before a timed step ends)."""

    label: str
    duration: float = DURATION_WAIT
    then: str = THEN_NEXT
    timeout: float = DEFAULT_TIMEOUT
    ontimeout: str = DEFAULT_ONTIMEOUT
    until: str = DEFAULT_UNTIL
    signal: str = ""
    onerror: str = DEFAULT_ONERROR
    alert: float = DEFAULT_ALERT
    #: The step's name: ``step_name(label)`` (computed once, as are the fields below).
    name: str = field(init=False, repr=False, compare=False)
    #: ``auto`` (duration 0), ``wait`` (-1), ``timed`` (above 0), ``tasks`` / ``signal`` (until), ``invalid``.
    kind: StepKind = field(init=False, repr=False, compare=False)
    #: The callbacks' ``step_type``: ``wait``, ``tasks``, ``signal``, else ``auto``.
    step_type: str = field(init=False, repr=False, compare=False)
    #: The watchdog's seconds, None without one (the engine reads this once per step entry).
    watchdog: float | None = field(init=False, repr=False, compare=False)
    #: The names a step with until = signal waits for (``()`` otherwise).
    signals: tuple[str, ...] = field(init=False, repr=False, compare=False)
    #: The alert's seconds for a timed step with an alert, else None (no onStepEndAlert).
    alert_lead: float | None = field(init=False, repr=False, compare=False)
    #: True when ``onerror`` is not ``continue``: a failure in the step may change where it goes.
    catches: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", step_name(self.label))
        until = (self.until or UNTIL_DURATION).strip().lower()
        kind = _kind(self.duration, until)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "step_type", kind if kind in ("wait", "tasks", "signal") else "auto")
        object.__setattr__(self, "watchdog", self.timeout if self.timeout > 0 else None)
        object.__setattr__(self, "signals", tuple(dict.fromkeys(str(self.signal or "").split()))
                           if kind == "signal" else ())
        alert = self.alert
        object.__setattr__(self, "alert_lead", alert if kind == "timed" and alert > 0 else None)
        onerror = (self.onerror or ONERROR_CONTINUE).strip().lower()
        object.__setattr__(self, "catches", onerror != ONERROR_CONTINUE)

    @property
    def has_timeout(self) -> bool:
        """True when the step has a watchdog (a timeout above 0)."""
        return self.timeout > 0

    def as_row(self) -> Row:
        """The step as a ``(label, duration, then, timeout, ontimeout, until, signal, onerror, alert)`` row."""
        return (self.label, self.duration, self.then, self.timeout, self.ontimeout, self.until, self.signal,
                self.onerror, self.alert)


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


_ROW_KEYS = ("label", "duration", "then", "timeout", "ontimeout", "until", "signal", "onerror", "alert")
_ROW_DEFAULTS = ("", DURATION_WAIT, THEN_NEXT, DEFAULT_TIMEOUT, DEFAULT_ONTIMEOUT, DEFAULT_UNTIL, "",
                 DEFAULT_ONERROR, DEFAULT_ALERT)


def _row_fields(row: Any) -> tuple[Any, ...]:
    """The nine fields of a row (tuple, mapping or StepDef), missing ones filled with their defaults."""
    if isinstance(row, StepDef):
        return row.as_row()
    if isinstance(row, Mapping):
        return tuple(row.get(key, default) for key, default in zip(_ROW_KEYS, _ROW_DEFAULTS, strict=True))
    fields = tuple(row.as_row()) if hasattr(row, "as_row") else tuple(row)
    if not 1 <= len(fields) <= len(_ROW_KEYS):
        raise ValueError(f"a step row has ({', '.join(_ROW_KEYS)}), all but the label optional; "
                         f"got {len(fields)} fields: {row!r}")
    return fields + _ROW_DEFAULTS[len(fields):]


def _keyword_or_text(value: Any, default: str) -> str:
    return str(value).strip() if value is not None else default


def _signal_text(value: Any) -> str:
    """A step's ``signal`` field as text: a string as it is, a list of names joined by spaces."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Iterable):
        return " ".join(str(name) for name in value)
    return str(value).strip()


def _parse_row(row: Any) -> tuple[StepDef, Any, Any, Any]:
    """A row as a StepDef, with the raw duration, timeout and alert it was given (for the messages)."""
    label, duration, then, timeout, ontimeout, until, signal, onerror, alert = _row_fields(row)
    parsed = parse_duration(duration)
    if timeout is None or timeout == "":
        timeout = DEFAULT_TIMEOUT
    parsed_timeout = parse_timeout(timeout)
    if alert is None or alert == "":
        alert = DEFAULT_ALERT
    parsed_alert = parse_timeout(alert)
    step = StepDef(
        label=str(label) if label is not None else "",
        duration=parsed if parsed is not None else math.nan,
        then=_keyword_or_text(then, THEN_NEXT),
        timeout=parsed_timeout if parsed_timeout is not None else math.nan,
        ontimeout=_keyword_or_text(ontimeout, DEFAULT_ONTIMEOUT),
        until=_keyword_or_text(until, DEFAULT_UNTIL).lower() or DEFAULT_UNTIL,
        signal=_signal_text(signal),
        onerror=_keyword_or_text(onerror, DEFAULT_ONERROR),
        alert=parsed_alert if parsed_alert is not None else math.nan,
    )
    return step, duration, timeout, alert


_UNKNOWN_CODES = ("unknown_then", "unknown_ontimeout", "unknown_onerror")


@dataclass(frozen=True)
class _EditState:
    """What ``FlowDefinition.with_row`` carries from one definition to the next (never mutated)."""

    positions: dict[str, list[int]]  # step name -> its blocks
    routes: dict[str, frozenset[int]]  # a name routes look up -> the steps whose routes look it up
    invalid_route: dict[int, tuple[Finding, ...]]
    unknown: tuple[dict[int, Finding], ...]  # per route field: block -> its unknown_* finding
    local: dict[int, tuple[Finding, ...]]  # block -> the findings about that step alone
    duplicates: dict[str, Finding]
    unreachable: tuple[int, ...]
    cycles: tuple[tuple[int, ...], ...]


def row_step(row: Any) -> StepDef:
    """One row (as ``FlowDefinition.from_rows`` takes it) as a StepDef."""
    return _parse_row(row)[0]


class FlowDefinition:
    """An ordered, checked list of steps. Build it with ``from_rows``; it never changes afterwards.

    Read ``steps``, ``names``, ``findings`` (``errors`` / ``warnings``), ``is_runnable``;
    ``target_of(i)`` is where step ``i`` goes next (an index, or None for the end of the flow);
    ``index_of(name)`` finds a step by name, label or old name; ``expression(i, field)`` is a route
    computed when the step is left.
    """

    def __init__(self, steps: Sequence[StepDef], history: flow_names.NameHistory | None = None,
                 raw_durations: Sequence[Any] | None = None, raw_timeouts: Sequence[Any] | None = None,
                 raw_alerts: Sequence[Any] | None = None) -> None:
        self._steps: tuple[StepDef, ...] = tuple(steps)
        self._history = flow_names.NameHistory(history.entries()) if history is not None else flow_names.NameHistory()
        self._names: tuple[str, ...] = tuple(step.name for step in self._steps)
        self._index: dict[str, int] = {}
        for i, name in enumerate(self._names):
            self._index.setdefault(name, i)
        self._raw_durations = tuple(raw_durations) if raw_durations is not None else tuple(
            s.duration for s in self._steps)
        self._raw_timeouts = tuple(raw_timeouts) if raw_timeouts is not None else tuple(
            s.timeout for s in self._steps)
        self._raw_alerts = tuple(raw_alerts) if raw_alerts is not None else tuple(s.alert for s in self._steps)
        findings: list[Finding] = []
        self._expressions = self._parse_routes(findings)
        #: True when some route is an expression (the engine then works routes out when a step is left).
        self.has_expressions = any(any(routes) for routes in self._expressions)
        self._targets: tuple[int | None, ...] = ()
        self._timeout_targets: tuple[int | None, ...] = ()
        self._error_targets: tuple[int | None, ...] = ()
        self._resolve_all_targets(findings)
        self._resolved_then = tuple(self._resolve_route(s.then) for s in self._steps)
        self._resolved_ontimeout = tuple(self._resolve_route(s.ontimeout) for s in self._steps)
        self._resolved_onerror = tuple(self._resolve_route(s.onerror or ONERROR_CONTINUE, onerror=True)
                                       for s in self._steps)
        self._check(findings)
        order = {"error": 0, "warning": 1}
        self._findings = tuple(sorted(findings, key=lambda f: order[f.severity]))
        # The definition never changes, so these are computed once (the engine reads them per state).
        self._labels = tuple(step.label for step in self._steps)
        self._errors = tuple(f for f in self._findings if f.severity == "error")
        self._warnings = tuple(f for f in self._findings if f.severity == "warning")
        self._loop_steps = frozenset(i for f in self._warnings if f.code == "instant_loop" for i in f.indices)
        #: How many steps had their routes and findings worked out for this definition (every step here;
        #: ``with_row`` only those the edit can affect). Tests read it to check an edit's cost.
        self.steps_checked = len(self._steps)
        self._edit: _EditState | None = None

    # -- building -------------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: Iterable[Any], history: flow_names.NameHistory | None = None) -> FlowDefinition:
        """Build and check a definition from ``(label, duration, then, timeout, ontimeout, until, signal,
        onerror, alert)`` rows (tuples of 1 to 9 fields, dicts with those keys, or StepDef; missing fields
        take their defaults).

        ``history`` resolves old names used in routes. Durations, timeouts and alerts may be numbers or
        numeric strings; a bad one becomes an ``invalid_duration`` / ``invalid_timeout`` /
        ``invalid_alert`` error finding (never an exception). ``signal`` may be a list of names.
        """
        steps: list[StepDef] = []
        raw: list[Any] = []
        raw_timeouts: list[Any] = []
        raw_alerts: list[Any] = []
        for row in rows:
            step, duration, timeout, alert = _parse_row(row)
            steps.append(step)
            raw.append(duration)
            raw_timeouts.append(timeout)
            raw_alerts.append(alert)
        return cls(steps, history, raw, raw_timeouts, raw_alerts)

    # -- editing --------------------------------------------------------------------------------------
    def with_row(self, index: int, row: Any, history: flow_names.NameHistory | None = None) -> FlowDefinition:
        """The definition with block ``index`` replaced by ``row``, equal to ``from_rows`` of the edited rows
        (same steps, targets, routes and findings, in the same order), worked out from this one.

        ``history`` is the rename history of the result (default: this definition's). Only the steps the
        edit can affect are checked again: the edited step, the steps whose routes look up its old or new
        name (or a name whose rename changed), and the duplicates of those names; reachability and instant
        loops are walked again only when some route target or the edited step's kind changed. A flow with
        expression routes (whose targets depend on every name) is rebuilt whole.
        """
        step, raw_duration, raw_timeout, raw_alert = _parse_row(row)
        history = history if history is not None else self._history
        count = len(self._steps)
        if not 0 <= index < count:
            raise IndexError(f"block {index} is not in a flow of {count} steps")
        steps = self._steps[:index] + (step,) + self._steps[index + 1:]
        durations = self._raw_durations[:index] + (raw_duration,) + self._raw_durations[index + 1:]
        timeouts = self._raw_timeouts[:index] + (raw_timeout,) + self._raw_timeouts[index + 1:]
        alerts = self._raw_alerts[:index] + (raw_alert,) + self._raw_alerts[index + 1:]
        route_findings: list[Finding] = []
        routes = self._parse_step_routes(index, step, route_findings)
        if self.has_expressions or any(routes):
            return FlowDefinition(steps, history, durations, timeouts, alerts)
        state = self._edit_state()
        new = FlowDefinition.__new__(FlowDefinition)
        new._steps = steps
        new._raw_durations, new._raw_timeouts, new._raw_alerts = durations, timeouts, alerts
        new._history = flow_names.NameHistory(history.entries())
        new._expressions = self._expressions
        new.has_expressions = False
        old_step = self._steps[index]
        old_name, name = old_step.name, step.name
        new._names = self._names[:index] + (name,) + self._names[index + 1:]
        new._labels = self._labels[:index] + (step.label,) + self._labels[index + 1:]
        # Names whose lookup may give another answer: the old and new name, and every rename that changed.
        changed: set[str] = {old_name, name} if old_name != name else set()
        positions = state.positions
        new._index = self._index
        if changed:
            positions = dict(positions)
            new._index = dict(self._index)
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
        before, after = self._history.as_dict(), new._history.as_dict()
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
        targets = [list(self._targets), list(self._timeout_targets), list(self._error_targets)]
        resolved = [list(self._resolved_then), list(self._resolved_ontimeout), list(self._resolved_onerror)]
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
            for key in self._route_keys(j) - new._route_keys(j):
                route_keys[key] = route_keys[key] - {j}
            for key in new._route_keys(j) - self._route_keys(j):
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
        moved = any(self.successors(j) != new.successors(j) for j in affected)
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
        new._edit = _EditState(positions, route_keys, invalid_route, unknown, local, duplicates, unreachable, cycles)
        return new

    def name_count(self, name: str) -> int:
        """How many blocks are called ``name`` (O(1) once this definition was edited or asked before)."""
        return len(self._edit_state().positions.get(name, ()))

    def _finish(self, findings: list[Finding]) -> None:
        order = {"error": 0, "warning": 1}
        self._findings = tuple(sorted(findings, key=lambda f: order[f.severity]))
        self._errors = tuple(f for f in self._findings if f.severity == "error")
        self._warnings = tuple(f for f in self._findings if f.severity == "warning")
        self._loop_steps = frozenset(i for f in self._warnings if f.code == "instant_loop" for i in f.indices)

    def _resolved_routes(self, step: StepDef) -> tuple[str, str, str]:
        return (self._resolve_route(step.then), self._resolve_route(step.ontimeout),
                self._resolve_route(step.onerror or ONERROR_CONTINUE, onerror=True))

    def _route_keys(self, index: int) -> frozenset[str]:
        """The names step ``index``'s routes look up (``index_of``): its route texts, their step names and
        what the rename history turns those into."""
        step = self._steps[index]
        keys: set[str] = set()
        for raw, onerror in ((step.then, False), (step.ontimeout, False), (step.onerror, True)):
            raw = raw or (ONERROR_CONTINUE if onerror else THEN_NEXT)
            keyword = raw.lower()
            if keyword in RESERVED_NAMES or (onerror and keyword == ONERROR_CONTINUE):
                continue
            for candidate in (raw, step_name(raw)):
                keys.add(candidate)
                keys.add(self._history.resolve(candidate))
        return frozenset(keys)

    def _edit_state(self) -> _EditState:
        """What ``with_row`` reuses, built once per definition from its findings (O(steps) the first time)."""
        if self._edit is not None:
            return self._edit
        positions: dict[str, list[int]] = {}
        for i, name in enumerate(self._names):
            positions.setdefault(name, []).append(i)
        route_keys: dict[str, frozenset[int]] = {}
        for i in range(len(self._steps)):
            for key in self._route_keys(i):
                route_keys[key] = route_keys.get(key, frozenset()) | {i}
        invalid_route: dict[int, tuple[Finding, ...]] = {}
        unknown: tuple[dict[int, Finding], ...] = ({}, {}, {})
        local: dict[int, tuple[Finding, ...]] = {}
        duplicates: dict[str, Finding] = {}
        unreachable: tuple[int, ...] = ()
        cycles: list[tuple[int, ...]] = []
        for finding in self._findings:
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
        self._edit = _EditState(positions, route_keys, invalid_route, unknown, local, duplicates, unreachable,
                                tuple(cycles))
        return self._edit

    # -- reading --------------------------------------------------------------------------------------
    @property
    def steps(self) -> tuple[StepDef, ...]:
        """The steps, in order."""
        return self._steps

    @property
    def names(self) -> tuple[str, ...]:
        """The step names, in order."""
        return self._names

    @property
    def labels(self) -> tuple[str, ...]:
        """The step labels, in order."""
        return self._labels

    @property
    def history(self) -> flow_names.NameHistory:
        """A copy of the rename history this definition resolves old names with."""
        return flow_names.NameHistory(self._history.entries())

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding, errors first."""
        return self._findings

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings that make the definition unrunnable."""
        return self._errors

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The findings worth showing that do not stop a run."""
        return self._warnings

    @property
    def is_runnable(self) -> bool:
        """True when there is at least one step and no error finding."""
        return bool(self._steps) and not self._errors

    def __len__(self) -> int:
        return len(self._steps)

    def __getitem__(self, index: int) -> StepDef:
        return self._steps[index]

    def __repr__(self) -> str:
        return f"FlowDefinition({list(self._names)!r}, errors={len(self.errors)}, warnings={len(self.warnings)})"

    def index_of(self, name: str) -> int | None:
        """The index of the step called ``name`` (or with that label, or that old name), else None."""
        for candidate in (name, step_name(name)):
            if candidate in self._index:
                return self._index[candidate]
        for candidate in (name, step_name(name)):
            resolved = self._history.resolve(candidate)
            if resolved in self._index:
                return self._index[resolved]
        return None

    @property
    def instant_loop_steps(self) -> frozenset[int]:
        """The indices of the steps on an ``instant_loop`` (entering one starts spinning)."""
        return self._loop_steps

    @property
    def targets(self) -> tuple[int | None, ...]:
        """Per step, where it goes when it advances: a step index, or None for the end of the flow (also
        for a ``then`` expression, whose target is only known when the step is left)."""
        return self._targets

    def target_of(self, index: int) -> int | None:
        """Where step ``index`` goes when it advances: a step index, or None for the end of the flow."""
        return self._targets[index]

    @property
    def timeout_targets(self) -> tuple[int | None, ...]:
        """Per step, where its watchdog sends it: a step index, or None for the end of the flow (also for
        a step without a timeout)."""
        return self._timeout_targets

    @property
    def error_targets(self) -> tuple[int | None, ...]:
        """Per step, where its error route leads: a step index, or None (``continue``, ``end``, the end of
        the flow, or an expression)."""
        return self._error_targets

    def expression(self, index: int, route_field: str) -> str | None:
        """Step ``index``'s ``route_field`` ('then', 'ontimeout' or 'onerror') when it is an expression
        (the text after its ``=``), else None."""
        return self._expressions[index][ROUTE_FIELDS.index(route_field)]

    def successors(self, index: int) -> tuple[int | None, ...]:
        """Where step ``index`` can go by itself: its ``then`` target, its ``ontimeout`` target when it has a
        timeout, its ``onerror`` target when it has an error route (a step index, or None for the end of
        the flow). An expression route counts every step it names (every step when it names none)."""
        step = self._steps[index]
        routes = self._expressions[index]
        found: list[int | None] = []
        for position, (route_field, active, target) in enumerate((
                ("then", True, self._targets[index]),
                ("ontimeout", step.has_timeout, self._timeout_targets[index]),
                ("onerror", step.catches, self._error_targets[index]))):
            if not active:
                continue
            expression = routes[position]
            if expression is None:
                if route_field != "onerror" or target is not None:
                    found.append(target)
                continue
            found.extend(self.expression_targets(index, route_field))
        return tuple(found)

    def expression_targets(self, index: int, route_field: str) -> tuple[int | None, ...]:
        """The steps (and None for the end) an expression route of step ``index`` can lead to, read from its
        string literals (``flow_routes.referenced_steps``); every step when it names none."""
        expression = self.expression(index, route_field)
        if expression is None:
            return ()
        referenced = flow_routes.referenced_steps(expression, self._names, include_keywords=True)
        if not referenced:
            return tuple(range(len(self._steps)))
        targets: list[int | None] = []
        for name in referenced:
            if name == THEN_END:
                targets.append(None)
            elif name == THEN_NEXT:
                targets.append(index + 1 if index + 1 < len(self._steps) else None)
            else:
                targets.append(self._index[name])
        return tuple(targets)

    def resolved_then(self, index: int) -> str:
        """Step ``index``'s ``then`` as it should read now: ``next``, ``end`` or a current step name."""
        return self._resolved_then[index]

    def resolved_ontimeout(self, index: int) -> str:
        """Step ``index``'s ``ontimeout`` as it should read now: ``next``, ``end`` or a current step name."""
        return self._resolved_ontimeout[index]

    def resolved_onerror(self, index: int) -> str:
        """Step ``index``'s ``onerror`` as it should read now: ``continue``, ``next``, ``end`` or a current
        step name."""
        return self._resolved_onerror[index]

    def _resolve_route(self, raw: str, onerror: bool = False) -> str:
        raw = raw or THEN_NEXT
        if raw.lower() in RESERVED_NAMES or (onerror and raw.lower() == ONERROR_CONTINUE):
            return raw.lower()
        if flow_routes.is_expression(raw):
            return raw
        target = self.index_of(raw)
        return self._names[target] if target is not None else raw

    def then_menu(self) -> tuple[list[str], list[str]]:
        """Menu names and labels for every ``Step{n}then`` parameter: next, end, then every step."""
        names = [THEN_NEXT, THEN_END, *[n for n in self._names if n]]
        labels = ["Next", "End", *[s.label.strip() for s in self._steps if s.name]]
        return names, labels

    def onerror_menu(self) -> tuple[list[str], list[str]]:
        """Menu names and labels for every ``Step{n}onerror`` parameter: continue, next, end, every step."""
        names, labels = self.then_menu()
        return [ONERROR_CONTINUE, *names], ["Continue", *labels]

    def rows(self) -> list[Row]:
        """The steps as ``(label, duration, then, timeout, ontimeout, until, signal, onerror, alert)`` rows,
        routes resolved to current names."""
        return [(s.label, s.duration, self._resolved_then[i], s.timeout, self._resolved_ontimeout[i], s.until,
                 s.signal, self._resolved_onerror[i], s.alert) for i, s in enumerate(self._steps)]

    # -- checking -------------------------------------------------------------------------------------
    def _parse_routes(self, findings: list[Finding]) -> tuple[tuple[str | None, ...], ...]:
        """Per step, its (then, ontimeout, onerror) expression texts (None: not an expression); an expression
        that does not parse is an ``invalid_route`` error."""
        return tuple(self._parse_step_routes(i, step, findings) for i, step in enumerate(self._steps))

    def _parse_step_routes(self, i: int, step: StepDef, findings: list[Finding]) -> tuple[str | None, ...]:
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

    def _is_expression(self, index: int, position: int) -> bool:
        return flow_routes.is_expression((self._steps[index].then, self._steps[index].ontimeout,
                                          self._steps[index].onerror)[position])

    def _unknown(self, code: str, route_field: str, i: int, raw: str) -> Finding:
        step = self._steps[i]
        keywords = "'continue', 'next', 'end'" if route_field == "onerror" else "'next', 'end'"
        return Finding("error", code,
                       f"Step '{step.name}' (block {i}) has {route_field} '{raw}', but no step has that name; "
                       f"use {keywords} or one of: {', '.join(self._names) or '(no steps)'}", (step.name,), (i,))

    def _step_targets(self, i: int) -> tuple[tuple[int | None, int | None, int | None],
                                             tuple[Finding | None, Finding | None, Finding | None]]:
        """Step ``i``'s (then, ontimeout, onerror) targets and the ``unknown_*`` finding of each (or None)."""
        step = self._steps[i]
        count = len(self._steps)
        following = i + 1 if i + 1 < count else None
        then: int | None = None
        then_finding: Finding | None = None
        raw = step.then or THEN_NEXT
        if self._is_expression(i, 0) or raw.lower() == THEN_END:
            pass
        elif raw.lower() == THEN_NEXT:
            then = following
        else:
            then = self.index_of(raw)
            if then is None:
                then_finding = self._unknown("unknown_then", "then", i, raw)
        timeout: int | None = None
        timeout_finding: Finding | None = None
        raw = step.ontimeout or THEN_NEXT
        if not step.has_timeout or raw.lower() == THEN_END or self._is_expression(i, 1):
            pass
        elif raw.lower() == THEN_NEXT:
            timeout = following
        else:
            timeout = self.index_of(raw)
            if timeout is None:
                timeout_finding = self._unknown("unknown_ontimeout", "ontimeout", i, raw)
        error: int | None = None
        error_finding: Finding | None = None
        raw = step.onerror or ONERROR_CONTINUE
        keyword = raw.lower()
        if keyword in (ONERROR_CONTINUE, THEN_END) or self._is_expression(i, 2):
            pass
        elif keyword == THEN_NEXT:
            error = following
        else:
            error = self.index_of(raw)
            if error is None:
                error_finding = self._unknown("unknown_onerror", "onerror", i, raw)
        return (then, timeout, error), (then_finding, timeout_finding, error_finding)

    def _resolve_all_targets(self, findings: list[Finding]) -> None:
        per_field: tuple[list[Finding], list[Finding], list[Finding]] = ([], [], [])
        targets: tuple[list[int | None], list[int | None], list[int | None]] = ([], [], [])
        for i in range(len(self._steps)):
            step_targets, step_findings = self._step_targets(i)
            for position in range(3):
                targets[position].append(step_targets[position])
                finding = step_findings[position]
                if finding is not None:
                    per_field[position].append(finding)
        for found in per_field:
            findings.extend(found)
        self._targets = tuple(targets[0])
        self._timeout_targets = tuple(targets[1])
        self._error_targets = tuple(targets[2])

    def _check(self, findings: list[Finding]) -> None:
        if not self._steps:
            findings.append(Finding("error", "no_steps", "The flow has no steps; add at least one step"))
            return
        seen: dict[str, list[int]] = {}
        for i, step in enumerate(self._steps):
            self._check_step(i, step, findings)
            if step.name:
                seen.setdefault(step.name, []).append(i)
        for name, blocks in seen.items():
            if len(blocks) > 1:
                findings.append(self._duplicate(name, blocks))
        self._check_reachability(findings)
        self._check_instant_loops(findings)

    def _duplicate(self, name: str, blocks: Sequence[int]) -> Finding:
        labels = ", ".join(repr(self._steps[b].label) for b in blocks)
        return Finding("error", "duplicate_name",
                       f"Steps in blocks {', '.join(map(str, blocks))} are all named '{name}' (labels {labels}); "
                       "step names must be unique", (name,), tuple(blocks))

    def _check_step(self, i: int, step: StepDef, findings: list[Finding]) -> None:
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
                f"Step '{step.name}' (block {i}) has duration {self._raw_durations[i]!r}; use 0 (advance at "
                "once), -1 (wait for NextStep) or a number of seconds above 0", (step.name,), (i,)))
        if math.isnan(step.timeout):
            findings.append(Finding(
                "error", "invalid_timeout",
                f"Step '{step.name}' (block {i}) has timeout {self._raw_timeouts[i]!r}; use 0 (no watchdog) "
                "or a number of seconds above 0", (step.name,), (i,)))
        self._check_until(i, step, findings)
        self._check_alert(i, step, findings)

    def _check_until(self, i: int, step: StepDef, findings: list[Finding]) -> None:
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

    def _check_alert(self, i: int, step: StepDef, findings: list[Finding]) -> None:
        alert = step.alert
        where = f"Step '{step.name}' (block {i})"
        if math.isnan(alert):
            findings.append(Finding("error", "invalid_alert",
                                    f"{where} has alert {self._raw_alerts[i]!r}; use 0 (no alert) or a number of "
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

    def _check_reachability(self, findings: list[Finding]) -> None:
        finding = self._unreachable_finding(self._unreached(self._reached()))
        if finding is not None:
            findings.append(finding)

    def _reached(self) -> set[int]:
        reached: set[int] = set()
        pending: list[int | None] = [0]
        while pending:
            current = pending.pop()
            if current is None or current in reached:
                continue
            reached.add(current)
            pending.extend(self.successors(current))
        return reached

    def _unreached(self, reached: set[int]) -> list[int]:
        return [i for i in range(len(self._steps)) if i not in reached and self._steps[i].name]

    def _unreachable_finding(self, unreachable: Sequence[int]) -> Finding | None:
        if not unreachable:
            return None
        names = tuple(self._names[i] for i in unreachable)
        return Finding(
            "warning", "unreachable",
            f"No path from the first step reaches step{'s' if len(names) > 1 else ''} "
            f"{', '.join(repr(n) for n in names)}; only GoToStep() can enter "
            f"{'them' if len(names) > 1 else 'it'}", names, tuple(unreachable))

    def _check_instant_loops(self, findings: list[Finding]) -> None:
        findings.extend(self._loop_finding(cycle) for cycle in self._instant_cycles())

    def _instant_cycles(self) -> list[list[int]]:
        # Each step has one successor, so every walk ends at the end, in a cycle, or on a step an earlier
        # walk already explored (whose cycle, if any, was found then): each step is walked once, O(n).
        # A step whose then is an expression ends a walk (its target is only known when it is left).
        explored: set[int] = set()
        cycles: list[list[int]] = []
        for start in range(len(self._steps)):
            path: list[int] = []
            position: dict[int, int] = {}
            current: int | None = start
            while current is not None and current not in position and current not in explored:
                position[current] = len(path)
                path.append(current)
                current = self._targets[current]
            explored.update(path)
            if current is None or current not in position:
                continue
            cycle = path[position[current]:]
            if all(self._steps[i].kind == "auto" for i in cycle):
                cycles.append(cycle)
        return cycles

    def _loop_finding(self, cycle: Sequence[int]) -> Finding:
        names = tuple(self._names[i] for i in cycle)
        return Finding(
            "warning", "instant_loop",
            f"Steps {' -> '.join(names)} -> {names[0]} loop with duration 0 and no way out; the flow "
            "spins until a callback calls Finish(), Stop() or GoToStep() (give one step a duration)",
            names, tuple(cycle))
