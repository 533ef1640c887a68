"""README.md's code blocks run as tests, and its generated sections match the code.

- the quick start's ``sh`` block must be exactly the two decided commands, and ``.ci/run`` must run
  the same install and test commands;
- ``python textport`` blocks (typed into TD's Textport) run on mock_td with TD's ``op`` global;
- ``python td-extension`` blocks (extension code inside TD) run on mock_td next to a built TDAsyncIO;
- ``python`` blocks are executed and every ``test_*`` function they define is called with a fresh
  mock_td session as ``td_session``, from the repository folder;
- ``sh`` lines starting with ``lopflow`` run through the CLI and must exit 0; other commands must name
  files that exist;
- ``toml`` blocks must be valid flow files whose steps pass ``lopflow check``.
"""

from __future__ import annotations

import io
import os
import re
import shlex
from pathlib import Path

import build_toxes
import pytest

import mock_td
from lopflow.cli import main as lopflow_main
from lopflow.flowcheck import check_flow
from lopflow.flowfile import parse_flow_text
from lopflow.repo import README, REPO_ROOT

QUICK_START = [
    'python -m pip install -e ".[dev]" && lopflow run examples/walkthrough_process/flow.toml',
    "python -m pytest",
]
_BLOCK = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```$", re.DOTALL | re.MULTILINE)


def blocks(kind: str) -> list[str]:
    """The README's code blocks whose info string is exactly ``kind``."""
    text = README.read_text(encoding="utf-8")
    return [m.group("body") for m in _BLOCK.finditer(text) if m.group("info").strip() == kind]


def test_sections_come_in_the_promised_order() -> None:
    headings = [line[3:] for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    order = ["Quick start", "Using it in TouchDesigner", "Code map for contributors", "Parameters", "API", "Callbacks",
             "Testing your own flows headless", "Benchmarks", "Changelog"]
    assert [h for h in headings if h in order] == order


def test_quick_start_is_the_two_commands_and_matches_ci() -> None:
    first_sh = blocks("sh")[0]
    assert first_sh.splitlines() == QUICK_START
    assert (REPO_ROOT / "examples" / "walkthrough_process" / "flow.toml").is_file()
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r'^python3 -m pip install .*-e "\.\[dev\]"$', ci, re.MULTILINE)
    assert re.search(r"^python3 -m pytest\b", ci, re.MULTILINE)
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'lopflow = "lopflow.cli:main"' in pyproject and "dev = [" in pyproject


def test_textport_line_builds_both_components_and_says_saving_needs_td(tmp_path: Path) -> None:
    (line,) = [body.strip() for body in blocks("python textport")]
    assert "C:/path/to/lopflow/toxes" in line
    line = line.replace("C:/path/to/lopflow/toxes", (REPO_ROOT / "toxes").as_posix())
    session = mock_td.install(project_folder=str(tmp_path))
    import td

    with pytest.raises(build_toxes.ToxSaveError, match="Saving a .tox needs TouchDesigner"):
        exec(line, {"op": td.op})  # noqa: S102 - the README's Textport line, as TD would run it
    assert session.root.op("project1/FlowController") is not None
    assert session.root.op("project1/TDAsyncIO") is not None


def test_extension_block_imports_dotlop_utils_from_the_tdasyncio_component(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (body,) = blocks("python td-extension")
    session = mock_td.install(project_folder=str(tmp_path))
    import td

    from lopflow.headless import build_tdasyncio

    build_tdasyncio(session.root.op("project1"), mode="embedded")
    owner = session.root.op("project1").create("baseCOMP", "mylop")

    async def download() -> str:
        return "data"

    namespace: dict[str, object] = {"op": td.op, "download": download}
    exec(compile(body, "README.md python td-extension block", "exec"), namespace)  # noqa: S102
    extension = namespace["MyLopExt"](owner)  # type: ignore[operator]
    assert type(extension).__mro__[1] is td.op.TDAsyncIO.op("DotLOPUtils").module.DotLOPUtils
    task_id = extension.Fetch()
    session.advance(3)
    assert td.op.TDAsyncIO.GetTaskResult(task_id) == "data"
    assert "completed data" in capsys.readouterr().out  # the completion callback ran


def test_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    python_blocks = blocks("python")
    assert python_blocks, "the README should show how to test a flow headless"
    tests_run = 0
    for index, body in enumerate(python_blocks):
        namespace: dict[str, object] = {"__name__": f"readme_block_{index}"}
        exec(compile(body, f"README.md python block {index + 1}", "exec"), namespace)  # noqa: S102
        for name, function in list(namespace.items()):
            if name.startswith("test_") and callable(function):
                folder = tmp_path / f"{index}_{name}"
                folder.mkdir()
                session = mock_td.install(project_folder=str(folder))
                function(session)
                assert not session.take_script_exceptions()
                tests_run += 1
    assert tests_run >= 1


def test_lopflow_commands_in_shell_blocks_succeed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    commands = [line for body in blocks("sh")[1:] for line in body.splitlines() if line.strip()]
    ran = 0
    for command in commands:
        words = shlex.split(command)
        if words[0] == "lopflow":
            out, err = io.StringIO(), io.StringIO()
            code = lopflow_main(words[1:], stdout=out, stderr=err)
            assert code == 0, f"{command} exited {code}: {err.getvalue()}"
            ran += 1
        else:
            assert words[0] == "python" and (REPO_ROOT / words[1]).is_file(), f"{command}: {words[1]} is missing"
    assert ran >= 3


def test_toml_blocks_are_valid_flows() -> None:
    toml_blocks = blocks("toml")
    assert toml_blocks
    for body in toml_blocks:
        flow = parse_flow_text(body, REPO_ROOT / "examples" / "walkthrough_process" / "flow.toml")
        assert not [f for f in check_flow(flow) if f.is_error]
        assert flow.callbacks is not None and os.path.isfile(flow.callbacks)
