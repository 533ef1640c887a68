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
#: A new step block's duration.
DEFAULT_DURATION = DURATION_WAIT

# ------------------------------------------------------------------------------------- settings
#: How many step changes one frame may make (the Maxtransitions parameter's default).
DEFAULT_MAX_TRANSITIONS = 100
#: How many history entries are kept (the Historysize parameter's default).
DEFAULT_HISTORY_SIZE = 100

# ------------------------------------------------------------------------------ operators inside
CHANNELS_CHOP = "flow_channels"
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
#: Optional channels: the toggle parameter that adds each one.
OPTIONAL_CHANNELS = (("Chanresultlength", "result_length"), ("Chanstepdatalength", "step_data_length"),
                     ("Chanlastupdatetime", "last_update_time"))

# ------------------------------------------------------------------------------------ component
#: The FlowController parameters its Parameter Execute DAT forwards (its outputs are not watched).
WATCHED_PARS = ("Start Stop Nextstep Setup Cleanup Targetcomp Flowname Exposeprocess "
                "Exposeflowdetails Callbackdat Step* Maxtransitions Historysize Chan*")

#: How the builder makes the component from this folder: every ``.py`` file is a Text DAT of the same
#: name, except the forwarders: DATs of the given type, with the given parameter values and expressions.
COMPONENT: dict[str, Any] = {
    "name": "FlowController",
    "extension": "FlowControllerExt",
    "forwarders": {
        "frame_execute": ("executeDAT", {
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
