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
above 0 advances when ``tick()`` sees ``now() >= entered + duration`` (give or take
``flow_spec.TIME_EPSILON``: at 20 fps a 0.1 s step lasts two frames). ``wait_for_continue`` makes the
current step wait whatever its duration. A step with a ``timeout`` (the watchdog) that is still current
that long (a waiting step included) fires onStepTimeout and leaves by its ``ontimeout`` route.

The GO guard: ``next_step`` called from outside callbacks (a pulse, a sensor script, another
extension: the engine is not dispatching) advances at most one step per frame, and with
``go_debounce`` above 0 at most one per that many seconds of TD time; ``expect`` makes it advance only
from the step it names. An ignored call returns False and leaves a history note (``ignored``; a flood
of identical notes is one event whose ``count`` grows). Called while the flow is not running it
returns False too; it never raises for that. ``go_debounce=None`` switches the guard off (programs
that drive the engine directly, such as the benchmarks).

Pause: ``pause()`` freezes timed steps and watchdogs with their remaining time (and holds duration-0
advances); ``next_step``, ``go_to_step`` and ``back`` still move, and a step entered while paused starts
its timers on ``resume()``. ``back()`` returns to the step left before the current one (repeated Back
walks further back; steps passed through at once are skipped), with source ``back``.

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

Step tasks, signals, routes, error routes and alerts (issue 13; the rules are in ``flow_transitions``):
``task_started(task_id)`` ties a task (the adapter's RunTask, on TDAsyncIO) to the current step entry
and ``task_done(task_id, status, ...)`` reports its end (a completion whose entry is over only records
``task_stale``); ``on_cancel_tasks(task_ids)`` hears which tasks to cancel when a step is left.
``signal(name, payload)`` delivers a signal: a step with until = signal takes it (one per wait, one step
per frame) or it is queued for the run. ``route_resolver(step_index, field)`` lets the adapter compute a
route when a step is left (a parameter in expression mode); flow-file routes starting with ``=`` are
evaluated the same way, with ``ctx``; onRoute has the last word. A failing callback of the step, a failed
step task or a route that cannot be followed leaves by ``onerror``. onStepEndAlert fires ``alert``
seconds before a timed step ends. Restore rules: a step with until = tasks cannot get its tasks back
(they ran in the TD session that ended): the import follows its error route at the next tick
(``continue``: it leaves by ``then``), with the lost count in the report; a step with until = signal waits
again, the journaled signal queue restored with it.

Definition changes (``load_rows``): renames are detected by block index and kept in ``names`` (old
names keep working in ``go_to_step`` and ``then``); ``onStepsChanged`` fires. Not running, an
unrunnable definition makes the status ``NOT_SETUP``. Running, a runnable definition replaces the old
one and the current step is found again by name; if it was deleted, the run moves on (onStepExit
reason ``removed``) to the step now at its old position, or finishes. A definition with errors is
rejected while running: the run continues on the previous one.

Callback errors are reported through the dispatcher's exception hooks and fire ``onError``; the run
goes on (``error_policy='continue'``) or finishes with result_type 'error' (``'finish'``).

Journal and hand-over: ``on_record`` (None by default: no record is built) hears a ``flow_journal``
record at every run start, step entry, start of waiting, context change, pause, resume and run end,
and about once per ``journal_interval`` seconds a ``timer`` record while a timer counts.
``journal_state()`` is the run in the journal's state shape (JSON only), for compaction.
``export_run()`` is the whole run position (plus the history and the queued actions, in-process only);
``import_run(state, now, timed, source)`` puts an engine there without firing onStepEnter or
onFlowStart: a re-initialised extension hands its run to the new engine this way (source
``reinit``), and a restore after a crash brings back the journaled run (source ``restore``).

Observing: ``state`` is an immutable ``FlowState``. After every batch of actions each state listener
gets a ``StateChange`` naming the fields that changed (a listener added while none was there compares
with the state at that moment). Event listeners get every ``HistoryEvent`` as it is recorded.
``channel_values()`` gives the Script CHOP channels, its pulses counting events since the last call.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import flow_callbacks
import flow_channel_layout
import flow_context
import flow_graph
import flow_history
import flow_journal
import flow_names
import flow_payloads as payloads
import flow_signals
import flow_spec
import flow_step_tasks
import flow_steps
from flow_channel_layout import EVENT_NAMES, STATUS_CHANNELS
from flow_queue import Action, ActionQueue, Clock, FrameBudget
from flow_state import (
    Entry,
    EventListener,
    FlowError,
    FlowState,
    FlowStatus,
    RestoreReport,
    StateChange,
    StateListener,
)
from flow_step_tasks import TaskOutcome
from flow_transitions import Record, Transitions, plain_id

__all__ = ["EVENT_NAMES", "STATUS_CHANNELS", "FlowEngine", "FlowError", "FlowState", "FlowStatus", "RestoreReport",
           "StateChange"]

_RESULT_TYPES = ("success", "error")
_ERROR_POLICIES = ("continue", "finish")
#: What a timed step does when a run is imported: finish its remaining time, start again, or leave at once.
TIMED_MODES = ("remaining", "restart", "advance")
IMPORT_SOURCES = ("reinit", "restore")
#: ``export_run`` keys that only make sense in the same process (live objects, engine internals).
IN_PROCESS_KEYS = ("history", "queued", "flow_status", "step_data", "last_result", "last_update_time",
                   "end_progress", "change_id", "run_seq", "entry_seq", "run_started", "steps_entered",
                   "entry_times", "paused_at", "go", "warned_keys", "step_tasks", "signals_live", "signal_state")
_EPSILON = flow_spec.TIME_EPSILON
_RUNNING = FlowStatus.RUNNING


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
        go_debounce: float | None = flow_spec.DEFAULT_GO_DEBOUNCE,
        journal_interval: float = flow_spec.JOURNAL_TIMER_INTERVAL,
    ) -> None:
        """Create an idle engine.

        ``now``/``frame``: TD time in seconds and frame number. ``dispatcher``: runs callbacks (a bare
        one when None). ``id_factory``: returns a new unique process id per run. ``frame_budget_ms``
        (None: no time limit) is measured with ``budget_clock``. ``name_history``: renames restored from
        the step_name_history table. ``error_policy``: 'continue' or 'finish'. ``first_change_id``:
        continue context change ids from a stored value. ``go_debounce``: the GO guard (see the module
        docstring; None: off). ``journal_interval``: seconds between ``timer`` journal records.
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
        #: The rows ``load_rows`` last loaded and the definition they gave (a one-block edit is applied to it).
        self._loaded_rows: tuple[list[Any], flow_steps.FlowDefinition] | None = None
        self._listeners: list[StateListener] = []
        self._last_state: FlowState | None = None
        self._go_debounce: float | None = None
        self.go_debounce = go_debounce
        self._go_frame: int | None = None  # the frame of the last advance by an outside NextStep
        self._go_time = 0.0  # its TD time
        self._note: tuple[int, dict[str, Any]] | None = None  # the newest ignored-NextStep note: (seq, data)
        self.journal_interval = float(journal_interval)
        self._timer_written = 0.0  # TD time of the last ``timer`` journal record
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
    def go_debounce(self) -> float | None:
        """The GO guard: NextStep calls from outside callbacks advance at most once per frame and, above
        0, at most once per this many seconds of TD time. None switches the guard off."""
        return self._go_debounce

    @go_debounce.setter
    def go_debounce(self, value: float | None) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not value >= 0 or value == float("inf")):
            raise ValueError(f"go_debounce must be a number of seconds, 0 or above (or None), not {value!r}")
        self._go_debounce = None if value is None else float(value)

    @property
    def on_record(self) -> Callable[[Record], None] | None:
        """The journal listener: called with every journal record (see ``flow_journal``); None: none made."""
        return self._run.on_record

    @on_record.setter
    def on_record(self, listener: Callable[[Record], None] | None) -> None:
        self._run.on_record = listener

    @property
    def on_warning(self) -> Callable[[str], None] | None:
        """Called with each warning the engine has for the user (also recorded as a ``warning`` event)."""
        return self._run.warn

    @on_warning.setter
    def on_warning(self, listener: Callable[[str], None] | None) -> None:
        self._run.warn = listener

    @property
    def on_cancel_tasks(self) -> Callable[[list[Any]], None] | None:
        """Called with the ids of the unfinished step tasks of a step being left (or of a run that ends):
        the adapter cancels them (TDAsyncIO ``CancelTask``). A listener that raises is reported."""
        return self._run.on_cancel_tasks

    @on_cancel_tasks.setter
    def on_cancel_tasks(self, listener: Callable[[list[Any]], None] | None) -> None:
        self._run.on_cancel_tasks = listener

    @property
    def route_resolver(self) -> Callable[[int, str], str | None] | None:
        """``route_resolver(step_index, field)`` (field 'then', 'ontimeout' or 'onerror'), asked when a step is
        left: a route ('next', 'end', 'continue' for onerror, or a step name) that replaces the step's own,
        or None to keep it (the adapter evaluates a parameter in expression mode). None (the default): not
        asked. It costs a call per step left, so set it only while some route needs it. An exception or an
        unknown target fires onError and the step's error route."""
        return self._run.route_resolver

    @route_resolver.setter
    def route_resolver(self, resolver: Callable[[int, str], str | None] | None) -> None:
        self._run.route_resolver = resolver

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
        """True while a run is going on (paused or not)."""
        return self._run.is_running

    @property
    def is_paused(self) -> bool:
        """True while the run is paused."""
        return self._run.paused

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
    def running_tasks(self) -> tuple[Any, ...]:
        """The ids of the current step entry's step tasks still running, in start order."""
        entry = self._run.entry
        return self._run.tasks.running(entry.token) if entry is not None else ()

    @property
    def queued_signals(self) -> dict[str, Any]:
        """The signals queued for a later step, ``{name: payload}`` in queue order (a copy)."""
        return self._run.mailbox.queued()

    @property
    def waiting_signals(self) -> tuple[str, ...]:
        """The signal names the current step waits for now (empty when it waits for none)."""
        run = self._run
        entry = run.entry
        if entry is None or run.signal_wait != entry.token:
            return ()
        return entry.step.signals

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
        run = self._run
        if self._queue.pending or run.wait_deferred:
            return 0.0
        entry = run.entry
        if entry is None or run.paused or not run.is_running:
            return None
        due = entry.deadline if not (entry.waiting or entry.timer_fired) else None
        alert_at = entry.alert_at
        if alert_at is not None and due is not None and alert_at < due:
            due = alert_at
        timeout_at = entry.timeout_at if not entry.timeout_fired else None
        if timeout_at is not None and (due is None or timeout_at < due):
            return timeout_at
        return due

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
            paused=run.paused,
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
            progress=run.progress(), paused=run.paused)

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
        """Build a definition from ``(label, duration, then, timeout, ontimeout, until, signal, onerror,
        alert)`` rows (the fields after the label may be left out; see ``FlowDefinition.from_rows``),
        recording renames first, and use it.

        Renames are found against the previous rows given (by block index), so a ``then`` that still
        holds the old name resolves. Returns the new definition (read its ``findings``). Fires:
        onStepsChanged (when the steps or their findings changed).
        """
        rows = list(rows)
        edited = self._edit_rows(rows)
        if edited is None:
            plain = flow_steps.FlowDefinition.from_rows(rows)
            flow_names.apply_renames(self._names, self._seen_names, plain.names)
            definition = flow_steps.FlowDefinition.from_rows(rows, self._names)
            self._set_definition(definition)
        else:
            definition, renames = edited
            self._set_definition(definition, renames)
        self._loaded_rows = (rows, definition)
        return definition

    def _edit_rows(self, rows: list[Any]) -> tuple[flow_steps.FlowDefinition, list[tuple[str, str]]] | None:
        """When ``rows`` differ from the rows last loaded in one block only: the last definition with that
        block replaced (``FlowDefinition.with_row``) and the rename it made, recorded first as
        ``flow_names.apply_renames`` would; else None (rebuild)."""
        if self._loaded_rows is None:
            return None
        previous, base = self._loaded_rows
        if len(previous) != len(rows) or self._seen_names is not base.names:
            return None
        if not all(type(row) is tuple or type(row) is flow_steps.StepDef for row in rows):
            return None  # a dict row may have been changed in place: compare nothing, rebuild
        changed = [i for i, (old, new) in enumerate(zip(previous, rows, strict=True)) if old != new]
        if len(changed) != 1:
            return None
        index = changed[0]
        old_name, name = base.names[index], flow_steps.row_step(rows[index]).name
        # flow_names.apply_renames for one block, without a pass over every name: a rename when the old name
        # is gone and the new one is new; then every live name is dropped from the history.
        renames: list[tuple[str, str]] = []
        if old_name and name and old_name != name and base.name_count(old_name) == 1 and not base.name_count(name):
            renames.append((old_name, name))
            self._names.record(old_name, name)
        for key in list(self._names):
            if key == name or base.name_count(key) - (key == old_name) > 0:
                self._names.forget(key)
        return base.with_row(index, rows[index], self._names), renames

    def clear_name_history(self) -> None:
        """Forget every recorded rename (``ClearNameHistory``)."""
        self._names.clear()
        self._run.record("name_history_cleared", "api")
        self._queue.drain()

    def _set_definition(self, definition: flow_steps.FlowDefinition,
                        renames: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        if renames is None:
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

    def next_step(self, expect: str | None = None, source: str = "api", entry_id: int | None = None) -> bool:
        """Advance the current step entry (only that entry: see scoping). Fires: onStepExit, onNextStep,
        onStepEnter (or onFlowFinish after the last step).

        Returns True when it advanced (or queued an advance), False when it was ignored, with a history
        note saying why: the flow is not running; ``expect`` (a step name, label or old name) is not the
        current step; or, called from outside callbacks, the GO guard (one advance per frame, and per
        ``go_debounce`` seconds). Raises FlowError only for an ``expect`` that names no step.
        ``entry_id`` (the ``entry`` of a ``step_enter`` history event) pins the call to that entry;
        by default the current one.
        """
        run = self._run
        entry = run.entry
        if run.status is not _RUNNING or entry is None:
            self._ignore_next_step(source, f"the flow is not running (status {run.status.label})")
            return False
        if expect is not None:
            wanted = run.definition.index_of(str(expect))
            if wanted is None:
                raise FlowError(f"Can't NextStep: expect={expect!r} names no step; steps are: "
                                f"{', '.join(run.definition.names)}")
            if wanted != entry.index:
                self._ignore_next_step(source, f"expected step {run.definition.names[wanted]!r}, but the current "
                                               f"step is {entry.step.name!r}")
                return False
        debounce = self._go_debounce
        if debounce is not None and not self._queue.busy:
            clock = self._clock
            frame = clock.frame_number()
            if frame == self._go_frame:
                self._ignore_next_step(source, "a NextStep already advanced the flow in this frame")
                return False
            if debounce > 0:  # TD time is read only when it matters
                now = clock.now()
                if self._go_frame is not None and now - self._go_time < debounce - _EPSILON:
                    self._ignore_next_step(source, f"within Godebounce ({debounce:g} s) of the last advance")
                    return False
                self._go_time = now
            self._go_frame = frame
        token = entry.token if entry_id is None else entry_id
        self._queue.submit(Action("next_step", True, run.advance, token, source))
        return True

    def pause(self, source: str = "api") -> None:
        """Pause the run: timed steps and watchdogs stop counting (NextStep, GoToStep and Back still move;
        a step entered while paused starts its timers on resume). Nothing happens when already paused.
        Raises FlowError when not running. Fires: onFlowPause."""
        self._require_running("Pause")
        self._queue.submit_now(Action("pause", False, self._run.do_pause, self._run.run_seq, source))

    def resume(self, source: str = "api") -> None:
        """Resume a paused run: timers count on from where they stopped, and what came due meanwhile runs.
        Nothing happens when not paused. Raises FlowError when not running. Fires: onFlowResume (then what
        the pause held back: onStepTimeout, onStepExit, onNextStep, onStepEnter)."""
        self._require_running("Resume")
        self._queue.submit_now(Action("resume", False, self._run.do_resume, self._run.run_seq, source))

    def back(self, source: str = "back") -> bool:
        """Return to the step visited before the current one in this run (repeated Back walks further
        back), with source ``back``. Returns False, with a history note, when there is no earlier step.
        Raises FlowError when not running. Fires: onStepExit, onNextStep, onStepEnter."""
        self._require_running("Back")
        run = self._run
        if not self._queue.busy and run.back_target() is None:
            run.ignored("back", source, "no earlier step in this run")
            return False
        self._queue.submit(Action("back", True, run.do_back, run.run_seq, source))
        return True

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

    def task_started(self, task_id: Any) -> int:
        """Tie the step task ``task_id`` (just submitted, e.g. to TDAsyncIO) to the current step entry and
        return that entry's id (the ``entry`` of its ``step_enter`` history event). Leaving the step
        cancels the task if it still runs (``on_cancel_tasks``); a step with until = tasks leaves when all
        its tasks have ended. Raises FlowError when not running, ValueError when ``task_id`` already runs.
        Fires nothing."""
        entry = self._require_running("RunTask")
        run = self._run
        run.tasks.started(task_id, entry.token, run.process_id or "")
        entry.tasks = True
        run.record("task_started", "task", {"task_id": plain_id(task_id), "entry": entry.token})
        if run.on_record is not None:
            run.journal_step(entry)
        self._queue.drain()
        return entry.token

    def task_done(self, task_id: Any, status: str, result: Any = None, error: Any = None) -> bool:
        """A step task ended with ``status`` ('completed', 'failed', 'timeout' or 'cancelled'), ``result``
        or ``error``. Returns False when the completion is stale (its step entry is over, it belongs to
        an earlier run, or the task is unknown): it is recorded as ``task_stale`` and never touches the
        flow. Else True: onTaskDone fires and, with until = tasks, the step leaves by ``then`` when every
        task of the entry has ended (a task that failed or timed out: by its error route, ``onerror``).
        Raises ValueError for another status. Fires: onTaskDone (then onError's and the step's moves:
        onStepExit, onNextStep, onStepEnter)."""
        run = self._run
        entry = run.entry
        current = entry.token if entry is not None and run.status is _RUNNING else None
        outcome = run.tasks.finished(task_id, status, current, run.process_id or "", error)
        if outcome is TaskOutcome.STALE or entry is None:
            run.record("task_stale", "task", {"task_id": plain_id(task_id), "status": str(status),
                                              "entry": run.tasks.entry_of(task_id)})
            self._queue.drain()
            return False
        self._queue.submit(Action("task_done", True, run.do_task_done, entry.token, task_id, str(status), result,
                                  error, outcome))
        return True

    def signal(self, name: str, payload: Any = None, source: str = "api") -> bool:
        """Send the signal ``name`` with ``payload``. Returns True when the current step (until = signal,
        waiting for ``name``) consumed it now: it leaves by ``then``, the payload in its onStepExit /
        onNextStep info (``signal``, ``signal_payload``) and in the context as ``signal.<name>``. Else False:
        it is queued for the run (the latest payload per name wins) and a later step waiting for it takes
        it when entered; or, when no run is going on, it is dropped (a history note). Signals move the flow
        at most one step per frame. Raises FlowError for a name that is empty or has spaces.
        Fires: onSignal (then onContextChange, onRoute, onStepExit, onNextStep, onStepEnter when consumed)."""
        try:
            flow_signals.validate_name(name)
        except ValueError as exc:
            raise FlowError(f"Can't Signal: {exc}") from None
        run = self._run
        entry = run.entry
        if run.status is not _RUNNING or entry is None:
            run.ignored("signal", source, f"the flow is not running (status {run.status.label})")
            self._queue.drain()
            return False
        consumed = run.mailbox.send(name, payload, source)
        signal = run.mailbox.last_consumed if consumed else flow_signals.Signal(name, payload, source)
        self._queue.submit(Action("signal", consumed, run.do_signal, entry.token, signal, consumed))
        return consumed

    def tick(self) -> None:
        """Call once per frame: fires a due alert, timer or watchdog, starts a signal wait deferred to this
        frame and continues actions deferred by the frame budget (nothing counts while paused)."""
        run = self._run
        entry = run.entry
        if run.wait_deferred and entry is not None:
            self._queue.append(Action("signal_wait", True, run.do_start_wait, run.signal_wait))
        if entry is not None and not run.paused and run.status is _RUNNING:
            deadline = entry.deadline if not (entry.waiting or entry.timer_fired) else None
            timeout_at = entry.timeout_at if not entry.timeout_fired else None
            if deadline is not None or timeout_at is not None:
                now = self._clock.now()
                due = now + _EPSILON
                lead = entry.step.alert_lead
                if lead is not None and deadline is not None and due >= deadline - lead:
                    alert_at = entry.alert_at  # None once fired
                    if alert_at is not None:
                        entry.alert_at = None
                        self._queue.append(Action("alert", False, run.do_alert, entry.token))
                if deadline is not None and due >= deadline and (timeout_at is None or deadline <= timeout_at):
                    entry.timer_fired = True
                    self._queue.append(Action("timer", True, run.advance, entry.token, "timer"))
                elif timeout_at is not None and due >= timeout_at:
                    entry.timeout_fired = True
                    self._queue.append(Action("timeout", True, run.do_timeout, entry.token))
                elif run.on_record is not None and now - self._timer_written >= self.journal_interval:
                    self._timer_written = now
                    run.emit({"k": "timer", "timer": run.timer_of(entry, now)})
        self._queue.drain()

    # ================================================================== hand-over and journal
    def journal_state(self, wall: float = 0.0) -> dict[str, Any]:
        """The run in the journal's state shape (``flow_journal.EMPTY_STATE`` keys, plus ``back``), JSON
        only: context values JSON cannot hold are left out and named in ``lost_keys``. What the journal
        writes when it compacts: give it ``wall`` (wall-clock seconds now; the engine reads no wall clock),
        e.g. ``Journal(path, lambda: engine.journal_state(time.time()), ...)``."""
        state = self._position(journal=True)
        state["wall"] = float(wall)
        return state

    def export_run(self) -> dict[str, Any]:
        """The whole run position as plain data: the journal's state shape (context values as they are,
        ``lost_keys`` naming those JSON cannot hold), plus, for a hand-over in the same process only
        (``IN_PROCESS_KEYS``), the history events, the queued actions, the step data and the engine's
        counters. ``import_run`` on another engine continues the run from it."""
        run = self._run
        entry = run.entry
        state = self._position(journal=False)
        state.update(
            history=self._history.events(), queued=self._queue.export(), flow_status=run.status.value,
            step_data=entry.step_data if entry is not None else None, last_result=run.last_result,
            last_update_time=run.last_update_time, end_progress=run.end_progress,
            change_id=self._context.last_change_id, run_seq=run.run_seq, entry_seq=run.entry_seq,
            run_started=run.run_started, steps_entered=run.steps_entered, paused_at=run.paused_at,
            go=(self._go_frame, self._go_time), warned_keys=sorted(run.warned_keys),
            step_tasks=run.tasks.snapshot(), signals_live=run.mailbox.export(keep_payloads=True),
            signal_state={"frame": run.signal_frame, "wait": run.signal_wait, "deferred": run.wait_deferred},
            entry_times=None if entry is None else {
                "entered_at": entry.entered_at, "paused_total": entry.paused_total,
                "paused_since": entry.paused_since, "deadline": entry.deadline, "timeout_at": entry.timeout_at,
                "timer_fired": entry.timer_fired, "timeout_fired": entry.timeout_fired, "held": entry.held,
                "exited": entry.exited, "alert_at": entry.alert_at, "tasks": entry.tasks, "signal": entry.signal,
                "error": entry.error})
        return state

    def import_run(self, state: Mapping[str, Any], now: float | None = None, timed: str = "remaining",
                   source: str = "reinit") -> RestoreReport:
        """Put the engine in the run position ``state`` (from ``export_run``, or a journal's
        ``read_state``) without firing onStepEnter or onFlowStart.

        ``now``: TD time now (default: the engine's clock). The step is found by name, through the rename
        history when it was renamed; when it no longer exists the run moves on at the next tick as when
        the current step is deleted (onStepExit reason 'removed'). ``timed`` ('remaining', 'restart',
        'advance'): a timed step finishes its remaining time, starts its full duration again, or leaves
        at the next tick; a watchdog counts on from its elapsed time (from 0 with 'restart'). ``source``:
        'reinit' (a re-initialised extension; an ended run is brought back as ended too) or 'restore'
        (after a crash: only a run that was going on, onto an engine with no run going on). Records a
        ``reinit`` or ``restore`` history event. Queued work runs at the next ``tick()``.

        Step tasks and signals: a re-initialised engine keeps the tasks still running and the signal queue.
        From a journal (``restore``) the queued signals come back (those whose payload JSON could not hold
        come back with payload None, named in a warning) and a step with until = signal waits again (a queued
        signal it waits for is taken at the next tick); step
        tasks cannot come back (they ran in the TD session that ended), so a step with until = tasks follows
        its error route at the next tick (``continue``: it leaves by ``then``), its error's origin
        ``restore``; the report's ``lost_tasks`` counts them. A timed step's alert counts from its remaining
        time (an alert already due fires at the next tick).

        Raises FlowError saying why when the run cannot be brought back, ValueError for a bad ``timed``
        or ``source``. Fires nothing (the removed-step rule fires its callbacks at the next tick).
        """
        if timed not in TIMED_MODES:
            raise ValueError(f"timed must be one of {', '.join(TIMED_MODES)}, not {timed!r}")
        if source not in IMPORT_SOURCES:
            raise ValueError(f"source must be one of {', '.join(IMPORT_SOURCES)}, not {source!r}")
        what = "Can't restore the run" if source == "restore" else "Can't take over the run"
        if self._queue.busy:
            raise FlowError(f"{what} inside a callback; do it from outside the flow's callbacks")
        if not isinstance(state, Mapping):
            raise FlowError(f"{what}: the state is a {type(state).__name__}, not a dict")
        run = self._run
        if source == "restore" and run.is_running:
            raise FlowError(f"{what}: a run is going on (step {self.current_step_name!r}); Stop it first")
        at = self._clock.now() if now is None else float(now)
        if state.get("status") != "running":
            if source == "restore":
                why = "its run ended" if state.get("status") == "ended" else "no run was going on"
                raise FlowError(f"{what}: the journal holds no run to restore ({why})")
            return self._import_not_running(state)
        definition = run.definition
        if not definition.is_runnable:
            raise FlowError(f"{what}: {self._not_runnable_reason()}")
        name = str(state.get("step") or "")
        if not name:
            raise FlowError(f"{what}: the state names no current step")
        index = definition.index_of(name)
        renamed_from = removed = None
        if index is not None:
            step = definition.steps[index]
            if step.name != name:
                renamed_from = name
        else:
            old_index = state.get("index")
            if isinstance(old_index, bool) or not isinstance(old_index, int) or old_index < 0:
                raise FlowError(f"{what}: its step {name!r} no longer exists and the state does not say where it was")
            removed, index = name, min(old_index, len(definition) - 1)
            step = flow_steps.StepDef(label=name)  # stands for the deleted step until the run moves on
        in_process = "queued" in state
        paused = bool(state.get("paused"))
        token = _whole(state.get("entry"), 0) or run.entry_seq + 1
        entry = Entry(token, index, step, at, paused)
        entry.waiting = bool(state.get("waiting")) or step.kind == "wait"
        entry.step_data = state.get("step_data")
        timer = state.get("timer")
        elapsed = _number(timer.get("elapsed"), 0.0) if isinstance(timer, Mapping) and timer else 0.0
        times = state.get("entry_times") if in_process else None
        if isinstance(times, Mapping) and timed == "remaining":
            for key in ("entered_at", "paused_total", "paused_since", "deadline", "timeout_at", "timer_fired",
                        "timeout_fired", "held", "exited", "alert_at", "tasks", "signal", "error"):
                setattr(entry, key, times.get(key, getattr(entry, key)))
        else:
            entry.set_elapsed(0.0 if timed == "restart" else elapsed, at, paused)
            if timed == "advance" and step.kind == "timed" and not entry.waiting:
                entry.deadline = at
            if not in_process and step.kind == "auto" and not entry.waiting:
                entry.held = "auto"  # crashed mid-transition: move on (at once, or on resume)
        context = state.get("context") or {}
        lost = tuple(str(k) for k in (state.get("lost_keys") or ()) if k not in context)
        self._take_over(state, run.run_seq + 1)
        run.status = _RUNNING
        run.process_id = str(state.get("process_id") or "") or run.process_id
        run.entry = entry
        run.entry_seq = max(run.entry_seq, token, _whole(state.get("entry_seq"), 0))
        run.paused = paused
        run.paused_at = _number(state.get("paused_at"), at) if in_process else at
        if not in_process:
            run.run_started, run.steps_entered = at, 1
        run.back = deque((str(n) for n in state.get("back") or ()), maxlen=flow_spec.BACK_STACK_SIZE)
        run.warned_keys.update(lost)
        self._context.load(context, _whole(state.get("change_id"), None))
        lost_tasks = self._import_tasks_and_signals(state, entry, removed is not None)
        if in_process:
            self._adopt_queue(state.get("queued") or (), entry)
        if entry.held == "auto" and not paused:
            entry.held = None
            self._queue.append(Action("auto", True, run.advance, token, "auto"))
        if removed is not None:
            self._queue.append(Action("removed", True, run.do_removed, token, run.run_seq, state.get("index")))
        remaining = None
        if entry.deadline is not None and not entry.waiting:
            remaining = max(0.0, entry.deadline - (entry.paused_since if entry.paused_since is not None else at))
        run.record(source, source, {"entry": token, "timed": timed, "lost_keys": list(lost),
                                    "renamed_from": renamed_from, "removed_step": removed, "lost_tasks": lost_tasks,
                                    "signals": list(run.mailbox.queued())})
        self._after_import()
        return RestoreReport(source=source, status=run.status, process_id=run.process_id, step_name=step.name,
                             step_index=index, waiting=entry.waiting, paused=paused, lost_keys=lost,
                             context_keys=tuple(self._context.data), timed=timed, remaining=remaining,
                             renamed_from=renamed_from, removed_step=removed, lost_tasks=lost_tasks,
                             signals=tuple(run.mailbox.queued()))

    def _import_tasks_and_signals(self, state: Mapping[str, Any], entry: Entry, removed: bool) -> int:
        """The step tasks and signals of an import (see ``import_run``); returns how many tasks were lost."""
        run = self._run
        step = entry.step
        in_process = "queued" in state
        try:
            lost_payloads = run.mailbox.restore(state.get("signals_live" if in_process else "signals") or ())
        except (ValueError, TypeError, AttributeError) as exc:
            run.mailbox.clear()
            run.warning(f"LOPflow: the queued signals could not be brought back ({exc}); they were dropped")
            lost_payloads = []
        if lost_payloads:
            run.warning(f"LOPflow journal: the payload of signal(s) {', '.join(lost_payloads)} could not be "
                        "journaled (not JSON); they come back with payload None")
        signal_state = state.get("signal_state") if in_process else None
        signal_state = signal_state if isinstance(signal_state, Mapping) else {}
        run.signal_frame = signal_state.get("frame")
        run.signal_wait = None
        run.wait_deferred = False
        keep_tasks = in_process and "step_tasks" in state
        lost = 0
        if keep_tasks:
            run.tasks.load(state["step_tasks"])
        else:
            run.tasks.clear()
            entry.tasks = False
            lost = max(0, _whole(state.get("tasks"), 0))
        if removed:
            return lost  # the run moves on from the deleted step at the next tick
        if step.kind == "tasks" and not keep_tasks:
            run.warning(f"LOPflow: step '{step.name}' waits for its step tasks (until = tasks), which cannot be "
                        f"resumed after a restore ({lost} were running); it follows its error route")
            self._queue.append(Action("error", True, run.do_error, entry.token,
                                      flow_step_tasks.lost_tasks_error(step.name, lost), "restore"))
        elif lost:
            run.warning(f"LOPflow: {lost} step task(s) of step '{step.name}' were running when the run was saved; "
                        "they cannot be resumed after a restore")
        if step.kind == "signal" and entry.signal is None:
            # The step waits again. A queued signal it waits for is taken at the next tick (an import
            # changes nothing by itself), as is a wait the old engine had put off to the next frame.
            if (signal_state.get("deferred") and signal_state.get("wait") == entry.token) or any(
                    name in run.mailbox for name in step.signals):
                run.signal_wait, run.wait_deferred = entry.token, True
            else:
                run.start_wait(entry)
        return lost

    # ================================================================== internals
    def _position(self, journal: bool) -> dict[str, Any]:
        run = self._run
        entry = run.entry
        values = self._context.data
        journalable = flow_journal.is_journalable
        lost = [key for key, value in values.items() if not journalable(value)]
        if journal:
            context = {key: value for key, value in values.items() if key not in lost} if lost else dict(values)
        else:
            context = dict(values)
        status = run.status
        return {
            "status": "running" if status is _RUNNING else "ended" if status.is_final else "idle",
            "process_id": run.process_id or "", "step": entry.step.name if entry is not None else "",
            "index": entry.index if entry is not None else -1, "entry": entry.token if entry is not None else 0,
            "waiting": entry is not None and entry.waiting, "paused": run.paused,
            "timer": run.timer_of(entry, self._clock.now()) if entry is not None else None,
            "context": context, "wall": 0.0,
            "result_type": "" if status is _RUNNING else run.last_result_type or "", "lost_keys": lost,
            "back": list(run.back), "signals": run.mailbox.export(),
            "tasks": len(run.tasks.running(entry.token)) if entry is not None and entry.tasks else 0,
        }

    def _take_over(self, state: Mapping[str, Any], next_run_seq: int) -> None:
        """The engine-wide part of an import: history, counters, results, the GO guard."""
        run = self._run
        history = state.get("history")
        if history:
            self._history.load(history)
        run.run_seq = _whole(state.get("run_seq"), next_run_seq)
        run.entry_seq = max(run.entry_seq, _whole(state.get("entry_seq"), 0))
        if "last_result" in state:
            run.last_result = state["last_result"]
        run.last_result_type = str(state.get("result_type") or "") or run.last_result_type
        if "last_update_time" in state:
            run.last_update_time = state["last_update_time"]
        if "run_started" in state:
            run.run_started = _number(state["run_started"], run.run_started)
            run.steps_entered = _whole(state.get("steps_entered"), run.steps_entered)
        run.end_progress = _number(state.get("end_progress"), run.end_progress)
        run.warned_keys.update(str(k) for k in state.get("warned_keys") or ())
        go = state.get("go")
        if isinstance(go, (tuple, list)) and len(go) == 2:
            self._go_frame, self._go_time = go[0], _number(go[1], 0.0)

    def _import_not_running(self, state: Mapping[str, Any]) -> RestoreReport:
        """A re-initialised engine takes over an engine with no run going on (its last run's outcome)."""
        run = self._run
        self._take_over(state, run.run_seq)
        run.process_id = str(state.get("process_id") or "") or run.process_id
        try:
            status = FlowStatus(state.get("flow_status"))
        except ValueError:
            status = {"success": FlowStatus.COMPLETED, "error": FlowStatus.ERROR,
                      "stopped": FlowStatus.STOPPED}.get(str(state.get("result_type")), run.status)
        if status.is_final:
            run.status = status
        run.entry = None
        run.paused = False
        run.back.clear()
        run.mailbox.clear()
        run.tasks.clear()
        run.signal_frame = run.signal_wait = None
        run.wait_deferred = False
        context = state.get("context") or {}
        self._context.load(context, _whole(state.get("change_id"), None))
        if "queued" in state:
            self._adopt_queue(state.get("queued") or (), None)
        run.record("reinit", "reinit", {"entry": None, "timed": "", "lost_keys": []})
        self._after_import()
        return RestoreReport(source="reinit", status=run.status, process_id=run.process_id, step_name="",
                             step_index=-1, waiting=False, paused=False, lost_keys=(),
                             context_keys=tuple(self._context.data), timed="remaining")

    def _adopt_queue(self, items: Any, entry: Entry | None) -> None:
        run = self._run

        def bind(name: str) -> Callable[..., Any] | None:
            function = getattr(run, name, None) if name and not name.startswith("_") else None
            return function if callable(function) else None

        def translate(arg: Any) -> Any:
            kind = type(arg).__name__
            if kind == "Entry" and entry is not None and getattr(arg, "token", None) == entry.token:
                return entry
            if kind == "FlowDefinition":
                return run.definition
            if callable(arg) and getattr(arg, "__module__", "") == payloads.__name__:
                return getattr(payloads, getattr(arg, "__name__", ""), arg)
            return arg

        dropped = self._queue.adopt(items, bind, translate)
        if dropped:
            run.warning(f"LOPflow: {len(dropped)} queued action(s) could not be taken over after re-initialising "
                        f"({', '.join(dropped)}); they were dropped")

    def _after_import(self) -> None:
        run = self._run
        self._timer_written = self._clock.now()
        if run.on_record is not None:
            run.emit({"k": "snapshot", "state": self.journal_state()})
        run.changed = True

    def _ignore_next_step(self, source: str, reason: str) -> None:
        """Note an ignored NextStep in the history; repeats of the newest note only count up its ``count``."""
        note = self._note
        if note is not None and note[0] == self._history.total and note[1]["reason"] == reason:
            note[1]["count"] += 1
            return
        data = {"action": "next_step", "reason": reason, "entry": None, "count": 1}
        self._run.record("ignored", source, data)
        self._note = (self._history.total, data)

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


def _number(value: Any, default: Any) -> Any:
    """``value`` as a float when it is a number (not a bool), else ``default``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value)


def _whole(value: Any, default: Any) -> Any:
    """``value`` when it is a whole number (not a bool), else ``default``."""
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return value
