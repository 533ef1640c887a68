"""Step moves: a step becomes current, is announced, is left for another step, or the run ends.

A move from step A to step B fires onStepExit(A), then B becomes current, then onNextStep and
onStepEnter(B) (then onWaitForContinue when B waits, or B's auto-advance is queued when its duration
is 0). A Stop() or Finish() asked inside onStepExit ends the run there: B is not entered.

Back: every move pushes the step it leaves on ``back`` (a bounded stack of names), except a move made
by Back itself and a duration-0 step passed through without waiting (Back would only bounce off it).

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from typing import Any

import flow_history
import flow_payloads as payloads
from flow_queue import Action
from flow_state import Entry, FlowStatus
from flow_transition_state import TransitionState


class StepMoves(TransitionState):
    """Entering, announcing and leaving steps, and ending the run."""

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

    # Carried out further up (``flow_transition_routes.RouteMoves``, ``flow_transitions.Transitions``);
    # declared here because entering a step queues them.
    def advance(self, token: int, source: str) -> None:
        """Leave entry ``token`` for where its step goes next (``RouteMoves.advance``)."""
        raise NotImplementedError

    def start_wait(self, entry: Entry) -> None:
        """``entry``'s step waits for signals (``Transitions.start_wait``)."""
        raise NotImplementedError
