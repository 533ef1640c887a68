"""The documented order of what happens inside one frame."""

from __future__ import annotations

import td

LOG_SETUP = """
def onFrameStart(frame):
    parent().store('log', parent().fetch('log', []) + [('frameStart', frame)])

def onFrameEnd(frame):
    parent().store('log', parent().fetch('log', []) + [('frameEnd', frame)])
"""

PAREXEC = """
def onValuesChanged(changes):
    parent().store('log', parent().fetch('log', []) + [('valuesChanged', [c.par.name for c in changes])])
"""

EXT = """
class OrderExt:
    def __init__(self, ownerComp):
        self.ownerComp = ownerComp
    def onInitTD(self):
        self.ownerComp.store('log', self.ownerComp.fetch('log', []) + [('onInitTD', absTime.frame)])
"""


def _log(comp):
    return comp.fetch("log", [])


def test_one_frame_runs_its_phases_in_order(td_session, project1):
    comp = project1.create(td.baseCOMP, "comp")
    ex = comp.create(td.executeDAT, "exec")
    ex.text = LOG_SETUP
    ex.par.framestart = True
    ex.par.frameend = True
    page = comp.appendCustomPage("Custom")
    page.appendFloat("Value")
    pe = comp.create(td.parameterexecuteDAT, "pe")
    pe.text = PAREXEC
    pe.par.op = comp
    pe.par.valueschanged = True
    pe.par.builtin = False
    ext = comp.create(td.textDAT, "OrderExt")
    ext.text = EXT

    td_session.advance()  # frame 1: nothing pending
    comp.store("log", [])
    td.run("me.store('log', me.fetch('log') + [('run', absTime.frame)])", fromOP=comp, delayFrames=1)
    td.run("me.store('log', me.fetch('log') + [('endFrameRun', absTime.frame)])", fromOP=comp, endFrame=True)
    comp.par.Value = 3
    comp.par.ext0object = "op('./OrderExt').module.OrderExt(me)"
    td_session.advance()  # frame 2
    assert _log(comp) == [
        ("run", 2.0),
        ("frameStart", 2),
        ("endFrameRun", 2.0),
        ("onInitTD", 2.0),
        ("valuesChanged", ["Value"]),
        ("frameEnd", 2),
    ]


def test_values_changed_gets_the_changes_of_the_whole_frame(td_session, project1):
    """Parameter Execute DAT: onValuesChanged "executes at end of frame with complete list of individual
    parameter changes", so a change made in an end-of-frame script arrives in the same frame."""
    comp = project1.create(td.baseCOMP, "comp")
    page = comp.appendCustomPage("Custom")
    page.appendFloat("Value")
    page.appendFloat("Other")
    pe = comp.create(td.parameterexecuteDAT, "pe")
    pe.text = PAREXEC
    pe.par.op = comp
    pe.par.valueschanged = True
    pe.par.builtin = False
    comp.par.Value = 1
    td.run("me.par.Other = 2", fromOP=comp, endFrame=True)
    td_session.advance()
    assert _log(comp) == [("valuesChanged", ["Value", "Other"])]


def test_absTime_moves_before_anything_runs(td_session, project1):
    ex = project1.create(td.executeDAT)
    ex.text = "def onFrameStart(frame):\n    me.store('seen', (frame, absTime.frame, absTime.seconds))\n"
    ex.par.framestart = True
    td_session.advance(3)
    assert ex.fetch("seen") == (3, 3.0, 3 / 60)


def test_work_queued_during_a_frame_end_runs_in_that_frame(td_session, project1):
    ex = project1.create(td.executeDAT)
    ex.text = (
        "def onFrameStart(frame):\n"
        "    run(\"me.store('end', absTime.frame)\", endFrame=True)\n"
        "    run(\"me.store('next', absTime.frame)\", delayFrames=1)\n"
    )
    ex.par.framestart = True
    td_session.advance()
    assert ex.fetch("end") == 1
    ex.par.framestart = False
    td_session.advance()
    assert ex.fetch("next") == 2
