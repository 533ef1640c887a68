"""FlowController callbacks.

Each function is called with one argument, info, a dict. Every info dict holds:

- ownerComp: the FlowController COMP
- targetComp: the COMP the flow drives (Targetcomp), or None
- callbackName: the name of this callback
- returnValue: what the callback chain returned so far (the assigned callback's value)

An assigned callback (AssignCallback) runs first; then the function here. When this function
returns something other than None it becomes info['returnValue'] (this DAT has the last word).
Calls to the FlowController made in here (NextStep, GoToStep, Set, ...) are queued and run
after this callback returns. An exception here fires onError and shows a script error on the
FlowController; the flow keeps running.

To call the FlowController from here, use info['ownerComp']: info['ownerComp'].NextStep(),
info['ownerComp'].GoToStep('name'), info['ownerComp'].Set('key', value). Do not write
iop.LOPflow here: LOPflow is an Internal OP shortcut of the target COMP, which only code inside
the target can resolve, and this DAT is docked next to the target, outside it. iop.LOPflow is
for scripts inside the target (a Panel Execute DAT, a button's callback, ...).
"""


def onFlowStart(info):
    """Fires when a run starts (Start), before the first step is entered.

    info keys:
    - steps: the step names, in order
    - step_count: how many steps the flow has
    - restarted: True when Start interrupted a running flow
    - inputs: the inputs given to Start, as a dict (empty when none)
    - start_time: TD time in seconds when the run started
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onStepEnter(info):
    """Fires when a step is entered (the step is already current).

    info keys:
    - step: the step as a dict: index, name, label, type, duration, then
    - step_index: the step's index (0 = first block)
    - step_name: the step's name (label lowercased, spaces as underscores)
    - step_type: 'auto' (advances by itself), 'wait' (waits for NextStep), 'tasks' (waits for its step tasks) or 'signal' (waits for a signal)
    - step_label: the step's label
    - step_duration: 0 (advance at once), -1 (wait) or seconds
    - step_then: where the step goes next: 'next', 'end' or a step name
    - step_data: the data given to the step (WaitForContinue/Update), else None
    - previous_step_name: the step the flow came from ('' for the first step)
    - error: when an error route brought the run here: {'origin': 'callback', 'task', 'route' or 'restore', 'message', 'step' (the step that failed)}; else None
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    # flow = info['ownerComp']  # the FlowController (iop.LOPflow does not resolve in this DAT)
    # if info['step_name'] == 'intro':
    #     flow.Set('visitor', None)
    return


def onStepExit(info):
    """Fires when the current step is left (it is still current).

    info keys:
    - step: the step as a dict: index, name, label, type, duration, then
    - step_index: the step's index (0 = first block)
    - step_name: the step's name (label lowercased, spaces as underscores)
    - step_type: 'auto' (advances by itself), 'wait' (waits for NextStep), 'tasks' (waits for its step tasks) or 'signal' (waits for a signal)
    - step_label: the step's label
    - step_duration: 0 (advance at once), -1 (wait) or seconds
    - step_then: where the step goes next: 'next', 'end' or a step name
    - step_data: the data given to the step (WaitForContinue/Update), else None
    - reason: 'next', 'jump', 'goto', 'back', 'timeout', 'error', 'end', 'finish', 'stop', 'restart' or 'removed'
    - next_step_name: the step entered next ('' when the flow ends)
    - elapsed: seconds of TD time spent in the step
    - signal: the name of the signal the step consumed (until = signal), else None
    - signal_payload: that signal's payload (also in the context as 'signal.<name>'), else None
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onNextStep(info):
    """Fires when after moving to another step, before its onStepEnter (the new step is current).

    info keys:
    - from_step_index: the index of the step that was left
    - from_step_name: the name of the step that was left
    - step_index: the index of the step arrived at
    - step_name: the name of the step arrived at
    - step_label: the label of the step arrived at
    - step: the step arrived at, as a dict: index, name, label, type, duration, then
    - step_data: the data of the step arrived at (None: it was just entered)
    - transition: 'next' (in order), 'jump' (a then naming a step), 'goto' (GoToStep), 'back' (Back), 'timeout' (the watchdog) or 'error' (the error route)
    - signal: the name of the signal the step left consumed, else None
    - signal_payload: that signal's payload, else None
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onWaitForContinue(info):
    """Fires when the current step starts waiting: a wait step (-1) is entered or WaitForContinue().

    info keys:
    - step: the step as a dict: index, name, label, type, duration, then
    - step_index: the step's index (0 = first block)
    - step_name: the step's name (label lowercased, spaces as underscores)
    - step_type: 'auto' (advances by itself), 'wait' (waits for NextStep), 'tasks' (waits for its step tasks) or 'signal' (waits for a signal)
    - step_label: the step's label
    - step_duration: 0 (advance at once), -1 (wait) or seconds
    - step_then: where the step goes next: 'next', 'end' or a step name
    - step_data: the data given to the step (WaitForContinue/Update), else None
    - update_data: the data given to WaitForContinue (None when a wait step was entered)
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    # Something outside this DAT usually continues the flow: code inside the target calls
    # iop.LOPflow.NextStep(). From here it is info['ownerComp'].NextStep().
    return


def onFlowUpdate(info):
    """Fires when Update() is called, before it advances (advance_step=True).

    info keys:
    - step_index: the current step's index
    - step_name: the current step's name
    - step_label: the current step's label
    - step: the step as a dict: index, name, label, type, duration, then
    - step_data: the step's data after the update (Update(None) keeps the previous data)
    - update_data: the data given to Update (None when none)
    - advance_step: True when the flow advances after this update
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onContextChange(info):
    """Fires when a context value is set (Set) or the context is cleared (ClearContext).

    info keys:
    - key: the key set (None for a clear)
    - value: the new value (None for a clear)
    - old_value: the previous value (None when new); for a clear, the previous contents
    - change_id: unique, increasing id of this change
    - kind: 'set' or 'clear'
    - step: the current step as a dict: index, name, label, type, duration, then (None when not running)
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onFlowFinish(info):
    """Fires when a run ends: last step done, then 'end', Finish() or Stop() (status already final).

    info keys:
    - result: the result given to Finish (None otherwise)
    - result_type: 'success', 'error' or 'stopped'
    - status: the final status: 'Completed', 'Error' or 'Ready' (stopped)
    - step_index: the index of the last step
    - step_name: the name of the last step
    - elapsed: seconds of TD time the run took
    - response_dict: the run's outcome in one dict: result, result_type, status, process_id, step_name, start_time, end_time, elapsed, steps_entered, context (a copy of the context's keys)
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run

    Return value: when not None (and not stopped), replaces the result shown in Lastresult.
    """
    # print(info['ownerComp'].name, 'finished:', info['result_type'], info['result'])
    return


def onError(info):
    """Fires when a callback or listener raised (after that callback chain returned).

    info keys:
    - error: the error text: type, message and where
    - error_type: the exception class name
    - callback_name: the callback that raised
    - callback_source: 'assigned', 'dat', 'listener' or 'engine'
    - traceback: the formatted traceback
    - exception: the exception object
    - step_index: the current step's index (-1 if none)
    - step_name: the current step's name
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onStepsChanged(info):
    """Fires when the Step sequence changed (labels, durations, thens, blocks added or removed).

    info keys:
    - steps: the step names, in order
    - labels: the step labels, in order
    - step_count: how many steps
    - max_steps: how many steps (as the max_steps channel shows)
    - renamed: [[old_name, new_name], ...] renames detected
    - findings: problems found, as dicts: severity, code, message, steps, indices
    - runnable: True when the flow can run (no error findings)
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onFlowPause(info):
    """Fires when the run is paused (Pause): timed steps and watchdogs stop counting.

    info keys:
    - step: the step as a dict: index, name, label, type, duration, then
    - step_index: the current step's index
    - step_name: the current step's name
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onFlowResume(info):
    """Fires when a paused run resumes (Resume): timers count on from where they stopped.

    info keys:
    - step: the step as a dict: index, name, label, type, duration, then
    - step_index: the current step's index
    - step_name: the current step's name
    - paused_for: seconds of TD time the run was paused
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onStepTimeout(info):
    """Fires when a step stayed current for its timeout (paused time excluded), before it leaves by ontimeout.

    info keys:
    - step: the step as a dict: index, name, label, type, duration, then
    - step_index: the step's index (0 = first block)
    - step_name: the step's name (label lowercased, spaces as underscores)
    - step_type: 'auto' (advances by itself), 'wait' (waits for NextStep), 'tasks' (waits for its step tasks) or 'signal' (waits for a signal)
    - step_label: the step's label
    - step_duration: 0 (advance at once), -1 (wait) or seconds
    - step_then: where the step goes next: 'next', 'end' or a step name
    - step_data: the data given to the step (WaitForContinue/Update), else None
    - timeout: the step's timeout in seconds
    - elapsed: seconds of TD time spent in the step while not paused
    - ontimeout: where the step goes now: 'next', 'end' or a step name
    - next_step_name: the step entered next ('' when the flow ends)
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onTaskDone(info):
    """Fires when a step task of the current step entry ended (RunTask); a completion from a step entry that is over fires nothing (history event task_stale).

    info keys:
    - task_id: the task's id (as RunTask returned it)
    - status: 'completed', 'failed', 'timeout' or 'cancelled'
    - result: what the task returned (None unless completed)
    - error: the task's error (None unless failed or timed out)
    - outcome: 'pending' (other tasks of the step still run), 'all_completed', 'failed' (the step's first failure: its error route applies) or 'all_ended' (the last task ended after a failure)
    - step: the step as a dict: index, name, label, type, duration, then
    - step_index: the index of the step that started the task
    - step_name: the name of the step that started the task
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onSignal(info):
    """Fires when a signal arrives (Signal) while a run is going on: consumed by a step waiting for it, or queued for a later step.

    info keys:
    - name: the signal's name
    - payload: the signal's payload (None when none)
    - consumed: True when the current step took it now and leaves; False when it was queued (the latest payload per name is kept until a step with until = signal takes it)
    - step: the current step as a dict: index, name, label, type, duration, then
    - step_index: the current step's index
    - step_name: the current step's name
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onRoute(info):
    """Fires when a step is about to be left by its then, ontimeout or onerror route, before onStepExit.

    info keys:
    - step: the step as a dict: index, name, label, type, duration, then
    - step_index: the index of the step being left
    - step_name: the name of the step being left
    - field: the route followed: 'then', 'ontimeout' or 'onerror'
    - proposed: where the route leads: 'next', 'end', 'continue' (onerror) or a step name (an expression route already evaluated)
    - context: the run's context, read-only
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run

    Return value: when not None, the target instead: 'next', 'end' or a step name (an unknown one fires onError and the run follows the step's error route).
    """
    return


def onStepEndAlert(info):
    """Fires when a timed step with an alert has that many seconds left (paused time excluded).

    info keys:
    - step: the step as a dict: index, name, label, type, duration, then
    - step_index: the current step's index
    - step_name: the current step's name
    - remaining: seconds of TD time the step has left
    - alert: the step's alert in seconds
    - duration: the step's duration in seconds
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'back', 'timeout', 'tasks', 'signal', 'error', ...
    - process_id: the unique id of the run
    """
    return


def onFlowRestore(info):
    """Fires when a run was restored from the journal (Restore, Restoreonstart), without onStepEnter.

    info keys:
    - process_id: the id of the restored run
    - step_name: the step the run continues in
    - step_index: that step's index
    - downtime: wall-clock seconds since the journal was last written
    - context_keys: the context keys brought back
    - lost_keys: context keys whose values could not be journaled (not JSON): they are not back
    - waiting: True when the step waits for NextStep
    - paused: True when the run was paused
    - source: 'restore' (the Restore pulse or method) or 'restoreonstart'
    """
    return
