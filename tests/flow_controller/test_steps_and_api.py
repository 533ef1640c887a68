"""Step parameters (names, then menus, renames, findings) and the promoted API's misuse errors."""

from __future__ import annotations

import json
import logging

import flow_spec
import pytest


def test_then_menus_list_next_end_and_every_step(flow_factory):
    flow = flow_factory([("Check Input", -1, "next"), ("Run It", -1, "next")])
    par = flow.fc.par.Step0then
    assert par.menuNames == ["next", "end", "check_input", "run_it"]
    assert par.menuLabels == ["Next", "End", "Check Input", "Run It"]
    flow.fc.seq.Step.numBlocks = 3
    flow.fc.par.Step2label = "Third"
    assert flow.fc.par.Step1then.menuNames[-1] == "third"
    assert flow.fc.par.Step2then.menuNames == ["next", "end", "check_input", "run_it", "third"]


def test_steps_changed_fires_and_idle_frames_write_no_parameters(flow_factory):
    flow = flow_factory([("A", -1, "next"), ("B", -1, "next")])
    flow.use_recording_callbacks()
    ext = flow.fc.ext.FlowControllerExt
    writes = ext._pars.writes
    flow.fc.par.Step1duration = 3.0
    assert flow.names() == ["onStepsChanged"]
    flow.session.advance(5)
    assert ext._pars.writes == writes  # idle frames write nothing


def test_renaming_a_label_keeps_the_old_name_working(flow_factory):
    flow = flow_factory([("Start Here", -1, "next"), ("Review", -1, "start_here"), ("Finish", 0, "end")])
    fc = flow.fc
    fc.par.Step0label = "Begin"
    history = fc.op("step_name_history")
    assert [[c.val for c in row] for row in history.rows()] == [["old_name", "new_name"], ["start_here", "begin"]]
    assert fc.par.Step1then.eval() == "begin"  # the then that named the old step follows the rename
    fc.Start()
    fc.NextStep()
    fc.GoToStep("start_here")
    assert fc.CurrentStepIndex == 0 and flow.current() == "begin (0)"
    fc.ClearNameHistory()
    assert history.numRows == 1
    with pytest.raises(fc.FlowError, match="start_here"):
        fc.GoToStep("start_here")


def test_name_history_survives_reload(flow_factory):
    flow = flow_factory([("Old Name", -1, "next"), ("Other", -1, "next")])
    flow.fc.par.Step0label = "New Name"
    flow.session.reload()
    fc = flow.session.root.op("project1/FlowController")
    flow.session.advance()
    fc.Start()
    fc.GoToStep("old_name")
    assert fc.CurrentStepIndex == 0


def test_duplicate_labels_are_reported_and_the_flow_does_not_start(flow_factory):
    flow = flow_factory([("Same", -1, "next"), ("same", -1, "next")])
    assert "same" in flow.fc.scriptErrors() and "LOPflow steps" in flow.fc.scriptErrors()
    assert flow.status() == "Invalid Steps"  # Setup was done: the steps are the problem, not Setup
    assert "blocks 0, 1" in flow.fc.par.Setupstatus.eval() and "Setup done" in flow.fc.par.Setupstatus.eval()
    with pytest.raises(flow.fc.FlowError, match="Can't Start"):
        flow.fc.Start()
    flow.fc.par.Step1label = "Different"
    assert "LOPflow steps" not in flow.fc.scriptErrors()
    assert flow.status() == "Ready"
    reported = flow.session.take_script_exceptions()
    assert reported and all(e.where == "addScriptError" and "same" in str(e.exception) for e in reported)


def test_an_empty_step_list_cannot_start(flow_factory, caplog):
    flow = flow_factory([("A", -1, "next")])
    flow.fc.seq.Step.numBlocks = 0
    with pytest.raises(flow.fc.FlowError, match="no steps"):
        flow.fc.Start()  # Start reads the blocks again
    flow.fc.par.Start.pulse()  # the pulse logs the reason instead of raising
    assert any("no steps" in record.getMessage() for record in caplog.records)


def test_deleting_a_jump_target_keeps_the_bad_then_visible(flow_factory):
    flow = flow_factory([("A", -1, "c"), ("B", -1, "next"), ("C", -1, "next")])
    flow.fc.seq.Step.destroyBlock(2)
    flow.session.advance(flow_spec.WATCH_FRAMES)  # TD reports no block change: the watcher notices it
    assert flow.fc.par.Step0then.eval() == "c"
    assert "then 'c'" in flow.fc.scriptErrors()
    assert [e.where for e in flow.session.take_script_exceptions()] == ["addScriptError"]


def test_api_calls_while_not_running_raise_clear_errors(flow_factory, caplog):
    flow = flow_factory([("A", -1, "next")])
    fc = flow.fc
    for call in (fc.Stop, fc.WaitForContinue, fc.Update, fc.Finish, lambda: fc.GoToStep("a")):
        with pytest.raises(fc.FlowError, match="not running \\(status Ready\\)"):
            call()
    assert fc.NextStep() is False  # a GO that finds nothing to advance is ignored, with a history note
    assert "not running" in str(fc.History[-1])
    with caplog.at_level(logging.WARNING, logger=flow_spec.LOGGER_NAME):
        flow.fc.par.Nextstep.pulse()  # pulses never raise into TD: the reason goes to the component's log
    assert any("Next Step pulse ignored" in record.getMessage() and "not running" in record.getMessage()
               and record.name == "lopflow.flowcontroller" for record in caplog.records)
    assert flow.session.take_script_exceptions() == []
    assert fc.Get("missing", "default") == "default"


def test_go_to_an_unknown_step_names_the_culprit_and_leaves_the_run_untouched(flow_factory):
    flow = flow_factory([("A", -1, "next"), ("B", -1, "next")])
    fc = flow.fc
    fc.Start()
    with pytest.raises(fc.FlowError, match="'nowhere'.*a, b"):
        fc.GoToStep("nowhere")
    assert flow.current() == "a (0)" and fc.IsRunning


def test_set_gives_unique_change_ids_and_pulses_the_dependency(flow_factory):
    flow = flow_factory([("A", -1, "next")])
    fc = flow.fc
    flow.use_recording_callbacks()
    ids = [fc.Set("k", i) for i in range(3)]
    assert ids == sorted(set(ids))
    assert fc.OnContextChange.val == ids[-1]
    changes = [info["change_id"] for name, info in flow.calls() if name == "onContextChange"]
    assert changes == ids
    assert fc.Context["k"] == 2 and dict(fc.Context) == {"k": 2}
    fc.Context["j"] = "x"
    assert fc.Get("j") == "x" and fc.OnContextChange.val == ids[-1] + 1
    fc.Start()  # Start clears the context
    assert dict(fc.Context) == {}


def test_context_drives_a_parameter_expression(flow_factory):
    flow = flow_factory([("A", -1, "next")])
    watcher = flow.target.create("baseCOMP", "watcher")
    page = watcher.appendCustomPage("Watch")
    page.appendStr("Score")
    watcher.par.Score.expr = "str(iop.LOPflow.Context.get('score', 'none'))"
    assert watcher.par.Score.eval() == "none"
    flow.fc.Set("score", 12)
    assert watcher.par.Score.eval() == "12"


def test_history_flow_graph_and_dashboard_payload(flow_factory):
    flow = flow_factory([("A", -1, "next"), ("B", -1, "a")])
    fc = flow.fc
    fc.par.Historysize = 5
    fc.Start()
    for _ in range(6):
        fc.NextStep()
    assert len(fc.History) == 5
    graph = fc.GetFlowGraph()
    assert {"nodes", "edges"} <= set(graph)
    payload = fc.GetDashboardPayload()
    assert payload["status"] == "Running" and "context" not in payload
    fc.par.Exposeflowdetails = True
    assert {"context", "history", "graph"} <= set(fc.GetDashboardPayload())
    json.dumps(fc.GetDashboardPayload())


def test_expose_process_registers_and_publishes_every_change(flow_factory):
    flow = flow_factory([("A", -1, "next"), ("B", -1, "next")])
    fc = flow.fc
    fc.par.Exposeprocess = True
    registry = flow.session.root.fetch("LOPflowDashboardRegistry", None, search=False)
    assert registry is not None and registry.is_registered(fc.path)
    seen = []
    registry.subscribe(lambda key, payload: seen.append((key, payload and payload["step"]["name"])))
    fc.Start()
    fc.NextStep()
    assert seen[-1] == (fc.path, "b")
    fc.par.Exposeprocess = False
    assert not registry.is_registered(fc.path) and seen[-1] == (fc.path, None)


def test_max_transitions_spreads_an_instant_loop_over_frames(flow_factory):
    flow = flow_factory([("A", 0, "next"), ("B", 0, "a")])
    fc = flow.fc
    fc.par.Maxtransitions = 10
    fc.Start()
    assert fc.IsRunning  # the loop did not freeze the call
    entered = sum(1 for e in fc.History if e["event"] == "step_enter")
    assert 1 <= entered <= 10  # the budget: at most 10 steps this frame (fewer when its time budget ran out)
    before = fc.ext.FlowControllerExt.engine.runaways
    flow.session.advance(3)
    assert fc.ext.FlowControllerExt.engine.runaways > before
    fc.Stop()  # queued behind the deferred transitions: it lands on the next frame
    flow.session.advance()
    assert flow.status() == "Ready"
