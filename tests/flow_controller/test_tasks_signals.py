"""Issue 13 on the component: step tasks through TDAsyncIO (RunTask), signals (Signal, the Send Signal pulse),
the Until / Signal / Onerror / Alert parameters and routes computed by a parameter in expression mode."""

from __future__ import annotations

import asyncio

import build_toxes
import pytest
from flow_controller_helpers import Flow


def with_steps(flow: Flow, fields: dict[int, dict[str, object]]) -> None:
    for index, values in fields.items():
        for name, value in values.items():
            setattr(flow.fc.par, f"Step{index}{name}", value)


@pytest.fixture
def asyncio_comp(td_session):
    return build_toxes.build_tdasyncio(td_session.root.op("project1"), "TDAsyncIO")


def test_run_task_until_tasks_leaves_when_the_tasks_are_done(flow_factory, asyncio_comp):
    flow = flow_factory([("Load", -1, "next"), ("Ready", -1, "next")])
    flow.use_recording_callbacks()
    flow.fc.par.Asynciocomp = asyncio_comp
    with_steps(flow, {0: {"until": "tasks"}})
    logic = flow.target_code('''
import asyncio

async def load(value):
    await asyncio.sleep(0)
    return value

def start_loading():
    return [iop.LOPflow.RunTask(load(1), "one"), iop.LOPflow.RunTask(load(2), "two")]
''')
    flow.fc.Start()
    ids = logic.start_loading()
    assert len(set(ids)) == 2 and flow.current() == "load (0)"
    flow.session.advance_until(lambda: flow.current() == "ready (1)", max_frames=60)
    done = [info for name, info in flow.calls() if name == "onTaskDone"]
    assert sorted(info["result"] for info in done) == [1, 2]


def test_leaving_a_step_cancels_its_tasks(flow_factory, asyncio_comp):
    flow = flow_factory([("Wait", -1, "next"), ("After", -1, "next")])
    flow.fc.par.Asynciocomp = asyncio_comp

    async def forever() -> None:
        await asyncio.sleep(3600)

    flow.fc.Start()
    task_id = flow.fc.RunTask(forever(), "forever")
    flow.session.advance()
    flow.fc.NextStep()
    flow.session.advance(3)
    assert asyncio_comp.GetTaskInfo(task_id)["status"] == "cancelled"
    assert flow.current() == "after (1)"
    assert any(e["event"] == "task_stale" for e in flow.fc.History)


def test_run_task_without_tdasyncio_or_run_is_a_clear_error(flow_factory):
    flow = flow_factory([("Only", -1, "next")])

    async def nothing() -> None:
        return None

    coroutine = nothing()
    with pytest.raises(flow.fc.FlowError, match="not running"):
        flow.fc.RunTask(coroutine)
    flow.fc.Start()
    with pytest.raises(flow.fc.FlowError, match="no TDAsyncIO"):
        flow.fc.RunTask(coroutine)
    coroutine.close()


def test_signal_api_and_pulse_advance_a_signal_step(flow_factory):
    flow = flow_factory([("Idle", -1, "next"), ("Armed", -1, "next"), ("Done", -1, "next")])
    flow.use_recording_callbacks()
    with_steps(flow, {0: {"until": "signal", "signal": "visitor"}, 1: {"until": "signal", "signal": "go"}})
    flow.fc.Start()
    flow.session.advance()
    assert flow.fc.Signal("visitor", {"id": 7}) is True
    assert flow.current() == "armed (1)" and flow.fc.Get("signal.visitor") == {"id": 7}
    flow.session.advance()
    flow.fc.par.Signalname = "go"
    flow.fc.par.Signalpayload = "now"
    flow.fc.par.Signal.pulse()
    assert flow.current() == "done (2)" and flow.fc.Get("signal.go") == "now"
    assert [info["consumed"] for name, info in flow.calls() if name == "onSignal"] == [True, True]


def test_onerror_parameter_routes_a_failing_step(flow_factory):
    flow = flow_factory([("Work", -1, "next"), ("Normal", -1, "next"), ("Recover", -1, "next")])
    flow.use_recording_callbacks('''
def onStepEnter(info):
    _record(info)
    if info["step_name"] == "work":
        raise RuntimeError("projector offline")
''')
    assert flow.fc.par.Step0onerror.menuNames[:3] == ["continue", "next", "end"]
    assert "recover" in flow.fc.par.Step0onerror.menuNames
    with_steps(flow, {0: {"onerror": "recover"}})
    flow.fc.Start()
    flow.session.advance()
    assert flow.current() == "recover (2)"
    entered = [info for name, info in flow.calls() if name == "onStepEnter" and info["step_name"] == "recover"]
    assert "projector offline" in entered[0]["error"]["message"]
    flow.session.take_script_exceptions()


def test_then_in_expression_mode_is_read_when_the_step_is_left(flow_factory):
    flow = flow_factory([("Ask", -1, "next"), ("Yes", -1, "end"), ("No", -1, "end")])
    fc = flow.fc
    fc.par.Step0then.expr = "'yes' if me.Get('answer') else 'no'"
    fc.Start()
    flow.session.advance()
    fc.Set("answer", True)
    fc.NextStep()
    assert flow.current() == "yes (1)"
    fc.Start()
    flow.session.advance()
    fc.Set("answer", False)
    fc.NextStep()
    assert flow.current() == "no (2)"


def test_headless_write_steps_writes_every_step_field(flow_factory):
    import flow_steps

    from lopflow import headless

    flow = flow_factory(None, setup=False)
    flow.session.take_script_exceptions()  # the new component's empty first block
    rows = [("Idle", -1, "next", 30.0, "idle", "signal", "visitor go", "end", 0.0),
            ("Show", 4.0, "idle", 0.0, "next", "duration", "", "idle", 1.0)]
    definition = flow_steps.FlowDefinition.from_rows(rows)
    headless.write_steps(flow.fc, definition)
    flow.session.advance()
    loaded = flow.fc.ext.FlowControllerExt.engine.definition
    assert [step.as_row() for step in loaded.steps] == [step.as_row() for step in definition.steps]
    assert loaded.errors == ()
