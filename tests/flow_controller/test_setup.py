"""Setup / Cleanup: the LOPflow Internal OP shortcut, the callbacks DAT, storage and reload."""

from __future__ import annotations

import pytest
from flow_controller_helpers import Flow


def _shortcuts(target):
    return [target.par[f"iop{i}shortcut"].eval() for i in range(target.seq.iop.numBlocks)]


def test_no_target_means_not_setup_with_a_hint(flow_factory):
    flow = flow_factory([("Only", -1, "next")], setup=False)
    flow.fc.par.Setup.pulse()
    assert flow.status() == "Not Setup"
    assert "Target Component" in flow.fc.par.Setupstatus.eval()
    with pytest.raises(flow.fc.FlowError, match="Setup"):
        flow.fc.Start()


def test_setup_installs_the_shortcut_in_the_first_free_slot_pointing_at_the_controller(flow_factory):
    flow = flow_factory([("Only", -1, "next")], setup=False)
    target = flow.target
    target.seq.iop.numBlocks = 2
    target.par.iop0shortcut = "Other"
    target.par.iop0op = flow.fc.parent().path
    flow.fc.par.Targetcomp = target
    flow.fc.par.Setup.pulse()
    assert _shortcuts(target) == ["Other", "LOPflow"]
    assert target.par.iop1op.eval() is flow.fc
    assert flow.status() == "Ready"
    assert "slot 1" in flow.fc.par.Setupstatus.eval()
    inner = target.create("textDAT", "inner")
    inner.text = "def find():\n    return iop.LOPflow\n"
    assert inner.module.find() is flow.fc
    flow.fc.par.Setup.pulse()  # a repeated Setup reuses its own slot
    assert _shortcuts(target) == ["Other", "LOPflow"]


def test_setup_appends_a_block_and_refuses_when_all_ten_are_taken(flow_factory):
    flow = flow_factory([("Only", -1, "next")], setup=False)
    target = flow.target
    target.seq.iop.numBlocks = 10
    for i in range(10):
        target.par[f"iop{i}shortcut"].val = f"Other{i}"
    flow.fc.par.Targetcomp = target
    flow.fc.par.Setup.pulse()
    assert "No available IOP slots" in flow.fc.par.Setupstatus.eval()
    assert _shortcuts(target) == [f"Other{i}" for i in range(10)]
    assert flow.status() == "Not Setup"
    target.par.iop9shortcut = ""
    flow.fc.par.Setup.pulse()
    assert _shortcuts(target)[9] == "LOPflow"


def test_cleanup_removes_the_shortcut_and_stops_the_run(flow_factory):
    flow = flow_factory([("Only", -1, "next")])
    flow.fc.Start()
    flow.fc.par.Cleanup.pulse()
    assert "LOPflow" not in _shortcuts(flow.target)
    assert flow.status() == "Not Setup"
    assert not flow.fc.IsRunning
    assert "removed" in flow.fc.par.Setupstatus.eval()


def test_setup_creates_a_docked_callbacks_dat_once(flow_factory):
    flow = flow_factory([("Only", -1, "next")])
    dat = flow.fc.par.Callbackdat.eval()
    assert dat.name == "process_flow_callbacks"
    assert dat.parent() is flow.target.parent()
    assert dat.dock is flow.target
    flow.fc.par.Setup.pulse()
    assert flow.fc.par.Callbackdat.eval() is dat
    assert len([o for o in flow.target.parent().children if o.name.startswith("process_flow_callbacks")]) == 1


def test_setup_uses_an_existing_docked_callbacks_dat(td_session):
    import build_toxes

    project = td_session.root.op("project1")
    fc = build_toxes.build_flow_controller(project)
    target = project.create("baseCOMP", "proc")
    mine = project.create("textDAT", "my_callbacks")
    mine.text = "def onStepEnter(info):\n    info['ownerComp'].store('entered', info['step_name'])\n"
    mine.dock = target
    flow = Flow(td_session, fc, target)
    flow.set_steps([("Only", -1, "next")])
    fc.par.Targetcomp = target
    fc.par.Setup.pulse()
    assert fc.par.Callbackdat.eval() is mine
    assert project.op("proc_flow_callbacks") is None
    fc.Start()
    assert fc.fetch("entered", None, search=False) == "only"


def test_setup_state_survives_reload(flow_factory):
    flow = flow_factory([("Initialize", -1, "next"), ("Done", -1, "next")])
    fc = flow.fc
    fc.Start()
    process_id = fc.ProcessId
    flow.session.reload()
    session = flow.session
    fc = session.root.op("project1/FlowController")
    target = session.root.op("project1/process")
    session.advance()
    assert fc.par.Status.eval() == "Ready"  # the run is not restored, the setup is
    assert fc.ProcessId == process_id
    assert fc.par.Activeprocessid.eval() == process_id
    inner = target.create("textDAT", "inner")
    inner.text = "def go():\n    iop.LOPflow.Start()\n    return iop.LOPflow.CurrentStepIndex\n"
    assert inner.module.go() == 0
    assert fc.ProcessId != process_id
    fc.par.Cleanup.pulse()
    assert "LOPflow" not in _shortcuts(target)


def test_linked_mode_builds_a_working_controller(flow_factory):
    flow = flow_factory([("Only", 0, "next")], mode="linked")
    assert flow.fc.op("FlowControllerExt").par.syncfile.eval()
    flow.fc.Start()
    assert flow.status() == "Completed"


def test_changing_the_target_asks_for_setup_again(flow_factory):
    flow = flow_factory([("Only", -1, "next")])
    other = flow.target.parent().create("baseCOMP", "other")
    flow.fc.par.Targetcomp = other
    assert flow.status() == "Not Setup"
    assert "pulse Setup" in flow.fc.par.Setupstatus.eval() and "/project1/process" in flow.fc.par.Setupstatus.eval()
    flow.fc.par.Setup.pulse()
    assert "LOPflow" in _shortcuts(other) and "LOPflow" not in _shortcuts(flow.target)
    assert flow.status() == "Ready"
