"""Each shipped module is loaded once: the CLI, the tests and the component loader share one class.

``lopflow`` loads shipped modules only through ``lopflow.repo`` (which delegates to
``toxes/component_files.py``); a second copy of ``flow_steps`` would make ``FlowDefinition`` two
different classes in one process.
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

import component_files
import flow_steps
import pytest

from lopflow import cli, flowcheck, repo
from lopflow.repo import REPO_ROOT

FLOW = '[[steps]]\nlabel = "Intro"\nduration = 1\n[[steps]]\nlabel = "Outro"\n'


def test_the_cli_check_uses_the_one_flow_definition_class(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = component_files.load("FlowController", "flow_steps")
    assert loaded is flow_steps and loaded.FlowDefinition is flow_steps.FlowDefinition
    assert repo.component_module("FlowController", "flow_steps") is flow_steps
    assert repo.ext_module("flow_steps") is flow_steps

    # Spy on the class this test imported: the CLI's check must build its definition with it.
    built: list[object] = []
    original = vars(flow_steps.FlowDefinition)["from_rows"].__func__

    def spy(cls: type, *args: object, **kwargs: object) -> object:
        definition = original(cls, *args, **kwargs)
        built.append(definition)
        return definition

    monkeypatch.setattr(flow_steps.FlowDefinition, "from_rows", classmethod(spy))
    flow = tmp_path / "flow.toml"
    flow.write_text(FLOW, encoding="utf-8")
    out = io.StringIO()
    assert cli.main(["check", str(flow)], stdout=out, stderr=io.StringIO()) == 0, out.getvalue()
    assert built and all(type(definition) is flow_steps.FlowDefinition for definition in built)
    assert type(flowcheck.build_definition(cli.load_flow_file(flow))) is loaded.FlowDefinition


def test_lopflow_imports_shipped_modules_only_through_the_loader() -> None:
    shipped = {path.stem for folder in (REPO_ROOT / "ext").iterdir() if folder.is_dir()
               for path in folder.glob("*.py")}
    offenders = []
    for path in sorted((REPO_ROOT / "lopflow").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}:{node.lineno} imports {name}" for name in names
                          if name.split(".")[0] in shipped]
            if isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", "") == "sys" \
                    and path.name != "repo.py":
                offenders.append(f"{path.name}:{node.lineno} changes sys.path")
    assert offenders == []


def test_a_headless_flow_runs_on_the_one_flow_definition_class(td_session, tmp_path: Path) -> None:
    from lopflow.headless import load_flow

    flow_file = tmp_path / "flow.toml"
    flow_file.write_text(FLOW, encoding="utf-8")
    controller = load_flow(td_session, flow_file)
    # The component's own flow_steps DAT, what its engine imports, is the module the CLI and this test use.
    assert controller.op("flow_steps").module is flow_steps
    engine = controller.ext.FlowControllerExt.engine
    assert type(engine.definition) is flow_steps.FlowDefinition
    assert type(engine).__module__ == "flow_engine" and type(engine) is component_files.load("FlowController", "flow_engine").FlowEngine
    controller.Start()
    assert controller.CurrentStepName == "intro"


def test_a_dat_whose_text_was_edited_builds_its_own_module(td_session, tmp_path: Path) -> None:
    from lopflow.headless import load_flow

    flow_file = tmp_path / "flow.toml"
    flow_file.write_text(FLOW, encoding="utf-8")
    controller = load_flow(td_session, flow_file, mode="embedded")
    assert controller.op("flow_names").module is component_files.load("FlowController", "flow_names")
    dat = controller.op("flow_names")
    dat.text = dat.text + "\nEDITED = True\n"
    assert dat.module is not component_files.load("FlowController", "flow_names")
    assert dat.module.EDITED is True


def test_only_pure_modules_are_shared() -> None:
    pure = component_files.pure_modules("FlowController")
    assert "flow_steps" in pure and "flow_engine" in pure
    assert "FlowControllerExt" not in pure  # uses TD's globals (tdu, op, run, ...)
    assert "frame_execute" not in pure  # a forwarder, never imported
