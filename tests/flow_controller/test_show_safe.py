"""Issue 12 on the component: re-initialisation keeps the run, pause/resume/back, the GO guard, the watchdog
parameters, the journal file and Restore, all driven through parameters, promoted methods and
``iop.LOPflow`` on mock_td."""

from __future__ import annotations

import os

import flow_journal
import td
from flow_controller_helpers import Flow

ATTRACT = [("Attract", 2.0, "next"), ("Visitor", -1, "next"), ("Show", 1.0, "attract")]
FC_PATH = "/project1/FlowController"


def edit_extension(flow: Flow) -> None:
    """Edit the extension DAT's code the way a user does (TD re-initialises the extension)."""
    dat = flow.fc.op("FlowControllerExt")
    dat.text = dat.text + "\n# edited during the show\n"
    flow.session.advance()


def journal_path(flow: Flow) -> str:
    return os.path.join(flow.session._world.project_folder, "lopflow_journal", "_project1_FlowController.jsonl")


def reopened(flow: Flow) -> Flow:
    """The same flow after the project was reopened (crash): new OP objects, same paths."""
    root = flow.session.root
    return Flow(flow.session, root.op(FC_PATH), root.op("/project1/process"))


def events(flow: Flow) -> list[str]:
    return [e["event"] for e in flow.fc.History]


# ---------------------------------------------------------------------------------------------- re-init
def test_reinit_mid_timed_step_keeps_everything_and_fires_nothing(flow_factory):
    flow = flow_factory(ATTRACT)
    flow.use_recording_callbacks()
    fc = flow.fc
    fc.par.Start.pulse()
    fc.Set("visitor", "ann")
    flow.session.advance_seconds(0.5)
    pid, history, calls = fc.ProcessId, fc.History, len(flow.calls())
    first_engine = fc.ext.FlowControllerExt.engine
    edit_extension(flow)
    assert fc.ext.FlowControllerExt.engine is not first_engine  # a new extension with a new engine
    assert flow.status() == "Running" and flow.current() == "attract (0)"
    assert fc.ProcessId == pid and fc.par.Activeprocessid.eval() == pid
    assert fc.Get("visitor") == "ann"
    assert fc.History[:len(history)] == history and events(flow)[-1] == "reinit"
    assert len(flow.calls()) == calls  # no callback fired again
    started = history[0]["time"]
    flow.session.advance_until(lambda: flow.current() != "attract (0)", max_frames=200)
    assert abs(flow.session.seconds - started - 2.0) < 1.5 / 60  # the timed step finished its remaining time
    assert flow.current() == "visitor (1)"


def test_reinit_while_waiting_then_nextstep_from_the_target(flow_factory):
    flow = flow_factory(ATTRACT)
    logic = flow.target_code("def go():\n    return iop.LOPflow.NextStep()\n")
    flow.fc.par.Start.pulse()
    flow.fc.GoToStep("visitor")
    flow.session.advance()
    edit_extension(flow)
    assert flow.fc.par.Waiting.eval() == "Yes"
    assert logic.go() is True
    assert flow.current() == "show (2)"


def test_reinit_keeps_queued_actions(flow_factory):
    flow = flow_factory([("A", 0, "next"), ("B", 0, "next"), ("C", 0, "next"), ("D", -1, "next")])
    flow.use_recording_callbacks()
    flow.fc.par.Maxtransitions = 1
    flow.fc.par.Start.pulse()  # one step change per frame: the rest is queued for the next frames
    assert flow.current() == "a (0)"
    edit_extension(flow)
    flow.session.advance(5)
    assert flow.current() == "d (3)"
    entered = [info["step_name"] for name, info in flow.calls() if name == "onStepEnter"]
    assert entered == ["a", "b", "c", "d"]  # nothing lost, nothing twice


def test_reinit_of_an_idle_controller_keeps_the_last_result(flow_factory):
    flow = flow_factory([("Only", -1, "end")])
    flow.fc.par.Start.pulse()
    flow.fc.Finish("done")
    edit_extension(flow)
    assert flow.status() == "Completed" and flow.fc.par.Lastresult.eval() == "done"
    assert events(flow)[-1] == "reinit"


# ---------------------------------------------------------------------------------------------- pause / back
def test_pause_and_resume_pulses_freeze_the_timer_and_show_paused(flow_factory):
    flow = flow_factory(ATTRACT)
    flow.use_recording_callbacks()
    fc = flow.fc
    fc.par.Start.pulse()
    flow.session.advance_seconds(1.0)
    fc.par.Pause.pulse()
    flow.session.advance()
    assert flow.status() == "Paused" and fc.IsPaused and flow.channels()["paused"] == 1.0
    flow.session.advance_seconds(5.0)
    assert flow.current() == "attract (0)"
    fc.par.Resume.pulse()
    flow.session.advance()
    assert flow.status() == "Running" and not fc.IsPaused and flow.channels()["paused"] == 0.0
    flow.session.advance_seconds(0.9)
    assert flow.current() == "attract (0)"
    flow.session.advance_seconds(0.2)
    assert flow.current() == "visitor (1)"
    assert "onFlowPause" in flow.names() and "onFlowResume" in flow.names()


def test_pause_resume_back_api_and_pulse_meet_the_same_engine(flow_factory):
    flow = flow_factory([("One", -1, "next"), ("Two", -1, "next"), ("Three", -1, "next")])
    fc = flow.fc
    fc.Start()
    flow.session.advance()
    fc.NextStep()
    flow.session.advance()
    fc.NextStep()
    assert flow.current() == "three (2)"
    assert fc.Back() is True
    assert flow.current() == "two (1)"
    fc.par.Back.pulse()
    assert flow.current() == "one (0)"
    assert fc.Back() is False  # nothing earlier
    fc.Pause()
    assert flow.status() == "Paused"
    fc.Resume()
    assert flow.status() == "Running"


def test_godebounce_parameter_spaces_outside_advances(flow_factory):
    flow = flow_factory([("One", -1, "next"), ("Two", -1, "next"), ("Three", -1, "next")])
    fc = flow.fc
    fc.par.Godebounce = 0.5
    fc.Start()
    flow.session.advance()
    assert fc.NextStep() is True
    flow.session.advance()
    assert fc.NextStep() is False  # a frame later, but within 0.5 s
    assert flow.current() == "two (1)"
    assert fc.History[-1]["data"]["reason"].startswith("within Godebounce")
    flow.session.advance_seconds(0.5)
    assert fc.NextStep() is True
    assert flow.current() == "three (2)"


def test_nextstep_expect_and_not_running(flow_factory):
    flow = flow_factory([("Intro", -1, "next"), ("Review", -1, "next"), ("Done", -1, "next")])
    fc = flow.fc
    assert fc.NextStep() is False  # not running: no error, a history note
    fc.Start()
    flow.session.advance()
    assert fc.NextStep(expect="review") is False
    assert flow.current() == "intro (0)"
    assert fc.NextStep(expect="intro") is True
    assert flow.current() == "review (1)"


# ---------------------------------------------------------------------------------------------- watchdog
def test_step_timeout_parameters_leave_by_ontimeout(flow_factory):
    flow = flow_factory([("Attract", -1, "next", 0.0, "next"), ("Visitor", -1, "next", 1.0, "attract"),
                         ("Show", -1, "next", 0.0, "next")])
    flow.use_recording_callbacks()
    fc = flow.fc
    assert "attract" in fc.par.Step1ontimeout.menuNames  # the shared Then menu
    fc.Start()
    flow.session.advance()
    fc.NextStep()
    flow.session.advance_seconds(0.9)
    assert flow.current() == "visitor (1)"
    flow.session.advance_seconds(0.2)
    assert flow.current() == "attract (0)"
    timeouts = [info for name, info in flow.calls() if name == "onStepTimeout"]
    assert len(timeouts) == 1 and timeouts[0]["ontimeout"] == "attract"
    fc.par.Step1timeout = 0  # the watchdog off: the step waits for good
    fc.NextStep()
    flow.session.advance_seconds(3.0)
    assert flow.current() == "visitor (1)"


# ---------------------------------------------------------------------------------------------- journal
def test_the_journal_file_follows_the_run(flow_factory):
    flow = flow_factory(ATTRACT)
    fc = flow.fc
    fc.Start()
    fc.Set("visitor", {"name": "ann"})
    flow.session.advance_seconds(2.1)
    state, notes = flow_journal.read_state(journal_path(flow))
    assert notes == [] and state is not None
    assert state["status"] == "running" and state["step"] == "visitor" and state["waiting"] is True
    assert state["context"] == {"visitor": {"name": "ann"}} and state["process_id"] == fc.ProcessId
    fc.Stop()
    assert flow_journal.read_state(journal_path(flow))[0]["status"] == "ended"


def test_journal_off_and_folder_parameter(flow_factory, tmp_path):
    flow = flow_factory(ATTRACT)
    fc = flow.fc
    fc.par.Journal = False
    fc.Start()
    assert not os.path.exists(journal_path(flow))
    fc.par.Journalfolder = str(tmp_path / "elsewhere")
    fc.par.Journal = True
    fc.Set("k", 1)
    state, _ = flow_journal.read_state(str(tmp_path / "elsewhere" / "_project1_FlowController.jsonl"))
    assert state is not None and state["context"] == {"k": 1}


def test_an_unwritable_journal_is_one_warning_and_the_run_goes_on(flow_factory, tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the folder should be")
    flow = flow_factory(ATTRACT)
    fc = flow.fc
    fc.par.Journalfolder = str(blocker / "journal")
    fc.Start()
    for _ in range(3):
        flow.session.advance_seconds(2.1)
        fc.NextStep()
    assert flow.status() == "Running"
    errors = flow.session.take_script_exceptions()
    assert len(errors) == 1 and "journal" in str(errors[0]).lower()


def test_restore_after_a_crash_continues_in_the_same_step(flow_factory):
    flow = flow_factory(ATTRACT)
    flow.use_recording_callbacks()
    fc = flow.fc
    flow.session.advance()
    td.project.save()  # the project is saved with the flow set up, before the run
    fc.Start()
    fc.Set("visitor", "ann")
    fc.Set("socket", object())  # JSON can't hold it: lost on restore
    flow.session.advance_seconds(2.1)
    pid = fc.ProcessId
    flow.session.crash()
    flow.session.take_script_exceptions()
    after = reopened(flow)
    after.session.advance()
    assert after.status() == "Ready" and after.current() == ""  # Restoreonstart is off by default
    after.clear_calls()
    assert after.fc.Restore() is True
    assert after.status() == "Running" and after.current() == "visitor (1)" and after.fc.ProcessId == pid
    assert after.fc.Get("visitor") == "ann" and after.fc.Get("socket") is None
    assert after.names() == ["onFlowRestore"]
    info = after.calls()[0][1]
    assert info["step_name"] == "visitor" and info["waiting"] is True and info["lost_keys"] == ["socket"]
    assert info["context_keys"] == ["visitor"] and info["source"] == "restore" and info["downtime"] >= 0
    assert after.fc.NextStep() is True and after.current() == "show (2)"


def test_restore_is_refused_with_a_message_when_no_run_was_going_on(flow_factory):
    flow = flow_factory(ATTRACT)
    flow.use_recording_callbacks()
    assert flow.fc.Restore() is False  # no journal yet
    flow.fc.Start()
    flow.fc.Stop()
    flow.fc.par.Restore.pulse()
    assert flow.status() == "Ready" and "onFlowRestore" not in flow.names()
    errors = flow.session.take_script_exceptions()
    assert errors and "no run to restore" in str(errors[-1])


def test_restoreonstart_restores_after_a_project_open_not_after_a_reinit(flow_factory):
    flow = flow_factory(ATTRACT)
    flow.use_recording_callbacks()
    flow.fc.par.Restoreonstart = True
    flow.fc.par.Restoretimed = "restart"
    flow.session.advance()
    td.project.save()
    flow.fc.Start()
    flow.session.advance_seconds(1.5)
    edit_extension(flow)
    assert "onFlowRestore" not in flow.names() and "restore" not in events(flow)
    flow.session.crash()
    after = reopened(flow)
    after.session.advance(2)
    assert after.status() == "Running" and after.current() == "attract (0)"
    restores = [info for name, info in after.calls() if name == "onFlowRestore"]
    assert len(restores) == 1 and restores[0]["source"] == "restoreonstart"
    start = after.session.seconds
    after.session.advance_until(lambda: after.current() != "attract (0)", max_frames=300)
    assert after.session.seconds - start > 1.9  # 'restart': the full duration again
    after.session.take_script_exceptions()


def test_nextstep_takes_expect_first(flow_factory):
    flow = flow_factory([("Intro", -1, "next"), ("Review", -1, "next")])
    flow.fc.Start()
    flow.session.advance()
    assert flow.fc.NextStep("review") is False and flow.current() == "intro (0)"
    assert flow.fc.NextStep("intro") is True and flow.current() == "review (1)"
