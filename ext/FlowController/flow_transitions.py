"""Transitions: the run, its moves between steps, and what each move records and fires.

``Transitions`` holds the run (status, the current step ``Entry``, process id, results) and carries
out the engine's queued actions: start, advance (NextStep, a timer, a duration-0 step), wait, update,
go to a step, finish/stop, and the move away from a deleted step. Every action checks first that the
entry or run it was queued for is still the current one; when it is not, it does nothing but record
an ``ignored`` history event (see "Scoping" in ``flow_engine``).

Pause: while ``paused``, nothing moves by itself. A timer, watchdog or duration-0 advance that comes
due is ``held`` by its entry and runs on resume; an entry made while paused starts its timers on
resume (``Entry.freeze`` / ``thaw``). Explicit moves (NextStep, GoToStep, Back) still run.

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

The class is built in layers, each a module: ``flow_transition_state`` (the run, history events and
journal records), ``flow_transition_moves`` (entering and leaving steps, ending the run),
``flow_transition_routes`` (routes, the watchdog, error routes) and this one (the actions, step
tasks, signals, alerts, definition changes).

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import flow_context
import flow_history
import flow_payloads as payloads
import flow_signals
import flow_step_tasks
from flow_queue import Action
from flow_state import Entry, FlowStatus
from flow_step_tasks import TaskOutcome
from flow_transition_routes import RouteMoves
from flow_transition_state import AUTO_SOURCES, OVER, RUN_OVER, error_text
from flow_transition_state import Record as Record
from flow_transition_state import RouteResolver as RouteResolver
from flow_transition_state import plain_id as plain_id

_RUNNING = FlowStatus.RUNNING
#: Callbacks that are not "of the current step": their exceptions never trigger its error route.
_NOT_STEP_CALLBACKS = frozenset(("onError", "onStepExit", "onFlowStart", "onFlowFinish", "onStepsChanged",
                                 "onFlowRestore"))


class Transitions(RouteMoves):
    """The run and its step moves; the engine queues the actions, this carries them out."""

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

    def do_wait(self, token: int, step_data: Any, source: str) -> None:
        """Make entry ``token`` wait for NextStep (its timer and auto-advance are cancelled)."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.ignored("wait_for_continue", source, OVER, token)
            return
        entry.waiting = True
        entry.deadline = None
        if entry.held in AUTO_SOURCES:
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
            self.ignored("update", source, OVER, token)
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
            self.ignored("go_to_step", source, RUN_OVER)
            return
        target = self.definition.index_of(name)
        if target is None:
            self.ignored("go_to_step", source, f"no step named {name!r} any more")
            return
        self.move(entry, target, source, "goto")

    def do_end(self, run: int, status: FlowStatus, result: Any, result_type: str, source: str, reason: str) -> None:
        """End run ``run`` in ``status`` (Finish, Stop, or a callback error with error_policy 'finish')."""
        if self.status is not _RUNNING or run != self.run_seq:
            self.ignored(reason, source, RUN_OVER)
            return
        self.end_run(status, result, result_type, source, reason)

    def do_back(self, run: int, source: str) -> None:
        """Return to the step left most recently in run ``run`` (one that still exists)."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or run != self.run_seq:
            self.ignored("back", source, RUN_OVER)
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
            self.ignored("pause", source, RUN_OVER)
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
            self.ignored("resume", source, RUN_OVER)
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

    def do_alert(self, token: int) -> None:
        """Entry ``token``'s alert time came: onStepEndAlert with the seconds left."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token or entry.deadline is None:
            return
        remaining = max(0.0, entry.deadline - self.clock.now())
        self.record("alert", "alert", {"entry": token, "remaining": remaining, "alert": entry.step.alert})
        self.fire("onStepEndAlert", payloads.step_end_alert, self.definition, entry, remaining, self.process_id)

    def do_task_done(self, token: int, task_id: Any, status: str, result: Any, error: Any,
                     outcome: TaskOutcome) -> None:
        """A step task of entry ``token`` ended (not stale): onTaskDone, then what it means for the step."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.record("task_stale", "task", {"task_id": plain_id(task_id), "status": status, "entry": token})
            return
        self.record("task_done", "task", flow_history.summarize_fields(
            {"task_id": plain_id(task_id), "status": status, "outcome": outcome.value, "error": error_text(error)},
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
