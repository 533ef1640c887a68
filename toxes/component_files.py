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

import importlib
import os
import sys
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
