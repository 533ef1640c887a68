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
from collections.abc import Callable, Mapping
from typing import Any

import flow_callbacks
import flow_context
import flow_engine_settings
import flow_engine_steps
import flow_engine_tasks
import flow_engine_view
import flow_handover
import flow_history
import flow_names
import flow_spec
import flow_steps
from flow_channel_layout import EVENT_NAMES, STATUS_CHANNELS
from flow_handover import IMPORT_SOURCES as IMPORT_SOURCES
from flow_handover import IN_PROCESS_KEYS as IN_PROCESS_KEYS
from flow_handover import TIMED_MODES as TIMED_MODES
from flow_queue import Action, ActionQueue, Clock, FrameBudget
from flow_state import (
    Entry,
    FlowError,
    FlowState,
    FlowStatus,
    RestoreReport,
    StateChange,
    StateListener,
)
from flow_transitions import Transitions

__all__ = ["EVENT_NAMES", "STATUS_CHANNELS", "FlowEngine", "FlowError", "FlowState", "FlowStatus", "RestoreReport",
           "StateChange"]

_RESULT_TYPES = ("success", "error")
_ERROR_POLICIES = ("continue", "finish")
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
    # (in flow_engine_settings, bound here as properties)
    max_transitions_per_frame = property(flow_engine_settings.max_transitions_per_frame,
                                         flow_engine_settings.set_max_transitions_per_frame)
    go_debounce = property(flow_engine_settings.go_debounce, flow_engine_settings.set_go_debounce)
    on_record = property(flow_engine_settings.on_record, flow_engine_settings.set_on_record)
    on_warning = property(flow_engine_settings.on_warning, flow_engine_settings.set_on_warning)
    on_cancel_tasks = property(flow_engine_settings.on_cancel_tasks, flow_engine_settings.set_on_cancel_tasks)
    route_resolver = property(flow_engine_settings.route_resolver, flow_engine_settings.set_route_resolver)
    history_size = property(flow_engine_settings.history_size, flow_engine_settings.set_history_size)

    # ================================================================== read-only state
    # read-only state, graph, channels and listeners (in flow_engine_view, bound here as properties and methods)
    definition = property(flow_engine_view.definition)
    context = property(flow_engine_view.context)
    history = property(flow_engine_view.history)
    names = property(flow_engine_view.names)
    is_running = property(flow_engine_view.is_running)
    is_paused = property(flow_engine_view.is_paused)
    current_step_index = property(flow_engine_view.current_step_index)
    current_step_name = property(flow_engine_view.current_step_name)
    process_id = property(flow_engine_view.process_id)
    running_tasks = property(flow_engine_view.running_tasks)
    queued_signals = property(flow_engine_view.queued_signals)
    waiting_signals = property(flow_engine_view.waiting_signals)
    last_result = property(flow_engine_view.last_result)
    last_result_type = property(flow_engine_view.last_result_type)
    step_data = property(flow_engine_view.step_data)
    last_update_time = property(flow_engine_view.last_update_time)
    event_totals = property(flow_engine_view.event_totals)
    runaways = property(flow_engine_view.runaways)
    next_due = property(flow_engine_view.next_due)
    state = property(flow_engine_view.state)
    graph = flow_engine_view.graph
    channel_values = flow_engine_view.channel_values
    add_listener = flow_engine_view.add_listener
    add_event_listener = flow_engine_view.add_event_listener

    # ================================================================== definition
    # (in flow_engine_steps, bound here as methods)
    load_rows = flow_engine_steps.load_rows
    _edit_rows = flow_engine_steps.edit_rows
    clear_name_history = flow_engine_steps.clear_name_history
    _set_definition = flow_engine_steps.set_definition

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

    # step tasks and signals (in flow_engine_tasks, bound here as methods)
    task_started = flow_engine_tasks.task_started
    task_done = flow_engine_tasks.task_done
    signal = flow_engine_tasks.signal

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
    # (in flow_handover, bound here as methods)
    journal_state = flow_handover.journal_state
    export_run = flow_handover.export_run
    import_run = flow_handover.import_run
    _import_tasks_and_signals = flow_handover.import_tasks_and_signals
    _position = flow_handover.position
    _take_over = flow_handover.take_over
    _import_not_running = flow_handover.import_not_running
    _adopt_queue = flow_handover.adopt_queue
    _after_import = flow_handover.after_import

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
