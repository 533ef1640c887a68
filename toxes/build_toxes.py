"""Build LOPflow's components by code, with TD API calls only (runs inside TD and on mock_td).

A component is built from its folder ``ext/<Component>/`` (see ``component_files``): every ``.py``
(or ``.html``) file there becomes one Text DAT of the same name, so the repository mirrors the network. The folder's spec
module declares, in ``COMPONENT``, the little the listing cannot say: which DAT holds the extension,
which DATs are forwarders (Execute / Parameter Execute, with their parameter values), the repository
files outside the folder held as Text DATs (the Script CHOP callbacks, the callbacks template), the
tables (with their header rows), the Script CHOPs and the Web Server DATs (``webservers``: each with
its callbacks DAT and parameter values / expressions). TD's ``create(webserverDAT)`` makes a docked
callbacks DAT of its own (``<name>_callbacks``); the builder deletes it and points the Web Server DAT at
the component's callbacks DAT instead.

- ``mode='embedded'`` copies each file's text into its DAT (a self-contained .tox); ``mode='linked'``
  sets the DAT's ``file`` to the repository file and ``syncfile`` on (edit in git, TD follows). The
  path is absolute: TD resolves a relative ``file`` against the folder of the saved .toe/.tox
  (``project.folder``), which is not the repository for a project saved elsewhere, so an absolute path
  is the one that works for every project on the machine that built it. Forwarders (a few lines that
  never change) are embedded in both modes.
- ``wire_extension(comp, class_name)`` writes the Extensions page entry the way the Component Editor
  does: ``ext0object`` = ``op('./<Class>').module.<Class>(me)``, ``ext0promote`` on.
- ``repo_folder`` defaults to the folder above this script (located from ``__file__``); pass it
  explicitly where ``__file__`` is not defined (a script run from a Text DAT inside TD).

Operator types are passed to ``COMP.create`` as strings, which TD accepts like the type classes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import component_files
import flow_controller_pars
import flowdashboard_pars
import par_specs
import tdasyncio_pars

#: LOPflow's version (must equal pyproject's ``version``; a test checks it).
LOPFLOW_VERSION = "0.2.0"

CODE_MODES = ("embedded", "linked")


def default_repo_folder() -> str:
    """The repository folder: the parent of the folder holding this script."""
    return component_files.repo_folder()


def _check_mode(caller: str, mode: str) -> None:
    if mode not in CODE_MODES:
        raise ValueError(f"{caller}: mode must be one of {CODE_MODES}, got {mode!r}")


def create_file_dat(comp: Any, name: str, path: str, mode: str = "embedded", op_type: str = "textDAT") -> Any:
    """Create DAT ``name`` (``op_type``) in ``comp`` holding the file at ``path`` (embedded or linked)."""
    _check_mode("build_toxes", mode)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"build_toxes: {path} does not exist; repo_folder must be the LOPflow repository")
    dat = comp.create(op_type, name)
    if mode == "embedded":
        with open(path, encoding="utf-8") as handle:
            dat.text = handle.read()
    else:
        dat.par.file = path.replace("\\", "/")
        dat.par.syncfile = True
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


def build_component(parent: Any, component: str, name: str, par_table: tuple[Any, ...], mode: str,
                    repo_folder: str | None) -> Any:
    """Create ``component`` as COMP ``name`` in ``parent`` from its folder and return it.

    Custom parameters first (nothing forwards to the extension before they exist), then one DAT per
    file of the folder, the declared files, tables and Script CHOPs, and last the extension wiring.
    """
    _check_mode(f"build {component}", mode)
    folder = repo_folder if repo_folder is not None else default_repo_folder()
    if not os.path.isdir(component_files.component_folder(component, folder)):
        raise FileNotFoundError(f"build_toxes: {component_files.component_folder(component, folder)} does not "
                                f"exist; repo_folder must be the LOPflow repository")
    declaration = component_files.spec(component, folder).COMPONENT
    comp = parent.create("baseCOMP", name)
    par_specs.create_custom_pars(comp, par_table)
    forwarders = declaration["forwarders"]
    module_dats, side_ops = [], []
    webservers = {server_name: _create_webserver(comp, server_name)
                  for server_name in declaration.get("webservers", {})}
    for dat_name, path in component_files.dat_files(component, folder).items():
        if dat_name in forwarders:
            op_type, values, expressions = forwarders[dat_name]
            # Embedded in both modes: TD's callbacks DATs document no file / Sync to File parameters.
            dat = create_file_dat(comp, dat_name, path, "embedded", op_type)
            for par_name, value in values.items():
                setattr(dat.par, par_name, value)
            for par_name, expression in expressions.items():
                getattr(dat.par, par_name).expr = expression
            side_ops.append(dat)
        else:
            module_dats.append(create_file_dat(comp, dat_name, path, mode))
    for dat_name, relative in declaration["files"].items():
        side_ops.append(create_file_dat(comp, dat_name, os.path.join(folder, *relative.split("/")), mode))
    for table_name, header in declaration["tables"].items():
        table = comp.create("tableDAT", table_name)
        table.clear()
        table.appendRow(list(header))
        side_ops.append(table)
    for chop_name, callbacks in declaration["script_chops"].items():
        chop = comp.create("scriptCHOP", chop_name)
        chop.par.callbacks = callbacks
        side_ops.append(chop)
    for server_name, server in webservers.items():
        wanted = declaration["webservers"][server_name]
        server.par.callbacks = comp.op(wanted["callbacks"])
        for par_name, value in wanted["pars"].items():
            setattr(server.par, par_name, value)
        for par_name, expression in wanted["expressions"].items():
            getattr(server.par, par_name).expr = expression
        side_ops.append(server)
    layout(module_dats, x0=0)
    layout(side_ops, x0=250)
    wire_extension(comp, declaration["extension"])
    return comp


def _create_webserver(comp: Any, name: str) -> Any:
    """A Web Server DAT ``name`` in ``comp``, switched off, without the callbacks DAT ``create`` made for it."""
    server = comp.create("webserverDAT", name)
    server.par.active = False  # TD starts a new Web Server DAT at once; it serves when the component says so
    made = server.par.callbacks.eval()
    if made is not None and made.dock is server:
        made.destroy()
    return server


def build_tdasyncio(parent: Any, name: str = "TDAsyncIO", mode: str = "embedded",
                    repo_folder: str | None = None) -> Any:
    """Create the TDAsyncIO component (``ext/TDAsyncIO/``) in ``parent`` and return it."""
    return build_component(parent, "TDAsyncIO", name, tdasyncio_pars.tdasyncio_par_specs(LOPFLOW_VERSION),
                           mode, repo_folder)


def build_flow_controller(parent: Any, name: str = "FlowController", mode: str = "embedded",
                          repo_folder: str | None = None) -> Any:
    """Create the FlowController component (``ext/FlowController/``) in ``parent`` and return it.

    Inside: one DAT per file of the folder (the extension, its modules, ``frame_execute`` and
    ``par_execute``), ``flow_channels`` (Script CHOP) with its callbacks DAT, ``flow_callbacks_template``
    (what Setup copies into a new callbacks DAT) and ``step_name_history`` (table).
    """
    comp = build_component(parent, "FlowController", name, flow_controller_pars.FLOW_CONTROLLER_PARS,
                           mode, repo_folder)
    comp.par.Version = LOPFLOW_VERSION
    return comp


def build_flow_dashboard(parent: Any, name: str = "FlowDashboard", mode: str = "embedded",
                         repo_folder: str | None = None) -> Any:
    """Create the FlowDashboard component (``ext/FlowDashboard/``) in ``parent`` and return it.

    Inside: one DAT per file of the folder (the extension, its modules, the page ``dashboard_page``,
    ``frame_execute``, ``par_execute`` and ``webserver_callbacks``) and ``webserver``, a Web Server DAT
    whose ``active`` and ``port`` follow the Active and Port parameters.
    """
    return build_component(parent, "FlowDashboard", name,
                           flowdashboard_pars.flowdashboard_par_specs(LOPFLOW_VERSION), mode, repo_folder)


# ---------------------------------------------------------------------------------------------------
# TD entry point (DELIVERY): build both components and save their .tox files.
#
# TouchDesigner does not run on Linux, so the .tox files are made inside TD. In the Textport
# (Dialogs > Textport, or Alt+T), with the path of your clone, type this one line:
#
#   import sys; sys.path.insert(0, 'C:/path/to/lopflow/toxes'); import build_toxes; build_toxes.build_all(op('/project1'))
#
# It builds FlowController, TDAsyncIO and FlowDashboard in /project1 (any COMP works) and saves
# toxes/FlowController.tox, toxes/TDAsyncIO.tox and toxes/FlowDashboard.tox in the clone. Importing the script as a module
# gives it __file__, so it finds the repository by itself. build_all(..., mode='linked') builds
# components whose code DATs sync the repository files instead (for development in git). After
# editing this script, run `import importlib; importlib.reload(build_toxes)` before building again.

#: The components ``build_all`` builds, in order, each saved as ``toxes/<name>.tox``.
TOX_COMPONENTS = ("FlowController", "TDAsyncIO", "FlowDashboard")


class ToxSaveError(RuntimeError):
    """The components were built but a .tox could not be saved (e.g. COMP.save outside TouchDesigner)."""


def tox_path(name: str, repo_folder: str | None = None) -> str:
    """Where ``build_all`` saves component ``name``: ``<repo>/toxes/<name>.tox``, with forward slashes."""
    folder = repo_folder if repo_folder is not None else default_repo_folder()
    return os.path.join(folder, "toxes", name + ".tox").replace("\\", "/")


def build_all(parent: Any, mode: str = "embedded", save: bool = True, repo_folder: str | None = None) -> dict[str, Any]:
    """Build FlowController, TDAsyncIO and FlowDashboard in ``parent``; with ``save``, write ``toxes/<Name>.tox`` for each.

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
    builders = {"FlowController": build_flow_controller, "TDAsyncIO": build_tdasyncio,
                "FlowDashboard": build_flow_dashboard}
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
