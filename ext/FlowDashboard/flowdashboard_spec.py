"""FlowDashboard's facts, declared once: names, defaults, limits, and how the builder makes the component.

Everything more than one place needs (the extension, the hub, the builder, the parameter table,
``lopflow`` and the docs) is read from here. ``COMPONENT`` tells the builder which DAT is the
extension, which DATs are forwarding callbacks DATs, and which Web Server DAT the component holds.

Pure data: no ``td``, no imports of the other modules.
"""

from __future__ import annotations

from typing import Any

#: Root storage key of the process-wide dashboard registry the FlowControllers publish to. It must be
#: FlowController's ``flow_spec.DASHBOARD_KEY`` (the components cannot import each other; a test checks).
DASHBOARD_KEY = "LOPflowDashboardRegistry"
#: The component's logger (its notes: dropped pages, refused connections, errors it caught).
LOGGER_NAME = "lopflow.flowdashboard"
#: Version of the page <-> server messages (``dashboard_protocol``).
PROTOCOL_VERSION = 1

# ------------------------------------------------------------------------------------ operators
WEBSERVER_DAT = "webserver"
CALLBACKS_DAT = "webserver_callbacks"
FRAME_EXECUTE_DAT = "frame_execute"
#: The page, a Text DAT made from ``dashboard_page.html``.
PAGE_DAT = "dashboard_page"

# ------------------------------------------------------------------------------------- defaults
DEFAULT_PORT = 9980
#: 127.0.0.1: only this machine; 0.0.0.0: every machine that reaches TD's Web Server DAT.
DEFAULT_ADDRESS = "127.0.0.1"
#: Largest page message read, in bytes (a control message is a few hundred).
DEFAULT_MAX_MESSAGE = 4096
#: Messages a page may send per second (acknowledgements included); a burst of this many is allowed.
DEFAULT_RATE = 30.0
#: A page still sending after this many refused messages in a row is disconnected (flood).
FLOOD_LIMIT = 200
#: Messages a page may have unacknowledged; beyond that its updates wait (coalesced, one per flow).
DEFAULT_SEND_WINDOW = 64
#: Seconds (TD time) a page may leave its window full before it is dropped.
DEFAULT_CLIENT_TIMEOUT = 10.0
#: History events sent per flow (the newest).
DEFAULT_HISTORY_TAIL = 40
#: Seconds between two looks at the TDAsyncIO task tables while a page is open.
DEFAULT_TASK_INTERVAL = 0.5
#: Frames between two looks for the registry while no FlowController has created it yet.
REGISTRY_RETRY_FRAMES = 30
#: Environment variable ``lopflow`` reads the dashboard token from (headless runs).
TOKEN_ENV = "LOPFLOW_DASHBOARD_TOKEN"

# ------------------------------------------------------------------------------------ component
#: The FlowDashboard parameters its Parameter Execute DAT forwards (its outputs are not watched).
WATCHED_PARS = ("Active Port Address Token Machinename Machines Asynciocomps Maxmessage Ratelimit Sendwindow "
                "Clienttimeout Historytail Taskinterval")

#: How the builder makes the component from this folder: every ``.py`` / ``.html`` file is a Text DAT of
#: the same name, except the forwarders: DATs of the given type, with the given parameter values and
#: expressions. ``webservers``: Web Server DATs with their callbacks DAT and parameter expressions.
COMPONENT: dict[str, Any] = {
    "name": "FlowDashboard",
    "extension": "FlowDashboardExt",
    "forwarders": {
        FRAME_EXECUTE_DAT: ("executeDAT", {
            "active": False, "framestart": False, "frameend": True, "start": False, "create": False,
            "exit": False, "playstatechange": False, "devicechange": False}, {}),
        "par_execute": ("parameterexecuteDAT", {
            "active": True, "pars": WATCHED_PARS, "custom": True, "builtin": False,
            "valuechange": True, "onpulse": False, "valueschanged": False}, {"op": "parent()"}),
        CALLBACKS_DAT: ("textDAT", {}, {}),
    },
    "files": {},
    "tables": {},
    "script_chops": {},
    "webservers": {
        WEBSERVER_DAT: {"callbacks": CALLBACKS_DAT, "pars": {},
                        "expressions": {"port": "parent().par.Port", "active": "parent().par.Active"}},
    },
}
