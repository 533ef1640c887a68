"""FlowController's facts, declared once: names, keywords, defaults, table headers, channel names.

Everything that more than one place needs (the engine, the extension, the builder, the parameter
table, ``lopflow`` and the docs) is read from here, so nothing is kept equal by hand. ``COMPONENT``
tells the builder which of the component's DATs is the extension, which are forwarding callbacks DATs
(and of which type), and which operators the component holds besides the files of its folder.

Pure data: no ``td``, no imports of the other modules.
"""

from __future__ import annotations

from typing import Any

#: The Internal OP shortcut Setup installs on the target (``iop.LOPflow``).
SHORTCUT = "LOPflow"

# ---------------------------------------------------------------------------------------- steps
#: The Step sequence on the Steps page (``Step{n}label`` / ``Step{n}duration`` / ``Step{n}then``).
STEP_SEQUENCE = "Step"
#: ``then`` keywords that are not step names.
THEN_NEXT = "next"
THEN_END = "end"
THEN_KEYWORDS = (THEN_NEXT, THEN_END)
THEN_KEYWORD_LABELS = ("Next", "End")
#: Step durations with a meaning of their own: advance at once, or wait for NextStep.
DURATION_INSTANT = 0.0
DURATION_WAIT = -1.0
#: A new step block's duration (the Step{n}duration parameter's default): advance at once.
DEFAULT_DURATION = DURATION_INSTANT
#: A step's watchdog (``Step{n}timeout``, seconds; 0 = none) and where it goes when it fires
#: (``Step{n}ontimeout``: ``next``, ``end`` or a step name, like ``then``).
DEFAULT_TIMEOUT = 0.0
DEFAULT_ONTIMEOUT = THEN_NEXT
#: What ends a step (``Step{n}until``): its duration (today's behaviour), its step tasks, or a signal.
UNTIL_DURATION = "duration"
UNTIL_TASKS = "tasks"
UNTIL_SIGNAL = "signal"
UNTIL_MODES = (UNTIL_DURATION, UNTIL_TASKS, UNTIL_SIGNAL)
UNTIL_LABELS = ("Duration", "Tasks", "Signal")
DEFAULT_UNTIL = UNTIL_DURATION
#: Where a step goes when one of its callbacks raises or one of its step tasks fails (``Step{n}onerror``):
#: ``continue`` (nothing changes: the behaviour before error routes), ``end`` (finish with result_type
#: 'error'), ``next`` or a step name (like ``then``).
ONERROR_CONTINUE = "continue"
DEFAULT_ONERROR = ONERROR_CONTINUE
#: ``Step{n}alert``: seconds before a timed step ends at which onStepEndAlert fires (0: none).
DEFAULT_ALERT = 0.0
#: TD times closer than this count as equal: a timer due at ``t`` fires at a frame whose time is ``t``
#: give or take float rounding (at 20 fps, 0.15 + 0.1 is not exactly 0.25).
TIME_EPSILON = 1e-9

# ------------------------------------------------------------------------------------- settings
#: How many step changes one frame may make (the Maxtransitions parameter's default).
DEFAULT_MAX_TRANSITIONS = 100
#: How many history entries are kept (the Historysize parameter's default).
DEFAULT_HISTORY_SIZE = 100
#: The runaway guard's time budget: milliseconds an instant loop may take of one frame before the rest
#: waits for the next frame (see ``flow_queue``; a flow that does not loop is never cut by time).
DEFAULT_FRAME_BUDGET_MS = 1.5
#: A user value (context value, step data, result) is kept in the history as a copy when it holds at
#: most this many items (nested ones counted) and no string longer than the char limit; a larger one
#: is kept as a repr cut to the char limit, and the event says so (its ``truncated`` lists the fields).
HISTORY_VALUE_MAX_ITEMS = 100
HISTORY_VALUE_MAX_CHARS = 200
#: NextStep calls from outside callbacks: at most one advance per frame, and with a debounce above 0 at
#: most one per that many seconds of TD time (the Godebounce parameter's default).
DEFAULT_GO_DEBOUNCE = 0.0
#: While a step's timer or watchdog counts, the engine gives the journal a ``timer`` record about this
#: often (TD seconds), so a restore after a crash knows the step's elapsed time to within it.
JOURNAL_TIMER_INTERVAL = 1.0
#: How many earlier steps of a run ``Back()`` can return to.
BACK_STACK_SIZE = 1000

# ------------------------------------------------------------------------------ operators inside
CHANNELS_CHOP = "flow_channels"
#: The Execute DAT whose onFrameStart drives the extension (its ``active`` is on only while work is due).
FRAME_EXECUTE_DAT = "frame_execute"
CHANNELS_CALLBACKS_DAT = "flow_channels_scriptchop"
NAME_HISTORY_DAT = "step_name_history"
NAME_HISTORY_HEADER = ("old_name", "new_name")
TEMPLATE_DAT = "flow_callbacks_template"
#: Root storage key of the process-wide dashboard registry (session-only: saved as None).
DASHBOARD_KEY = "LOPflowDashboardRegistry"

# -------------------------------------------------------------------------------------- channels
#: Event pulse channels: 1 for exactly one cook after the event.
EVENT_CHANNELS = ("on_start", "on_finish", "on_update", "on_next_step")
#: Exactly one of these is 1 (Not Setup counts as idle).
STATUS_CHANNELS = ("status_idle", "status_running", "status_completed", "status_stopped", "status_error")
#: 1 while the run is paused (its status channel stays ``status_running``).
PAUSED_CHANNEL = "paused"
#: The Status text while a run is paused.
STATUS_PAUSED = "Paused"
#: Optional channels: the toggle parameter that adds each one.
OPTIONAL_CHANNELS = (("Chanresultlength", "result_length"), ("Chanstepdatalength", "step_data_length"),
                     ("Chanlastupdatetime", "last_update_time"))
#: The ``flow_channels`` Script CHOP's own parameter (page ``Flow``, made by its ``onSetupParameters``)
#: the extension bumps when a channel changed: TD then recooks the CHOP when something reads it.
CHANNELS_REVISION_PAR = "Revision"

# -------------------------------------------------------------------------------------- adapter
#: The one logger of the component (its diagnostics besides the script errors on the component).
LOGGER_NAME = "lopflow.flowcontroller"
#: Status texts the adapter shows besides the engine's: no Setup on the current target, or steps with errors.
STATUS_NOT_SETUP = "Not Setup"
STATUS_INVALID_STEPS = "Invalid Steps"
#: Script errors the component adds start with one of these (so it clears only its own).
STEPS_ERROR_PREFIX = "LOPflow steps"
CALLBACK_ERROR_PREFIX = "LOPflow callback"
SETUP_ERROR_PREFIX = "LOPflow setup"
#: At most this many step findings are shown as script errors (the rest are counted in one more line).
MAX_SHOWN_FINDINGS = 5
#: Every ``Step{n}then`` menu comes from this one menuSource expression (one shared menu, not a copy per step).
THEN_MENU_SOURCE = "me.ext.FlowControllerExt.thenMenu"
#: Root storage key of the process-wide watcher (session-only: saved as None), and how often (in frames)
#: it checks what TD reports to no callback: a deleted target or callbacks DAT, a changed block count.
WATCH_KEY = "LOPflowWatcher"
WATCH_FRAMES = 60

# ------------------------------------------------------------------------------------ component
#: The FlowController parameters its Parameter Execute DAT forwards (its outputs are not watched).
WATCHED_PARS = ("Start Stop Nextstep Pause Resume Back Setup Cleanup Targetcomp Flowname Exposeprocess "
                "Exposeflowdetails Callbackdat Step* Maxtransitions Historysize Godebounce Chan* "
                "Journal Journalfolder Journalfsync Restore Signal")

#: How the builder makes the component from this folder: every ``.py`` file is a Text DAT of the same
#: name, except the forwarders: DATs of the given type, with the given parameter values and expressions.
COMPONENT: dict[str, Any] = {
    "name": "FlowController",
    "extension": "FlowControllerExt",
    "forwarders": {
        FRAME_EXECUTE_DAT: ("executeDAT", {
            "active": True, "framestart": True, "frameend": False, "start": False, "create": False,
            "exit": False, "playstatechange": False, "devicechange": False}, {}),
        "par_execute": ("parameterexecuteDAT", {
            "active": True, "pars": WATCHED_PARS, "custom": True, "builtin": False,
            "valuechange": True, "onpulse": True, "valueschanged": False}, {"op": "parent()"}),
    },
    #: Repository files outside this folder held as Text DATs: DAT name -> path in the repository.
    "files": {
        CHANNELS_CALLBACKS_DAT: "scriptchop/flow_channels_scriptchop.py",
        TEMPLATE_DAT: "callbacks_templates/flow_callbacks_template.py",
    },
    #: Tables: DAT name -> header row.
    "tables": {NAME_HISTORY_DAT: NAME_HISTORY_HEADER},
    #: Script CHOPs: CHOP name -> its callbacks DAT.
    "script_chops": {CHANNELS_CHOP: CHANNELS_CALLBACKS_DAT},
}
