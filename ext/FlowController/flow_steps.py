"""Step definitions: what a flow is made of, checked when it is built.

A flow is an ordered list of steps, each a block of FlowController's ``Step`` sequence parameter
(``Step{n}label``, ``Step{n}duration``, ``Step{n}then``, ``Step{n}timeout``, ``Step{n}ontimeout``) or a
``[[steps]]`` table of a flow file.

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

``FlowDefinition.from_rows(rows, history)`` builds a definition from ``(label, duration, then, timeout,
ontimeout)`` rows (the last fields may be left out: ``(label, duration, then)`` rows are the steps of
earlier versions; tuples, mappings with those keys, or ``StepDef``) and checks it. Every problem is a ``Finding``
(severity ``error`` or ``warning``, a ``code``, a message naming the steps, the step names and block
indices). Codes:

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
``unreachable``     warning  no path from the first step (by ``then`` or ``ontimeout``) reaches the step
                             (only ``GoToStep`` can)
``instant_loop``    warning  a loop made only of duration-0 steps with no way out: it runs until a
                             callback ends it (the frame budget keeps TD responsive)
=================== ======== ==========================================================================

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
from flow_spec import (
    DEFAULT_ONTIMEOUT,
    DEFAULT_TIMEOUT,
    DURATION_INSTANT,
    DURATION_WAIT,
    THEN_END,
    THEN_KEYWORDS,
    THEN_NEXT,
)

RESERVED_NAMES = THEN_KEYWORDS

StepKind = Literal["auto", "wait", "timed", "invalid"]
Severity = Literal["error", "warning"]


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
    """``value`` as a valid timeout (a finite number of seconds, 0 or above), or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number) or number < 0:
        return None
    return number


def _kind(duration: float) -> StepKind:
    if duration == DURATION_INSTANT:
        return "auto"
    if duration == DURATION_WAIT:
        return "wait"
    if duration > 0 and not math.isinf(duration):
        return "timed"
    return "invalid"


#: A step as a row: ``(label, duration, then, timeout, ontimeout)``.
Row = tuple[str, float, str, float, str]


@dataclass(frozen=True)
class StepDef:
    """One step: its label, its duration (0, -1 or seconds), where it goes next (``then``), and its
    watchdog: ``timeout`` seconds (0: none) after which it leaves by ``ontimeout``."""

    label: str
    duration: float = DURATION_WAIT
    then: str = THEN_NEXT
    timeout: float = DEFAULT_TIMEOUT
    ontimeout: str = DEFAULT_ONTIMEOUT
    #: The step's name: ``step_name(label)`` (computed once, as are ``kind`` and ``step_type``).
    name: str = field(init=False, repr=False, compare=False)
    #: ``auto`` (duration 0), ``wait`` (-1), ``timed`` (above 0) or ``invalid``.
    kind: StepKind = field(init=False, repr=False, compare=False)
    #: The callbacks' ``step_type``: ``wait`` for a waiting step, else ``auto``.
    step_type: str = field(init=False, repr=False, compare=False)
    #: The watchdog's seconds, None without one (the engine reads this once per step entry).
    watchdog: float | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", step_name(self.label))
        kind = _kind(self.duration)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "step_type", "wait" if kind == "wait" else "auto")
        object.__setattr__(self, "watchdog", self.timeout if self.timeout > 0 else None)

    @property
    def has_timeout(self) -> bool:
        """True when the step has a watchdog (a timeout above 0)."""
        return self.timeout > 0

    def as_row(self) -> Row:
        """The step as a ``(label, duration, then, timeout, ontimeout)`` row."""
        return (self.label, self.duration, self.then, self.timeout, self.ontimeout)


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


_ROW_DEFAULTS = (DURATION_WAIT, THEN_NEXT, DEFAULT_TIMEOUT, DEFAULT_ONTIMEOUT)


def _row_fields(row: Any) -> tuple[Any, Any, Any, Any, Any]:
    if isinstance(row, StepDef):
        return row.label, row.duration, row.then, row.timeout, row.ontimeout
    if isinstance(row, Mapping):
        return (row.get("label", ""), row.get("duration", DURATION_WAIT), row.get("then", THEN_NEXT),
                row.get("timeout", DEFAULT_TIMEOUT), row.get("ontimeout", DEFAULT_ONTIMEOUT))
    fields = tuple(row.as_row()) if hasattr(row, "as_row") else tuple(row)
    if not 1 <= len(fields) <= 5:
        raise ValueError(f"a step row has (label, duration, then, timeout, ontimeout), the last ones optional; "
                         f"got {len(fields)} fields: {row!r}")
    padded = fields + _ROW_DEFAULTS[len(fields) - 1:]
    return padded[0], padded[1], padded[2], padded[3], padded[4]


def _keyword_or_text(value: Any, default: str) -> str:
    return str(value).strip() if value is not None else default


class FlowDefinition:
    """An ordered, checked list of steps. Build it with ``from_rows``; it never changes afterwards.

    Read ``steps``, ``names``, ``findings`` (``errors`` / ``warnings``), ``is_runnable``;
    ``target_of(i)`` is where step ``i`` goes next (an index, or None for the end of the flow);
    ``index_of(name)`` finds a step by name, label or old name.
    """

    def __init__(self, steps: Sequence[StepDef], history: flow_names.NameHistory | None = None,
                 raw_durations: Sequence[Any] | None = None, raw_timeouts: Sequence[Any] | None = None) -> None:
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
        findings: list[Finding] = []
        self._targets: tuple[int | None, ...] = self._resolve_targets(findings)
        self._timeout_targets: tuple[int | None, ...] = self._resolve_timeout_targets(findings)
        self._resolved_then = tuple(self._resolve_route(s.then) for s in self._steps)
        self._resolved_ontimeout = tuple(self._resolve_route(s.ontimeout) for s in self._steps)
        self._check(findings)
        order = {"error": 0, "warning": 1}
        self._findings = tuple(sorted(findings, key=lambda f: order[f.severity]))
        # The definition never changes, so these are computed once (the engine reads them per state).
        self._labels = tuple(step.label for step in self._steps)
        self._errors = tuple(f for f in self._findings if f.severity == "error")
        self._warnings = tuple(f for f in self._findings if f.severity == "warning")
        self._loop_steps = frozenset(i for f in self._warnings if f.code == "instant_loop" for i in f.indices)

    # -- building -------------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: Iterable[Any], history: flow_names.NameHistory | None = None) -> FlowDefinition:
        """Build and check a definition from ``(label, duration, then, timeout, ontimeout)`` rows (tuples
        of 1 to 5 fields, dicts with those keys, or StepDef; missing fields take their defaults).

        ``history`` resolves old names used in ``then`` and ``ontimeout``. Durations and timeouts may be
        numbers or numeric strings; a bad one becomes an ``invalid_duration`` / ``invalid_timeout`` error
        finding (never an exception).
        """
        steps: list[StepDef] = []
        raw: list[Any] = []
        raw_timeouts: list[Any] = []
        for row in rows:
            label, duration, then, timeout, ontimeout = _row_fields(row)
            parsed = parse_duration(duration)
            raw.append(duration)
            if timeout is None or timeout == "":
                timeout = DEFAULT_TIMEOUT
            parsed_timeout = parse_timeout(timeout)
            raw_timeouts.append(timeout)
            steps.append(StepDef(
                label=str(label) if label is not None else "",
                duration=parsed if parsed is not None else math.nan,
                then=_keyword_or_text(then, THEN_NEXT),
                timeout=parsed_timeout if parsed_timeout is not None else math.nan,
                ontimeout=_keyword_or_text(ontimeout, DEFAULT_ONTIMEOUT),
            ))
        return cls(steps, history, raw, raw_timeouts)

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
        """Per step, where it goes when it advances: a step index, or None for the end of the flow."""
        return self._targets

    def target_of(self, index: int) -> int | None:
        """Where step ``index`` goes when it advances: a step index, or None for the end of the flow."""
        return self._targets[index]

    @property
    def timeout_targets(self) -> tuple[int | None, ...]:
        """Per step, where its watchdog sends it: a step index, or None for the end of the flow (also for
        a step without a timeout)."""
        return self._timeout_targets

    def successors(self, index: int) -> tuple[int | None, ...]:
        """Where step ``index`` can go by itself: its ``then`` target, then its ``ontimeout`` target when
        it has a timeout (a step index, or None for the end of the flow)."""
        if self._steps[index].has_timeout:
            return (self._targets[index], self._timeout_targets[index])
        return (self._targets[index],)

    def resolved_then(self, index: int) -> str:
        """Step ``index``'s ``then`` as it should read now: ``next``, ``end`` or a current step name."""
        return self._resolved_then[index]

    def resolved_ontimeout(self, index: int) -> str:
        """Step ``index``'s ``ontimeout`` as it should read now: ``next``, ``end`` or a current step name."""
        return self._resolved_ontimeout[index]

    def _resolve_route(self, raw: str) -> str:
        raw = raw or THEN_NEXT
        if raw.lower() in RESERVED_NAMES:
            return raw.lower()
        target = self.index_of(raw)
        return self._names[target] if target is not None else raw

    def then_menu(self) -> tuple[list[str], list[str]]:
        """Menu names and labels for every ``Step{n}then`` parameter: next, end, then every step."""
        names = [THEN_NEXT, THEN_END, *[n for n in self._names if n]]
        labels = ["Next", "End", *[s.label.strip() for s in self._steps if s.name]]
        return names, labels

    def rows(self) -> list[Row]:
        """The steps as ``(label, duration, then, timeout, ontimeout)`` rows, routes resolved to current names."""
        return [(s.label, s.duration, self._resolved_then[i], s.timeout, self._resolved_ontimeout[i])
                for i, s in enumerate(self._steps)]

    # -- checking -------------------------------------------------------------------------------------
    def _resolve_targets(self, findings: list[Finding]) -> tuple[int | None, ...]:
        targets: list[int | None] = []
        count = len(self._steps)
        for i, step in enumerate(self._steps):
            raw = step.then or THEN_NEXT
            if raw.lower() == THEN_NEXT:
                targets.append(i + 1 if i + 1 < count else None)
            elif raw.lower() == THEN_END:
                targets.append(None)
            else:
                target = self.index_of(raw)
                if target is None:
                    findings.append(Finding(
                        "error", "unknown_then",
                        f"Step '{step.name}' (block {i}) has then '{raw}', but no step has that name; "
                        f"use 'next', 'end' or one of: {', '.join(self._names) or '(no steps)'}",
                        (step.name,), (i,)))
                targets.append(target)
        return tuple(targets)

    def _resolve_timeout_targets(self, findings: list[Finding]) -> tuple[int | None, ...]:
        targets: list[int | None] = []
        count = len(self._steps)
        for i, step in enumerate(self._steps):
            raw = step.ontimeout or THEN_NEXT
            target: int | None = None
            if not step.has_timeout or raw.lower() == THEN_END:
                pass
            elif raw.lower() == THEN_NEXT:
                target = i + 1 if i + 1 < count else None
            else:
                target = self.index_of(raw)
                if target is None:
                    findings.append(Finding(
                        "error", "unknown_ontimeout",
                        f"Step '{step.name}' (block {i}) has ontimeout '{raw}', but no step has that name; "
                        f"use 'next', 'end' or one of: {', '.join(self._names) or '(no steps)'}",
                        (step.name,), (i,)))
            targets.append(target)
        return tuple(targets)

    def _check(self, findings: list[Finding]) -> None:
        if not self._steps:
            findings.append(Finding("error", "no_steps", "The flow has no steps; add at least one step"))
            return
        seen: dict[str, list[int]] = {}
        for i, step in enumerate(self._steps):
            if not step.name:
                findings.append(Finding("error", "empty_label", f"Step block {i} has an empty label; give it a name",
                                        (), (i,)))
                continue
            if step.name in RESERVED_NAMES:
                findings.append(Finding(
                    "error", "reserved_name",
                    f"Step '{step.label}' (block {i}) is named '{step.name}', which 'then' uses as a keyword; "
                    "rename the step", (step.name,), (i,)))
            seen.setdefault(step.name, []).append(i)
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
        for name, blocks in seen.items():
            if len(blocks) > 1:
                labels = ", ".join(repr(self._steps[b].label) for b in blocks)
                findings.append(Finding(
                    "error", "duplicate_name",
                    f"Steps in blocks {', '.join(map(str, blocks))} are all named '{name}' (labels {labels}); "
                    "step names must be unique", (name,), tuple(blocks)))
        self._check_reachability(findings)
        self._check_instant_loops(findings)

    def _check_reachability(self, findings: list[Finding]) -> None:
        reached: set[int] = set()
        pending: list[int | None] = [0]
        while pending:
            current = pending.pop()
            if current is None or current in reached:
                continue
            reached.add(current)
            pending.extend(self.successors(current))
        unreachable = [i for i in range(len(self._steps)) if i not in reached and self._steps[i].name]
        if unreachable:
            names = tuple(self._names[i] for i in unreachable)
            findings.append(Finding(
                "warning", "unreachable",
                f"No path from the first step reaches step{'s' if len(names) > 1 else ''} "
                f"{', '.join(repr(n) for n in names)}; only GoToStep() can enter "
                f"{'them' if len(names) > 1 else 'it'}", names, tuple(unreachable)))

    def _check_instant_loops(self, findings: list[Finding]) -> None:
        # Each step has one successor, so every walk ends at the end, in a cycle, or on a step an earlier
        # walk already explored (whose cycle, if any, was found then): each step is walked once, O(n).
        explored: set[int] = set()
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
                names = tuple(self._names[i] for i in cycle)
                findings.append(Finding(
                    "warning", "instant_loop",
                    f"Steps {' -> '.join(names)} -> {names[0]} loop with duration 0 and no way out; the flow "
                    "spins until a callback calls Finish(), Stop() or GoToStep() (give one step a duration)",
                    names, tuple(cycle)))
