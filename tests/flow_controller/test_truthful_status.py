"""Status says what is really going on: invalid steps after Setup, a lost or changed target, who owns a
target, the callbacks DAT, and steps changed before the extension's first frame ended."""

from __future__ import annotations

import build_toxes
import flow_spec
import pytest
from flow_controller_helpers import Flow, make_flow


def _shortcut_ops(target):
    return [target.par[f"iop{i}op"].eval() for i in range(target.seq.iop.numBlocks)
            if target.par[f"iop{i}shortcut"].eval() == "LOPflow"]


def _status_channel(flow):
    values = flow.channels()
    on = [name for name in flow_spec.STATUS_CHANNELS if values[name] == 1.0]
    assert len(on) == 1
    return on[0]


def _acknowledge(flow, *texts):
    """Script errors the component adds count as script exceptions of the session: these were expected."""
    reported = flow.session.take_script_exceptions()
    assert reported and all(e.where == "addScriptError" for e in reported)
    for text in texts:
        assert any(text in str(e.exception) for e in reported), text


# ------------------------------------------------------------------------------ invalid step lists
def _make_invalid(flow, kind):
    fc = flow.fc
    if kind == "duplicate label":
        fc.par.Step1label = "First"
    elif kind == "empty label":
        fc.par.Step1label = ""
    elif kind == "then to no step":
        fc.seq.Step.numBlocks = 3
        fc.par.Step2label = "Third"
        fc.par.Step0then = "third"
        fc.seq.Step.destroyBlock(2)
    elif kind == "bad duration":
        fc.par.Step1duration = -0.5
    elif kind == "no steps":
        fc.seq.Step.numBlocks = 0
    flow.session.advance(flow_spec.WATCH_FRAMES)  # errors show at a frame start; block counts via the watcher


@pytest.mark.parametrize(("kind", "named"), [
    ("duplicate label", "first"), ("empty label", "block 1"), ("then to no step", "then 'third'"),
    ("bad duration", "second"), ("no steps", "no steps")])
def test_invalid_steps_after_setup_show_the_problem_not_not_setup(flow_factory, kind, named):
    flow = flow_factory([("First", -1, "next"), ("Second", -1, "next")])
    assert flow.status() == "Ready"
    _make_invalid(flow, kind)
    assert flow.status() == "Invalid Steps"
    setup_status = flow.fc.par.Setupstatus.eval()
    assert "Setup done" in setup_status and named in setup_status and "Steps page" in setup_status
    assert named in flow.fc.scriptErrors()
    assert _status_channel(flow) == "status_idle"
    with pytest.raises(flow.fc.FlowError, match="Can't Start"):
        flow.fc.Start()
    _acknowledge(flow, named)


def test_many_errors_show_a_bounded_number_of_script_errors(flow_factory):
    flow = flow_factory([("A", -1, "next")])
    flow.fc.seq.Step.numBlocks = 40  # 39 blocks without a label
    flow.session.advance(flow_spec.WATCH_FRAMES)
    lines = [line for line in flow.fc.scriptErrors().splitlines() if line.startswith("LOPflow steps")]
    assert len(lines) == flow_spec.MAX_SHOWN_FINDINGS + 1 and "34 more" in lines[-1]
    assert len(flow.session.take_script_exceptions()) == flow_spec.MAX_SHOWN_FINDINGS + 1


# ------------------------------------------------------------------------------ the target
def test_deleting_the_target_mid_run_ends_the_run_with_an_error(flow_factory):
    flow = flow_factory([("A", -1, "next"), ("B", -1, "next")])
    finished = []
    flow.fc.AssignCallback("onFlowFinish", lambda info: finished.append(dict(info)))
    flow.fc.Start()
    flow.target.destroy()
    flow.session.advance(flow_spec.WATCH_FRAMES)  # TD calls no callback for a deleted OP: the watcher notices
    assert len(finished) == 1
    assert finished[0]["result_type"] == "error" and "deleted" in finished[0]["result"]
    assert finished[0]["targetComp"] is None
    assert not flow.fc.IsRunning and flow.status() == "Not Setup"
    assert "deleted" in flow.fc.par.Setupstatus.eval() and "Setup done" not in flow.fc.par.Setupstatus.eval()
    assert _status_channel(flow) == "status_idle"
    _acknowledge(flow, "was deleted")  # the callbacks DAT docked to the target went with it


def test_changing_the_target_mid_run_keeps_status_running_and_channels_in_agreement(flow_factory):
    flow = flow_factory([("A", -1, "next"), ("B", -1, "next")])
    finished = []
    flow.fc.AssignCallback("onFlowFinish", lambda info: finished.append(dict(info)))
    flow.fc.Start()
    other = flow.target.parent().create("baseCOMP", "other")
    flow.fc.par.Targetcomp = other
    assert not flow.fc.IsRunning and flow.status() == "Not Setup"
    assert _status_channel(flow) == "status_idle" and flow.channels()["flow_active"] == 0
    assert finished and finished[0]["result_type"] == "error" and "other" in finished[0]["result"]
    setup_status = flow.fc.par.Setupstatus.eval()
    assert "pulse Setup" in setup_status and "/project1/other" in setup_status and "run was ended" in setup_status
    flow.fc.par.Setup.pulse()
    assert flow.status() == "Error" and _status_channel(flow) == "status_error"  # how the last run ended


def test_the_controller_is_refused_as_its_own_target(flow_factory):
    flow = flow_factory([("A", -1, "next")], setup=False)
    fc = flow.fc
    fc.par.Targetcomp = fc
    fc.par.Setup.pulse()
    assert "own Target Component" in fc.par.Setupstatus.eval()
    assert _shortcut_ops(fc) == [] and flow.status() == "Not Setup"
    assert fc.par.Callbackdat.eval() is None


def test_a_second_controller_does_not_take_over_a_driven_target(flow_factory):
    flow = flow_factory([("A", -1, "next")])
    first, target = flow.fc, flow.target
    callbacks = first.par.Callbackdat.eval()
    second = build_toxes.build_flow_controller(target.parent(), name="FlowController2")
    Flow(flow.session, second, target).set_steps([("B", -1, "next")])
    second.par.Targetcomp = target
    second.par.Setup.pulse()
    assert first.path in second.par.Setupstatus.eval() and "Cleanup" in second.par.Setupstatus.eval()
    assert _shortcut_ops(target) == [first]
    assert second.par.Callbackdat.eval() is None and callbacks.valid
    assert second.par.Status.eval() == "Not Setup"
    first.par.Cleanup.pulse()  # the owner lets go: now the second one may drive it
    second.par.Setup.pulse()
    assert _shortcut_ops(target) == [second] and second.par.Status.eval() == "Ready"


def test_a_callbacks_dat_that_is_not_a_text_dat_is_refused(flow_factory):
    flow = flow_factory([("A", -1, "next")], setup=False)
    table = flow.target.parent().create("tableDAT", "not_callbacks")
    flow.fc.par.Callbackdat = table
    flow.fc.par.Targetcomp = flow.target
    flow.fc.par.Setup.pulse()
    assert "Text DAT" in flow.fc.par.Setupstatus.eval() and "tableDAT" in flow.fc.par.Setupstatus.eval()
    assert _shortcut_ops(flow.target) == [] and flow.status() == "Not Setup"


def test_a_callbacks_dat_deleted_mid_run_is_reported(flow_factory):
    flow = flow_factory([("A", -1, "next"), ("B", -1, "next")])
    dat = flow.use_recording_callbacks()
    path = dat.path
    flow.fc.Start()
    dat.destroy()
    flow.fc.NextStep()  # no callback DAT to call: reported, and the run goes on
    assert flow.fc.CurrentStepName == "b"
    assert path in flow.fc.scriptErrors() and "deleted" in flow.fc.scriptErrors()
    assert "deleted" in flow.fc.par.Setupstatus.eval()
    _acknowledge(flow, path)


def test_an_existing_undocked_callbacks_dat_is_used(td_session):
    project = td_session.root.op("project1")
    target = project.create("baseCOMP", "process")
    mine = project.create("textDAT", "process_flow_callbacks")  # not docked
    mine.text = "def onStepEnter(info):\n    info['ownerComp'].store('entered', info['step_name'])\n"
    flow = make_flow(td_session, [("Only", -1, "next")], setup=False)
    flow.fc.par.Targetcomp = target
    flow.fc.par.Setup.pulse()
    assert flow.fc.par.Callbackdat.eval() is mine
    assert project.op("process_flow_callbacks1") is None
    flow.fc.Start()
    assert flow.fc.fetch("entered", None, search=False) == "only"


# ------------------------------------------------------------------------------ the first frame
def test_steps_changed_before_the_first_frame_ends_are_loaded(td_session):
    project = td_session.root.op("project1")
    fc = build_toxes.build_flow_controller(project)
    target = project.create("baseCOMP", "process")
    parexec = fc.op("par_execute")
    parexec.par.active = False  # the extension hears nothing of these edits ...
    Flow(td_session, fc, target).set_steps([("First", -1, "next")])  # same block count as at init
    parexec.par.active = True
    td_session.advance()  # ... until the end of the frame it initialised in
    fc.par.Targetcomp = target
    fc.par.Setup.pulse()
    fc.Start()
    assert fc.CurrentStepName == "first" and fc.par.Status.eval() == "Running"
