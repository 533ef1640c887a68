"""The FlowController callback registry: every callback's name, when it fires, its info keys, its return value.

``CALLBACKS`` is the one table of every callback; ``COMMON_KEYS`` the keys every info dict has;
``CALLBACK_ORDER`` what each action fires, in order. The callbacks template
(``callbacks_templates/flow_callbacks_template.py``) and the README tables are generated from them by the
tooling (``lopflow/callback_docs.py``, ``python -m lopflow.regenerate``); the tests read them too.
``flow_callbacks`` re-exports all of them next to the dispatcher that fires the callbacks.

Pure Python: no ``td`` import, no module-level state (the tables are immutable constants).
"""

from __future__ import annotations

from dataclasses import dataclass


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
