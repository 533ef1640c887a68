"""Helpers for the delivery tests (imported by name; pytest puts this folder on sys.path): run the ``lopflow`` command as a user would, in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def lopflow_command() -> list[str]:
    """The installed ``lopflow`` console script (next to this Python), else ``python -m lopflow``."""
    script_dir = Path(sys.executable).parent
    for name in ("lopflow", "lopflow.exe"):
        if (script_dir / name).is_file():
            return [str(script_dir / name)]
    found = shutil.which("lopflow")
    return [found] if found else [sys.executable, "-m", "lopflow"]


def run_lopflow(args: Sequence[str], path_dirs: Sequence[Path] | None = None,
                cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run ``lopflow ARGS`` in a subprocess; ``path_dirs`` replaces PATH (to hide or fake Graphviz)."""
    env = dict(os.environ)
    if path_dirs is not None:
        env["PATH"] = os.pathsep.join(str(folder) for folder in path_dirs)
    return subprocess.run([*lopflow_command(), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
