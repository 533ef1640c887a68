"""Where the repository's component code lives, and how the headless tools import it.

``lopflow`` is installed editable, so the component code (``ext/<Component>/``, ``toxes/``,
``callbacks_templates/``, ``scriptchop/``) is found next to this package, never copied.
Inside TouchDesigner a component's modules import each other by bare name (sibling Text DATs); the
headless equivalent is ``toxes/component_files.py``, the one loader every tool uses.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[1]
EXT_DIR = REPO_ROOT / "ext"
TOXES_DIR = REPO_ROOT / "toxes"
CALLBACKS_TEMPLATES_DIR = REPO_ROOT / "callbacks_templates"
SCRIPTCHOP_DIR = REPO_ROOT / "scriptchop"
EXAMPLES_DIR = REPO_ROOT / "examples"
README = REPO_ROOT / "README.md"


def toxes_module(name: str) -> ModuleType:
    """Import ``toxes/<name>.py`` (the builder, the parameter tables, the component loader)."""
    if not (TOXES_DIR / f"{name}.py").is_file():
        raise ImportError(f"LOPflow's toxes/{name}.py is missing from {TOXES_DIR}; is this a complete checkout?")
    text = str(TOXES_DIR)
    if text not in sys.path:
        sys.path.insert(0, text)
    return importlib.import_module(name)


def ext_module(name: str) -> ModuleType:
    """The shipped module ``name`` from its component folder, loaded once (``component_files.find``)."""
    return toxes_module("component_files").find(name, str(REPO_ROOT))


def component_module(component: str, name: str) -> ModuleType:
    """The shipped module ``ext/<component>/<name>.py``, loaded once (``component_files.load``)."""
    return toxes_module("component_files").load(component, name, str(REPO_ROOT))
