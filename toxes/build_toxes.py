"""Build LOPflow's components by code, with TD API calls only (runs inside TD and on mock_td).

Each ``build_<component>(parent, name, mode, repo_folder)`` creates a COMP in ``parent`` and
returns it. Shared helpers:

- ``create_code_dat(comp, stem, mode, repo_folder)``: one Text DAT per ``ext/<stem>.py`` file, named
  ``<stem>`` (so ``import <stem>`` finds it as a sibling). ``mode='embedded'`` copies the file's text
  in (a self-contained .tox); ``mode='linked'`` sets ``file`` to the repository file and ``syncfile``
  on (edit in the repository, TD follows). ``create_file_dat(comp, name, relative_path, ...)`` does
  the same for any repository file.
- ``wire_extension(comp, class_name, index=0, promote=True)``: the Extensions page entry, written
  the way the Component Editor writes it: ``ext0object`` = ``op('./<Class>').module.<Class>(me)``,
  ``ext0promote`` on.
- ``create_forwarding_dat(comp, op_type, name, text, pars)``: a small callbacks DAT (Execute,
  Parameter Execute) whose code only forwards to the extension; ``parexec_forwarding_text`` is the
  Parameter Execute text both components share.
- ``repo_folder`` defaults to the folder above this script (located from ``__file__``); pass it
  explicitly where ``__file__`` is not defined (a script run from a Text DAT inside TD).

Operator types are passed to ``COMP.create`` as strings, which TD accepts like the type classes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import flow_controller_pars
import par_specs
import tdasyncio_pars

#: LOPflow's version (must equal pyproject's ``version``; a test checks it).
LOPFLOW_VERSION = "0.2.0"

CODE_MODES = ("embedded", "linked")

#: Text DATs (``ext/<stem>.py``) inside a TDAsyncIO component; the first holds the extension class.
TDASYNCIO_MODULES = ("TDAsyncIOExt", "async_runtime", "async_loop", "async_tasks", "async_table")
#: Header row of TDAsyncIO's ``task_table`` (equal to ``async_table.COLUMNS``; a test checks it).
TASK_TABLE_COLUMNS = ("task_id", "status", "description", "duration", "created_at", "completed_at", "error", "info")

TDASYNCIO_EXECUTE_TEXT = '''"""TDAsyncIO frame callbacks: advance the component's asyncio loop (code lives in TDAsyncIOExt)."""


def onFrameStart(frame):
    parent().ext.TDAsyncIOExt.onFrameStart(frame)


def onFrameEnd(frame):
    parent().ext.TDAsyncIOExt.onFrameEnd(frame)
'''


def parexec_forwarding_text(component: str, ext_name: str) -> str:
    """The Parameter Execute DAT text of ``component``: value changes and pulses go to its extension."""
    return f'''"""{component} parameter callbacks: forward to {ext_name}."""


def onValueChange(par, prev):
    parent().ext.{ext_name}.onParValueChange(par, prev)


def onPulse(par):
    parent().ext.{ext_name}.onParPulse(par)
'''


def default_repo_folder() -> str:
    """The repository folder: the parent of the folder holding this script."""
    try:
        script = __file__
    except NameError:  # run from a Text DAT inside TD: there is no __file__
        raise ValueError(
            "build_toxes: cannot locate the LOPflow repository (this script has no __file__); "
            "pass repo_folder='path/to/lopflow'"
        ) from None
    return os.path.dirname(os.path.dirname(os.path.abspath(script)))


def create_file_dat(comp: Any, name: str, relative_path: str, mode: str = "embedded",
                    repo_folder: str | None = None) -> Any:
    """Create Text DAT ``name`` in ``comp`` holding the repository file ``relative_path`` (embedded or linked)."""
    if mode not in CODE_MODES:
        raise ValueError(f"build_toxes: mode must be one of {CODE_MODES}, got {mode!r}")
    folder = repo_folder if repo_folder is not None else default_repo_folder()
    path = os.path.join(folder, *relative_path.split("/"))
    if not os.path.isfile(path):
        raise FileNotFoundError(f"build_toxes: {path} does not exist; repo_folder must be the LOPflow repository")
    dat = comp.create("textDAT", name)
    if mode == "embedded":
        with open(path, encoding="utf-8") as handle:
            dat.text = handle.read()
    else:
        dat.par.file = path.replace("\\", "/")
        dat.par.syncfile = True
    return dat


def create_code_dat(comp: Any, stem: str, mode: str = "embedded", repo_folder: str | None = None) -> Any:
    """Create the Text DAT ``stem`` in ``comp`` holding ``ext/<stem>.py`` (embedded or linked)."""
    return create_file_dat(comp, stem, f"ext/{stem}.py", mode, repo_folder)


def create_forwarding_dat(comp: Any, op_type: str, name: str, text: str, pars: dict[str, Any]) -> Any:
    """Create a callbacks DAT of ``op_type`` with ``text`` and the given built-in parameter values."""
    dat = comp.create(op_type, name)
    dat.text = text
    for par_name, value in pars.items():
        setattr(dat.par, par_name, value)
    return dat


def wire_extension(comp: Any, class_name: str, index: int = 0, promote: bool = True) -> None:
    """Set extension ``index`` of ``comp`` to the class in its child Text DAT ``class_name``."""
    sequence = comp.seq.ext
    if sequence.numBlocks <= index:
        sequence.numBlocks = index + 1
    setattr(comp.par, f"ext{index}promote", promote)
    setattr(comp.par, f"ext{index}object", f"op('./{class_name}').module.{class_name}(me)")


def layout(ops: Iterable[Any], x0: int = 0, y0: int = 0, dx: int = 0, dy: int = -150) -> None:
    """Place operators in a column, so the built network is readable."""
    for position, child in enumerate(ops):
        child.nodeX = x0 + position * dx
        child.nodeY = y0 + position * dy


def build_tdasyncio(parent: Any, name: str = "TDAsyncIO", mode: str = "embedded",
                    repo_folder: str | None = None) -> Any:
    """Create the TDAsyncIO component in ``parent`` and return it."""
    if mode not in CODE_MODES:
        raise ValueError(f"build_tdasyncio: mode must be one of {CODE_MODES}, got {mode!r}")
    folder = repo_folder if repo_folder is not None else default_repo_folder()
    comp = parent.create("baseCOMP", name)
    par_specs.create_custom_pars(comp, tdasyncio_pars.tdasyncio_par_specs(LOPFLOW_VERSION))
    code_dats = [create_code_dat(comp, stem, mode, folder) for stem in TDASYNCIO_MODULES]
    table = comp.create("tableDAT", "task_table")
    table.clear()
    table.appendRow(list(TASK_TABLE_COLUMNS))
    frame_exec = create_forwarding_dat(comp, "executeDAT", "frame_execute", TDASYNCIO_EXECUTE_TEXT, {
        "active": True, "framestart": True, "frameend": True, "start": False, "create": False,
        "exit": False, "playstatechange": False, "devicechange": False,
    })
    par_exec = create_forwarding_dat(comp, "parameterexecuteDAT", "par_execute",
                                     parexec_forwarding_text("TDAsyncIO", "TDAsyncIOExt"), {
        "active": True, "pars": "*", "custom": True, "builtin": False, "valuechange": True,
        "onpulse": True, "valueschanged": False,
    })
    par_exec.par.op.expr = "parent()"
    layout(code_dats, x0=0)
    layout([table, frame_exec, par_exec], x0=250)
    wire_extension(comp, TDASYNCIO_MODULES[0])
    return comp


# ---------------------------------------------------------------------------------------------------
# FlowController (ADAPTER)

#: Text DATs (``ext/<stem>.py``) inside a FlowController; the first holds the extension class.
FLOW_CONTROLLER_MODULES = (
    "FlowControllerExt", "flow_adapter_context", "flow_adapter_pars", "flow_adapter_setup", "flow_engine",
    "flow_steps", "flow_names", "flow_context", "flow_history", "flow_graph", "flow_callbacks", "flow_dashboard",
)
#: Other repository files the FlowController holds as Text DATs: DAT name -> path in the repository.
FLOW_CONTROLLER_FILES = {
    "flow_channels_scriptchop": "scriptchop/flow_channels_scriptchop.py",
    "flow_callbacks_template": "callbacks_templates/flow_callbacks.py",
}
#: Header row of the ``step_name_history`` table (equal to ``FlowControllerExt.NAME_HISTORY_HEADER``).
STEP_NAME_HISTORY_COLUMNS = ("old_name", "new_name")
#: The FlowController parameters the Parameter Execute DAT forwards (its outputs are not watched).
FLOW_CONTROLLER_WATCHED_PARS = ("Start Stop Nextstep Setup Cleanup Targetcomp Flowname Exposeprocess "
                                "Exposeflowdetails Callbackdat Step* Maxtransitions Historysize Chan*")

FLOW_CONTROLLER_EXECUTE_TEXT = '''"""FlowController frame callback: one engine tick per frame (code lives in FlowControllerExt)."""


def onFrameStart(frame):
    parent().ext.FlowControllerExt.onFrameStart(frame)
'''

def build_flow_controller(parent: Any, name: str = "FlowController", mode: str = "embedded",
                          repo_folder: str | None = None) -> Any:
    """Create the FlowController component in ``parent`` and return it.

    Inside: the extension and its modules (Text DATs), ``flow_channels`` (Script CHOP) with its callbacks
    DAT, ``flow_callbacks_template`` (what Setup copies into a new callbacks DAT), ``step_name_history``
    (table), ``frame_execute`` and ``par_execute`` (forwarders). Custom parameters come from
    ``flow_controller_pars``; they are created before anything that forwards to the extension.
    """
    if mode not in CODE_MODES:
        raise ValueError(f"build_flow_controller: mode must be one of {CODE_MODES}, got {mode!r}")
    folder = repo_folder if repo_folder is not None else default_repo_folder()
    comp = parent.create("baseCOMP", name)
    par_specs.create_custom_pars(comp, flow_controller_pars.FLOW_CONTROLLER_PARS)
    comp.par.Version = LOPFLOW_VERSION
    code_dats = [create_code_dat(comp, stem, mode, folder) for stem in FLOW_CONTROLLER_MODULES]
    file_dats = [create_file_dat(comp, dat_name, path, mode, folder) for dat_name, path in FLOW_CONTROLLER_FILES.items()]
    table = comp.create("tableDAT", "step_name_history")
    table.clear()
    table.appendRow(list(STEP_NAME_HISTORY_COLUMNS))
    chop = comp.create("scriptCHOP", "flow_channels")
    chop.par.callbacks = "flow_channels_scriptchop"
    frame_exec = create_forwarding_dat(comp, "executeDAT", "frame_execute", FLOW_CONTROLLER_EXECUTE_TEXT, {
        "active": True, "framestart": True, "frameend": False, "start": False, "create": False,
        "exit": False, "playstatechange": False, "devicechange": False,
    })
    par_exec = create_forwarding_dat(comp, "parameterexecuteDAT", "par_execute",
                                     parexec_forwarding_text("FlowController", "FlowControllerExt"), {
        "active": True, "pars": FLOW_CONTROLLER_WATCHED_PARS, "custom": True, "builtin": False,
        "valuechange": True, "onpulse": True, "valueschanged": False,
    })
    par_exec.par.op.expr = "parent()"
    layout(code_dats, x0=0)
    layout(file_dats + [table, chop, frame_exec, par_exec], x0=250)
    wire_extension(comp, FLOW_CONTROLLER_MODULES[0])
    return comp


# ---------------------------------------------------------------------------------------------------
# TD entry point (DELIVERY): build both components and save their .tox files.
#
# TouchDesigner does not run on Linux, so the .tox files are made inside TD. In the Textport
# (Dialogs > Textport, or Alt+T), with the path of your clone, type this one line:
#
#   import sys; sys.path.insert(0, 'C:/path/to/lopflow/toxes'); import build_toxes; build_toxes.build_all(op('/project1'))
#
# It builds FlowController and TDAsyncIO in /project1 (any COMP works) and saves
# toxes/FlowController.tox and toxes/TDAsyncIO.tox in the clone. Importing the script as a module
# gives it __file__, so it finds the repository by itself. build_all(..., mode='linked') builds
# components whose code DATs sync the repository files instead (for development in git). After
# editing this script, run `import importlib; importlib.reload(build_toxes)` before building again.

#: The components ``build_all`` builds, in order, each saved as ``toxes/<name>.tox``.
TOX_COMPONENTS = ("FlowController", "TDAsyncIO")


class ToxSaveError(RuntimeError):
    """The components were built but a .tox could not be saved (e.g. COMP.save outside TouchDesigner)."""


def tox_path(name: str, repo_folder: str | None = None) -> str:
    """Where ``build_all`` saves component ``name``: ``<repo>/toxes/<name>.tox``, with forward slashes."""
    folder = repo_folder if repo_folder is not None else default_repo_folder()
    return os.path.join(folder, "toxes", name + ".tox").replace("\\", "/")


def build_all(parent: Any, mode: str = "embedded", save: bool = True, repo_folder: str | None = None) -> dict[str, Any]:
    """Build FlowController and TDAsyncIO in ``parent``; with ``save``, write ``toxes/<Name>.tox`` for each.

    Returns ``{name: COMP}``. Raises ValueError (building nothing) when ``parent`` already holds a
    component of that name, and ToxSaveError when a .tox cannot be saved (the components stay built).
    """
    if mode not in CODE_MODES:
        raise ValueError(f"build_all: mode must be one of {CODE_MODES}, got {mode!r}")
    taken = [name for name in TOX_COMPONENTS if parent.op(name) is not None]
    if taken:
        raise ValueError(f"build_all: {parent.path} already has {', '.join(taken)}; delete "
                         f"{'it' if len(taken) == 1 else 'them'} or build in another COMP")
    folder = repo_folder if repo_folder is not None else default_repo_folder()
    builders = {"FlowController": build_flow_controller, "TDAsyncIO": build_tdasyncio}
    built = {name: builders[name](parent, name, mode=mode, repo_folder=folder) for name in TOX_COMPONENTS}
    if save:
        for name, comp in built.items():
            path = tox_path(name, folder)
            try:
                saved = comp.save(path, createFolders=True)
            except Exception as exc:  # noqa: BLE001 - NotImplementedError on mock_td, tdError/OSError in TD
                raise ToxSaveError(
                    f"build_all: built {', '.join(c.path for c in built.values())} ({mode}) but could not save "
                    f"{path}: {exc}. Saving a .tox needs TouchDesigner (COMP.save); to build without saving, "
                    f"call build_all(parent, mode={mode!r}, save=False)") from exc
            print(f"LOPflow: saved {comp.path} ({mode}) to {saved}")
    return built
