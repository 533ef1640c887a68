"""Every generated file (README sections, manifests, callbacks template, SUPPORTED.md) matches its source.

The one drift test: ``python -m lopflow.regenerate --check`` on the committed tree. The other tests
show that the check names what is stale and that the command rewrites it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from lopflow import regenerate
from lopflow.repo import REPO_ROOT


def test_no_generated_file_has_drifted() -> None:
    result = subprocess.run([sys.executable, "-m", "lopflow.regenerate", "--check"], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300, check=False,
                            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert result.returncode == 0, result.stderr


def test_every_generated_file_is_covered() -> None:
    shown = {path.relative_to(REPO_ROOT).as_posix() for path in (f.path for f in regenerate.generated_files())}
    assert shown == {"README.md", "toxes/FlowController.manifest.json", "toxes/TDAsyncIO.manifest.json",
                     "toxes/FlowDashboard.manifest.json", "callbacks_templates/flow_callbacks_template.py",
                     "mock_td/SUPPORTED.md"}


def test_check_names_a_stale_file_and_writes_nothing_then_regenerate_fixes_it(tmp_path: Path) -> None:
    fresh, stale, missing = tmp_path / "fresh.txt", tmp_path / "stale.txt", tmp_path / "missing.txt"
    fresh.write_text("A\n", encoding="utf-8")
    stale.write_text("old\n", encoding="utf-8")
    files = [regenerate.GeneratedFile(fresh, lambda: "A\n"), regenerate.GeneratedFile(stale, lambda: "new\n"),
             regenerate.GeneratedFile(missing, lambda: "made\n")]
    out, err = io.StringIO(), io.StringIO()
    assert regenerate.main(["--check"], files, out, err) == 1
    assert err.getvalue().splitlines() == [f"{stale} is stale: run python -m lopflow.regenerate",
                                           f"{missing} is stale: run python -m lopflow.regenerate"]
    assert stale.read_text(encoding="utf-8") == "old\n" and not missing.exists()

    assert regenerate.main([], files, out, err) == 0
    assert [stale.read_text(encoding="utf-8"), missing.read_text(encoding="utf-8")] == ["new\n", "made\n"]
    assert out.getvalue().splitlines() == [f"unchanged: {fresh}", f"updated: {stale}", f"updated: {missing}"]
    assert regenerate.main(["--check"], files, out, err) == 0
