"""FlowController callbacks: the registry (name, when it fires, info keys, return value) and the dispatcher.

``CALLBACKS`` is the one table of every callback. The callbacks template
(``callbacks_templates/flow_callbacks_template.py``) and the README tables are generated from it by
the tooling (``lopflow/callback_docs.py``, ``python -m lopflow.regenerate``); the tests read it too.

Every callback receives one argument, the info dict: its payload keys plus ``COMMON_KEYS``
(``ownerComp`` the FlowController, ``targetComp`` the COMP it drives, ``callbackName``, ``returnValue``).

``CallbackDispatcher.dispatch(name, payload)`` is the only way callbacks run:

1. build ``info`` = payload + ``ownerComp``, ``targetComp``, ``callbackName``, ``returnValue`` (None);
2. call the callback assigned with ``assign(name, function)`` (``AssignCallback``), if any, and store
   what it returns in ``info['returnValue']``;
3. call ``lookup(name)`` (the adapter finds the function in the callbacks DAT's module), if it finds
   one, with the same info dict. When it returns something other than None, that becomes
   ``returnValue``: the callbacks DAT has the last word;
4. return ``info``.

``fire(name, make_payload, *args)`` does the same, but first asks whether anything handles ``name`` (an
assigned callback, or ``lookup`` finding a function): when nothing does, it builds no payload and
returns None. The engine fires every callback this way, so an undefined callback costs one lookup.
``handles(name)`` is that check alone.

Each call is isolated: an exception (also one raised by ``lookup`` itself, e.g. a syntax error in the
callbacks DAT) is caught and passed to every exception hook as ``hook(callback_name, source, exc)``
with ``source`` ``"assigned"`` or ``"dat"``; the next callback still runs. The adapter's hook shows a
script error on the controller; the engine's hook fires ``onError``. An exception raised inside an
``onError`` callback is reported to the hooks with ``callback_name`` ``"onError"`` (the engine does not
answer it with another onError), and a hook that raises is written to stderr, never re-raised, so
errors can never recurse forever.

Pure Python: no ``td`` import, no module-level state (the tables below are immutable constants).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Callback = Callable[[dict[str, Any]], Any]
Lookup = Callable[[str], Callable[..., Any] | None]
ExceptionHook = Callable[[str, str, BaseException], None]


@dataclass(frozen=True)
class CallbackSpec:
    """One callback: its name, when it fires, its payload keys with their meaning, its return value."""

    name: str
    fires: str
    keys: tuple[tuple[str, str], ...]
    returns: str = ""

    @property
    def key_names(self) -> tuple[str, ...]:
        """The payload key names (without the common keys)."""
        return tuple(key for key, _ in self.keys)

    @property
    def uses_return(self) -> bool:
        """True when the engine uses ``returnValue``."""
        return bool(self.returns)


#: Keys every info dict has, whatever the callback.
COMMON_KEYS: tuple[tuple[str, str], ...] = (
    ("ownerComp", "the FlowController COMP"),
    ("targetComp", "the COMP the flow drives (Targetcomp), or None"),
    ("callbackName", "the name of this callback"),
    ("returnValue", "what the callback chain returned so far (the assigned callback's value)"),
)

_STEP_DICT = ("step", "the step as a dict: index, name, label, type, duration, then")
_STEP_KEYS: tuple[tuple[str, str], ...] = (
    _STEP_DICT,
    ("step_index", "the step's index (0 = first block)"),
    ("step_name", "the step's name (label lowercased, spaces as underscores)"),
    ("step_type", "'auto' (advances by itself), 'wait' (waits for NextStep), 'tasks' (waits for its step tasks) "
                  "or 'signal' (waits for a signal)"),
    ("step_label", "the step's label"),
    ("step_duration", "0 (advance at once), -1 (wait) or seconds"),
    ("step_then", "where the step goes next: 'next', 'end' or a step name"),
    ("step_data", "the data given to the step (WaitForContinue/Update), else None"),
)
_RUN_KEYS: tuple[tuple[str, str], ...] = (
    ("source", "what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', "
               "'signal', 'error', ..."),
    ("process_id", "the unique id of the run"),
)

CALLBACKS: tuple[CallbackSpec, ...] = (
    CallbackSpec(
        "onFlowStart", "a run starts (Start), before the first step is entered",
        (("steps", "the step names, in order"), ("step_count", "how many steps the flow has"),
         ("restarted", "True when Start interrupted a running flow"),
         ("inputs", "the inputs given to Start, as a dict (empty when none)"),
         ("start_time", "TD time in seconds when the run started"), *_RUN_KEYS)),
    CallbackSpec(
        "onStepEnter", "a step is entered (the step is already current)",
        (*_STEP_KEYS, ("previous_step_name", "the step the flow came from ('' for the first step)"),
         ("error", "when an error route brought the run here: {'origin': 'callback', 'task', 'route' or 'restore', "
                   "'message', 'step' (the step that failed)}; else None"), *_RUN_KEYS)),
    CallbackSpec(
        "onStepExit", "the current step is left (it is still current)",
        (*_STEP_KEYS,
         ("reason", "'next', 'jump', 'goto', 'back', 'timeout', 'error', 'end', 'finish', 'stop', 'restart' or "
                    "'removed'"),
         ("next_step_name", "the step entered next ('' when the flow ends)"),
         ("elapsed", "seconds of TD time spent in the step"),
         ("signal", "the name of the signal the step consumed (until = signal), else None"),
         ("signal_payload", "that signal's payload (also in the context as 'signal.<name>'), else None"),
         *_RUN_KEYS)),
    CallbackSpec(
        "onNextStep", "after moving to another step, before its onStepEnter (the new step is current)",
        (("from_step_index", "the index of the step that was left"),
         ("from_step_name", "the name of the step that was left"),
         ("step_index", "the index of the step arrived at"), ("step_name", "the name of the step arrived at"),
         ("step_label", "the label of the step arrived at"), ("step", "the step arrived at, as a dict: index, "
                                                                   "name, label, type, duration, then"),
         ("step_data", "the data of the step arrived at (None: it was just entered)"),
         ("transition", "'next' (in order), 'jump' (a then naming a step), 'goto' (GoToStep), 'back' (Back), "
                        "'timeout' (the watchdog) or 'error' (the error route)"),
         ("signal", "the name of the signal the step left consumed, else None"),
         ("signal_payload", "that signal's payload, else None"), *_RUN_KEYS)),
    CallbackSpec(
        "onWaitForContinue", "the current step starts waiting: a wait step (-1) is entered or WaitForContinue()",
        (*_STEP_KEYS, ("update_data", "the data given to WaitForContinue (None when a wait step was entered)"),
         *_RUN_KEYS)),
    CallbackSpec(
        "onFlowUpdate", "Update() is called, before it advances (advance_step=True)",
        (("step_index", "the current step's index"), ("step_name", "the current step's name"),
         ("step_label", "the current step's label"), _STEP_DICT,
         ("step_data", "the step's data after the update (Update(None) keeps the previous data)"),
         ("update_data", "the data given to Update (None when none)"),
         ("advance_step", "True when the flow advances after this update"), *_RUN_KEYS)),
    CallbackSpec(
        "onContextChange", "a context value is set (Set) or the context is cleared (ClearContext)",
        (("key", "the key set (None for a clear)"), ("value", "the new value (None for a clear)"),
         ("old_value", "the previous value (None when new); for a clear, the previous contents"),
         ("change_id", "unique, increasing id of this change"), ("kind", "'set' or 'clear'"),
         ("step", "the current step as a dict: index, name, label, type, duration, then (None when not running)"),
         *_RUN_KEYS)),
    CallbackSpec(
        "onFlowFinish", "a run ends: last step done, then 'end', Finish() or Stop() (status already final)",
        (("result", "the result given to Finish (None otherwise)"),
         ("result_type", "'success', 'error' or 'stopped'"),
         ("status", "the final status: 'Completed', 'Error' or 'Ready' (stopped)"),
         ("step_index", "the index of the last step"), ("step_name", "the name of the last step"),
         ("elapsed", "seconds of TD time the run took"),
         ("response_dict", "the run's outcome in one dict: result, result_type, status, process_id, step_name, "
                           "start_time, end_time, elapsed, steps_entered, context (a copy of the context's keys)"),
         *_RUN_KEYS),
        "when not None (and not stopped), replaces the result shown in Lastresult"),
    CallbackSpec(
        "onError", "a callback or listener raised (after that callback chain returned)",
        (("error", "the error text: type, message and where"), ("error_type", "the exception class name"),
         ("callback_name", "the callback that raised"),
         ("callback_source", "'assigned', 'dat', 'listener' or 'engine'"),
         ("traceback", "the formatted traceback"), ("exception", "the exception object"),
         ("step_index", "the current step's index (-1 if none)"), ("step_name", "the current step's name"),
         *_RUN_KEYS)),
    CallbackSpec(
        "onStepsChanged", "the Step sequence changed (labels, durations, thens, blocks added or removed)",
        (("steps", "the step names, in order"), ("labels", "the step labels, in order"),
         ("step_count", "how many steps"), ("max_steps", "how many steps (as the max_steps channel shows)"),
         ("renamed", "[[old_name, new_name], ...] renames detected"),
         ("findings", "problems found, as dicts: severity, code, message, steps, indices"),
         ("runnable", "True when the flow can run (no error findings)"), *_RUN_KEYS)),
    CallbackSpec(
        "onFlowPause", "the run is paused (Pause): timed steps and watchdogs stop counting",
        (_STEP_DICT, ("step_index", "the current step's index"), ("step_name", "the current step's name"),
         *_RUN_KEYS)),
    CallbackSpec(
        "onFlowResume", "a paused run resumes (Resume): timers count on from where they stopped",
        (_STEP_DICT, ("step_index", "the current step's index"), ("step_name", "the current step's name"),
         ("paused_for", "seconds of TD time the run was paused"), *_RUN_KEYS)),
    CallbackSpec(
        "onStepTimeout", "a step stayed current for its timeout (paused time excluded), before it leaves by "
                         "ontimeout",
        (*_STEP_KEYS, ("timeout", "the step's timeout in seconds"),
         ("elapsed", "seconds of TD time spent in the step while not paused"),
         ("ontimeout", "where the step goes now: 'next', 'end' or a step name"),
         ("next_step_name", "the step entered next ('' when the flow ends)"), *_RUN_KEYS)),
    CallbackSpec(
        "onTaskDone", "a step task of the current step entry ended (RunTask); a completion from a step entry "
                      "that is over fires nothing (history event task_stale)",
        (("task_id", "the task's id (as RunTask returned it)"),
         ("status", "'completed', 'failed', 'timeout' or 'cancelled'"),
         ("result", "what the task returned (None unless completed)"),
         ("error", "the task's error (None unless failed or timed out)"),
         ("outcome", "'pending' (other tasks of the step still run), 'all_completed', 'failed' (the step's first "
                     "failure: its error route applies) or 'all_ended' (the last task ended after a failure)"),
         _STEP_DICT, ("step_index", "the index of the step that started the task"),
         ("step_name", "the name of the step that started the task"), *_RUN_KEYS)),
    CallbackSpec(
        "onSignal", "a signal arrives (Signal) while a run is going on: consumed by a step waiting for it, or "
                    "queued for a later step",
        (("name", "the signal's name"), ("payload", "the signal's payload (None when none)"),
         ("consumed", "True when the current step took it now and leaves; False when it was queued (the "
                      "latest payload per name is kept until a step with until = signal takes it)"),
         ("step", "the current step as a dict: index, name, label, type, duration, then"),
         ("step_index", "the current step's index"), ("step_name", "the current step's name"), *_RUN_KEYS)),
    CallbackSpec(
        "onRoute", "a step is about to be left by its then, ontimeout or onerror route, before onStepExit",
        (_STEP_DICT, ("step_index", "the index of the step being left"),
         ("step_name", "the name of the step being left"),
         ("field", "the route followed: 'then', 'ontimeout' or 'onerror'"),
         ("proposed", "where the route leads: 'next', 'end', 'continue' (onerror) or a step name (an expression "
                      "route already evaluated)"),
         ("context", "the run's context, read-only"), *_RUN_KEYS),
        "when not None, the target instead: 'next', 'end' or a step name (an unknown one fires onError and the "
        "run follows the step's error route)"),
    CallbackSpec(
        "onStepEndAlert", "a timed step with an alert has that many seconds left (paused time excluded)",
        (_STEP_DICT, ("step_index", "the current step's index"), ("step_name", "the current step's name"),
         ("remaining", "seconds of TD time the step has left"), ("alert", "the step's alert in seconds"),
         ("duration", "the step's duration in seconds"), *_RUN_KEYS)),
    CallbackSpec(
        "onFlowRestore", "a run was restored from the journal (Restore, Restoreonstart), without onStepEnter",
        (("process_id", "the id of the restored run"), ("step_name", "the step the run continues in"),
         ("step_index", "that step's index"),
         ("downtime", "wall-clock seconds since the journal was last written"),
         ("context_keys", "the context keys brought back"),
         ("lost_keys", "context keys whose values could not be journaled (not JSON): they are not back"),
         ("waiting", "True when the step waits for NextStep"), ("paused", "True when the run was paused"),
         ("source", "'restore' (the Restore pulse or method) or 'restoreonstart'"))),
)

#: What each action fires, in order. ``[...]`` marks callbacks that fire only in the case described.
CALLBACK_ORDER: tuple[tuple[str, str], ...] = (
    ("Start", "onFlowStart → onStepEnter(first) → [onWaitForContinue if the step waits]"),
    ("Start while running", "onStepExit(reason 'restart') → onFlowFinish('stopped') → onFlowStart → onStepEnter(first) "
                            "→ [onWaitForContinue if the step waits]"),
    ("NextStep / timer / duration 0 (then 'next' or a step)",
     "onStepExit → onNextStep → onStepEnter → [onWaitForContinue if the new step waits]"),
    ("NextStep from the last step, or then 'end'", "onStepExit(reason 'end') → onFlowFinish('success')"),
    ("GoToStep(name)", "onStepExit(reason 'goto') → onNextStep(transition 'goto') → onStepEnter"),
    ("WaitForContinue()", "onWaitForContinue"),
    ("Update(data)", "onFlowUpdate"),
    ("Update(data, advance_step=True)",
     "onFlowUpdate → onStepExit → onNextStep → onStepEnter (from the last step: onFlowUpdate, onStepExit, onFlowFinish)"),
    ("Finish(result, result_type)", "onStepExit(reason 'finish') → onFlowFinish"),
    ("Stop()", "onStepExit(reason 'stop') → onFlowFinish('stopped')"),
    ("Stop() or Finish() inside onStepExit", "onStepExit → onFlowFinish (the next step is not entered)"),
    ("Set(key, value)", "onContextChange"),
    ("ClearContext()", "onContextChange(kind 'clear')"),
    ("A callback raises", "the raising callback → onError (after the other callbacks of the same action; the run goes on)"),
    ("Step sequence edited", "onStepsChanged"),
    ("Pause()", "onFlowPause (timers stop; NextStep, GoToStep and Back still move, the new step's timer waits)"),
    ("Resume()", "onFlowResume → [what the pause held back: a due timer or watchdog, a duration-0 step's advance]"),
    ("Back()", "onStepExit(reason 'back') → onNextStep(transition 'back', source 'back') → onStepEnter(the step "
               "visited before) → [onWaitForContinue if it waits]"),
    ("A step's timeout passes", "onStepTimeout → onStepExit(reason 'timeout') → onNextStep(transition 'timeout') → "
                                "onStepEnter (ontimeout 'end': onStepTimeout → onStepExit → onFlowFinish)"),
    ("NextStep() ignored (GO guard, expect, not running)", "nothing (a history note)"),
    ("A step is left by a route (then, ontimeout, onerror), onRoute defined",
     "onRoute (its return value, when not None, is the target) → onStepExit → onNextStep → onStepEnter"),
    ("Signal(name) consumed by the waiting step",
     "onSignal(consumed True) → onContextChange(key 'signal.<name>') → onStepExit → onNextStep → onStepEnter "
     "(a signal step entered in the same frame starts waiting at the next frame)"),
    ("Signal(name) nobody waits for", "onSignal(consumed False; queued, a later step with until = signal takes it)"),
    ("A step task ends (RunTask)", "onTaskDone → [until = tasks and all ended: onStepExit → onNextStep → "
                                   "onStepEnter; failed or timed out: the error route]"),
    ("A callback of the step raises, onerror not 'continue'",
     "the raising callback → onError → onStepExit(reason 'error') → onNextStep(transition 'error') → "
     "onStepEnter(with its info 'error')"),
    ("A timed step has its alert's seconds left", "onStepEndAlert"),
    ("Run restored (Restore) or extension re-initialised", "nothing from the engine (a Restore fires onFlowRestore)"),
    ("API call inside a callback", "queued: runs after the current action's callbacks, never nested"),
)


def spec(name: str) -> CallbackSpec:
    """The registry entry for ``name`` (ValueError naming the known callbacks when there is none)."""
    for item in CALLBACKS:
        if item.name == name:
            return item
    raise ValueError(f"No callback named {name!r}; FlowController callbacks are: {', '.join(callback_names())}")


def callback_names() -> tuple[str, ...]:
    """Every callback name, in registry order."""
    return tuple(item.name for item in CALLBACKS)


class CallbackDispatcher:
    """Builds info dicts and runs the assigned callback then the callbacks-DAT function, isolated.

    ``owner_comp`` / ``target_comp`` go into every info dict (both may be reassigned at any time).
    ``lookup(name)`` returns the callbacks-DAT function for ``name`` or None. ``on_exception`` is a first
    exception hook (more with ``add_exception_hook``).
    """

    def __init__(self, owner_comp: Any = None, target_comp: Any = None, lookup: Lookup | None = None,
                 on_exception: ExceptionHook | None = None) -> None:
        self.owner_comp = owner_comp
        self.target_comp = target_comp
        self._assigned: dict[str, Callable[..., Any]] = {}
        #: True while no callback can run at all (no ``lookup``, nothing assigned): firing can be skipped.
        self.silent = True
        self.lookup = lookup
        self._hooks: list[ExceptionHook] = [on_exception] if on_exception is not None else []
        self._active: list[str] = []
        self._known = frozenset(callback_names())
        self._reporting = False
        self.exceptions_caught = 0
        #: True while the hooks hear of a ``lookup`` that raised (not of a callback that raised).
        self.lookup_failed = False

    # -- assigned callbacks ---------------------------------------------------------------------------
    def assign(self, name: str, function: Callable[..., Any] | None) -> None:
        """Assign ``function`` to callback ``name`` (None removes it). Raises ValueError / TypeError."""
        if name not in self._known:
            raise ValueError(f"Can't AssignCallback: no callback named {name!r}; "
                             f"FlowController callbacks are: {', '.join(callback_names())}")
        if function is None:
            self._assigned.pop(name, None)
        elif not callable(function):
            raise TypeError(f"Can't AssignCallback: {name} needs a function taking one info dict, "
                            f"not {type(function).__name__}")
        else:
            self._assigned[name] = function
        self.silent = self._lookup is None and not self._assigned

    @property
    def lookup(self) -> Lookup | None:
        """Finds the callbacks-DAT function for a callback name (None: there is none), or None."""
        return self._lookup

    @lookup.setter
    def lookup(self, lookup: Lookup | None) -> None:
        self._lookup = lookup
        self.silent = lookup is None and not self._assigned

    def assigned(self, name: str) -> Callable[..., Any] | None:
        """The function assigned to ``name``, or None."""
        return self._assigned.get(name)

    # -- exception hooks ------------------------------------------------------------------------------
    def add_exception_hook(self, hook: ExceptionHook) -> None:
        """Call ``hook(callback_name, source, exc)`` for every exception a callback raises."""
        self._hooks.append(hook)

    def remove_exception_hook(self, hook: ExceptionHook) -> None:
        """Stop calling ``hook``; unknown hooks are ignored."""
        if hook in self._hooks:
            self._hooks.remove(hook)

    def report_exception(self, callback_name: str, source: str, exc: BaseException) -> None:
        """Give ``exc`` to every exception hook. A hook that raises is printed to stderr, never re-raised."""
        self.exceptions_caught += 1
        if self._reporting:  # a hook's own failure while reporting: print, do not recurse
            _print_exception(f"while reporting an exception from {callback_name}", exc)
            return
        self._reporting = True
        try:
            for hook in list(self._hooks):
                try:
                    hook(callback_name, source, exc)
                except Exception as hook_exc:
                    _print_exception(f"exception hook failed for {callback_name}", hook_exc)
        finally:
            self._reporting = False

    # -- dispatching ----------------------------------------------------------------------------------
    @property
    def active(self) -> tuple[str, ...]:
        """The callbacks currently running, outermost first."""
        return tuple(self._active)

    def handles(self, name: str) -> bool:
        """True when something would run for ``name``: an assigned callback or a callbacks-DAT function.

        A ``lookup`` that raises is reported (source ``"dat"``) and counts as no function.
        """
        return self._assigned.get(name) is not None or self._find(name) is not None

    def dispatch(self, name: str, payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run callback ``name`` with ``payload``; returns the info dict (``returnValue`` = final value).

        Raises ValueError for a name that is not in ``CALLBACKS`` (a programming error, not a user one).
        An ``onError`` dispatched while an ``onError`` is already running is skipped (no error loops).
        """
        if name not in self._known:
            spec(name)  # raises ValueError naming the known callbacks
        info = self.fire(name, dict, payload or {})
        return info if info is not None else self._info(name, dict(payload or {}))

    def fire(self, name: str, make_payload: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any] | None:
        """Like ``dispatch``, but the payload is built (``make_payload(*args)``, a new dict that becomes
        the info dict) only when something handles ``name``; returns None, having built nothing, when
        nothing does. The engine's way to fire: ``name`` must be a name of ``CALLBACKS`` (``dispatch``
        and ``assign`` check names; this hot path does not).
        """
        if self._assigned:
            assigned = self._assigned.get(name)
            if assigned is not None:
                return self._fire_assigned(name, assigned, make_payload(*args))
        # The common case, kept short: nothing assigned, ask the callbacks DAT.
        lookup = self._lookup
        if lookup is None:
            return None
        try:
            function = lookup(name)
        except Exception as exc:
            self._report_lookup(name, exc)
            return None
        if function is None:
            return None
        info = make_payload(*args)
        info["ownerComp"] = self.owner_comp
        info["targetComp"] = self.target_comp
        info["callbackName"] = name
        info["returnValue"] = None
        active = self._active
        if name == "onError" and "onError" in active:
            return info
        active.append(name)
        try:
            value = function(info)
        except Exception as exc:
            self.report_exception(name, "dat", exc)
        else:
            if value is not None:
                info["returnValue"] = value
        finally:
            active.pop()
        return info

    def _fire_assigned(self, name: str, assigned: Callable[..., Any], info: dict[str, Any]) -> dict[str, Any]:
        """``fire`` for a callback with an assigned function: it runs first, then the callbacks DAT's."""
        info["ownerComp"] = self.owner_comp
        info["targetComp"] = self.target_comp
        info["callbackName"] = name
        info["returnValue"] = None
        if name == "onError" and "onError" in self._active:
            return info
        self._active.append(name)
        try:
            try:
                info["returnValue"] = assigned(info)
            except Exception as exc:
                self.report_exception(name, "assigned", exc)
            function = self._find(name)  # looked up after the assigned callback ran
            if function is not None:
                try:
                    value = function(info)
                except Exception as exc:
                    self.report_exception(name, "dat", exc)
                else:
                    if value is not None:
                        info["returnValue"] = value
        finally:
            self._active.pop()
        return info

    def _info(self, name: str, info: dict[str, Any]) -> dict[str, Any]:
        """``info`` (a dict of its own) completed with the common keys."""
        info["ownerComp"] = self.owner_comp
        info["targetComp"] = self.target_comp
        info["callbackName"] = name
        info["returnValue"] = None
        return info

    def _find(self, name: str) -> Callable[..., Any] | None:
        if self._lookup is None:
            return None
        try:
            return self._lookup(name)
        except Exception as exc:
            self._report_lookup(name, exc)
            return None

    def _report_lookup(self, name: str, exc: BaseException) -> None:
        """A ``lookup`` that raised (the callbacks DAT does not compile): reported as source ``"dat"``, with
        ``lookup_failed`` True while the hooks run (no callback of the step ran, so no error route)."""
        self.lookup_failed = True
        try:
            self.report_exception(name, "dat", exc)
        finally:
            self.lookup_failed = False


def _print_exception(context: str, exc: BaseException) -> None:
    sys.stderr.write(f"LOPflow: {context}:\n")
    sys.stderr.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
