"""The ``flow_channels`` Script CHOP: state channels, one-cook event pulses, optional channels."""

from __future__ import annotations

import flow_engine
import flow_spec

ALWAYS = ["on_start", "on_finish", "on_update", "on_next_step", "current_step", "max_steps",
          "waiting_for_continue", *flow_engine.STATUS_CHANNELS, "flow_active", "progress", flow_spec.PAUSED_CHANNEL]


def _status_channels(values):
    return [name for name in flow_engine.STATUS_CHANNELS if values[name] == 1.0]


def test_channel_names_and_idle_values(flow_factory):
    flow = flow_factory([("A", -1, "next"), ("B", -1, "next")])
    values = flow.channels()
    assert list(values) == ALWAYS
    assert _status_channels(values) == ["status_idle"]
    assert values["current_step"] == -1 and values["max_steps"] == 2 and values["progress"] == 0


def test_start_pulses_on_start_for_exactly_one_cook(flow_factory):
    flow = flow_factory([("A", -1, "next"), ("B", -1, "next")])
    chop = flow.fc.op("flow_channels")
    cooks = chop.totalCooks
    flow.fc.par.Start.pulse()
    values = flow.channels()
    assert chop.totalCooks == cooks + 1  # the state change made the CHOP cook when read
    assert values["on_start"] == 1 and values["on_next_step"] == 0
    assert _status_channels(values) == ["status_running"]
    assert values["flow_active"] == 1 and values["waiting_for_continue"] == 1
    assert values["current_step"] == 0 and values["progress"] == 0.5
    flow.session.advance()
    assert flow.channels()["on_start"] == 0
    flow.fc.NextStep()
    assert flow.channels()["on_next_step"] == 1 and flow.channels()["current_step"] == 1
    flow.session.advance()
    assert flow.channels()["on_next_step"] == 0
    flow.fc.Update("data")
    assert flow.channels()["on_update"] == 1
    flow.session.advance()
    flow.fc.NextStep()
    values = flow.channels()
    assert values["on_finish"] == 1 and _status_channels(values) == ["status_completed"]
    assert values["progress"] == 1 and values["flow_active"] == 0


def test_stop_and_error_status_channels(flow_factory):
    flow = flow_factory([("A", -1, "next")])
    flow.fc.Start()
    flow.fc.Stop()
    assert _status_channels(flow.channels()) == ["status_stopped"]
    assert flow.status() == "Ready"
    flow.fc.Start()
    flow.fc.Finish("bad", result_type="error")
    assert _status_channels(flow.channels()) == ["status_error"]
    assert flow.status() == "Error" and flow.fc.par.Lastresult.eval() == "bad"


def test_optional_channels_are_off_by_default_and_follow_their_toggles(flow_factory):
    flow = flow_factory([("A", -1, "next"), ("B", -1, "next")])
    assert "result_length" not in flow.channels()
    fc = flow.fc
    fc.par.Chanresultlength = True
    fc.par.Chanstepdatalength = True
    fc.par.Chanlastupdatetime = True
    values = flow.channels()
    assert list(values)[-3:] == ["result_length", "step_data_length", "last_update_time"]
    fc.Start()
    flow.session.advance(30)
    fc.Update("abcd")
    values = flow.channels()
    assert values["step_data_length"] == 4
    assert values["last_update_time"] == flow.session.seconds
    fc.Finish("xyz")
    assert flow.channels()["result_length"] == 3
    fc.par.Chanresultlength = False
    assert "result_length" not in flow.channels()


def test_the_chop_cooks_only_when_a_channel_can_change(flow_factory):
    flow = flow_factory([("A", -1, "next"), ("B", -1, "next")])
    fc = flow.fc
    chop = fc.op("flow_channels")
    fc.Start()
    flow.channels()
    flow.session.advance(2)  # the on_start pulse is reset
    flow.channels()
    cooks = chop.totalCooks
    fc.Set("score", 1)  # the context is not a channel
    flow.session.advance(5)  # idle frames while the step waits
    assert flow.channels()["on_start"] == 0
    assert chop.totalCooks == cooks
    fc.Update()  # no new step data, but the on_update pulse must show
    assert flow.channels()["on_update"] == 1
    assert chop.totalCooks == cooks + 1
    fc.NextStep()
    assert flow.channels()["current_step"] == 1


def test_many_step_changes_in_one_frame_cook_the_chop_once(flow_factory):
    flow = flow_factory([(f"S{i}", -1, "next") for i in range(30)])
    fc = flow.fc
    chop = fc.op("flow_channels")
    fc.Start()
    flow.session.advance()
    flow.channels()
    cooks, writes = chop.totalCooks, fc.ext.FlowControllerExt._pars.writes
    for _ in range(8):
        fc.NextStep()
    moved = fc.CurrentStepIndex  # (the engine's frame budget may leave a few for the next frame)
    assert chop.totalCooks == cooks  # nothing read the CHOP yet: no cook at all
    values = flow.channels()
    assert chop.totalCooks == cooks + 1 and values["current_step"] == moved and values["on_next_step"] == 1
    assert fc.ext.FlowControllerExt._pars.writes - writes == moved  # Current Step once per step change
