"""The state the step transitions work on, and what they record: history events and journal records.

``TransitionState`` holds the run (status, the current step ``Entry``, process id, results, the step tasks,
the signal mailbox) and the ways a transition reports itself; the moves (``flow_transition_moves``), the
routes (``flow_transition_routes``) and the actions (``flow_transitions.Transitions``) are built on it.

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
from collections.abc import Callable
from typing import Any

import flow_callbacks
import flow_context
import flow_history
import flow_journal
import flow_routes
import flow_signals
import flow_step_tasks
import flow_steps
from flow_channel_layout import EventCounts
from flow_queue import ActionQueue, Clock, FrameBudget
from flow_spec import BACK_STACK_SIZE
from flow_state import Entry, EventListener, FlowStatus

_RUNNING = FlowStatus.RUNNING
#: Leaves that come due by time: held by a pause or a WaitForContinue.
AUTO_SOURCES = ("auto", "timer")
#: Leaves caused by what a step waits for besides time: held by a pause, never by WaitForContinue.
EVENT_SOURCES = ("tasks", "signal")
RouteResolver = Callable[[int, str], Any]
Record = dict[str, Any]
#: Why an action queued for an entry or a run that is over does nothing (its ``ignored`` event).
OVER = "the step entry it was called for is over"
RUN_OVER = "the run it was called in is over"


class TransitionState:
    """The run the transitions work on, and their history events and journal records."""

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

    def stop_wait(self) -> None:
        """The waiting step is left some other way: nobody waits for signals now."""
        self.signal_wait = None
        self.wait_deferred = False
        self.mailbox.on_leave()

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


def plain_id(value: Any) -> Any:
    """A task id as the history keeps it: as it is when JSON holds it, else its repr."""
    return value if value is None or type(value) in (str, int, float, bool) else repr(value)


def error_text(value: Any) -> Any:
    """An error as the history keeps it (None stays None)."""
    return None if value is None else value if isinstance(value, str) else f"{type(value).__name__}: {value}"
