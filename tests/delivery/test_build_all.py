"""The TD entry point ``build_toxes.build_all`` (both modes, on mock_td) and the component manifests."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import build_toxes
import pytest

from lopflow.manifest import build_manifests
from lopflow.repo import REPO_ROOT

REPO = str(REPO_ROOT)


@pytest.mark.parametrize("mode", ["embedded", "linked"])
def test_build_all_builds_both_components_that_work(td_session, mode: str) -> None:
    project = td_session.root.op("project1")
    built = build_toxes.build_all(project, mode=mode, save=False, repo_folder=REPO)
    assert list(built) == ["FlowController", "TDAsyncIO", "FlowDashboard"]
    flow, tasks = built["FlowController"], built["TDAsyncIO"]
    assert flow.path == "/project1/FlowController" and tasks.path == "/project1/TDAsyncIO"

    engine_dat = flow.op("flow_engine")
    source = (REPO_ROOT / "ext" / "FlowController" / "flow_engine.py").read_text(encoding="utf-8")
    if mode == "linked":
        assert Path(engine_dat.par.file.eval()) == REPO_ROOT / "ext" / "FlowController" / "flow_engine.py"
        assert engine_dat.par.syncfile.eval() is True
    else:
        assert engine_dat.par.file.eval() == "" and engine_dat.par.syncfile.eval() is False
    assert engine_dat.text == source

    # The built FlowController runs a flow through its parameters and promoted API ...
    target = project.create("baseCOMP", "show")
    flow.par.Targetcomp = target
    flow.par.Step0label, flow.par.Step0duration = "Intro", 0.5
    flow.seq["Step"].numBlocks = 2  # a block is labelled as soon as it exists (no empty-label error)
    flow.par.Step1label, flow.par.Step1duration = "Outro", -1
    flow.par.Setup.pulse()
    flow.par.Start.pulse()
    assert flow.par.Status.eval() == "Running" and flow.CurrentStepName == "intro"
    td_session.advance_seconds(0.6)
    assert flow.CurrentStepName == "outro"
    target.iop.LOPflow.NextStep()  # what code inside the target calls after Setup
    assert flow.par.Status.eval() == "Completed"

    # ... and the built TDAsyncIO runs coroutines on TD frames.
    async def double(x: int) -> int:
        await asyncio.sleep(0.05)
        return 2 * x

    task_id = tasks.Run(double(21), description="double")
    td_session.advance(10)
    assert tasks.GetTaskResult(task_id) == 42


def test_build_all_with_save_says_saving_needs_touchdesigner(td_session) -> None:
    project = td_session.root.op("project1")
    with pytest.raises(build_toxes.ToxSaveError) as caught:
        build_toxes.build_all(project, repo_folder=REPO)
    message = str(caught.value)
    assert "could not save" in message and "/toxes/FlowController.tox" in message
    assert "COMP.save" in message and "save=False" in message
    assert project.op("FlowController") is not None and project.op("TDAsyncIO") is not None
    assert not (REPO_ROOT / "toxes" / "FlowController.tox").exists()


def test_build_all_refuses_to_build_over_existing_components(td_session) -> None:
    project = td_session.root.op("project1")
    project.create("baseCOMP", "TDAsyncIO")
    with pytest.raises(ValueError, match=r"/project1 already has TDAsyncIO; delete it or build in another COMP"):
        build_toxes.build_all(project, save=False, repo_folder=REPO)
    assert project.op("FlowController") is None
    with pytest.raises(ValueError, match="mode must be one of"):
        build_toxes.build_all(project, mode="copied", save=False, repo_folder=REPO)


def test_textport_one_liner_imports_the_script_and_finds_the_repository(td_session) -> None:
    # What the README tells TD users to type, with `op` as TD's global; sys.path as a fresh TD has it.
    import td

    line = (f"import sys; sys.path.insert(0, {str(REPO_ROOT / 'toxes')!r}); import build_toxes; "
            "build_toxes.build_all(op('/project1'), save=False)")
    saved_path = list(sys.path)
    try:
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO_ROOT / "toxes"]
        exec(line, {"op": td.op})  # noqa: S102 - running the documented Textport line is the point
    finally:
        sys.path[:] = saved_path
    assert td.op("/project1/FlowController").par.Version.eval() == build_toxes.LOPFLOW_VERSION
    assert td.op("/project1/TDAsyncIO") is not None


def test_manifest_content_comes_from_the_component() -> None:
    manifest = build_manifests()["FlowController"]
    pars = {par["name"]: par for par in manifest["parameters"]}
    assert pars["Step0then"]["menu"]["names"][:2] == ["next", "end"]
    assert pars["Status"]["readOnly"] is True and pars["Status"]["page"] == "Control"
    api = {member["name"]: member for member in manifest["promoted_api"]}
    assert api["GoToStep"]["signature"] == "(name: str, source: str = 'api') -> None"
    assert "onStepEnter" in api["GoToStep"]["fires"]
    assert {"name": "flow_channels", "type": "scriptCHOP"} in manifest["operators"]
