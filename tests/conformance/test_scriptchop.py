"""Script CHOP cooking through its callbacks DAT."""

from __future__ import annotations

import td

CALLBACKS = """
def onSetupParameters(scriptOp):
    page = scriptOp.appendCustomPage('Custom')
    page.appendFloat('Gain')
    page.appendPulse('Reset')

def onPulse(par):
    par.owner.store('pulsed', par.name)

def onCook(scriptOp):
    scriptOp.store('cooks', scriptOp.fetch('cooks', 0) + 1)
    scriptOp.clear()
    scriptOp.numSamples = 1
    gain = scriptOp.par.Gain.eval() if scriptOp.par['Gain'] is not None else 1.0
    for i, name in enumerate(('a', 'b')):
        c = scriptOp.appendChan(name)
        c[0] = (i + 1) * gain
"""


def _chop(project1):
    chop = project1.create(td.scriptCHOP, "gen")
    cb = project1.create(td.textDAT, "gen_callbacks")
    cb.text = CALLBACKS
    chop.par.callbacks = cb
    return chop, cb


def test_cooks_when_read_and_caches(td_session, project1):
    chop, _ = _chop(project1)
    assert chop.numChans == 2
    assert chop["b"][0] == 2.0 and chop.chan("a")[0] == 1.0
    assert chop.fetch("cooks") == 1
    _ = chop.numChans
    td_session.advance()
    _ = chop.numChans
    assert chop.fetch("cooks") == 1


def test_force_cook_and_par_and_text_changes(td_session, project1):
    chop, cb = _chop(project1)
    chop.cook(force=True)
    assert chop.fetch("cooks") == 1
    chop.cook(force=True)
    assert chop.fetch("cooks") == 2
    chop.par.setuppars.pulse()
    chop.par.Gain = 10
    assert chop["b"][0] == 20.0
    chop.par.Reset.pulse()
    assert chop.fetch("pulsed") == "Reset"
    cb.text = CALLBACKS.replace("('a', 'b')", "('a', 'b', 'c')")
    assert chop.numChans == 3


def test_a_raising_on_cook_is_a_script_error(td_session, project1):
    chop = project1.create(td.scriptCHOP)
    cb = project1.create(td.textDAT)
    cb.text = "def onCook(scriptOp):\n    raise KeyError('x')\n"
    chop.par.callbacks = cb
    assert chop.numChans == 0
    assert len(td_session.take_script_exceptions()) == 1
