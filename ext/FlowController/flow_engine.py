"""FlowEngine: LOPflow's step state machine, free of TouchDesigner.

The FlowController extension owns one ``FlowEngine`` and forwards its promoted methods to it
(``NextStep`` -> ``next_step`` ...). Everything from outside is injected: ``now()`` (TD time in seconds,
e.g. ``absTime.seconds``), ``frame()`` (the frame number), the callback ``dispatcher``
(``flow_callbacks.CallbackDispatcher``), the ``id_factory`` for process ids, the frame budget and the
history size. The engine reads no random source; its only real-time clock is ``budget_clock``
(default ``time.perf_counter``), which keeps an instant loop short in every frame.

This facade holds the API and the state the adapter reads; the work is done by modules with one job
each: ``flow_state`` (statuses, the FlowState snapshot, step entries), ``flow_queue`` (the action
queue, the frame budget, the clock), ``flow_transitions`` (the run and its moves, scoping, callback
errors), ``flow_payloads`` (callback info dicts) and ``flow_channel_layout`` (Script CHOP channels).

Steps: duration 0 advances at once (queued after the step's callbacks), -1 waits for ``next_step``,
above 0 advances when ``tick()`` sees ``now() >= entered + duration``. ``wait_for_continue`` makes the
current step wait whatever its duration.

Run to completion: every action is an item of one FIFO queue. An API call made while the engine is
busy (inside a callback or a listener) is checked at once (misuse raises ``FlowError`` in the caller)
and then queued: it runs after the current action's callbacks have all returned, never nested.
Context ``set``/``get``/``clear_context`` act at once; only their ``onContextChange`` is queued. A
``stop`` or ``finish`` asked inside ``onStepExit`` ends the run there: the next step is not entered.

Scoping: ``next_step``, ``update`` and ``wait_for_continue`` belong to the step entry current when they
were called (its token is the ``entry`` of the ``step_enter`` history event); ``finish``, ``stop`` and
``go_to_step`` to the run. When their entry or run is over they are recorded as ``ignored``: two
``NextStep()`` calls during one wait advance one step, and a stale timer never advances a later step.

Frame budget (the runaway guard): at most ``max_transitions_per_frame`` steps per frame, and an API
call or ``tick()`` that loops (enters a step of an instant loop, or one it already entered) spends at
most about ``frame_budget_ms`` on it; the rest waits for the next ``tick()`` and a ``runaway`` event
is recorded. A flow that does not loop never depends on timing.

Definition changes (``load_rows``): renames are detected by block index and kept in ``names`` (old
names keep working in ``go_to_step`` and ``then``); ``onStepsChanged`` fires. Not running, an
unrunnable definition makes the status ``NOT_SETUP``. Running, a runnable definition replaces the old
one and the current step is found again by name; if it was deleted, the run moves on (onStepExit
reason ``removed``) to the step now at its old position, or finishes. A definition with errors is
rejected while running: the run continues on the previous one.

Callback errors are reported through the dispatcher's exception hooks and fire ``onError``; the run
goes on (``error_policy='continue'``) or finishes with result_type 'error' (``'finish'``).

Observing: ``state`` is an immutable ``FlowState``. After every batch of actions each state listener
gets a ``StateChange`` naming the fields that changed (a listener added while none was there compares
with the state at that moment). Event listeners get every ``HistoryEvent`` as it is recorded.
``channel_values()`` gives the Script CHOP channels, its pulses counting events since the last call.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import flow_callbacks
import flow_channel_layout
import flow_context
import flow_graph
import flow_history
import flow_names
import flow_payloads as payloads
import flow_spec
import flow_steps
from flow_channel_layout import EVENT_NAMES, STATUS_CHANNELS
from flow_queue import Action, ActionQueue, Clock, FrameBudget
from flow_state import Entry, EventListener, FlowError, FlowState, FlowStatus, StateChange, StateListener
from flow_transitions import Transitions

__all__ = ["EVENT_NAMES", "STATUS_CHANNELS", "FlowEngine", "FlowError", "FlowState", "FlowStatus", "StateChange"]

_RESULT_TYPES = ("success", "error")
_ERROR_POLICIES = ("continue", "finish")


def _counter_ids(prefix: str = "flow") -> Callable[[], str]:
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
        max_transitions_per_frame: int = flow_spec.DEFAULT_MAX_TRANSITIONS,
        frame_budget_ms: float | None = flow_spec.DEFAULT_FRAME_BUDGET_MS,
        budget_clock: Callable[[], float] = time.perf_counter,
        history_size: int = flow_spec.DEFAULT_HISTORY_SIZE,
        name_history: flow_names.NameHistory | None = None,
        error_policy: str = "continue",
        first_change_id: int = 1,
    ) -> None:
        """Create an idle engine.

        ``now``/``frame``: TD time in seconds and frame number. ``dispatcher``: runs callbacks (a bare
        one when None). ``id_factory``: returns a new unique process id per run. ``frame_budget_ms``
        (None: no time limit) is measured with ``budget_clock``. ``name_history``: renames restored from
        the step_name_history table. ``error_policy``: 'continue' or 'finish'. ``first_change_id``:
        continue context change ids from a stored value.
        """
        if error_policy not in _ERROR_POLICIES:
            raise ValueError(f"error_policy must be one of {', '.join(_ERROR_POLICIES)}, not {error_policy!r}")
        self._dispatcher = dispatcher if dispatcher is not None else flow_callbacks.CallbackDispatcher()
        self._history = flow_history.FlowHistory(history_size)
        self._names = name_history if name_history is not None else flow_names.NameHistory()
        self._context = flow_context.FlowContext(first_change_id)
        self._clock = Clock(now, frame)
        self._budget = FrameBudget(max_transitions_per_frame, frame_budget_ms, budget_clock)
        self._queue = ActionQueue(self._clock, self._budget, on_runaway=self._on_runaway,
                                  on_error=self._on_engine_error, after_batch=self._notify_state)
        self._run = Transitions(clock=self._clock, queue=self._queue, budget=self._budget, history=self._history,
                                dispatcher=self._dispatcher, context=self._context,
                                id_factory=id_factory if id_factory is not None else _counter_ids(),
                                finish_on_error=error_policy == "finish")
        self._dispatcher.add_exception_hook(self._run.on_callback_error)
        self._context.add_listener(self._run.on_context_change)
        self._seen_names: tuple[str, ...] = ()
        self._listeners: list[StateListener] = []
        self._last_state: FlowState | None = None
        if definition is not None:  # no onStepsChanged at construction: nothing changed for the user
            self._seen_names = definition.names
            self._run.use(definition)
            self._run.status = FlowStatus.IDLE if definition.is_runnable else FlowStatus.NOT_SETUP

    # ================================================================== configuration
    @property
    def max_transitions_per_frame(self) -> int:
        """At most this many steps are entered per frame (at least 1)."""
        return self._budget.max_transitions

    @max_transitions_per_frame.setter
    def max_transitions_per_frame(self, value: int) -> None:
        self._budget.max_transitions = value

    @property
    def history_size(self) -> int:
        """How many history events are kept (changeable while running)."""
        return self._history.size

    @history_size.setter
    def history_size(self, value: int) -> None:
        self._history.size = value

    # ================================================================== read-only state
    @property
    def definition(self) -> flow_steps.FlowDefinition:
        """The definition the engine runs on."""
        return self._run.definition

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
    def is_running(self) -> bool:
        """True while a run is going on."""
        return self._run.is_running

    @property
    def current_step_index(self) -> int:
        """The current step's index, -1 when not running."""
        entry = self._run.entry
        return entry.index if entry is not None else -1

    @property
    def current_step_name(self) -> str:
        """The current step's name, '' when not running."""
        entry = self._run.entry
        return entry.step.name if entry is not None else ""

    @property
    def process_id(self) -> str | None:
        """The id of the current run (of the last one when not running), None before the first run."""
        return self._run.process_id

    @property
    def last_result(self) -> Any:
        """The result of the last run that ended (Finish's result, or onFlowFinish's returnValue)."""
        return self._run.last_result

    @property
    def last_result_type(self) -> str | None:
        """'success', 'error' or 'stopped' for the last run that ended; None before."""
        return self._run.last_result_type

    @property
    def step_data(self) -> Any:
        """The current step entry's data (WaitForContinue / Update), None when not running."""
        entry = self._run.entry
        return entry.step_data if entry is not None else None

    @property
    def last_update_time(self) -> float | None:
        """TD time of the last Update, None before any."""
        return self._run.last_update_time

    @property
    def event_totals(self) -> dict[str, int]:
        """How many times each CHOP event happened since the engine was created."""
        return dict(self._run.events.totals)

    @property
    def runaways(self) -> int:
        """How many frames spent their whole frame budget (each recorded as a ``runaway`` event)."""
        return self._budget.runaways

    @property
    def next_due(self) -> float | None:
        """When ``tick()`` next has work, in TD seconds: 0.0 while actions wait for the next frame, the
        armed timer's deadline, or None when nothing will happen without an API call (the adapter
        switches its frame callbacks off then)."""
        if self._queue.pending:
            return 0.0
        entry = self._run.entry
        if entry is None or entry.deadline is None or entry.waiting or entry.timer_fired or not self._run.is_running:
            return None
        return entry.deadline

    @property
    def state(self) -> FlowState:
        """An immutable snapshot of everything the adapter shows."""
        run = self._run
        entry = run.entry
        return FlowState(
            status=run.status, process_id=run.process_id,
            step_index=entry.index if entry else -1, step_name=entry.step.name if entry else "",
            step_label=entry.step.label if entry else "", waiting=bool(entry and entry.waiting),
            progress=run.progress(), last_result=run.last_result, last_result_type=run.last_result_type,
            step_data=entry.step_data if entry else None, steps=run.definition.names,
            labels=run.definition.labels, name_history=tuple(self._names.entries()),
            context_change_id=self._context.last_change_id, runnable=run.definition.is_runnable,
        )

    def graph(self) -> flow_graph.FlowGraph:
        """The graph of the current definition (``GetFlowGraph`` returns ``graph().as_dict()``)."""
        return flow_graph.build_graph(self._run.definition)

    def channel_values(self) -> list[tuple[str, float]]:
        """The always-present Script CHOP channels, consuming the event counts (call once per cook)."""
        run = self._run
        entry = run.entry
        return flow_channel_layout.channel_values(
            run.events.consume(), status_channel=run.status.channel, step_index=self.current_step_index,
            step_count=len(run.definition), waiting=entry is not None and entry.waiting, running=run.is_running,
            progress=run.progress())

    # ================================================================== listeners
    def add_listener(self, listener: StateListener) -> None:
        """Call ``listener(StateChange)`` after every batch of actions that changed the state."""
        if not self._listeners:
            self._last_state = self.state
        self._listeners.append(listener)

    def add_event_listener(self, listener: EventListener) -> None:
        """Call ``listener(HistoryEvent)`` for every history event as it is recorded."""
        self._run.event_listeners.append(listener)

    # ================================================================== definition
    def load_rows(self, rows: Iterable[Any]) -> flow_steps.FlowDefinition:
        """Build a definition from ``(label, duration, then)`` rows, recording renames first, and use it.

        Renames are found against the previous rows given (by block index), so a ``then`` that still
        holds the old name resolves. Returns the new definition (read its ``findings``). Fires:
        onStepsChanged (when the steps or their findings changed).
        """
        rows = list(rows)
        plain = flow_steps.FlowDefinition.from_rows(rows)
        flow_names.apply_renames(self._names, self._seen_names, plain.names)
        definition = flow_steps.FlowDefinition.from_rows(rows, self._names)
        self._set_definition(definition)
        return definition

    def clear_name_history(self) -> None:
        """Forget every recorded rename (``ClearNameHistory``)."""
        self._names.clear()
        self._run.record("name_history_cleared", "api")
        self._queue.drain()

    def _set_definition(self, definition: flow_steps.FlowDefinition) -> list[tuple[str, str]]:
        renames = flow_names.apply_renames(self._names, self._seen_names, definition.names)
        self._seen_names = definition.names
        run = self._run
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
            self._queue.append(Action("callback", False, run.fire, "onStepsChanged", payloads.steps_changed,
                                      definition, renames, run.process_id))
        self._queue.drain()
        return renames

    # ================================================================== API
    def start(self, source: str = "api", inputs: Mapping[str, Any] | None = None) -> None:
        """Start a new run (restarting a running one): new process id, context cleared, first step.

        ``inputs`` is passed to onFlowStart as its ``inputs``. Raises FlowError when the definition is
        not runnable. Fires: onFlowStart, onStepEnter (and, when restarting, onStepExit and
        onFlowFinish of the old run first).
        """
        if not self._run.definition.is_runnable:
            raise FlowError(f"Can't Start: {self._not_runnable_reason()}")
        self._queue.submit(Action("start", True, self._run.do_start, source, inputs))

    def stop(self, source: str = "api") -> None:
        """Stop the run; status STOPPED ("Ready"). Fires: onStepExit, onFlowFinish (result_type 'stopped')."""
        self._require_running("Stop")
        self._end(FlowStatus.STOPPED, None, "stopped", source, "stop")

    def next_step(self, source: str = "api", entry_id: int | None = None) -> None:
        """Advance the current step entry (only that entry: see scoping). Fires: onStepExit, onNextStep,
        onStepEnter (or onFlowFinish after the last step).

        ``entry_id`` (the ``entry`` of a ``step_enter`` history event) pins the call to that entry;
        by default the current one.
        """
        entry = self._require_running("NextStep")
        token = entry.token if entry_id is None else entry_id
        self._queue.submit(Action("next_step", True, self._run.advance, token, source))

    def wait_for_continue(self, step_data: Any = None, source: str = "api") -> None:
        """Make the current step wait for next_step, whatever its duration. Fires: onWaitForContinue."""
        entry = self._require_running("WaitForContinue")
        self._queue.submit(Action("wait", False, self._run.do_wait, entry.token, step_data, source))

    def update(self, step_data: Any = None, advance_step: bool = False, source: str = "api") -> None:
        """Give the current step new data (None keeps it) and optionally advance. Fires: onFlowUpdate
        (then onStepExit, onNextStep, onStepEnter when advance_step)."""
        entry = self._require_running("Update")
        advance = bool(advance_step)
        self._queue.submit(Action("update", advance, self._run.do_update, entry.token, step_data, advance, source))

    def finish(self, result: Any = None, result_type: str = "success", source: str = "api") -> None:
        """End the run: 'success' -> COMPLETED, 'error' -> ERROR. Fires: onStepExit, onFlowFinish."""
        if result_type not in _RESULT_TYPES:
            raise FlowError(f"Can't Finish: result_type must be 'success' or 'error', not {result_type!r}")
        self._require_running("Finish")
        status = FlowStatus.COMPLETED if result_type == "success" else FlowStatus.ERROR
        self._end(status, result, result_type, source, "finish")

    def go_to_step(self, name: str, source: str = "api") -> None:
        """Jump to the step called ``name`` (a label or an old name works too).

        Raises FlowError for an unknown name. Fires: onStepExit, onNextStep, onStepEnter.
        """
        self._require_running("GoToStep")
        if self._run.definition.index_of(str(name)) is None:
            raise FlowError(f"Can't GoToStep: no step named {name!r}; steps are: "
                            f"{', '.join(self._run.definition.names)}")
        self._queue.submit(Action("go_to_step", True, self._run.do_goto, self._run.run_seq, str(name), source))

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
        run = self._run
        entry = run.entry
        if (entry is not None and entry.deadline is not None and run.is_running and not entry.waiting
                and not entry.timer_fired and self._clock.now() >= entry.deadline):
            entry.timer_fired = True
            self._queue.append(Action("timer", True, run.advance, entry.token, "timer"))
        self._queue.drain()

    # ================================================================== internals
    def _end(self, status: FlowStatus, result: Any, result_type: str, source: str, reason: str) -> None:
        run = self._run
        if run.exiting is not None:  # asked inside onStepExit: the next step is not entered
            run.end_asked = True
        self._queue.submit(Action(reason, False, run.do_end, run.run_seq, status, result, result_type, source,
                                  reason))

    def _require_running(self, method: str) -> Entry:
        run = self._run
        entry = run.entry
        if not run.is_running or entry is None:
            raise FlowError(f"Can't {method}: the flow is not running (status {run.status.label}); "
                            "call Start() first")
        return entry

    def _not_runnable_reason(self) -> str:
        definition = self._run.definition
        if not len(definition):
            return "the flow has no steps; add at least one step"
        return "the steps have errors: " + "; ".join(f.message for f in definition.errors)

    def _notify_state(self) -> None:
        # Every change of state records a history event, so no event since the last notification
        # means no change: an idle tick builds no FlowState; nor does a change nobody listens to.
        if not self._run.changed:
            return
        self._run.changed = False
        if not self._listeners:
            return
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

    def _on_runaway(self, report: dict[str, Any]) -> None:
        self._run.record("runaway", "engine", report)

    def _on_engine_error(self, exc: BaseException) -> None:
        self._dispatcher.report_exception("engine", "engine", exc)

