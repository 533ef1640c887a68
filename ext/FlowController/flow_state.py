"""The engine's state types: its status, the snapshot the adapter shows, and one stay in one step.

``FlowStatus`` (``.label`` is FlowController's Status text, ``.channel`` its Script CHOP channel)::

    NOT_SETUP "Not Setup"  no runnable definition (no steps, or error findings)
    IDLE      "Ready"      runnable, never run since the definition became runnable
    RUNNING   "Running"
    COMPLETED "Completed"  ended by the last step, a then 'end', or Finish(result_type='success')
    STOPPED   "Ready"      ended by Stop() (the Status text is "Ready", as in LOPflow)
    ERROR     "Error"      ended by Finish(result_type='error') (or a callback error, error_policy='finish')

A paused run keeps the status RUNNING: ``FlowState.paused`` is True and its ``status_label`` is
"Paused".

``FlowState`` is an immutable snapshot of everything the adapter shows; ``StateChange`` is what a state
listener receives. ``Entry`` is the engine's own record of one stay in one step (entering the same
step twice makes two entries, each with its own token) and of its timers. ``RestoreReport`` is what
``FlowEngine.import_run`` returns. ``FlowError`` is what API misuse raises.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import flow_history
import flow_spec
import flow_steps


class FlowError(RuntimeError):
    """An API call that cannot be done now; the message says why and what to do."""


_LABELS = {"not_setup": "Not Setup", "idle": "Ready", "running": "Running", "completed": "Completed",
           "stopped": "Ready", "error": "Error"}


class FlowStatus(enum.Enum):
    """The engine's status. ``label`` is the Status text, ``channel`` the Script CHOP status channel."""

    NOT_SETUP = "not_setup"
    IDLE = "idle"
    RUNNING = "running"
    COMPLETED = "completed"
    STOPPED = "stopped"
    ERROR = "error"

    @property
    def label(self) -> str:
        """The FlowController Status text."""
        return _LABELS[self.value]

    @property
    def channel(self) -> str:
        """The one ``status_*`` channel that is 1 in this status (Not Setup counts as idle)."""
        return "status_idle" if self is FlowStatus.NOT_SETUP else f"status_{self.value}"

    @property
    def is_final(self) -> bool:
        """True for the statuses a run ends in."""
        return self in (FlowStatus.COMPLETED, FlowStatus.STOPPED, FlowStatus.ERROR)

    def __repr__(self) -> str:
        return f"<FlowStatus.{self.name}: {self.label!r}>"


@dataclass(frozen=True)
class FlowState:
    """Everything the adapter shows, at one moment. Compare two with ``changed_fields``."""

    status: FlowStatus
    process_id: str | None
    step_index: int
    step_name: str
    step_label: str
    waiting: bool
    progress: float
    last_result: Any
    last_result_type: str | None
    step_data: Any
    steps: tuple[str, ...]
    labels: tuple[str, ...]
    name_history: tuple[tuple[str, str], ...]
    context_change_id: int
    runnable: bool
    #: True while the run is paused (the status stays RUNNING).
    paused: bool = False

    @property
    def status_label(self) -> str:
        """The Status text ("Paused" while a run is paused)."""
        return flow_spec.STATUS_PAUSED if self.paused else self.status.label

    @property
    def step_count(self) -> int:
        """How many steps the definition has (``len(steps)``)."""
        return len(self.steps)

    @property
    def is_running(self) -> bool:
        """True while a run is going on."""
        return self.status is FlowStatus.RUNNING

    def changed_fields(self, other: FlowState | None) -> frozenset[str]:
        """The names of the fields whose values differ from ``other`` (all of them when None)."""
        if other is None:
            return frozenset(_STATE_FIELDS)
        return frozenset(n for n in _STATE_FIELDS if not _same(getattr(self, n), getattr(other, n)))


#: FlowState's field names (an immutable constant, computed once).
_STATE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(FlowState))


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(type(a) is type(b) and a == b)
    except Exception:  # values whose == fails or is ambiguous count as changed
        return False


@dataclass(frozen=True)
class StateChange:
    """What a state listener receives: the previous and current state and the changed field names."""

    previous: FlowState | None
    current: FlowState
    changed: frozenset[str]


StateListener = Callable[[StateChange], None]
EventListener = Callable[[flow_history.HistoryEvent], None]


class Entry:
    """One stay in one step: its token, where it is, when it ends, whether it waits, its data.

    Timers count TD time the run was not paused: ``deadline`` (a timed step) and ``timeout_at`` (the
    watchdog) move later by the length of every pause, and an entry made while paused starts counting
    only on resume (``paused_since`` is its entry time).
    """

    __slots__ = ("token", "index", "step", "entered_at", "deadline", "timeout_at", "waiting", "step_data",
                 "timer_fired", "timeout_fired", "exited", "shown", "paused_since", "paused_total", "held", "extra")

    def __init__(self, token: int, index: int, step: flow_steps.StepDef, entered_at: float,
                 paused: bool = False) -> None:
        self.token = token
        self.index = index
        self.step = step
        self.entered_at = entered_at
        kind = step.kind
        #: TD time at which a timed step advances (None: no timer).
        self.deadline: float | None = entered_at + step.duration if kind == "timed" else None
        #: TD time at which the watchdog fires (None: no timeout).
        watchdog = step.watchdog
        self.timeout_at: float | None = None if watchdog is None else entered_at + watchdog
        self.waiting = kind == "wait"
        self.step_data: Any = None
        self.timer_fired = False
        self.timeout_fired = False
        #: True once onStepExit fired for it while the run goes on (a Stop/Finish asked inside onStepExit).
        self.exited = False
        #: The step as the callbacks show it (their ``step`` dict, ``then`` resolved); None until made.
        self.shown: dict[str, Any] | None = None
        #: TD time the current pause began for this entry (None: counting), and the paused seconds so far.
        self.paused_since: float | None = entered_at if paused else None
        self.paused_total = 0.0
        #: What was held back by a pause: 'auto', 'timer', 'timeout', 'tasks', 'signal' or 'error' (it runs
        #: on resume), else None.
        self.held: str | None = None
        #: What only some entries need (step tasks, a consumed signal, an error, a fired alert): made on first
        #: use, so a plain step costs one slot (read ``tasks``, ``signal``, ``error``, ``alert_at``).
        self.extra: EntryExtra | None = None

    def _extra(self) -> EntryExtra:
        extra = self.extra
        if extra is None:
            extra = self.extra = EntryExtra()
        return extra

    @property
    def tasks(self) -> bool:
        """True once a step task was started in this entry (leaving it cancels the unfinished ones)."""
        extra = self.extra
        return extra is not None and extra.tasks

    @tasks.setter
    def tasks(self, value: bool) -> None:
        self._extra().tasks = bool(value)

    @property
    def signal(self) -> Any:
        """The signal (``flow_signals.Signal``) this entry consumed (it leaves with it), else None."""
        extra = self.extra
        return extra.signal if extra is not None else None

    @signal.setter
    def signal(self, value: Any) -> None:
        self._extra().signal = value

    @property
    def error(self) -> dict[str, Any] | None:
        """The error that brought the run here by an error route (``{'origin', 'message', 'step'}``), or the
        error this entry leaves by while a pause holds it back; else None."""
        extra = self.extra
        return extra.error if extra is not None else None

    @error.setter
    def error(self, value: dict[str, Any] | None) -> None:
        self._extra().error = value

    @property
    def alert_at(self) -> float | None:
        """TD time at which onStepEndAlert fires: ``alert`` seconds before the deadline of a timed step with
        an alert (so pauses move it with the deadline); None when there is none or it fired."""
        lead = self.step.alert_lead
        deadline = self.deadline
        if lead is None or deadline is None or (self.extra is not None and self.extra.alert_fired):
            return None
        return deadline - lead

    @alert_at.setter
    def alert_at(self, value: float | None) -> None:
        """None marks the alert as fired; a number as still to come (it is always read from the deadline)."""
        if value is None or self.extra is not None:
            self._extra().alert_fired = value is None

    def active_elapsed(self, now: float) -> float:
        """Seconds of TD time spent in the step while the run was not paused."""
        end = self.paused_since if self.paused_since is not None else now
        return max(0.0, end - self.entered_at - self.paused_total)

    def freeze(self, now: float) -> None:
        """The run pauses: stop counting."""
        if self.paused_since is None:
            self.paused_since = now

    def thaw(self, now: float) -> None:
        """The run resumes: move the deadlines later by the pause's length and count again."""
        since = self.paused_since
        if since is None:
            return
        self.paused_since = None
        pause = max(0.0, now - since)
        self.paused_total += pause
        if self.deadline is not None:
            self.deadline += pause
        if self.timeout_at is not None:
            self.timeout_at += pause

    def set_elapsed(self, elapsed: float, now: float, paused: bool) -> None:
        """Place the entry as if ``elapsed`` active seconds had passed in it by ``now`` (for imports)."""
        self.entered_at = now - elapsed
        self.paused_total = 0.0
        self.paused_since = now if paused else None
        step = self.step
        self.deadline = self.entered_at + step.duration if step.kind == "timed" and not self.waiting else None
        self.timeout_at = self.entered_at + step.timeout if step.timeout > 0 else None

    def __repr__(self) -> str:
        return f"<Entry {self.token}: step {self.index} {self.step.name!r}{' waiting' if self.waiting else ''}>"


class EntryExtra:
    """The parts of an ``Entry`` only some entries need (see ``Entry.extra``)."""

    __slots__ = ("tasks", "signal", "error", "alert_fired")

    def __init__(self) -> None:
        self.tasks = False
        self.signal: Any = None
        self.error: dict[str, Any] | None = None
        self.alert_fired = False


@dataclass(frozen=True)
class RestoreReport:
    """What ``FlowEngine.import_run`` did: where the run is now and what could not be brought back."""

    source: str
    status: FlowStatus
    process_id: str | None
    step_name: str
    step_index: int
    waiting: bool
    paused: bool
    #: Context keys whose values could not be journaled (not JSON): they are not in the context.
    lost_keys: tuple[str, ...]
    context_keys: tuple[str, ...]
    #: What the timed step does: 'remaining', 'restart' or 'advance'.
    timed: str
    #: Seconds the timed step still has (None: not a timed step, or it waits).
    remaining: float | None = None
    #: The name the state gave when the step was found under a new name (through the rename history).
    renamed_from: str | None = None
    #: The name of the step that no longer exists (the run moves on at the next tick), else None.
    removed_step: str | None = None
    #: Step tasks that were running and cannot be resumed (a restore); a step with until = tasks then
    #: follows its error route at the next tick.
    lost_tasks: int = 0
    #: The queued signals brought back, by name.
    signals: tuple[str, ...] = ()
