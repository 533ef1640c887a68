"""The components' folders, their DAT files, and the one loader of the shipped modules.

``ext/<Component>/`` is the inside of ``<Component>.tox``: every ``.py`` file there is one DAT of the
component, named as the file, and so is every ``.html`` file (a Text DAT holding a page, never imported). Each folder holds a spec module (``<...>_spec.py``, named in ``SPECS``)
whose ``COMPONENT`` declaration says which DAT is the extension and which DATs are forwarders.

Inside TD a component's modules import each other by bare name (sibling Text DATs). Outside TD,
``load(component, name)`` imports ``ext/<component>/<name>.py`` the same way (the folder goes on
``sys.path``) and keeps it in ``sys.modules`` under its bare name, so the headless tools, the tests,
the builder and mock_td's components all see one module, and every class exists once per process.
Module names are unique across components (a test checks it), except the forwarding DATs, which are
never imported.

Runs inside TD (the builder uses it) and headless; standard library only.
"""

from __future__ import annotations

import ast
import importlib
import os
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

#: Component name -> its spec module (the one small declaration the builder starts from).
SPECS = {"FlowController": "flow_spec", "TDAsyncIO": "tdasyncio_spec", "FlowDashboard": "flowdashboard_spec"}
#: The file suffixes that are DATs of a component: Python modules, and text the component serves.
DAT_SUFFIXES = (".py", ".html")


def repo_folder() -> str:
    """The repository folder: the parent of the folder holding this script."""
    try:
        script = __file__
    except NameError:  # run from a Text DAT inside TD: there is no __file__
        raise ValueError(
            "LOPflow: cannot locate the repository (this script has no __file__); pass repo_folder='path/to/lopflow'"
        ) from None
    return os.path.dirname(os.path.dirname(os.path.abspath(script)))


def component_folder(component: str, repo: str | None = None) -> str:
    """``<repo>/ext/<component>``; ValueError naming the known components for any other name."""
    if component not in SPECS:
        raise ValueError(f"LOPflow: unknown component {component!r}; the components are {', '.join(SPECS)}")
    return os.path.join(repo or repo_folder(), "ext", component)


def dat_files(component: str, repo: str | None = None) -> dict[str, str]:
    """Every DAT file of ``component`` (``DAT_SUFFIXES``): DAT name -> absolute path, sorted by name.

    Raises ValueError when two files would make DATs of one name (``page.py`` and ``page.html``).
    """
    folder = component_folder(component, repo)
    found: dict[str, str] = {}
    for entry in sorted(os.listdir(folder)):
        stem, suffix = os.path.splitext(entry)
        if suffix not in DAT_SUFFIXES:
            continue
        if stem in found:
            raise ValueError(f"LOPflow: {component} has two files for the DAT {stem!r} "
                             f"({os.path.basename(found[stem])} and {entry}); rename one")
        found[stem] = os.path.join(folder, entry)
    return dict(sorted(found.items()))


def spec(component: str, repo: str | None = None) -> ModuleType:
    """The spec module of ``component`` (its facts and its ``COMPONENT`` declaration)."""
    return load(component, SPECS[component], repo)


def forwarder_names(component: str, repo: str | None = None) -> frozenset[str]:
    """The DATs of ``component`` that are forwarding callbacks DATs (never imported as modules)."""
    declaration: dict[str, Any] = spec(component, repo).COMPONENT
    return frozenset(declaration["forwarders"])


def load(component: str, name: str, repo: str | None = None) -> ModuleType:
    """Import ``ext/<component>/<name>.py`` once per process, the way TD's sibling-DAT import finds it.

    Raises ImportError when the file is missing, when ``name`` is a forwarding DAT, or when another
    file of that name was imported first (two copies of one module would mean two copies of a class).
    """
    folder = component_folder(component, repo)
    path = os.path.join(folder, name + ".py")
    if not os.path.isfile(path):
        others = [name + suffix for suffix in DAT_SUFFIXES if os.path.isfile(os.path.join(folder, name + suffix))]
        if others:
            raise ImportError(f"LOPflow: {component}/{others[0]} is a Text DAT the component serves, not a module")
        raise ImportError(f"LOPflow: {path} is missing; is this a complete checkout?")
    if name != SPECS[component] and name in forwarder_names(component, repo):
        raise ImportError(f"LOPflow: {component}/{name} is a forwarding callbacks DAT, not a module to import")
    loaded = sys.modules.get(name)
    if loaded is not None:
        where = getattr(loaded, "__file__", None)
        if where is None or os.path.abspath(where) != os.path.abspath(path):
            raise ImportError(f"LOPflow: a module named {name!r} is already loaded from {where}, not {path}; "
                              f"rename one of them so every module is loaded once")
        return loaded
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(name)


def find(name: str, repo: str | None = None) -> ModuleType:
    """Load the shipped module ``name`` from whichever component folder holds it."""
    for component in SPECS:
        if os.path.isfile(os.path.join(component_folder(component, repo), name + ".py")):
            return load(component, name, repo)
    raise ImportError(f"LOPflow: no component folder under ext/ holds {name}.py")


#: The names TD puts into every DAT module's globals (the per-DAT ones and the shared ones); a module
#: that uses none of them as a free name, and imports neither ``td`` nor ``tdu``, is pure Python.
TD_GLOBALS = frozenset({
    "op", "ops", "me", "parent", "iop", "ipar", "root", "absTime", "run", "runs", "debug", "project",
    "tdu", "td", "mod", "ext", "ParMode", "app", "ui", "isMainThread", "tdError", "baseCOMP",
    "containerCOMP", "textDAT", "tableDAT", "scriptCHOP", "nullCHOP", "executeDAT", "parameterexecuteDAT",
    "webserverDAT",
})


def td_names_used(path: str) -> frozenset[str]:
    """TD names the module at ``path`` needs: imports of ``td``/``tdu`` and free uses of TD's DAT globals.

    A name counts as free when the module never binds it (assignment, def, class, import, argument,
    comprehension or loop target): a coarse, conservative reading of the source with ``ast``.
    """
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    bound: set[str] = set()
    loaded: set[str] = set()
    imported_td: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for alias in node.names:
                top = (module or alias.name).split(".")[0]
                if top in ("td", "tdu"):
                    imported_td.add(top)
                bound.add((alias.asname or alias.name).split(".")[0])
    return frozenset(imported_td | ((loaded - bound) & TD_GLOBALS))


def pure_modules(component: str, repo: str | None = None) -> frozenset[str]:
    """The modules of ``component`` that need nothing from TD (the pure core and the spec)."""
    forwarders = forwarder_names(component, repo)
    return frozenset(name for name, path in dat_files(component, repo).items()
                     if path.endswith(".py") and name not in forwarders and not td_names_used(path))


def shared_module_resolver(repo: str | None = None) -> Callable[[Any], ModuleType | None]:
    """A resolver for mock_td's ``Session.share_modules``: a component DAT holding a pure module's file
    (its text, or its ``file`` with ``syncfile`` on) gets the one module ``load`` gives, so every class of
    the pure core exists once per process. Any other DAT (edited text, TD-facing code) builds its own."""
    sources: dict[str, tuple[str, str, str]] = {}  # DAT name -> (component, path, text)
    for component in SPECS:
        for name in pure_modules(component, repo):
            path = dat_files(component, repo)[name]
            with open(path, encoding="utf-8") as handle:
                sources[name] = (component, path, handle.read())

    def resolve(dat: Any) -> ModuleType | None:
        source = sources.get(dat.name)
        if source is None:
            return None
        component, path, text = source
        linked = bool(dat.par.syncfile.eval()) and os.path.abspath(str(dat.par.file.eval())) == os.path.abspath(path)
        return load(component, dat.name, repo) if linked or dat.text == text else None

    return resolve
