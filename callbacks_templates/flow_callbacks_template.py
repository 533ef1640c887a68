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
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'goto', ...
    - process_id: the unique id of the run
    """
    return


def onStepEnter(info):
    """Fires when a step is entered (the step is already current).

    info keys:
    - step: the step as a dict: index, name, label, type, duration, then
    - step_index: the step's index (0 = first block)
    - step_name: the step's name (label lowercased, spaces as underscores)
    - step_type: 'auto' (advances by itself) or 'wait' (waits for NextStep)
    - step_label: the step's label
    - step_duration: 0 (advance at once), -1 (wait) or seconds
    - step_then: where the step goes next: 'next', 'end' or a step name
    - step_data: the data given to the step (WaitForContinue/Update), else None
    - previous_step_name: the step the flow came from ('' for the first step)
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'goto', ...
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
    - step_type: 'auto' (advances by itself) or 'wait' (waits for NextStep)
    - step_label: the step's label
    - step_duration: 0 (advance at once), -1 (wait) or seconds
    - step_then: where the step goes next: 'next', 'end' or a step name
    - step_data: the data given to the step (WaitForContinue/Update), else None
    - reason: 'next', 'jump', 'goto', 'end', 'finish', 'stop', 'restart' or 'removed'
    - next_step_name: the step entered next ('' when the flow ends)
    - elapsed: seconds of TD time spent in the step
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'goto', ...
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
    - transition: 'next' (in order), 'jump' (a then naming a step) or 'goto' (GoToStep)
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'goto', ...
    - process_id: the unique id of the run
    """
    return


def onWaitForContinue(info):
    """Fires when the current step starts waiting: a wait step (-1) is entered or WaitForContinue().

    info keys:
    - step: the step as a dict: index, name, label, type, duration, then
    - step_index: the step's index (0 = first block)
    - step_name: the step's name (label lowercased, spaces as underscores)
    - step_type: 'auto' (advances by itself) or 'wait' (waits for NextStep)
    - step_label: the step's label
    - step_duration: 0 (advance at once), -1 (wait) or seconds
    - step_then: where the step goes next: 'next', 'end' or a step name
    - step_data: the data given to the step (WaitForContinue/Update), else None
    - update_data: the data given to WaitForContinue (None when a wait step was entered)
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'goto', ...
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
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'goto', ...
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
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'goto', ...
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
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'goto', ...
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
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'goto', ...
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
    - source: what caused it: 'api', 'pulse', 'start', 'timer', 'auto', 'update', 'goto', ...
    - process_id: the unique id of the run
    """
    return
