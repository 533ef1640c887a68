"""TDAsyncIO's facts, declared once: names, defaults, the task table's header.

The runtime, the extension, the builder, the parameter table, ``lopflow`` and the docs read them from
here. ``COMPONENT`` tells the builder which of the component's DATs is the extension, which are
forwarding callbacks DATs (and of which type), and which operators it holds besides its folder's files.

Pure data: no ``td``, no imports of the other modules.
"""

from __future__ import annotations

from typing import Any

#: The Global OP Shortcut / Internal OP shortcut other components look for (``op.TDAsyncIO``).
SHORTCUT = "TDAsyncIO"
#: Storage key of the runtime on the component (it survives extension re-initialisation).
RUNTIME_KEY = "TDAsyncIO_runtime"
#: The task table DAT inside the component and its header row.
TABLE_NAME = "task_table"
TABLE_COLUMNS = ("task_id", "status", "description", "duration", "created_at", "completed_at", "error", "info")
#: Default frame budget in milliseconds (how long one frame may spend running ready coroutines).
DEFAULT_FRAMEBUDGET_MS = 5.0
#: Default number of seconds a finished task stays tracked (and in ``task_table``).
DEFAULT_CLEARAFTER_S = 60.0
#: The component's logger (``logging.getLogger(LOGGER_NAME)``): every error TDAsyncIO reports goes
#: there and, on the component, to its script errors (``addScriptError``). Nothing is printed.
LOGGER_NAME = "lopflow.tdasyncio"

#: How the builder makes the component from this folder: every ``.py`` file is a Text DAT of the same
#: name, except the forwarders: DATs of the given type, with the given parameter values and expressions.
COMPONENT: dict[str, Any] = {
    "name": "TDAsyncIO",
    "extension": "TDAsyncIOExt",
    "forwarders": {
        "frame_execute": ("executeDAT", {
            "active": True, "framestart": True, "frameend": True, "start": False, "create": False,
            "exit": False, "playstatechange": False, "devicechange": False}, {}),
        "par_execute": ("parameterexecuteDAT", {
            "active": True, "pars": "*", "custom": True, "builtin": False, "valuechange": True,
            "onpulse": True, "valueschanged": False}, {"op": "parent()"}),
    },
    "files": {},
    "tables": {TABLE_NAME: TABLE_COLUMNS},
    "script_chops": {},
}
