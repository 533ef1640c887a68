"""FlowEngine: LOPflow's step state machine, free of TouchDesigner.

The FlowController extension owns one ``FlowEngine`` and forwards its promoted methods to it
(``NextStep`` -> ``next_step`` ...). Everything from outside is injected: ``now()`` (TD time in seconds,
e.g. ``absTime.seconds``), ``frame()`` (the frame number, e.g. ``absTime.frame``), the callback
``dispatcher`` (``flow_callbacks.CallbackDispatcher``), the ``id_factory`` for process ids, the frame
budget and the history size. The engine never reads the wall clock or a random source.

Statuses (``FlowStatus``, ``.label`` is FlowController's Status text)::

    NOT_SETUP "Not Setup"  no runnable definition (no steps, or error findings)
    IDLE      "Ready"      runnable, never run since the definition became runnable
    RUNNING   "Running"
    COMPLETED "Completed"  ended by the last step, a then 'end', or Finish(result_type='success')
    STOPPED   "Ready"      ended by Stop() (the Status text is "Ready", as in LOPflow)
    ERROR     "Error"      ended by Finish(result_type='error') (or a callback error, error_policy='finish')

Steps: duration 0 advances at once (queued after the step's callbacks), -1 waits (``waiting``) for
``next_step``, above 0 advances when ``tick()`` sees ``now() >= entered + duration``. ``wait_for_continue``
makes the current step wait whatever its duration (its timer and auto-advance are cancelled).

Run to completion. Every action (start, next_step, go_to_step, update, wait_for_continue, finish, stop,
timers, auto-advance, callbacks that must fire later) is an item of one FIFO queue. An API call made
while the engine is busy (inside a callback or a listener) is checked at once (misuse raises
``FlowError`` in the caller) and then queued: it runs after the current action's callbacks have all
returned, never nested. Context ``set``/``get``/``clear_context`` act at once (so ``Get`` after ``Set``
in the same callback sees the value); only their ``onContextChange`` callback is queued.

Scoping. ``next_step``, ``update`` and ``wait_for_continue`` belong to the step entry that was current
when they were called (an entry token). When they run and another entry is current, they are ignored
and recorded as ``ignored`` in the history: two ``NextStep()`` calls during one wait advance one step;
``NextStep()`` inside ``onStepEnter`` of a duration-0 step advances once (the auto-advance finds its
entry gone). Timers belong to their entry too, so a stale timer never advances a later step.
``finish``, ``stop`` and ``go_to_step`` belong to the run (process) they were called in.

Frame budget. At most ``max_transitions_per_frame`` steps are entered per frame. When the budget is
spent, the rest of the queue waits for the next ``tick()`` and the history records a ``runaway`` event
with the names of the steps entered in that frame. A loop of duration-0 steps never freezes TD.

Definition changes (``set_definition`` / ``load_rows``): renames are detected by block index and
recorded in ``names`` (old names keep working in ``go_to_step`` and ``then``), and ``onStepsChanged``
fires. Not running: the definition replaces the old one and the status becomes ``NOT_SETUP`` when it is
not runnable (``IDLE`` when it becomes runnable again). Running: a runnable definition replaces the
old one and the current step is found again by name (a rename included); changes to the current step
apply next time it is entered. If the current step was deleted, the run moves on (onStepExit reason
``removed``) to the step now at its old position, or finishes when there is none. A definition with
errors is rejected while running: the run continues untouched on the previous one.

Callback errors. A callback that raises is reported through the dispatcher's exception hooks (the
adapter shows a script error) and fires ``onError``; the run goes on (``error_policy='continue'``, the
default). With ``error_policy='finish'`` the run also finishes with result_type 'error'.

Observing. ``state`` is an immutable ``FlowState``. After every batch of actions the engine calls each
state listener with a ``StateChange(previous, current, changed)`` when something changed; ``changed``
names the ``FlowState`` fields that differ, so the adapter writes only those parameters. Event
listeners get every ``HistoryEvent`` as it is recorded. ``consume_events()`` returns, per CHOP pulse
channel (``on_start``, ``on_finish``, ``on_update``, ``on_next_step``), how many times it happened since
the previous call.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import enum
import itertools
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

import flow_callbacks
import flow_context
import flow_graph
import flow_history
import flow_names
import flow_spec
import flow_steps

EVENT_NAMES = flow_spec.EVENT_CHANNELS
STATUS_CHANNELS = flow_spec.STATUS_CHANNELS
RESULT_TYPES = ("success", "error")
ERROR_POLICIES = ("continue", "finish")
DEFAULT_MAX_TRANSITIONS = flow_spec.DEFAULT_MAX_TRANSITIONS


class FlowError(RuntimeError):
    """An API call that cannot be done now; the message says why and what to do."""


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
        return {"not_setup": "Not Setup", "idle": "Ready", "running": "Running", "completed": "Completed",
                "stopped": "Ready", "error": "Error"}[self.value]

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

    @property
    def status_label(self) -> str:
        """The Status text."""
        return self.status.label

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


@dataclass(frozen=True)
class StateChange:
    """What a state listener receives: the previous and current state and the changed field names."""

    previous: FlowState | None
    current: FlowState
    changed: frozenset[str]


StateListener = Callable[[StateChange], None]
EventListener = Callable[[flow_history.HistoryEvent], None]


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(type(a) is type(b) and a == b)
    except Exception:  # values whose == fails or is ambiguous count as changed
        return False


@dataclass
class _Entry:
    """One stay in one step (entering the same step twice makes two entries)."""

    token: int
    index: int
    step: flow_steps.StepDef
    entered_at: float
    deadline: float | None
    waiting: bool
    step_data: Any = None
    timer_fired: bool = False


@dataclass
class _Action:
    kind: str
    run: Callable[[], Any]
    transitions: bool = False
    detail: dict[str, Any] = field(default_factory=dict)


def counter_ids(prefix: str = "flow") -> Callable[[], str]:
    """A process-id factory: ``flow-1``, ``flow-2``, ... (unique per factory; the adapter passes its own)."""
    numbers = itertools.count(1)
    return lambda: f"{prefix}-{next(numbers)}"


class FlowEngine:
    """The step state machine. See the module docstring for behaviour; the adapter forwards to it."""

    def __init__(
        self,
        definition: flow_steps.FlowDefinition | None = None,
        *,
        now: Callable[[], float],
        frame: Callable[[], int],
        dispatcher: flow_callbacks.CallbackDispatcher | None = None,
        id_factory: Callable[[], str] | None = None,
        max_transitions_per_frame: int = DEFAULT_MAX_TRANSITIONS,
        history_size: int = flow_spec.DEFAULT_HISTORY_SIZE,
        name_history: flow_names.NameHistory | None = None,
        error_policy: str = "continue",
        first_change_id: int = 1,
    ) -> None:
        """Create an idle engine.

        ``now``/``frame``: TD time in seconds and frame number. ``dispatcher``: runs callbacks (a bare
        one when None). ``id_factory``: returns a new unique process id per run. ``name_history``:
        renames restored from the step_name_history table. ``first_change_id``: continue context change
        ids from a stored value.
        """
        self._now = now
        self._frame = frame
        self._dispatcher = dispatcher if dispatcher is not None else flow_callbacks.CallbackDispatcher()
        self._dispatcher.add_exception_hook(self._on_callback_exception)
        self._id_factory = id_factory if id_factory is not None else counter_ids()
        self.max_transitions_per_frame = max_transitions_per_frame
        self.error_policy = error_policy
        self._history = flow_history.FlowHistory(history_size)
        self._names = name_history if name_history is not None else flow_names.NameHistory()
        self._context = flow_context.FlowContext(first_change_id)
        self._context.add_listener(self._on_context_change)
        self._silent_context = False

        self._definition: flow_steps.FlowDefinition = flow_steps.FlowDefinition([])
        self._seen_names: tuple[str, ...] = ()
        self._status = FlowStatus.NOT_SETUP
        self._entry: _Entry | None = None
        self._entry_seq = 0
        self._run_seq = 0
        self._process_id: str | None = None
        self._run_started = 0.0
        self._last_result: Any = None
        self._last_result_type: str | None = None
        self._end_progress = 0.0
        self._last_update_time: float | None = None
        self._steps_entered = 0

        self._queue: deque[_Action] = deque()
        self._busy = False
        self._budget_frame: int | None = None
        self._budget_used = 0
        self._budget_steps: list[str] = []
        self._runaway_frame: int | None = None
        self.runaways = 0

        self._event_totals = dict.fromkeys(EVENT_NAMES, 0)
        self._event_consumed = dict.fromkeys(EVENT_NAMES, 0)
        self._listeners: list[StateListener] = []
        self._event_listeners: list[EventListener] = []
        self._last_state: FlowState | None = None
        self._state_stale = False  # something was recorded since the last state notification

        if definition is not None:  # no onStepsChanged at construction: nothing changed for the user
            self._seen_names = definition.names
            self._definition = definition
            self._status = FlowStatus.IDLE if definition.is_runnable else FlowStatus.NOT_SETUP
        self._last_state = self.state

    # ================================================================== configuration
    @property
    def max_transitions_per_frame(self) -> int:
        """At most this many steps are entered per frame (at least 1)."""
        return self._max_transitions

    @max_transitions_per_frame.setter
    def max_transitions_per_frame(self, value: int) -> None:
        if isinstance(value, bool) or int(value) != value or int(value) < 1:
            raise ValueError(f"max_transitions_per_frame must be a whole number of at least 1, not {value!r}")
        self._max_transitions = int(value)

    @property
    def error_policy(self) -> str:
        """``continue`` (a callback error fires onError, the run goes on) or ``finish`` (it ends in Error)."""
        return self._error_policy

    @error_policy.setter
    def error_policy(self, value: str) -> None:
        if value not in ERROR_POLICIES:
            raise ValueError(f"error_policy must be one of {', '.join(ERROR_POLICIES)}, not {value!r}")
        self._error_policy = value

    @property
    def history_size(self) -> int:
        """How many history events are kept (changeable while running)."""
        return self._history.size

    @history_size.setter
    def history_size(self, value: int) -> None:
        self._history.size = value

    # ================================================================== read-only state
    @property
    def dispatcher(self) -> flow_callbacks.CallbackDispatcher:
        """The callback dispatcher (``assign`` = AssignCallback)."""
        return self._dispatcher

    @property
    def definition(self) -> flow_steps.FlowDefinition:
        """The definition the engine runs on."""
        return self._definition

    @property
    def context(self) -> flow_context.FlowContext:
        """The per-run context (changes made on it directly fire onContextChange too)."""
        return self._context

    @property
    def history(self) -> flow_history.FlowHistory:
        """The event history (a ring buffer)."""
        return self._history

    @property
    def names(self) -> flow_names.NameHistory:
        """The step rename history (old name -> current name)."""
        return self._names

    @property
    def status(self) -> FlowStatus:
        """The current status."""
        return self._status

    @property
    def is_running(self) -> bool:
        """True while a run is going on."""
        return self._status is FlowStatus.RUNNING

    @property
    def current_step_index(self) -> int:
        """The current step's index, -1 when not running."""
        return self._entry.index if self._entry is not None else -1

    @property
    def current_step_name(self) -> str:
        """The current step's name, '' when not running."""
        return self._entry.step.name if self._entry is not None else ""

    @property
    def current_step(self) -> flow_steps.StepDef | None:
        """The current step's definition, None when not running."""
        return self._entry.step if self._entry is not None else None

    @property
    def entry_id(self) -> int | None:
        """A token for the current step entry (changes every time a step is entered), None when not running."""
        return self._entry.token if self._entry is not None else None

    @property
    def waiting(self) -> bool:
        """True while the current step waits for next_step."""
        return self._entry is not None and self._entry.waiting

    @property
    def progress(self) -> float:
        """In [0, 1]: (current index + 1) / step count while running, 1 when completed, kept when stopped."""
        if self._status is FlowStatus.RUNNING and self._entry is not None and len(self._definition):
            return max(0.0, min(1.0, (self._entry.index + 1) / len(self._definition)))
        if self._status is FlowStatus.COMPLETED:
            return 1.0
        if self._status in (FlowStatus.STOPPED, FlowStatus.ERROR):
            return self._end_progress
        return 0.0

    @property
    def process_id(self) -> str | None:
        """The id of the current run (of the last one when not running), None before the first run."""
        return self._process_id

    @property
    def last_result(self) -> Any:
        """The result of the last run that ended (Finish's result, or onFlowFinish's returnValue)."""
        return self._last_result

    @property
    def last_result_type(self) -> str | None:
        """'success', 'error' or 'stopped' for the last run that ended; None before."""
        return self._last_result_type

    @property
    def step_data(self) -> Any:
        """The current step entry's data (WaitForContinue / Update), None when not running."""
        return self._entry.step_data if self._entry is not None else None

    @property
    def last_update_time(self) -> float | None:
        """TD time of the last Update, None before any."""
        return self._last_update_time

    @property
    def pending_actions(self) -> int:
        """How many queued actions wait (non-zero after a runaway until the next tick)."""
        return len(self._queue)

    @property
    def busy(self) -> bool:
        """True while the engine runs actions (API calls are queued)."""
        return self._busy

    @property
    def event_totals(self) -> dict[str, int]:
        """How many times each CHOP event happened since the engine was created."""
        return dict(self._event_totals)

    @property
    def state(self) -> FlowState:
        """An immutable snapshot of everything the adapter shows."""
        entry = self._entry
        return FlowState(
            status=self._status,
            process_id=self._process_id,
            step_index=entry.index if entry else -1,
            step_name=entry.step.name if entry else "",
            step_label=entry.step.label if entry else "",
            waiting=bool(entry and entry.waiting),
            progress=self.progress,
            last_result=self._last_result,
            last_result_type=self._last_result_type,
            step_data=entry.step_data if entry else None,
            steps=self._definition.names,
            labels=self._definition.labels,
            name_history=tuple(self._names.entries()),
            context_change_id=self._context.last_change_id,
            runnable=self._definition.is_runnable,
        )

    def graph(self) -> flow_graph.FlowGraph:
        """The graph of the current definition (``GetFlowGraph`` returns ``graph().as_dict()``)."""
        return flow_graph.build_graph(self._definition)

    def channel_values(self) -> list[tuple[str, float]]:
        """The always-present Script CHOP channels, consuming the event counts (call once per cook)."""
        events = self.consume_events()
        values: list[tuple[str, float]] = [(name, 1.0 if events[name] else 0.0) for name in EVENT_NAMES]
        values += [
            ("current_step", float(self.current_step_index)),
            ("max_steps", float(len(self._definition))),
            ("waiting_for_continue", 1.0 if self.waiting else 0.0),
        ]
        values += [(name, 1.0 if name == self._status.channel else 0.0) for name in STATUS_CHANNELS]
        values += [("flow_active", 1.0 if self.is_running else 0.0), ("progress", self.progress)]
        return values

    # ================================================================== listeners
    def add_listener(self, listener: StateListener) -> None:
        """Call ``listener(StateChange)`` after every batch of actions that changed the state."""
        self._listeners.append(listener)

    def remove_listener(self, listener: StateListener) -> None:
        """Stop calling ``listener``; unknown listeners are ignored."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def add_event_listener(self, listener: EventListener) -> None:
        """Call ``listener(HistoryEvent)`` for every history event as it is recorded."""
        self._event_listeners.append(listener)

    def remove_event_listener(self, listener: EventListener) -> None:
        """Stop calling ``listener``; unknown listeners are ignored."""
        if listener in self._event_listeners:
            self._event_listeners.remove(listener)

    def consume_events(self) -> dict[str, int]:
        """Per CHOP event (``on_start``, ``on_finish``, ``on_update``, ``on_next_step``): count since last call."""
        result = {name: self._event_totals[name] - self._event_consumed[name] for name in EVENT_NAMES}
        self._event_consumed = dict(self._event_totals)
        return result

    # ================================================================== definition
    def load_rows(self, rows: Iterable[Any]) -> flow_steps.FlowDefinition:
        """Build a definition from ``(label, duration, then)`` rows, recording renames first, and set it.

        Renames are found against the previous rows given (by block index), so a ``then`` that still
        holds the old name resolves. Returns the new definition (read its ``findings``).
        """
        rows = list(rows)
        plain = flow_steps.FlowDefinition.from_rows(rows)
        flow_names.apply_renames(self._names, self._seen_names, plain.names)
        definition = flow_steps.FlowDefinition.from_rows(rows, self._names)
        self.set_definition(definition)
        return definition

    def set_definition(self, definition: flow_steps.FlowDefinition) -> list[tuple[str, str]]:
        """Use ``definition`` (see the module docstring for what happens while running).

        Returns the renames detected against the previous definition. Fires: onStepsChanged (when the
        steps or their findings changed).
        """
        renames = flow_names.apply_renames(self._names, self._seen_names, definition.names)
        self._seen_names = definition.names
        previous = self._definition
        unchanged = (previous.steps == definition.steps and previous.findings == definition.findings
                     and previous.history.entries() == definition.history.entries())
        rejected = self.is_running and not definition.is_runnable
        if not rejected:
            self._definition = definition
            if self.is_running:
                self._remap_current_entry(previous)
            elif not definition.is_runnable:
                self._status = FlowStatus.NOT_SETUP
            elif self._status is FlowStatus.NOT_SETUP:
                self._status = FlowStatus.IDLE
        self._record("definition_rejected" if rejected else "steps_changed", source="definition", data={
            "steps": list(definition.names), "renamed": [list(r) for r in renames],
            "findings": [f.message for f in definition.findings]})
        if not unchanged or renames or rejected:
            payload = {
                "steps": list(definition.names), "labels": list(definition.labels), "step_count": len(definition),
                "renamed": [list(r) for r in renames], "findings": [f.as_dict() for f in definition.findings],
                "runnable": definition.is_runnable, "source": "definition", "process_id": self._process_id,
            }
            self._submit(_Action("callback", lambda: self._dispatch("onStepsChanged", payload)))
        else:
            self._drain_if_idle()
        return renames

    def clear_name_history(self) -> None:
        """Forget every recorded rename (``ClearNameHistory``)."""
        self._names.clear()
        self._record("name_history_cleared", source="api")
        self._drain_if_idle()

    def _remap_current_entry(self, previous: flow_steps.FlowDefinition) -> None:
        entry = self._entry
        if entry is None:
            return
        index = self._definition.index_of(entry.step.name)
        if index is not None:
            entry.index = index
            entry.step = self._definition.steps[index]
            return
        old_index = entry.index
        entry.index = min(old_index, len(self._definition) - 1)
        token, run = entry.token, self._run_seq
        self._queue.append(_Action("removed", lambda: self._do_removed(token, run, old_index), transitions=True))

    def _do_removed(self, token: int, run: int, old_index: int) -> None:
        entry = self._entry
        if entry is None or entry.token != token or run != self._run_seq or not self.is_running:
            return
        if old_index < len(self._definition):
            self._move(entry, old_index, "definition", "goto", reason="removed")
        else:
            self._end_run(FlowStatus.COMPLETED, None, "success", "definition", reason="removed")

    # ================================================================== API
    def start(self, source: str = "api") -> None:
        """Start a new run (restarting a running one): new process id, context cleared, first step.

        Raises FlowError when the definition is not runnable. Fires: onFlowStart, onStepEnter
        (and, when restarting, onStepExit and onFlowFinish of the old run first).
        """
        if not self._definition.is_runnable:
            raise FlowError(f"Can't Start: {self._not_runnable_reason()}")
        self._submit(_Action("start", lambda: self._do_start(source), transitions=True))

    def stop(self, source: str = "api") -> None:
        """Stop the run; status STOPPED ("Ready"). Fires: onStepExit, onFlowFinish (result_type 'stopped')."""
        self._require_running("Stop")
        run = self._run_seq
        self._submit(_Action("stop", lambda: self._do_end(run, FlowStatus.STOPPED, None, "stopped", source, "stop")))

    def next_step(self, source: str = "api", entry_id: int | None = None) -> None:
        """Advance the current step entry (only that entry: see scoping). Fires: onStepExit, onNextStep,
        onStepEnter (or onFlowFinish after the last step).

        ``entry_id`` (from ``entry_id``) pins the call to an entry seen earlier; by default the current one.
        """
        entry = self._require_running("NextStep")
        token = entry.token if entry_id is None else entry_id
        self._submit(_Action("next_step", lambda: self._advance(token, source), transitions=True,
                             detail={"entry": token}))

    def wait_for_continue(self, step_data: Any = None, source: str = "api") -> None:
        """Make the current step wait for next_step, whatever its duration. Fires: onWaitForContinue."""
        entry = self._require_running("WaitForContinue")
        token = entry.token
        self._submit(_Action("wait", lambda: self._do_wait(token, step_data, source)))

    def update(self, step_data: Any = None, advance_step: bool = False, source: str = "api") -> None:
        """Give the current step new data (None keeps it) and optionally advance. Fires: onFlowUpdate
        (then onStepExit, onNextStep, onStepEnter when advance_step)."""
        entry = self._require_running("Update")
        token = entry.token
        self._submit(_Action("update", lambda: self._do_update(token, step_data, bool(advance_step), source),
                             transitions=bool(advance_step)))

    def finish(self, result: Any = None, result_type: str = "success", source: str = "api") -> None:
        """End the run: 'success' -> COMPLETED, 'error' -> ERROR. Fires: onStepExit, onFlowFinish."""
        if result_type not in RESULT_TYPES:
            raise FlowError(f"Can't Finish: result_type must be 'success' or 'error', not {result_type!r}")
        self._require_running("Finish")
        run = self._run_seq
        status = FlowStatus.COMPLETED if result_type == "success" else FlowStatus.ERROR
        self._submit(_Action("finish", lambda: self._do_end(run, status, result, result_type, source, "finish")))

    def go_to_step(self, name: str, source: str = "api") -> None:
        """Jump to the step called ``name`` (a label or an old name works too).

        Raises FlowError for an unknown name. Fires: onStepExit, onNextStep, onStepEnter.
        """
        self._require_running("GoToStep")
        if self._definition.index_of(str(name)) is None:
            raise FlowError(f"Can't GoToStep: no step named {name!r}; steps are: "
                            f"{', '.join(self._definition.names)}")
        run = self._run_seq
        self._submit(_Action("go_to_step", lambda: self._do_goto(run, str(name), source), transitions=True))

    def set(self, key: str, value: Any, source: str = "api") -> flow_context.ContextChange:
        """Set a context value now (also when not running). Fires: onContextChange."""
        return self._context.set(key, value, source)

    def get(self, key: str, default: Any = None) -> Any:
        """A context value, or ``default``."""
        return self._context.get(key, default)

    def clear_context(self, source: str = "api") -> flow_context.ContextChange:
        """Remove every context value now. Fires: onContextChange (kind 'clear')."""
        return self._context.clear(source)

    def tick(self) -> None:
        """Call once per frame: fires a due timer and continues actions deferred by the frame budget."""
        entry = self._entry
        if (self.is_running and entry is not None and entry.deadline is not None and not entry.waiting
                and not entry.timer_fired and self._now() >= entry.deadline):
            entry.timer_fired = True
            token = entry.token
            self._queue.append(_Action("timer", lambda: self._advance(token, "timer"), transitions=True,
                                       detail={"entry": token}))
        self._drain_if_idle()

    # ================================================================== checks
    def _require_running(self, method: str) -> _Entry:
        if not self.is_running or self._entry is None:
            raise FlowError(f"Can't {method}: the flow is not running (status {self._status.label}); call Start() first")
        return self._entry

    def _not_runnable_reason(self) -> str:
        if not len(self._definition):
            return "the flow has no steps; add at least one step"
        return "the steps have errors: " + "; ".join(f.message for f in self._definition.errors)

    # ================================================================== queue
    def _submit(self, action: _Action) -> None:
        self._queue.append(action)
        self._drain_if_idle()

    def _drain_if_idle(self) -> None:
        if not self._busy:
            self._drain()

    def _drain(self) -> None:
        self._busy = True
        try:
            while True:
                blocked = False
                while self._queue:
                    action = self._queue[0]
                    if action.transitions and not self._budget_left():
                        self._note_runaway()
                        blocked = True
                        break
                    self._queue.popleft()
                    try:
                        action.run()
                    except Exception as exc:  # an engine bug must never break TD's frame
                        self._dispatcher.report_exception("engine", "engine", exc)
                self._notify_state()
                if blocked or not self._queue:
                    break
        finally:
            self._busy = False

    def _budget_left(self) -> bool:
        frame = self._frame()
        if frame != self._budget_frame:
            return True
        return self._budget_used < self._max_transitions

    def _count_transition(self, name: str) -> None:
        frame = self._frame()
        if frame != self._budget_frame:
            self._budget_frame = frame
            self._budget_used = 0
            self._budget_steps = []
        self._budget_used += 1
        if name not in self._budget_steps:
            self._budget_steps.append(name)

    def _note_runaway(self) -> None:
        frame = self._frame()
        if self._runaway_frame == frame:
            return
        self._runaway_frame = frame
        self.runaways += 1
        self._record("runaway", source="engine", data={
            "transitions": self._budget_used, "limit": self._max_transitions, "steps": self._budget_steps[:50],
            "message": f"{self._budget_used} steps entered in frame {frame} (limit {self._max_transitions}); "
                       f"the rest continues next frame. Steps: {' -> '.join(self._budget_steps[:50])}"})

    def _notify_state(self) -> None:
        # Every change of state records a history event (_record), so no event since the last
        # notification means no change: an idle tick builds no FlowState.
        if not self._state_stale:
            return
        self._state_stale = False
        current = self.state
        changed = current.changed_fields(self._last_state)
        if not changed:
            return
        change = StateChange(self._last_state, current, changed)
        self._last_state = current
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception as exc:
                self._dispatcher.report_exception("stateListener", "listener", exc)

    # ================================================================== actions
    def _do_start(self, source: str) -> None:
        if not self._definition.is_runnable:
            self._ignored("start", source, "the definition is not runnable")
            return
        restarted = self.is_running
        if restarted:
            self._end_run(FlowStatus.STOPPED, None, "stopped", source, reason="restart")
        self._run_seq += 1
        self._process_id = str(self._id_factory())
        self._run_started = self._now()
        self._status = FlowStatus.RUNNING
        self._steps_entered = 0
        self._silent_context = True
        try:
            self._context.clear("start")
        finally:
            self._silent_context = False
        self._event_totals["on_start"] += 1
        self._record("flow_start", source=source, data={"restarted": restarted})
        self._dispatch("onFlowStart", {"steps": list(self._definition.names), "step_count": len(self._definition),
                                       "restarted": restarted, "source": source, "process_id": self._process_id})
        entry = self._arrive(0)
        self._announce(entry, source, previous_name="")

    def _advance(self, token: int, source: str) -> None:
        entry = self._entry
        if not self.is_running or entry is None or entry.token != token:
            self._ignored("next_step", source, "the step entry it was called for is over", token)
            return
        if source in ("auto", "timer") and entry.waiting:
            self._ignored("next_step", source, "the step waits for NextStep", token)
            return
        target = self._definition.target_of(entry.index)
        if target is None:
            self._end_run(FlowStatus.COMPLETED, None, "success", source, reason="end")
            return
        then = (entry.step.then or flow_steps.THEN_NEXT).lower()
        self._move(entry, target, source, "next" if then == flow_steps.THEN_NEXT else "jump")

    def _do_wait(self, token: int, step_data: Any, source: str) -> None:
        entry = self._entry
        if not self.is_running or entry is None or entry.token != token:
            self._ignored("wait_for_continue", source, "the step entry it was called for is over", token)
            return
        entry.waiting = True
        entry.deadline = None
        if step_data is not None:
            entry.step_data = step_data
        self._record("wait", source=source, data={"step_data": step_data})
        self._dispatch("onWaitForContinue", {**self._step_payload(entry), "source": source,
                                             "process_id": self._process_id})

    def _do_update(self, token: int, step_data: Any, advance: bool, source: str) -> None:
        entry = self._entry
        if not self.is_running or entry is None or entry.token != token:
            self._ignored("update", source, "the step entry it was called for is over", token)
            return
        if step_data is not None:
            entry.step_data = step_data
        self._last_update_time = self._now()
        self._event_totals["on_update"] += 1
        self._record("update", source=source, data={"step_data": step_data, "advance_step": advance})
        self._dispatch("onFlowUpdate", {
            "step_index": entry.index, "step_name": entry.step.name, "step_label": entry.step.label,
            "step_data": entry.step_data, "advance_step": advance, "source": source,
            "process_id": self._process_id})
        if advance:
            self._advance(token, "update" if source == "api" else source)

    def _do_goto(self, run: int, name: str, source: str) -> None:
        entry = self._entry
        if not self.is_running or entry is None or run != self._run_seq:
            self._ignored("go_to_step", source, "the run it was called in is over")
            return
        target = self._definition.index_of(name)
        if target is None:
            self._ignored("go_to_step", source, f"no step named {name!r} any more")
            return
        self._move(entry, target, source, "goto")

    def _do_end(self, run: int, status: FlowStatus, result: Any, result_type: str, source: str, reason: str) -> None:
        if not self.is_running or run != self._run_seq:
            self._ignored(reason, source, "the run it was called in is over")
            return
        self._end_run(status, result, result_type, source, reason)

    # ================================================================== transitions
    def _arrive(self, index: int) -> _Entry:
        step = self._definition.steps[index]
        self._entry_seq += 1
        now = self._now()
        entry = _Entry(token=self._entry_seq, index=index, step=step, entered_at=now,
                       deadline=now + step.duration if step.kind == "timed" else None,
                       waiting=step.kind == "wait")
        self._entry = entry
        self._steps_entered += 1
        self._count_transition(step.name)
        return entry

    def _announce(self, entry: _Entry, source: str, previous_name: str) -> None:
        self._record("step_enter", source=source, data={"entry": entry.token, "type": entry.step.kind})
        self._dispatch("onStepEnter", {**self._step_payload(entry), "previous_step_name": previous_name,
                                       "source": source, "process_id": self._process_id})
        if entry is not self._entry:
            return
        if entry.waiting:
            self._record("wait", source="step", data={})
            self._dispatch("onWaitForContinue", {**self._step_payload(entry), "source": "step",
                                                 "process_id": self._process_id})
        elif entry.step.kind == "auto":
            token = entry.token
            self._queue.append(_Action("auto", lambda: self._advance(token, "auto"), transitions=True,
                                       detail={"entry": token}))

    def _move(self, entry: _Entry, target: int, source: str, transition: str, reason: str | None = None) -> None:
        next_step = self._definition.steps[target]
        self._exit(entry, source, reason or transition, next_step.name)
        new = self._arrive(target)
        self._event_totals["on_next_step"] += 1
        self._record("next_step", source=source, data={"from": entry.step.name, "transition": transition})
        self._dispatch("onNextStep", {
            "from_step_index": entry.index, "from_step_name": entry.step.name, "step_index": new.index,
            "step_name": new.step.name, "step_label": new.step.label, "transition": transition,
            "source": source, "process_id": self._process_id})
        self._announce(new, source, previous_name=entry.step.name)

    def _exit(self, entry: _Entry, source: str, reason: str, next_name: str) -> None:
        elapsed = self._now() - entry.entered_at
        self._record("step_exit", source=source, data={
            "entry": entry.token, "reason": reason, "elapsed": elapsed, "duration": entry.step.duration,
            "waiting": entry.waiting})
        self._dispatch("onStepExit", {**self._step_payload(entry), "reason": reason, "next_step_name": next_name,
                                      "elapsed": elapsed, "source": source, "process_id": self._process_id})

    def _end_run(self, status: FlowStatus, result: Any, result_type: str, source: str, reason: str) -> None:
        entry = self._entry
        if entry is not None:
            self._exit(entry, source, reason, "")
        progress = self.progress
        self._entry = None
        self._status = status
        self._end_progress = progress
        self._last_result = result
        self._last_result_type = result_type
        self._event_totals["on_finish"] += 1
        elapsed = self._now() - self._run_started
        self._record("flow_finish", source=source, data={
            "status": status.label, "result": result, "result_type": result_type, "reason": reason},
            step=entry)
        info = self._dispatch("onFlowFinish", {
            "result": result, "result_type": result_type, "status": status.label,
            "step_index": entry.index if entry else -1, "step_name": entry.step.name if entry else "",
            "elapsed": elapsed, "source": source, "process_id": self._process_id})
        if status is not FlowStatus.STOPPED and info.get("returnValue") is not None and self._status is status:
            self._last_result = info["returnValue"]

    # ================================================================== callbacks, errors, history
    def _dispatch(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._dispatcher.dispatch(name, payload)

    def _step_payload(self, entry: _Entry) -> dict[str, Any]:
        step = entry.step
        current = 0 <= entry.index < len(self._definition) and self._definition.steps[entry.index] is step
        then = self._definition.resolved_then(entry.index) if current else step.then
        return {
            "step": {"index": entry.index, "name": step.name, "label": step.label, "type": step.step_type,
                     "duration": step.duration, "then": then},
            "step_index": entry.index, "step_name": step.name, "step_type": step.step_type,
            "step_label": step.label, "step_duration": step.duration, "step_then": then,
            "step_data": entry.step_data,
        }

    def _on_context_change(self, change: flow_context.ContextChange) -> None:
        self._record("context_clear" if change.kind == "clear" else "context_set", source=change.source,
                     data={"key": change.key, "value": change.value, "change_id": change.change_id})
        if self._silent_context:
            return
        payload = {**change.payload(), "process_id": self._process_id}
        self._submit(_Action("callback", lambda: self._dispatch("onContextChange", payload)))

    def _on_callback_exception(self, callback_name: str, source: str, exc: BaseException) -> None:
        text = f"{type(exc).__name__}: {exc} (in {callback_name}, {source})"
        self._record("error", source=source, data={"callback": callback_name, "error": text})
        if callback_name == "onError":
            return
        entry = self._entry
        payload = {
            "error": text, "error_type": type(exc).__name__, "callback_name": callback_name,
            "callback_source": source, "exception": exc,
            "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
            "step_index": entry.index if entry else -1, "step_name": entry.step.name if entry else "",
            "source": source, "process_id": self._process_id,
        }
        self._queue.append(_Action("callback", lambda: self._dispatch("onError", payload)))
        if self._error_policy == "finish" and self.is_running:
            run = self._run_seq
            self._queue.append(_Action("finish", lambda: self._do_end(run, FlowStatus.ERROR, text, "error",
                                                                     "error", "finish")))
        self._drain_if_idle()

    def _ignored(self, action: str, source: str, why: str, token: int | None = None) -> None:
        self._record("ignored", source=source, data={"action": action, "reason": why, "entry": token})

    def _record(self, event: str, source: str = "", data: dict[str, Any] | None = None,
                step: _Entry | None = None) -> None:
        self._state_stale = True
        entry = step if step is not None else self._entry
        item = self._history.record(self._frame(), self._now(), self._process_id, event,
                                    entry.index if entry else -1, entry.step.name if entry else "", source, data)
        for listener in list(self._event_listeners):
            try:
                listener(item)
            except Exception as exc:
                self._dispatcher.report_exception("eventListener", "listener", exc)
