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
a message naming the steps, the step names and block indices). The codes are listed in ``flow_step_checks``.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import flow_names
import flow_step_checks
import flow_step_edit
import flow_step_rows
import flow_step_targets
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
    UNTIL_SIGNAL,
    UNTIL_TASKS,
)
from flow_step_checks import Finding
from flow_step_checks import Severity as Severity
from flow_step_rows import parse_duration, parse_timeout

RESERVED_NAMES = THEN_KEYWORDS

StepKind = Literal["auto", "wait", "timed", "tasks", "signal", "invalid"]
#: The step fields that hold a route, in the order of a row.
ROUTE_FIELDS = flow_step_targets.ROUTE_FIELDS


def step_name(label: str) -> str:
    """The step name for ``label``: stripped, lowercased, whitespace runs become one underscore."""
    return "_".join(str(label).strip().lower().split())


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


def _parse_row(row: Any) -> tuple[StepDef, Any, Any, Any]:
    """A row as a StepDef, with the raw duration, timeout and alert it was given (for the messages)."""
    label, duration, then, timeout, ontimeout, until, signal, onerror, alert = flow_step_rows.row_fields(row)
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
        then=flow_step_rows.keyword_or_text(then, THEN_NEXT),
        timeout=parsed_timeout if parsed_timeout is not None else math.nan,
        ontimeout=flow_step_rows.keyword_or_text(ontimeout, DEFAULT_ONTIMEOUT),
        until=flow_step_rows.keyword_or_text(until, DEFAULT_UNTIL).lower() or DEFAULT_UNTIL,
        signal=flow_step_rows.signal_text(signal),
        onerror=flow_step_rows.keyword_or_text(onerror, DEFAULT_ONERROR),
        alert=parsed_alert if parsed_alert is not None else math.nan,
    )
    return step, duration, timeout, alert


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

    # The checks, route targets and edits live in sibling modules, bound here as methods.
    _check = flow_step_checks.check
    _duplicate = flow_step_checks.duplicate
    _check_step = flow_step_checks.check_step
    _check_until = flow_step_checks.check_until
    _check_alert = flow_step_checks.check_alert
    _check_reachability = flow_step_checks.check_reachability
    _reached = flow_step_checks.reached
    _unreached = flow_step_checks.unreached
    _unreachable_finding = flow_step_checks.unreachable_finding
    _check_instant_loops = flow_step_checks.check_instant_loops
    _instant_cycles = flow_step_checks.instant_cycles
    _loop_finding = flow_step_checks.loop_finding
    successors = flow_step_targets.successors
    expression_targets = flow_step_targets.expression_targets
    _resolve_route = flow_step_targets.resolve_route
    _parse_routes = flow_step_targets.parse_routes
    _parse_step_routes = flow_step_targets.parse_step_routes
    _is_expression = flow_step_targets.is_expression
    _unknown = flow_step_targets.unknown
    _step_targets = flow_step_targets.step_targets
    _resolve_all_targets = flow_step_targets.resolve_all_targets
    _finish = flow_step_edit.finish
    _resolved_routes = flow_step_edit.resolved_routes
    _edit_state = flow_step_edit.edit_state

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
        self._edit: flow_step_edit.EditState | None = None

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
        return flow_step_edit.with_step(self, index, step, raw_duration, raw_timeout, raw_alert, history)

    def name_count(self, name: str) -> int:
        """How many blocks are called ``name`` (O(1) once this definition was edited or asked before)."""
        return len(self._edit_state().positions.get(name, ()))

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
