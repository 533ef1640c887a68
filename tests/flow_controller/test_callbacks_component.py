"""Callbacks through the built component: info keys, order, chaining, errors, and the template file."""

from __future__ import annotations

import os

import flow_callbacks
import pytest

from lopflow import callback_docs

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMON = {key for key, _ in flow_callbacks.COMMON_KEYS}
#: What _fire_every_callback fires (pauses, timeouts, signals, tasks and restores fire the others).
FIRED_HERE = {"onFlowStart", "onStepEnter", "onWaitForContinue", "onContextChange", "onFlowUpdate", "onError",
              "onRoute", "onStepExit", "onNextStep", "onFlowFinish", "onStepsChanged"}

TRIGGER_ERROR = '''
def onFlowUpdate(info):
    _record(info)
    raise ValueError("broken update handler")
'''


def _fire_every_callback(flow):
    flow.use_recording_callbacks(TRIGGER_ERROR)
    fc = flow.fc
    fc.par.Start.pulse()  # onFlowStart, onStepEnter, onWaitForContinue
    fc.Set("k", 1)  # onContextChange
    fc.Update({"x": 1})  # onFlowUpdate (raises -> onError)
    fc.WaitForContinue()
    fc.NextStep()  # onRoute, onStepExit, onNextStep, onStepEnter
    fc.Finish("ok")  # onStepExit, onFlowFinish
    fc.par.Step1label = "Second Step"  # onStepsChanged
    errors = flow.session.take_script_exceptions()
    # the raising callback was caught by the dispatcher (not by TD) and reported on the component
    assert [(e.where, e.op_path) for e in errors] == [("addScriptError", flow.fc.path)]
    assert "onFlowUpdate" in str(errors[0].exception) and "broken update handler" in str(errors[0].exception)


def test_every_callback_gets_its_registered_info_keys(flow_factory):
    flow = flow_factory([("First", -1, "next"), ("Second", -1, "next")])
    _fire_every_callback(flow)
    seen = {}
    for name, info in flow.calls():
        seen.setdefault(name, info)
    assert set(seen) == FIRED_HERE and FIRED_HERE <= set(flow_callbacks.callback_names())
    for name, info in seen.items():
        expected = set(flow_callbacks.spec(name).key_names) | COMMON
        assert expected <= set(info), f"{name} lacks {expected - set(info)}"
        assert info["ownerComp"] is flow.fc
        assert info["targetComp"] is flow.target
        assert info["callbackName"] == name


def test_callback_order_for_start_next_and_finish(flow_factory):
    flow = flow_factory([("First", -1, "next"), ("Second", 0, "next"), ("Third", -1, "next")])
    flow.use_recording_callbacks()
    flow.fc.par.Start.pulse()
    assert flow.names() == ["onFlowStart", "onStepEnter", "onWaitForContinue"]
    flow.clear_calls()
    flow.fc.par.Nextstep.pulse()
    assert flow.names() == ["onRoute", "onStepExit", "onNextStep", "onStepEnter",  # into 'second' (duration 0)
                            "onRoute", "onStepExit", "onNextStep", "onStepEnter", "onWaitForContinue"]
    assert [i.get("step_name") for _, i in flow.calls()][:4] == ["first", "first", "second", "second"]
    flow.clear_calls()
    flow.session.advance()  # the GO guard: one outside NextStep per frame
    flow.fc.par.Nextstep.pulse()
    assert flow.names() == ["onRoute", "onStepExit", "onFlowFinish"]


def test_stop_fires_exit_and_finish_and_status_returns_to_ready(flow_factory):
    flow = flow_factory([("First", -1, "next")])
    flow.use_recording_callbacks()
    flow.fc.par.Start.pulse()
    flow.clear_calls()
    flow.fc.par.Stop.pulse()
    assert flow.names() == ["onStepExit", "onFlowFinish"]
    assert flow.calls()[-1][1]["result_type"] == "stopped"
    assert flow.status() == "Ready"


def test_assigned_callback_runs_first_and_the_dat_has_the_last_word(flow_factory):
    flow = flow_factory([("Only", -1, "next")])
    order = []
    flow.fc.AssignCallback("onFlowFinish", lambda info: order.append("assigned") or "from assigned")
    flow.use_recording_callbacks('''
def onFlowFinish(info):
    _record(info)
    return "from dat"
''')
    flow.fc.Start()
    flow.fc.NextStep()
    assert order == ["assigned"]
    recorded = [info for name, info in flow.calls() if name == "onFlowFinish"][0]
    assert recorded["returnValue"] == "from assigned"  # the DAT saw the assigned value ...
    assert flow.fc.par.Lastresult.eval() == "from dat"  # ... and its own value won


def test_assigned_value_is_kept_when_the_dat_returns_none(flow_factory):
    flow = flow_factory([("Only", -1, "next")])
    flow.fc.AssignCallback("onFlowFinish", lambda info: "from assigned")
    flow.use_recording_callbacks()
    flow.fc.Start()
    flow.fc.NextStep()
    assert flow.fc.par.Lastresult.eval() == "from assigned"


def test_a_raising_callback_fires_on_error_shows_a_script_error_and_the_run_goes_on(flow_factory):
    flow = flow_factory([("First", -1, "next"), ("Second", -1, "next")])
    flow.use_recording_callbacks('''
def onStepEnter(info):
    _record(info)
    if info["step_name"] == "first":
        raise RuntimeError("boom in first")
''')
    flow.fc.par.Start.pulse()
    assert flow.status() == "Running" and flow.current() == "first (0)"
    errors = [info for name, info in flow.calls() if name == "onError"]
    assert len(errors) == 1
    assert errors[0]["callback_name"] == "onStepEnter" and "boom in first" in errors[0]["error"]
    assert "onStepEnter" in flow.fc.scriptErrors() and "boom in first" in flow.fc.scriptErrors()
    flow.fc.par.Nextstep.pulse()
    assert flow.current() == "second (1)"
    flow.fc.par.Start.pulse()  # a new run clears the old callback errors ...
    assert flow.fc.scriptErrors().count("boom in first") == 1  # ... and the same callback raised again
    reported = flow.session.take_script_exceptions()  # both reports, acknowledged; nothing escaped to TD
    assert [e.where for e in reported] == ["addScriptError"] * 2
    assert all("boom in first" in str(e.exception) for e in reported)


def test_assign_callback_rejects_unknown_names(flow_factory):
    flow = flow_factory([("Only", -1, "next")])
    try:
        flow.fc.AssignCallback("onStepEntr", lambda info: None)
    except ValueError as exc:
        assert "onStepEntr" in str(exc) and "onStepEnter" in str(exc)
    else:
        raise AssertionError("AssignCallback accepted an unknown callback name")


def test_callbacks_template_file_equals_the_generated_text():
    with open(os.path.join(REPO, "callbacks_templates", "flow_callbacks_template.py"), encoding="utf-8") as handle:
        assert handle.read() == callback_docs.template_text(), (
            "callbacks_templates/flow_callbacks_template.py is out of date: run python -m lopflow.regenerate")


def test_setup_fills_the_new_callbacks_dat_from_the_template(flow_factory):
    flow = flow_factory([("Only", -1, "next")])
    dat = flow.fc.par.Callbackdat.eval()
    assert dat.text == callback_docs.template_text()
    module = dat.module
    assert all(callable(getattr(module, name)) for name in flow_callbacks.callback_names())


@pytest.mark.parametrize("raised", ["SystemExit(3)", "KeyboardInterrupt()"])
def test_a_callback_raising_a_base_exception_is_contained_and_the_run_goes_on(flow_factory, raised):
    flow = flow_factory([("First", -1, "next"), ("Second", -1, "next")])
    flow.use_recording_callbacks(f'''
def onStepEnter(info):
    _record(info)
    if info["step_name"] == "first":
        raise {raised}
''')
    flow.fc.par.Start.pulse()  # nothing escapes into TD's frame (or pytest)
    assert flow.status() == "Running" and flow.current() == "first (0)"
    errors = [info for name, info in flow.calls() if name == "onError"]
    assert len(errors) == 1 and errors[0]["callback_name"] == "onStepEnter"
    flow.fc.par.Nextstep.pulse()
    assert flow.current() == "second (1)"
    assert [e.where for e in flow.session.take_script_exceptions()] == ["addScriptError"]
