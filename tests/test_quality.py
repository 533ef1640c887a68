"""Lint and type checks run with the tests, so `python -m pytest` (and CI) enforces them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Code that must type-check: the mock, the headless tooling and the pure (TD-free) core modules.
#: The TD-facing extension adapters use TD's injected globals and are covered by ruff and the tests.
PURE_EXT_PREFIXES = ("flow_", "async_", "tdasyncio_spec", "dashboard_", "flowdashboard_spec")
#: TD-facing helpers of the extensions: they may use TD globals, so they are not part of the pure core.
TD_FACING_PREFIXES = ("flow_adapter_",)


def _pure_ext_modules() -> list[str]:
    return sorted(
        str(p.relative_to(REPO)) for p in (REPO / "ext").glob("*/*.py") if p.name.startswith(PURE_EXT_PREFIXES) and not p.name.startswith(TD_FACING_PREFIXES)
    )


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


def test_pure_core_never_imports_td() -> None:
    offenders = []
    for path in _pure_ext_modules():
        tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path}:{node.lineno} imports {name}" for name in names if name.split(".")[0] in ("td", "tdu")]
    assert not offenders, "pure modules must not import td/tdu:\n" + "\n".join(offenders)
