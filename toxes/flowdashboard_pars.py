"""FlowDashboard's custom parameters, declared once as data.

``build_toxes.build_flow_dashboard`` creates them with ``par_specs.create_custom_pars``; ``lopflow.docs``
writes the README's parameter table from them. Defaults and limits come from the component's spec
module (``ext/FlowDashboard/flowdashboard_spec.py``), which the extension reads too.

This module never imports ``td``.
"""

from __future__ import annotations

import component_files
from par_specs import ParSpec, Spec

spec = component_files.spec("FlowDashboard")

PAGE = "Dashboard"
ADVANCED_PAGE = "Advanced"
ABOUT_PAGE = "About"


def flowdashboard_par_specs(version: str) -> tuple[Spec, ...]:
    """Every custom parameter of FlowDashboard, in page order; ``version`` fills About > Version."""
    return (
        ParSpec(PAGE, "Active", "Toggle", "Active", default=False,
                help="Serve the dashboard page (TD's Web Server DAT inside listens on Port)."),
        ParSpec(PAGE, "Address", "Str", "Address", default=spec.DEFAULT_ADDRESS,
                help="Whom the dashboard answers: 127.0.0.1 only this machine; 0.0.0.0 every machine on the "
                     "network; the address of one network interface: requests that arrive on it."),
        ParSpec(PAGE, "Port", "Int", "Port", default=spec.DEFAULT_PORT, min=1.0, max=65535.0, clamp_min=True,
                clamp_max=True, help="The port the page is served on: http://<address>:<port>/."),
        ParSpec(PAGE, "Token", "Str", "Token", default="",
                help="The secret a page must give to Start, Stop, GO, Pause, GoTo or Signal a flow. Empty: "
                     "read-only (pages can watch, not steer)."),
        ParSpec(PAGE, "Machinename", "Str", "Machine Name", default="",
                help="The name this machine's flows carry on the page. Empty: the computer's host name."),
        ParSpec(PAGE, "Machines", "Str", "Other Dashboards", default="",
                help="Other machines' dashboards the page also shows, as host:port, separated by spaces "
                     "(each machine serves its own flows; use the same Token on every machine)."),
        ParSpec(PAGE, "Asynciocomps", "OP", "TDAsyncIO Components", default="",
                help="TDAsyncIO components whose task tables the page shows (several, separated by spaces). "
                     "Empty: the one with the Global OP Shortcut TDAsyncIO, when there is one."),
        ParSpec(PAGE, "Status", "Str", "Status", default="Off", read_only=True,
                help="Whether and where the page is served, how many pages are connected, and the last note."),
        ParSpec(PAGE, "Pages", "Int", "Pages", default=0, read_only=True,
                help="Pages (browser tabs) connected now."),
        ParSpec(PAGE, "Rejected", "Int", "Rejected Messages", default=0, read_only=True,
                help="Page messages ignored: not JSON, too large, unknown, over the rate, wrong or missing token."),
        ParSpec(PAGE, "Dropped", "Int", "Dropped Pages", default=0, read_only=True,
                help="Pages disconnected because they stopped reading or flooded the dashboard."),
        ParSpec(ADVANCED_PAGE, "Maxmessage", "Int", "Max Message (bytes)", default=spec.DEFAULT_MAX_MESSAGE,
                min=256.0, max=65536.0, clamp_min=True,
                help="Largest page message read; larger ones are ignored and counted."),
        ParSpec(ADVANCED_PAGE, "Ratelimit", "Float", "Rate Limit (msg/s)", default=spec.DEFAULT_RATE, min=1.0,
                max=1000.0, clamp_min=True,
                help="Messages a page may send per second; the rest are ignored and counted, and a page that "
                     "keeps flooding is disconnected."),
        ParSpec(ADVANCED_PAGE, "Sendwindow", "Int", "Send Window", default=spec.DEFAULT_SEND_WINDOW, min=4.0,
                max=1024.0, clamp_min=True,
                help="Messages a page may leave unacknowledged; past that its updates wait, one per flow."),
        ParSpec(ADVANCED_PAGE, "Clienttimeout", "Float", "Client Timeout (s)", default=spec.DEFAULT_CLIENT_TIMEOUT,
                min=1.0, max=600.0, clamp_min=True,
                help="Seconds a page may leave its send window full before it is dropped."),
        ParSpec(ADVANCED_PAGE, "Historytail", "Int", "History Events", default=spec.DEFAULT_HISTORY_TAIL,
                min=0.0, max=500.0, clamp_min=True,
                help="History events sent per flow (the newest), with Expose Flow Details on."),
        ParSpec(ADVANCED_PAGE, "Taskinterval", "Float", "Task Interval (s)", default=spec.DEFAULT_TASK_INTERVAL,
                min=0.1, max=10.0, clamp_min=True,
                help="Seconds between two looks at the task tables while a page is open (TDAsyncIO has no "
                     "change notification)."),
        ParSpec(ABOUT_PAGE, "Version", "Str", "Version", default=version, read_only=True,
                help="The LOPflow version this component was built from."),
    )


def par_names(version: str = "") -> list[str]:
    """Every parameter name of the table, in order."""
    return [item.name for item in flowdashboard_par_specs(version)]
