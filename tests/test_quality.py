"""Lint and type checks run with the tests, so `python -m pytest` (and CI) enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import component_files
import pytest

REPO = Path(__file__).resolve().parents[1]

#: Code that must type-check: the mock, the headless tooling and every shipped module that needs nothing
#: from TD (found by ``component_files.pure_modules``, the same reading the headless module sharing uses).
#: The extensions and forwarders use TD's injected globals and are covered by ruff and the tests.


def _pure_ext_modules() -> list[str]:
    return sorted(f"ext/{component}/{name}.py" for component in component_files.SPECS
                  for name in component_files.pure_modules(component))


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=300)


def test_ruff_passes_on_the_whole_repository() -> None:
    pytest.importorskip("ruff", reason="ruff is not installed (pip install -e '.[dev]')")
    result = _run([sys.executable, "-m", "ruff", "check", "--no-cache", "."])
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes_on_mock_td_lopflow_and_pure_core() -> None:
    pytest.importorskip("mypy")
    targets = ["mock_td", "lopflow", *_pure_ext_modules()]
    result = _run([sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", "/dev/null", *targets])
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_the_td_facing_dats_use_td() -> None:
    """Everything in a component folder is pure Python except the extension, its forwarders and the few
    DATs whose job is TD: a core module that starts using ``td`` or TD's DAT globals fails here."""
    td_facing = {"FlowController": {"FlowControllerExt"},
                 "TDAsyncIO": {"TDAsyncIOExt", "DotLOPUtils"},  # DotLOPUtils: a mixin for TD extensions
                 "FlowDashboard": {"FlowDashboardExt"}}
    for component, allowed in td_facing.items():
        modules = {name for name, path in component_files.dat_files(component).items() if path.endswith(".py")}
        uses_td = modules - component_files.pure_modules(component) - component_files.forwarder_names(component)
        assert uses_td == allowed, f"{component}: modules that use td: {sorted(uses_td)}"
