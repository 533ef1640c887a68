"""Transitions: the run, its moves between steps, and what each move records and fires.

``Transitions`` holds the run (status, the current step ``Entry``, process id, results) and carries
out the engine's queued actions: start, advance (NextStep, a timer, a duration-0 step), wait, update,
go to a step, finish/stop, and the move away from a deleted step. Every action checks first that the
entry or run it was queued for is still the current one; when it is not, it does nothing but record
an ``ignored`` history event (see "Scoping" in ``flow_engine``).

A move from step A to step B fires onStepExit(A), then B becomes current, then onNextStep and
onStepEnter(B) (then onWaitForContinue when B waits, or B's auto-advance is queued when its duration
is 0). A Stop() or Finish() asked inside onStepExit ends the run there: B is not entered.

Pause: while ``paused``, nothing moves by itself. A timer, watchdog or duration-0 advance that comes
due is ``held`` by its entry and runs on resume; an entry made while paused starts its timers on
resume (``Entry.freeze`` / ``thaw``). Explicit moves (NextStep, GoToStep, Back) still run.

Back: every move pushes the step it leaves on ``back`` (a bounded stack of names), except a move made
by Back itself and a duration-0 step passed through without waiting (Back would only bounce off it).

Watchdog: ``do_timeout`` fires onStepTimeout, then leaves the entry by its step's ``ontimeout`` route
(onStepExit reason 'timeout', onNextStep transition 'timeout').

Routes: a step leaves by its ``then`` (NextStep, a timer, a duration-0 step, its tasks, its signal),
``ontimeout`` (the watchdog) or ``onerror`` (the error route). When nothing can change a route (no
expression routes, no ``route_resolver``, no callbacks at all) the precomputed target is followed; else
``route`` works it out when the step is left: the expression (``flow_routes``, with ``ctx`` the context),
then ``route_resolver(step_index, field)`` (the adapter's parameter in expression mode; None keeps the
route), then ``onRoute`` (a value not None overrides it). A route that cannot be followed (an expression
that raises, an unknown target) is reported (``error`` event, onError) and the run follows the step's
error route; ``onerror = continue`` then means the default route ``next``, and an error route that itself
cannot be followed ends the run with result_type 'error'.

Error routes: a callback of the current step that raises (not onStepExit: that step is being left; not a
callbacks DAT that does not compile), a step task that fails, times out or is cancelled from outside,
and a step with until = tasks restored after its tasks were lost leave by ``onerror`` (after onError).
``continue`` changes nothing (a step with until = tasks then waits for its other tasks and leaves by
``then``); ``end`` finishes the run with result_type 'error' and the error message as its result; a step
name (or ``next``) moves there, the error in the new step's onStepEnter info as ``error``.

Step tasks (``flow_step_tasks``): ``task_started`` ties a task to the current entry; ``do_task_done``
fires onTaskDone and, for until = tasks, leaves by ``then`` when all ended (the error route on a failure).
Leaving an entry with unfinished tasks hands their ids to ``on_cancel_tasks``; their late completions are
stale (a ``task_stale`` event, nothing else).

Signals (``flow_signals``): a step with until = signal registers its names with the mailbox when entered
and takes a queued one at once; a signal consumed sets the context key ``signal.<name>`` to its payload,
fires onSignal and leaves by ``then`` (the signal in onStepExit / onNextStep info). Signals move the flow
at most one step per frame: a signal step entered in a frame in which a signal was consumed starts
waiting at the next frame (``wait_deferred``), so a flood of one signal advances one step per frame and
its rest stays queued, the latest payload kept. The mailbox is emptied when a run starts or ends.

Alerts: a timed step with an ``alert`` fires onStepEndAlert when that many seconds of its duration are
left (``Entry.alert_at``, read from the deadline, so pauses move it too).

Pause also holds the leaves caused by tasks, signals and errors (``held`` 'tasks', 'signal', 'error'):
they run on resume.

Journal: when ``on_record`` is set, every run start, step entry (and start of waiting), context change,
pause, resume and run end is given to it as a record (``flow_journal``'s kinds); nothing is built when
it is None. A ``step`` record carries ``tasks`` (how many step tasks run) once the entry started some, and
a ``signals`` record the signal queue whenever it changes. A context value JSON cannot hold is recorded as ``lost`` and reported once per key through
``warn``.

Every event is recorded in the history as it happens, with user values (step data, results, context
values) turned into bounded copies at once (``flow_history.summarize_fields``). Callback payloads are
built only when something handles the callback (``CallbackDispatcher.fire``).

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import flow_callbacks
import flow_context
import flow_history
import flow_journal
import flow_payloads as payloads
import flow_routes
import flow_signals
import flow_step_tasks
import flow_steps
from flow_channel_layout import EventCounts
from flow_queue import Action, ActionQueue, Clock, FrameBudget
from flow_spec import BACK_STACK_SIZE, ONERROR_CONTINUE, THEN_END, THEN_NEXT
from flow_state import Entry, EventListener, FlowStatus
from flow_step_tasks import TaskOutcome

_RUNNING = FlowStatus.RUNNING
_AUTO_SOURCES = ("auto", "timer")
#: Leaves caused by what a step waits for besides time: held by a pause, never by WaitForContinue.
_EVENT_SOURCES = ("tasks", "signal")
#: Callbacks that are not "of the current step": their exceptions never trigger its error route.
_NOT_STEP_CALLBACKS = frozenset(("onError", "onStepExit", "onFlowStart", "onFlowFinish", "onStepsChanged",
                                 "onFlowRestore"))
RouteResolver = Callable[[int, str], Any]
Record = dict[str, Any]
_OVER = "the step entry it was called for is over"
_RUN_OVER = "the run it was called in is over"


class Transitions:
    """The run and its step moves; the engine queues the actions, this carries them out."""

    def __init__(self, *, clock: Clock, queue: ActionQueue, budget: FrameBudget, history: flow_history.FlowHistory,
                 dispatcher: flow_callbacks.CallbackDispatcher, context: flow_context.FlowContext,
                 id_factory: Callable[[], str], finish_on_error: bool) -> None:
        self.clock, self.queue, self.budget, self.history = clock, queue, budget, history
        self.dispatcher, self.context, self.id_factory = dispatcher, context, id_factory
        self.finish_on_error = finish_on_error  # error_policy 'finish': a callback error ends the run
        #: ``fire(name, build, *args)``: fire callback ``name`` with payload ``build(*args)``, built only
        #: when something handles it (``CallbackDispatcher.fire``); returns the info dict or None.
        self.fire = dispatcher.fire
        self.definition = flow_steps.FlowDefinition([])
        self._steps: tuple[flow_steps.StepDef, ...] = ()
        self._targets: tuple[int | None, ...] = ()
        self._targets_on_timeout: tuple[int | None, ...] = ()
        self._loop_steps: frozenset[int] = frozenset()
        self.status = FlowStatus.NOT_SETUP
        self.entry: Entry | None = None
        self.entry_seq = 0
        self.run_seq = 0
        self.process_id: str | None = None
        self.run_started = 0.0
        self.last_result: Any = None
        self.last_result_type: str | None = None
        self.end_progress = 0.0
        self.last_update_time: float | None = None
        self.steps_entered = 0
        self.events = EventCounts()
        self.event_listeners: list[EventListener] = []
        self.changed = False  # something was recorded since the engine last told its state listeners
        self.silent_context = False  # the context clear of a start fires no onContextChange
        self.exiting: Entry | None = None  # the entry whose onStepExit is running
        self.end_asked = False  # Stop() or Finish() was asked during that onStepExit
        self.paused = False
        self.paused_at = 0.0  # TD time the current pause began
        #: The names of the steps this run left, newest last (Back returns to them).
        self.back: deque[str] = deque(maxlen=BACK_STACK_SIZE)
        #: The journal listener (``FlowEngine.on_record``); None: no records are made.
        self.on_record: Callable[[Record], None] | None = None
        #: Where warnings go (``FlowEngine.on_warning``), besides a ``warning`` history event.
        self.warn: Callable[[str], None] | None = None
        #: Context keys whose unjournalable value was already reported.
        self.warned_keys: set[str] = set()
        #: The step tasks of the run, by step entry; ``on_cancel_tasks(task_ids)`` hears which to cancel.
        self.tasks = flow_step_tasks.StepTasks()
        self.on_cancel_tasks: Callable[[list[Any]], None] | None = None
        #: The queued signals and the waiting step; the frame of the last signal consumed; the token of the
        #: entry that waits for signals (None: none), and whether its wait starts only at the next frame.
        self.mailbox = flow_signals.SignalMailbox()
        self.signal_frame: int | None = None
        self.signal_wait: int | None = None
        self.wait_deferred = False
        self.evaluator = flow_routes.RouteEvaluator()
        self._route_resolver: RouteResolver | None = None
        self._error_targets: tuple[int | None, ...] = ()
        #: True while every route is its precomputed target (no expressions, no route_resolver).
        self._static = True

    def use(self, definition: flow_steps.FlowDefinition) -> None:
        """Run on ``definition`` from now on (the engine decides what a change does to the run)."""
        self.definition = definition
        self._steps = definition.steps
        self._targets = definition.targets
        self._targets_on_timeout = definition.timeout_targets
        self._error_targets = definition.error_targets
        self._loop_steps = definition.instant_loop_steps
        self._static = not definition.has_expressions and self._route_resolver is None

    @property
    def route_resolver(self) -> RouteResolver | None:
        """``route_resolver(step_index, field)``: the route as the adapter reads it now (a parameter in
        expression mode), or None to keep the step's route. None (the default): no such hook."""
        return self._route_resolver

    @route_resolver.setter
    def route_resolver(self, resolver: RouteResolver | None) -> None:
        if resolver is not None and not callable(resolver):
            raise TypeError(f"route_resolver must be a function (step_index, field) -> str | None, "
                            f"not {type(resolver).__name__}")
        self._route_resolver = resolver
        self._static = not self.definition.has_expressions and resolver is None

    # ================================================================== reading
    @property
    def is_running(self) -> bool:
        """True while a run is going on."""
        return self.status is _RUNNING

    def progress(self) -> float:
        """In [0, 1]: (index + 1) / step count while running, 1 when completed, kept when stopped."""
        status = self.status
        if status is _RUNNING and self.entry is not None and len(self.definition):
            return max(0.0, min(1.0, (self.entry.index + 1) / len(self.definition)))
        if status is FlowStatus.COMPLETED:
            return 1.0
        if status is FlowStatus.STOPPED or status is FlowStatus.ERROR:
            return self.end_progress
        return 0.0

    # ================================================================== actions
    def do_start(self, source: str, inputs: Mapping[str, Any] | None) -> None:
        """Start a run (ending a running one first, reason 'restart')."""
        if not self.definition.is_runnable:
            self.ignored("start", source, "the definition is not runnable")
            return
        restarted = self.is_running
        if restarted:
            self.end_run(FlowStatus.STOPPED, None, "stopped", source, "restart")
        self.run_seq += 1
        self.process_id = pid = str(self.id_factory())
        self.run_started = started = self.clock.now()
        self.status = _RUNNING
        self.steps_entered = 0
        self.paused = False
        self.back.clear()
        self.mailbox.clear()
        self.signal_frame = self.signal_wait = None
        self.wait_deferred = False
        self.silent_context = True
        try:
            self.context.clear("start")
        finally:
            self.silent_context = False
        self.events.totals["on_start"] += 1
        self.record("flow_start", source, {"restarted": restarted})
        if self.on_record is not None:
            self.emit({"k": "start", "pid": pid})
        self.fire("onFlowStart", payloads.flow_start, self.definition, restarted, inputs, started, source, pid)
        self.announce(self.arrive(0), source, "")

    def advance(self, token: int, source: str) -> None:
        """Leave entry ``token`` for where its step goes next (or end the run after the last step)."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.ignored("next_step", source, _OVER, token)
            return
        if source in _AUTO_SOURCES:
            if entry.waiting:
                self.ignored("next_step", source, "the step waits for NextStep", token)
                return
            if self.paused:
                entry.held = source
                return
        elif source in _EVENT_SOURCES and self.paused:
            entry.held = source
            return
        if not self._static:  # a route is worked out when the step is left
            self.follow(entry, "then", source)
            return
        if not self.dispatcher.silent:  # onRoute may override the precomputed target (payload made lazily)
            info = self.fire("onRoute", payloads.route, self.definition, entry, "then", None, self.context, source,
                             self.process_id)
            if info is not None:
                if entry is not self.entry or self.status is not _RUNNING:
                    return
                if info["returnValue"] is not None:
                    self.override(entry, "then", info["returnValue"], source)
                    return
        target = self._targets[entry.index]
        if target is None:
            self.end_run(FlowStatus.COMPLETED, None, "success", source, "end")
            return
        then = entry.step.then
        in_order = then == THEN_NEXT or not then or then.lower() == THEN_NEXT
        self.move(entry, target, source, "next" if in_order else "jump")

    def do_wait(self, token: int, step_data: Any, source: str) -> None:
        """Make entry ``token`` wait for NextStep (its timer and auto-advance are cancelled)."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.ignored("wait_for_continue", source, _OVER, token)
            return
        entry.waiting = True
        entry.deadline = None
        if entry.held in _AUTO_SOURCES:
            entry.held = None
        if step_data is not None:
            entry.step_data = step_data
        self.record("wait", source, flow_history.summarize_fields({"step_data": step_data}, "step_data"))
        if self.on_record is not None:
            self.journal_step(entry)
        self.fire("onWaitForContinue", payloads.wait, self.definition, entry, step_data, source, self.process_id)

    def do_update(self, token: int, step_data: Any, advance: bool, source: str) -> None:
        """Give entry ``token`` new data (None keeps it), then advance when asked."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.ignored("update", source, _OVER, token)
            return
        if step_data is not None:
            entry.step_data = step_data
        self.last_update_time = self.clock.now()
        self.events.totals["on_update"] += 1
        self.record("update", source, flow_history.summarize_fields(
            {"step_data": step_data, "advance_step": advance}, "step_data"))
        self.fire("onFlowUpdate", payloads.flow_update, self.definition, entry, step_data, advance, source,
                  self.process_id)
        if advance:
            self.advance(token, "update" if source == "api" else source)

    def do_goto(self, run: int, name: str, source: str) -> None:
        """Move to the step called ``name`` (run ``run`` only)."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or run != self.run_seq:
            self.ignored("go_to_step", source, _RUN_OVER)
            return
        target = self.definition.index_of(name)
        if target is None:
            self.ignored("go_to_step", source, f"no step named {name!r} any more")
            return
        self.move(entry, target, source, "goto")

    def do_end(self, run: int, status: FlowStatus, result: Any, result_type: str, source: str, reason: str) -> None:
        """End run ``run`` in ``status`` (Finish, Stop, or a callback error with error_policy 'finish')."""
        if self.status is not _RUNNING or run != self.run_seq:
            self.ignored(reason, source, _RUN_OVER)
            return
        self.end_run(status, result, result_type, source, reason)

    def do_back(self, run: int, source: str) -> None:
        """Return to the step left most recently in run ``run`` (one that still exists)."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or run != self.run_seq:
            self.ignored("back", source, _RUN_OVER)
            return
        target = self.back_target()
        if target is None:
            self.ignored("back", source, "no earlier step in this run")
            return
        while self.back and self.definition.index_of(self.back[-1]) is None:
            self.back.pop()
        self.back.pop()
        self.move(entry, target, "back", "back")

    def back_target(self) -> int | None:
        """The index Back would return to (the newest name on the stack that is still a step), or None."""
        index_of = self.definition.index_of
        for name in reversed(self.back):
            index = index_of(name)
            if index is not None:
                return index
        return None

    def do_pause(self, run: int, source: str) -> None:
        """Pause run ``run``: timers stop counting. Fires onFlowPause."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or run != self.run_seq:
            self.ignored("pause", source, _RUN_OVER)
            return
        if self.paused:
            self.ignored("pause", source, "the run is already paused")
            return
        now = self.clock.now()
        self.paused = True
        self.paused_at = now
        entry.freeze(now)
        self.record("pause", source, {"entry": entry.token})
        if self.on_record is not None:
            self.emit({"k": "pause", "timer": self.timer_of(entry, now)})
        self.fire("onFlowPause", payloads.flow_pause, self.definition, entry, source, self.process_id)

    def do_resume(self, run: int, source: str) -> None:
        """Resume run ``run``: timers count on; what the pause held back runs. Fires onFlowResume."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or run != self.run_seq:
            self.ignored("resume", source, _RUN_OVER)
            return
        if not self.paused:
            self.ignored("resume", source, "the run is not paused")
            return
        now = self.clock.now()
        paused_for = max(0.0, now - self.paused_at)
        self.paused = False
        entry.thaw(now)
        self.record("resume", source, {"entry": entry.token, "paused_for": paused_for})
        if self.on_record is not None:
            self.emit({"k": "resume", "timer": self.timer_of(entry, now)})
        self.fire("onFlowResume", payloads.flow_resume, self.definition, entry, paused_for, source,
                  self.process_id)
        held, entry.held = entry.held, None
        if held is None or entry is not self.entry or self.paused:
            return
        if held == "timeout":
            self.queue.append(Action("timeout", True, self.do_timeout, entry.token))
        elif held == "error":
            self.queue.append(Action("error", True, self.do_error, entry.token, entry.error, "error"))
        else:
            self.queue.append(Action(held, True, self.advance, entry.token, held))

    def do_timeout(self, token: int) -> None:
        """Entry ``token`` stayed current for its step's timeout: onStepTimeout, then leave by ontimeout."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.ignored("timeout", "timeout", _OVER, token)
            return
        if self.paused:
            entry.held = "timeout"
            return
        step = entry.step
        index = entry.index
        if step is not self._steps[index] or not step.has_timeout:  # removed, or its timeout taken away
            self.ignored("timeout", "timeout", "the step has no timeout any more", token)
            return
        target = self._targets_on_timeout[index]
        route = self.definition.resolved_ontimeout(index)
        next_name = self._steps[target].name if target is not None else ""
        elapsed = entry.active_elapsed(self.clock.now())
        self.record("timeout", "timeout", {"entry": token, "timeout": step.timeout, "elapsed": elapsed,
                                           "ontimeout": route})
        self.fire("onStepTimeout", payloads.step_timeout, self.definition, entry, elapsed, route, next_name,
                  "timeout", self.process_id)
        if entry is not self.entry or self.status is not _RUNNING:
            return
        self.follow(entry, "ontimeout", "timeout")

    def do_error(self, token: int, error: dict[str, Any] | None, source: str) -> None:
        """Entry ``token`` failed (``error``: origin, message, step): leave by its error route (``fail``)."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.ignored("error_route", source, _OVER, token)
            return
        self.fail(entry, error, source)

    def do_route_error(self, token: int, route_field: str, error: dict[str, Any], source: str) -> None:
        """Entry ``token``'s ``route_field`` could not be followed (onError came first): its error route
        applies; ``continue`` means the default route ``next``; a failing error route ends the run."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.ignored("route", source, _OVER, token)
            return
        if route_field == "onerror":
            self.end_run(FlowStatus.ERROR, error.get("message"), "error", source, "error")
        elif not self.follow(entry, "onerror", source, error) and entry is self.entry:
            self.go(entry, "then", THEN_NEXT, self._target_of(entry.index, THEN_NEXT), source, error)

    def do_task_done(self, token: int, task_id: Any, status: str, result: Any, error: Any,
                     outcome: TaskOutcome) -> None:
        """A step task of entry ``token`` ended (not stale): onTaskDone, then what it means for the step."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.record("task_stale", "task", {"task_id": plain_id(task_id), "status": status, "entry": token})
            return
        self.record("task_done", "task", flow_history.summarize_fields(
            {"task_id": plain_id(task_id), "status": status, "outcome": outcome.value, "error": _text(error)},
            "error"))
        if self.on_record is not None:
            self.journal_step(entry)
        self.fire("onTaskDone", payloads.task_done, self.definition, entry, task_id, status, result, error,
                  outcome.value, self.process_id)
        if entry is not self.entry or self.status is not _RUNNING or entry.held == "error":
            return
        step = entry.step
        waits = step.kind == "tasks"
        if outcome is TaskOutcome.FAILED:
            if step.catches:
                self.fail(entry, flow_step_tasks.task_error(step.name, task_id, status, error), "task")
            elif waits and not self.tasks.running(token):
                self.advance(token, "tasks")
        elif waits and outcome is not TaskOutcome.PENDING:
            self.advance(token, "tasks")

    def fail(self, entry: Entry, error: dict[str, Any] | None, source: str) -> None:
        """``entry`` (current) failed: follow its error route now (or when a pause ends). When the route is
        ``continue``, a step with until = tasks and no task still running leaves by ``then``."""
        if self.paused:
            entry.held = "error"
            entry.error = error
            return
        if self.follow(entry, "onerror", source, error) or entry is not self.entry:
            return
        if entry.step.kind == "tasks" and not self.tasks.running(entry.token):
            self.advance(entry.token, "tasks")

    def do_signal(self, token: int, signal: flow_signals.Signal, consumed: bool) -> None:
        """A signal arrived (``consumed``: entry ``token`` took it): record, onSignal, leave by ``then``."""
        entry = self.entry
        self.record("signal", signal.source, flow_history.summarize_fields(
            {"name": signal.name, "payload": signal.payload, "consumed": consumed, "entry": token}, "payload"))
        if not consumed:
            if self.on_record is not None:
                self.emit({"k": "signals", "queue": self.mailbox.export()})
            self.fire("onSignal", payloads.signal, self.definition, entry, signal.name, signal.payload, False,
                      signal.source, self.process_id)
            return
        if self.status is not _RUNNING or entry is None or entry.token != token:
            return
        self.take_signal(entry, signal, True)

    def take_signal(self, entry: Entry, signal: flow_signals.Signal, announce: bool) -> None:
        """``entry`` consumed ``signal``: its payload goes to the context, then it leaves by ``then`` (queued).
        ``announce``: fire onSignal (a signal taken from the queue on entering fired it when queued)."""
        clock = self.clock
        entry.signal = signal
        self.signal_frame = clock.frame if clock.held else clock.frame_number()
        self.signal_wait = None
        self.context.set(flow_signals.context_key(signal.name), signal.payload, "signal")
        if announce:
            self.fire("onSignal", payloads.signal, self.definition, entry, signal.name, signal.payload, True,
                      signal.source, self.process_id)
        if entry is self.entry and self.status is _RUNNING:
            self.queue.append(Action("signal", True, self.advance, entry.token, "signal"))

    def start_wait(self, entry: Entry) -> None:
        """``entry``'s step waits for signals: take a queued one, or register; from the next frame when a
        signal was consumed in this frame (signals move the flow one step per frame)."""
        clock = self.clock
        self.signal_wait = entry.token
        if (clock.frame if clock.held else clock.frame_number()) == self.signal_frame:
            self.wait_deferred = True
            return
        self.wait_deferred = False
        signal = self.mailbox.on_enter(entry.step.signals)
        if signal is None:
            return
        self.record("signal_taken", signal.source, {"name": signal.name, "entry": entry.token})
        if self.on_record is not None:
            self.emit({"k": "signals", "queue": self.mailbox.export()})
        self.take_signal(entry, signal, False)

    def do_start_wait(self, token: int) -> None:
        """The deferred wait of entry ``token`` starts (the frame changed)."""
        entry = self.entry
        if (not self.wait_deferred or self.signal_wait != token or entry is None or entry.token != token
                or self.status is not _RUNNING):
            return
        self.start_wait(entry)

    def stop_wait(self) -> None:
        """The waiting step is left some other way: nobody waits for signals now."""
        self.signal_wait = None
        self.wait_deferred = False
        self.mailbox.on_leave()

    def do_alert(self, token: int) -> None:
        """Entry ``token``'s alert time came: onStepEndAlert with the seconds left."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token or entry.deadline is None:
            return
        remaining = max(0.0, entry.deadline - self.clock.now())
        self.record("alert", "alert", {"entry": token, "remaining": remaining, "alert": entry.step.alert})
        self.fire("onStepEndAlert", payloads.step_end_alert, self.definition, entry, remaining, self.process_id)

    def cancel_tasks(self, entry: Entry) -> None:
        """``entry`` is left: its unfinished step tasks are handed to ``on_cancel_tasks``."""
        entry.tasks = False
        ids = self.tasks.to_cancel(entry.token)
        if ids:
            self.tell_cancel(ids)

    def tell_cancel(self, ids: list[Any]) -> None:
        """Record the cancelled task ids and give them to ``on_cancel_tasks`` (a listener that raises is
        reported)."""
        self.record("tasks_cancelled", "engine", {"tasks": [plain_id(i) for i in ids]})
        listener = self.on_cancel_tasks
        if listener is not None:
            try:
                listener(list(ids))
            except Exception as exc:
                self.dispatcher.report_exception("cancelTasks", "listener", exc)

    def do_removed(self, token: int, run: int, old_index: int) -> None:
        """The current step was deleted: move on to the step now at its old index, or end the run."""
        entry = self.entry
        if entry is None or entry.token != token or run != self.run_seq or self.status is not _RUNNING:
            return
        if old_index < len(self.definition):
            self.move(entry, old_index, "definition", "goto", reason="removed")
        else:
            self.end_run(FlowStatus.COMPLETED, None, "success", "definition", "removed")

    def remap_entry(self) -> None:
        """A new definition while running: find the current step again by name, or queue moving on."""
        entry = self.entry
        if entry is None:
            return
        entry.shown = None
        index = self.definition.index_of(entry.step.name)
        if index is not None:
            step = self._steps[index]
            moved = index != entry.index or step.name != entry.step.name  # the journal must hear of it
            entry.index = index
            if step.timeout != entry.step.timeout:  # a watchdog added, changed or taken away counts from entry
                entry.timeout_at = (entry.entered_at + entry.paused_total + step.timeout
                                    if step.timeout > 0 else None)
                entry.timeout_fired = False
            previous = entry.step
            entry.step = step
            if step.kind != previous.kind or step.signals != previous.signals:
                if self.signal_wait is not None:
                    self.stop_wait()
                if step.kind == "signal" and entry.signal is None:
                    self.start_wait(entry)
            if moved and self.on_record is not None:
                self.journal_step(entry)
            return
        old_index = entry.index
        entry.index = min(old_index, len(self.definition) - 1)
        self.queue.append(Action("removed", True, self.do_removed, entry.token, self.run_seq, old_index))

    # ================================================================== moves
    def arrive(self, index: int) -> Entry:
        """Make step ``index`` current (a new entry); counts against the frame budget."""
        step = self._steps[index]
        self.entry_seq += 1
        clock = self.clock
        entry = Entry(self.entry_seq, index, step, clock.time if clock.held else clock.now(), self.paused)
        self.entry = entry
        self.steps_entered += 1
        self.budget.count(clock.frame if clock.held else clock.frame_number(), index, step.name,
                          index in self._loop_steps)
        return entry

    def announce(self, entry: Entry, source: str, previous_name: str) -> None:
        """onStepEnter for a new entry, then what its step does next (wait, or advance at once)."""
        self.record("step_enter", source, {"entry": entry.token, "type": entry.step.kind})
        if self.on_record is not None:
            self.journal_step(entry)
        if not self.dispatcher.silent:
            self.fire("onStepEnter", payloads.step_enter, self.definition, entry, previous_name, source,
                      self.process_id)
        if entry is not self.entry:
            return
        kind = entry.step.kind
        if entry.waiting:
            self.record("wait", "step", {})
            self.fire("onWaitForContinue", payloads.wait, self.definition, entry, None, "step", self.process_id)
        elif kind == "auto":
            if self.paused:
                entry.held = "auto"
            else:
                self.queue.append(Action("auto", True, self.advance, entry.token, "auto"))
        elif kind == "signal":
            self.start_wait(entry)

    def move(self, entry: Entry, target: int, source: str, transition: str, reason: str | None = None,
             error: dict[str, Any] | None = None) -> None:
        """Leave ``entry`` for step ``target``: onStepExit, then onNextStep and onStepEnter (``error``: the
        error that sends the run there, for onStepEnter's info)."""
        self.exit(entry, source, reason or transition, self._steps[target].name)
        if self.end_asked:  # Stop()/Finish() inside onStepExit: the queued end runs next
            self.end_asked = False
            entry.exited = True
            return
        if (entry.waiting or entry.step.kind != "auto") and transition != "back":
            self.back.append(entry.step.name)
        new = self.arrive(target)
        if error is not None:
            new.error = error
        self.events.totals["on_next_step"] += 1
        self.record("next_step", source, {"from": entry.step.name, "transition": transition})
        if not self.dispatcher.silent:
            self.fire("onNextStep", payloads.next_step, self.definition, entry, new, transition, source,
                      self.process_id)
        self.announce(new, source, entry.step.name)

    def exit(self, entry: Entry, source: str, reason: str, next_name: str) -> None:
        """Record and fire onStepExit for ``entry`` (still current)."""
        clock = self.clock
        elapsed = (clock.time if clock.held else clock.now()) - entry.entered_at
        if self.signal_wait is not None:
            self.stop_wait()
        self.record("step_exit", source, {"entry": entry.token, "reason": reason, "elapsed": elapsed,
                                          "duration": entry.step.duration, "waiting": entry.waiting})
        self.end_asked = False
        if not self.dispatcher.silent:
            self.exiting = entry
            try:
                self.fire("onStepExit", payloads.step_exit, self.definition, entry, reason, next_name, elapsed,
                          source, self.process_id)
            finally:
                self.exiting = None
        if entry.extra is not None and entry.extra.tasks:
            self.cancel_tasks(entry)

    def end_run(self, status: FlowStatus, result: Any, result_type: str, source: str, reason: str) -> None:
        """End the run: onStepExit (unless already fired), then the final status and onFlowFinish."""
        entry = self.entry
        if entry is not None and not entry.exited:
            self.exit(entry, source, reason, "")
        if len(self.tasks):
            self.tell_cancel(self.tasks.cancel_all())
        self.mailbox.clear()
        self.signal_frame = self.signal_wait = None
        self.wait_deferred = False
        progress = self.progress()
        self.entry = None
        self.status = status
        self.paused = False
        self.end_progress = progress
        self.last_result = result
        self.last_result_type = result_type
        self.events.totals["on_finish"] += 1
        now = self.clock.now()
        self.record("flow_finish", source, flow_history.summarize_fields(
            {"status": status.label, "result": result, "result_type": result_type, "reason": reason}, "result"),
            entry)
        outcome = {"result": result, "result_type": result_type, "status": status.label,
                   "process_id": self.process_id, "start_time": self.run_started, "end_time": now,
                   "elapsed": now - self.run_started, "steps_entered": self.steps_entered}
        if self.on_record is not None:
            self.emit({"k": "end", "result_type": result_type, "status": status.value, "reason": reason})
        info = self.fire("onFlowFinish", payloads.flow_finish, entry, outcome, self.context.data, source)
        if (status is not FlowStatus.STOPPED and info is not None and info.get("returnValue") is not None
                and self.status is status):
            self.last_result = info["returnValue"]

    # ================================================================== reactions
    def on_context_change(self, change: flow_context.ContextChange) -> None:
        """The context changed (Set, ClearContext): record it, queue onContextChange (none for a start)."""
        self.record("context_clear" if change.kind == "clear" else "context_set", change.source,
                    flow_history.summarize_fields({"key": change.key, "value": change.value,
                                                   "change_id": change.change_id}, "value"))
        if self.on_record is not None and not self.silent_context:
            self.journal_context(change)
        if not self.silent_context:
            self.queue.submit(Action("callback", False, self.fire, "onContextChange", payloads.context_change,
                                     self.definition, change, self.entry, self.process_id))

    def on_callback_error(self, callback_name: str, source: str, exc: BaseException) -> None:
        """A callback raised: record it, queue onError (and the end of the run with error_policy 'finish')."""
        text = f"{type(exc).__name__}: {exc} (in {callback_name}, {source})"
        self.record("error", source, {"callback": callback_name, "error": text})
        if callback_name == "onError":
            return
        entry = self.entry
        self.queue.append(Action("callback", False, self.fire, "onError", payloads.error, text, callback_name,
                                 source, exc, entry, self.process_id))
        routed = (entry is not None and entry.step.catches and self.status is _RUNNING
                  and source in ("assigned", "dat") and not self.dispatcher.lookup_failed
                  and self.exiting is not entry and callback_name not in _NOT_STEP_CALLBACKS)
        if routed and entry is not None:
            error = {"origin": "callback", "message": text, "step": entry.step.name}
            self.queue.append(Action("error", True, self.do_error, entry.token, error, "error"))
        elif self.finish_on_error and self.is_running and source != "route":  # a route error has its route
            self.queue.append(Action("finish", False, self.do_end, self.run_seq, FlowStatus.ERROR, text, "error",
                                     "error", "finish"))
        self.queue.drain()

    # ================================================================== routes
    def route(self, entry: Entry, route_field: str, source: str) -> tuple[str, int | None]:
        """Where ``entry`` (current) goes by ``route_field``: (the route as a word: 'next', 'end', 'continue'
        or a step name; the target index, None for the end). Raises RouteError (see the module docstring)."""
        index = entry.index
        definition = self.definition
        steps = self._steps
        current = 0 <= index < len(steps) and steps[index] is entry.step
        name = entry.step.name
        expression = definition.expression(index, route_field) if current and definition.has_expressions else None
        if expression is not None:
            proposed = self.evaluator.route(expression, self.context.data, definition.names, step=name,
                                            field=route_field, index_of=definition.index_of)
        elif route_field == "then":
            proposed = definition.resolved_then(index)
        elif route_field == "ontimeout":
            proposed = definition.resolved_ontimeout(index)
        else:
            proposed = definition.resolved_onerror(index)
        resolver = self._route_resolver
        if resolver is not None and current:
            try:
                value = resolver(index, route_field)
            except Exception as exc:
                raise flow_routes.RouteError(
                    f"Step '{name}' {route_field}: its parameter's expression raised {type(exc).__name__}: {exc}",
                    step=name, field=route_field) from exc
            if value is not None:
                proposed = flow_routes.validate_target(value, definition.names, step=name, field=route_field,
                                                       index_of=definition.index_of,
                                                       origin="the parameter's expression")
        if not self.dispatcher.silent:
            info = self.fire("onRoute", payloads.route, definition, entry, route_field, proposed, self.context,
                             source, self.process_id)
            value = info["returnValue"] if info is not None else None
            if value is not None:
                try:
                    proposed = flow_routes.validate_target(value, definition.names, step=name, field=route_field,
                                                           index_of=definition.index_of, origin="onRoute")
                except flow_routes.RouteError as exc:
                    exc.callback = "onRoute"  # type: ignore[attr-defined]
                    raise
        return proposed, self._target_of(index, proposed, route_field)

    def override(self, entry: Entry, route_field: str, value: Any, source: str) -> None:
        """onRoute returned ``value`` for ``entry``'s ``route_field`` ('then' or 'ontimeout'; onerror routes
        are worked out by ``route``): follow it (an unknown target is reported and the error route applies)."""
        definition = self.definition
        try:
            route = flow_routes.validate_target(value, definition.names, step=entry.step.name, field=route_field,
                                                index_of=definition.index_of, origin="onRoute")
        except flow_routes.RouteError as exc:
            self.dispatcher.report_exception("onRoute", "route", exc)
            self.queue.append(Action("route_error", True, self.do_route_error, entry.token, route_field,
                                     exc.error_info(), source))
            return
        self.go(entry, route_field, route, self._target_of(entry.index, route, route_field), source, None)

    def _target_of(self, index: int, route: str, route_field: str = "then") -> int | None:
        if route == THEN_NEXT:
            return index + 1 if index + 1 < len(self._steps) else None
        if route == THEN_END or (route == ONERROR_CONTINUE and route_field == "onerror"):
            return None
        return self.definition.index_of(route)

    def follow(self, entry: Entry, route_field: str, source: str, error: dict[str, Any] | None = None) -> bool:
        """Leave ``entry`` (current) by ``route_field`` ('then', 'ontimeout' or 'onerror'); ``error`` goes to the
        next step's info. Returns False when an error route said ``continue`` (nothing happened)."""
        try:
            route, target = self.route(entry, route_field, source)
        except flow_routes.RouteError as exc:  # onError first, then the error route (queued in that order)
            self.dispatcher.report_exception(getattr(exc, "callback", "route"), "route", exc)
            self.queue.append(Action("route_error", True, self.do_route_error, entry.token, route_field,
                                     exc.error_info(), source))
            return True
        if entry is not self.entry or self.status is not _RUNNING:  # onRoute ended or moved the run
            return True
        if route == ONERROR_CONTINUE and route_field == "onerror":
            return False
        self.go(entry, route_field, route, target, source, error)
        return True

    def go(self, entry: Entry, route_field: str, route: str, target: int | None, source: str,
           error: dict[str, Any] | None) -> None:
        """Carry out a worked-out route: move to ``target`` or, when None, end the run."""
        if route_field == "onerror":
            self.record("error_route", source, {"entry": entry.token, "onerror": route,
                                                "error": error.get("message") if error else None})
            if target is None:
                self.end_run(FlowStatus.ERROR, error.get("message") if error else None, "error", source, "error")
            else:
                self.move(entry, target, source, "error", error=error)
        elif target is None:
            if route_field == "ontimeout":
                self.end_run(FlowStatus.COMPLETED, None, "success", source, "timeout")
            else:
                self.end_run(FlowStatus.COMPLETED, None, "success", source, "end")
        elif route_field == "ontimeout":
            self.move(entry, target, source, "timeout", error=error)
        else:
            self.move(entry, target, source, "next" if route == THEN_NEXT else "jump", error=error)

    # ================================================================== journal
    def timer_of(self, entry: Entry, now: float) -> dict[str, float] | None:
        """The journal's ``timer`` for ``entry``: duration and active elapsed seconds (plus ``timeout``),
        or None when nothing counts in its step (a wait or duration-0 step without a watchdog)."""
        step = entry.step
        timeout = step.timeout
        if step.kind != "timed" and not timeout > 0:
            return None
        timer = {"duration": step.duration, "elapsed": entry.active_elapsed(now)}
        if timeout > 0:
            timer["timeout"] = timeout
        return timer

    def journal_step(self, entry: Entry) -> None:
        """Give the journal a ``step`` record for ``entry`` (only called when ``on_record`` is set)."""
        clock = self.clock
        record = {"k": "step", "step": entry.step.name, "index": entry.index, "entry": entry.token,
                  "waiting": entry.waiting, "timer": self.timer_of(entry, clock.time if clock.held else clock.now())}
        if entry.tasks:
            record["tasks"] = len(self.tasks.running(entry.token))
        self.emit(record)

    def journal_context(self, change: flow_context.ContextChange) -> None:
        """Give the journal the record of a context change; a value JSON cannot hold is journaled as lost
        and reported once per key."""
        key = change.key
        if change.kind == "clear" or key is None:
            record: Record = {"k": "ctxclear"}
        elif flow_journal.is_journalable(change.value):
            record = {"k": "ctx", "key": key, "value": change.value}
        else:
            record = {"k": "ctx", "key": key, "lost": True}
            if key not in self.warned_keys:
                self.warned_keys.add(key)
                self.warning(f"LOPflow journal: context key {key!r} holds a {type(change.value).__name__}, which "
                             "cannot be journaled (not JSON); a restored run will not have it", key)
        entry = self.entry
        if entry is not None:
            timer = self.timer_of(entry, self.clock.now())
            if timer is not None:
                record["timer"] = timer
        self.emit(record)

    def emit(self, record: Record) -> None:
        """Give ``record`` to the journal listener; a listener that raises is reported, never re-raised."""
        listener = self.on_record
        if listener is None:
            return
        try:
            listener(record)
        except Exception as exc:
            self.dispatcher.report_exception("journal", "listener", exc)

    def warning(self, message: str, key: str | None = None) -> None:
        """Record a ``warning`` history event and tell ``warn`` (a listener that raises is reported)."""
        self.record("warning", "engine", {"message": message, "key": key})
        if self.warn is not None:
            try:
                self.warn(message)
            except Exception as exc:
                self.dispatcher.report_exception("warning", "listener", exc)

    # ================================================================== records and callbacks
    def ignored(self, action: str, source: str, why: str, token: int | None = None) -> None:
        """Record that a queued action found its entry or run over."""
        self.record("ignored", source, {"action": action, "reason": why, "entry": token})

    def record(self, event: str, source: str = "", data: dict[str, Any] | None = None,
               step: Entry | None = None) -> None:
        """Record a history event (``data`` plain, owned by the history) and tell the event listeners."""
        self.changed = True
        entry = step if step is not None else self.entry
        clock = self.clock
        if clock.held:
            frame, now = clock.frame, clock.time
        else:
            frame, now = clock.frame_number(), clock.now()
        if entry is None:
            self.history.append(frame, now, self.process_id, event, -1, "", source, data if data is not None else {})
        else:
            self.history.append(frame, now, self.process_id, event, entry.index, entry.step.name, source,
                                data if data is not None else {})
        if self.event_listeners:
            item = self.history.newest()
            for listener in list(self.event_listeners):
                try:
                    listener(item)
                except Exception as exc:
                    self.dispatcher.report_exception("eventListener", "listener", exc)


def plain_id(value: Any) -> Any:
    """A task id as the history keeps it: as it is when JSON holds it, else its repr."""
    return value if value is None or type(value) in (str, int, float, bool) else repr(value)


def _text(value: Any) -> Any:
    """An error as the history keeps it (None stays None)."""
    return None if value is None else value if isinstance(value, str) else f"{type(value).__name__}: {value}"
