"""Execute DAT and Parameter Execute DAT callbacks and their toggles."""

from __future__ import annotations

import td

FRAME_CB = """
def onFrameStart(frame):
    me.store('starts', me.fetch('starts', []) + [frame])
"""


def test_frame_callbacks_need_active_and_their_toggle(td_session, project1):
    ex = project1.create(td.executeDAT)
    ex.text = FRAME_CB
    td_session.advance()
    assert ex.fetch("starts", None) is None  # framestart is off by default
    ex.par.framestart = True
    td_session.advance(2)
    assert ex.fetch("starts") == [2, 3]
    ex.par.active = False
    td_session.advance()
    assert ex.fetch("starts") == [2, 3]


def test_a_raising_callback_is_recorded_and_the_frame_goes_on(td_session, project1):
    bad = project1.create(td.executeDAT, "bad")
    bad.text = "def onFrameStart(frame):\n    raise RuntimeError('nope')\n"
    bad.par.framestart = True
    good = project1.create(td.executeDAT, "good")
    good.text = FRAME_CB
    good.par.framestart = True
    td_session.advance()
    assert good.fetch("starts") == [1]
    errs = td_session.take_script_exceptions()
    assert len(errs) == 1 and errs[0].op_path == "/project1/bad"
    assert "nope" in bad.scriptErrors()
    assert td_session.take_script_exceptions() == []


def test_on_start_fires_on_reload_and_on_create_on_paste(td_session, project1):
    box = project1.create(td.baseCOMP, "box")
    ex = box.create(td.executeDAT, "ex")
    ex.text = "def onStart():\n    parent().store('started', True)\ndef onCreate():\n    parent().store('created', True)\n"
    ex.par.start = True
    ex.par.create = True
    td_session.reload()
    assert td.op("/project1/box").fetch("started") is True
    cp = td.op("/project1").copy(td.op("/project1/box"))
    assert cp.fetch("created") is True


PAREXEC = """
def onValueChange(par, prev):
    me.store('changes', me.fetch('changes', []) + [(par.name, par.eval(), prev)])

def onPulse(par):
    me.store('pulses', me.fetch('pulses', []) + [par.name])
"""


def _watched(project1):
    comp = project1.create(td.baseCOMP, "watched")
    page = comp.appendCustomPage("Custom")
    page.appendFloat("Speed")
    page.appendStr("Label")
    page.appendPulse("Go")
    pe = project1.create(td.parameterexecuteDAT, "pe")
    pe.text = PAREXEC
    pe.par.op = comp
    return comp, pe


def test_on_value_change_and_on_pulse(td_session, project1):
    comp, pe = _watched(project1)
    comp.par.Speed = 2
    comp.par.Speed = 2  # no change, no callback
    comp.par.Label = "x"
    comp.par.Go.pulse()
    assert pe.fetch("changes") == [("Speed", 2.0, 0.0), ("Label", "x", "")]
    assert pe.fetch("pulses") == ["Go"]


def test_parexec_filters(td_session, project1):
    comp, pe = _watched(project1)
    pe.par.pars = "L*"
    comp.par.Speed = 1
    comp.par.Label = "a"
    pe.par.pars = "*"
    pe.par.custom = False
    comp.par.Speed = 5
    pe.par.custom = True
    pe.par.valuechange = False
    comp.par.Speed = 6
    pe.par.valuechange = True
    pe.par.active = False
    comp.par.Speed = 7
    assert pe.fetch("changes") == [("Label", "a", "")]


def test_parexec_ignores_other_ops(td_session, project1):
    comp, pe = _watched(project1)
    other = project1.create(td.baseCOMP)
    other.appendCustomPage("C").appendFloat("Speed")
    other.par.Speed = 3
    assert pe.fetch("changes", None) is None
