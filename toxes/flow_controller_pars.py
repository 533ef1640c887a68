"""FlowController's custom parameters, declared once as data.

``build_flow_controller`` creates them with ``par_specs.create_custom_pars``; ``lopflow.docs`` writes
the README's parameter tables from them. Keywords and defaults come from the component's spec module
(``ext/FlowController/flow_spec.py``), which the extension reads too. Names, pages and styles match
LOPflow v0.1.1 so a user finds every parameter where they expect it.

This module never imports ``td``.
"""

from __future__ import annotations

import component_files
from par_specs import ParSpec, SequenceSpec, Spec

spec = component_files.spec("FlowController")

#: The step sequence, exactly as the Steps page shows it: ``Step{n}label``, ``Step{n}duration``, ``Step{n}then``.
STEP_SEQUENCE = SequenceSpec(
    page="Steps",
    name=spec.STEP_SEQUENCE,
    label="Step",
    default_blocks=1,
    help="The steps of the flow, in order. Each block is one step: a label, a duration and what comes next.",
    block=(
        ParSpec("Steps", "Label", "Str", "Label", default="",
                help="The step's label. Its name is the label lowercased with spaces as underscores "
                     "('Review Result' -> review_result); names must be unique."),
        ParSpec("Steps", "Duration", "Float", "Duration", default=spec.DEFAULT_DURATION, min=spec.DURATION_WAIT, max=60.0, clamp_min=True,
                help="0: advance at once. -1: wait until Next Step is pulsed or NextStep() is called. "
                     "Above 0: advance after that many seconds (or earlier on NextStep)."),
        ParSpec("Steps", "Then", "Menu", "Then", default=spec.THEN_NEXT,
                menu_names=spec.THEN_KEYWORDS, menu_labels=spec.THEN_KEYWORD_LABELS,
                help="Where the flow goes when this step is left: 'next' (the last step ends the flow), "
                     "'end', or the name of any step (a jump)."),
        ParSpec("Steps", "Timeout", "Float", "Timeout", default=spec.DEFAULT_TIMEOUT, min=0.0, max=600.0,
                clamp_min=True,
                help="The watchdog: seconds the step may stay current (paused time excluded) before it leaves "
                     "by Ontimeout, also when it waits. 0: no watchdog. Fires onStepTimeout."),
        ParSpec("Steps", "Ontimeout", "Menu", "On Timeout", default=spec.DEFAULT_ONTIMEOUT,
                menu_names=spec.THEN_KEYWORDS, menu_labels=spec.THEN_KEYWORD_LABELS,
                help="Where the step goes when its Timeout passes: 'next', 'end', or the name of any step "
                     "(e.g. back to the attract loop)."),
        ParSpec("Steps", "Until", "Menu", "Until", default=spec.DEFAULT_UNTIL,
                menu_names=spec.UNTIL_MODES, menu_labels=spec.UNTIL_LABELS,
                help="What ends the step: its Duration; its step tasks (RunTask: all done -> Then, one failed -> "
                     "Onerror); or a Signal (Signal(name) with one of the Signal names)."),
        ParSpec("Steps", "Signal", "Str", "Signal", default="",
                help="With Until = Signal: the signal names (space-separated) the step waits for."),
        ParSpec("Steps", "Onerror", "Menu", "On Error", default=spec.DEFAULT_ONERROR,
                menu_names=(spec.ONERROR_CONTINUE, *spec.THEN_KEYWORDS), menu_labels=("Continue", *spec.THEN_KEYWORD_LABELS),
                help="Where the step goes when one of its callbacks raises or a step task fails: 'continue' "
                     "(stay; the run goes on), 'end' (finish with result_type 'error'), 'next' or a step name."),
        ParSpec("Steps", "Alert", "Float", "Alert", default=spec.DEFAULT_ALERT, min=0.0, max=60.0, clamp_min=True,
                help="Seconds before a timed step ends at which onStepEndAlert fires. 0: none."),
    ),
)

FLOW_CONTROLLER_PARS: tuple[Spec, ...] = (
    # Control
    ParSpec("Control", "Start", "Pulse", "Start",
            help="Start the flow from the first step with a new process id and an empty context. "
                 "Fires onFlowStart, onStepEnter."),
    ParSpec("Control", "Stop", "Pulse", "Stop",
            help="Stop the running flow; Status returns to Ready. Fires onStepExit, onFlowFinish."),
    ParSpec("Control", "Nextstep", "Pulse", "Next Step",
            help="Leave the current step now (same as NextStep()). Fires onStepExit, onNextStep, onStepEnter."),
    ParSpec("Control", "Pause", "Pulse", "Pause",
            help="Pause the run: timed steps and timeouts stop counting (Next Step, Back still move). "
                 "Same as Pause(). Fires onFlowPause."),
    ParSpec("Control", "Resume", "Pulse", "Resume",
            help="Resume a paused run: timers count on from where they stopped. Same as Resume(). "
                 "Fires onFlowResume."),
    ParSpec("Control", "Back", "Pulse", "Back",
            help="Return to the step visited before the current one (again: further back). Same as Back(). "
                 "Fires onStepExit, onNextStep, onStepEnter."),
    ParSpec("Control", "Signal", "Pulse", "Signal",
            help="Send the signal Signal Name with Signal Payload (same as Signal(name, payload)). Fires onSignal."),
    ParSpec("Control", "Signalname", "Str", "Signal Name", default="",
            help="The signal the Send Signal pulse sends (no spaces)."),
    ParSpec("Control", "Signalpayload", "Str", "Signal Payload", default="",
            help="The payload the Send Signal pulse sends (text; empty: None)."),
    ParSpec("Control", "Status", "Str", "Status", default="Not Setup", read_only=True,
            help="Not Setup, Ready, Running, Paused, Completed or Error."),
    ParSpec("Control", "Currentstep", "Str", "Current Step", default="", read_only=True,
            help="The current step's name and index, e.g. 'process (1)'; empty when not running."),
    ParSpec("Control", "Waiting", "Str", "Waiting", default="No", read_only=True,
            help="'Yes' while the current step waits for Next Step / NextStep() / Update(advance_step=True)."),
    ParSpec("Control", "Lastresult", "Str", "Last Result", default="", read_only=True,
            help="The result of the last finished run: Finish(result), or what onFlowFinish returned."),
    # Setup
    ParSpec("Setup", "Targetcomp", "COMP", "Target Component", default="",
            help="The COMP this controller drives. Setup gives it the Internal OP shortcut 'LOPflow' so code "
                 "inside it can call iop.LOPflow.NextStep() and friends."),
    ParSpec("Setup", "Flowname", "Str", "Flow Name", default="",
            help="A readable name for this flow (dashboard, callbacks). Empty: the target's name."),
    ParSpec("Setup", "Setup", "Pulse", "Setup",
            help="Install the 'LOPflow' Internal OP shortcut on the target and create its callbacks DAT."),
    ParSpec("Setup", "Cleanup", "Pulse", "Cleanup",
            help="Remove the 'LOPflow' Internal OP shortcut from the target."),
    ParSpec("Setup", "Setupstatus", "Str", "Setup Status", default="Set Target Component first, then pulse Setup",
            read_only=True, help="What Setup / Cleanup did, or why they could not."),
    ParSpec("Setup", "Activeprocessid", "Str", "Active Process ID", default="", read_only=True,
            help="The unique id of the current (or last) run; a new one on every Start."),
    ParSpec("Setup", "Exposeprocess", "Toggle", "Expose Process", default=False,
            help="Register this flow in the process-wide dashboard registry and push its state on every change."),
    ParSpec("Setup", "Exposeflowdetails", "Toggle", "Expose Flow Details", default=False,
            help="With Expose Process: also publish the context, the history and the flow graph."),
    ParSpec("Setup", "Asynciocomp", "COMP", "TDAsyncIO Component", default="",
            help="The TDAsyncIO component RunTask() submits step tasks to. Empty: op.TDAsyncIO (its Global OP "
                 "Shortcut)."),
    ParSpec("Setup", "Callbackdat", "DAT", "Callbacks DAT", default="",
            help="The Text DAT whose functions (onFlowStart, onStepEnter, ...) are called; Setup creates "
                 "'<target>_flow_callbacks' when empty."),
    # Steps
    STEP_SEQUENCE,
    # Advanced
    ParSpec("Advanced", "Maxtransitions", "Int", "Max Transitions per Frame", default=spec.DEFAULT_MAX_TRANSITIONS,
            min=1, max=1000, clamp_min=True,
            help="How many step changes one frame may make before the rest waits for the next frame "
                 "(stops a loop of instant steps from freezing TD)."),
    ParSpec("Advanced", "Historysize", "Int", "History Size", default=spec.DEFAULT_HISTORY_SIZE,
            min=1, max=10000, clamp_min=True,
            help="How many history entries (step changes, context changes) are kept; the oldest drop first."),
    ParSpec("Advanced", "Godebounce", "Float", "GO Debounce", default=spec.DEFAULT_GO_DEBOUNCE, min=0.0, max=10.0,
            clamp_min=True,
            help="Seconds between two advances by NextStep() / Next Step from outside callbacks. 0: at most one "
                 "advance per frame. Extra calls are ignored (the history says why)."),
    ParSpec("Advanced", "Chanresultlength", "Toggle", "Channel result_length", default=False,
            help="Add the channel result_length (length of the last result's text) to flow_channels."),
    ParSpec("Advanced", "Chanstepdatalength", "Toggle", "Channel step_data_length", default=False,
            help="Add the channel step_data_length (length of the current step data's text) to flow_channels."),
    ParSpec("Advanced", "Chanlastupdatetime", "Toggle", "Channel last_update_time", default=False,
            help="Add the channel last_update_time (TD seconds of the last Update()) to flow_channels."),
    # Recovery
    ParSpec("Recovery", "Journal", "Toggle", "Journal", default=True,
            help="Write the run's position to a journal file at every step change, context change and run end, "
                 "so Restore can bring it back after a crash or restart."),
    ParSpec("Recovery", "Journalfolder", "Folder", "Journal Folder", default="",
            help="Where the journal file (<controller path with / as _>.jsonl) goes. Empty: a "
                 "'lopflow_journal' folder in the project folder."),
    ParSpec("Recovery", "Journalfsync", "Toggle", "Journal fsync", default=False,
            help="Flush every journal write to the disk (slower; survives a power cut, not only a crash)."),
    ParSpec("Recovery", "Restoreonstart", "Toggle", "Restore on Start", default=False,
            help="When the project opens, continue the run the journal holds (off: the flow shows Ready)."),
    ParSpec("Recovery", "Restore", "Pulse", "Restore",
            help="Continue the run the journal holds, in the same step, without onStepEnter. Same as Restore(). "
                 "Fires onFlowRestore."),
    ParSpec("Recovery", "Restoretimed", "Menu", "Restore Timed Step", default="remaining",
            menu_names=("remaining", "restart", "advance"),
            menu_labels=("Finish Remaining Time", "Restart Duration", "Advance at Once"),
            help="What a timed step does after a restore: finish its remaining time, start its full duration "
                 "again, or leave at once."),
    # About
    ParSpec("About", "Version", "Str", "Version", default="", read_only=True,
            help="The LOPflow version this component was built from."),
)


def par_names(specs: tuple[Spec, ...] = FLOW_CONTROLLER_PARS) -> list[str]:
    """Every non-sequence parameter name of the table, in order (the Step sequence header included)."""
    return [spec.name for spec in specs]
