"""TDAsyncIO's custom parameters, declared once as data (read by ``build_toxes.build_tdasyncio``).

Names follow TD's custom-parameter rule (one capital, then lowercase/digits). The About page's
``Version`` is filled with the package version by the builder (``build_toxes.LOPFLOW_VERSION``).
"""

from __future__ import annotations

import component_files
from par_specs import ParSpec

spec = component_files.spec("TDAsyncIO")

#: Custom page holding the working parameters.
PAGE = "TDAsyncIO"
#: Custom page holding the version.
ABOUT_PAGE = "About"



def tdasyncio_par_specs(version: str) -> tuple[ParSpec, ...]:
    """Every custom parameter of TDAsyncIO, in page order; ``version`` fills About > Version."""
    return (
        ParSpec(PAGE, "Clearafter", "Float", "Clear After (s)", default=spec.DEFAULT_CLEARAFTER_S, min=0.0,
                max=600.0, clamp_min=True,
                help="Seconds a finished task stays tracked (GetTaskInfo, task_table) before it is forgotten."),
        ParSpec(PAGE, "Clearfinished", "Pulse", "Clear Finished",
                help="Forget every finished task now and remove its row from task_table."),
        ParSpec(PAGE, "Cancelactive", "Pulse", "Cancel Active",
                help="Cancel every pending and running task; their completion callbacks fire with 'cancelled'."),
        ParSpec(PAGE, "Clearall", "Pulse", "Clear All",
                help="Cancel every active task and forget all tasks (cancelled ones once their callback fired)."),
        ParSpec(PAGE, "Updatetable", "Toggle", "Update Table", default=True,
                help="Keep task_table up to date: only changed rows are written, and the durations of running "
                     "tasks are refreshed at most 4 cells a second, stalest first (GetTaskInfo always has the "
                     "exact value). Off: the table is left alone."),
        ParSpec(PAGE, "Framebudget", "Float", "Frame Budget (ms)", default=spec.DEFAULT_FRAMEBUDGET_MS, min=0.0,
                max=100.0, clamp_min=True,
                help="Milliseconds per frame the loop may spend running ready coroutines; what is still ready "
                     "then waits for the next frame. At least one task step runs every frame; completion callbacks and "
                     "task_table writes share the budget."),
        ParSpec(ABOUT_PAGE, "Version", "Str", "Version", default=version, read_only=True,
                help="LOPflow version this component was built with."),
    )
