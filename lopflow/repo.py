"""Where the repository's component code lives, and how the headless tools import it.

``lopflow`` is installed editable, so the component code (``ext/``, ``toxes/``,
``callbacks_templates/``, ``scriptchop/``) is found next to this package, never copied.
Inside TouchDesigner the ``ext/`` modules import each other by bare name (sibling Text DATs); the
headless equivalent is putting ``ext/`` on ``sys.path``.
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


def _put_on_path(folder: Path) -> None:
    text = str(folder)
    if text not in sys.path:
        sys.path.insert(0, text)


def ext_module(name: str) -> ModuleType:
    """Import the pure ``ext/<name>.py`` module the way TD's sibling DAT import would find it."""
    if not (EXT_DIR / f"{name}.py").is_file():
        raise ImportError(f"LOPflow's ext/{name}.py is missing from {EXT_DIR}; is this a complete checkout?")
    _put_on_path(EXT_DIR)
    return importlib.import_module(name)


def toxes_module(name: str) -> ModuleType:
    """Import ``toxes/<name>.py`` (the builder and parameter tables)."""
    if not (TOXES_DIR / f"{name}.py").is_file():
        raise ImportError(f"LOPflow's toxes/{name}.py is missing from {TOXES_DIR}; is this a complete checkout?")
    _put_on_path(TOXES_DIR)
    return importlib.import_module(name)
