"""run() and Run objects, runs, delays in TD time."""

from __future__ import annotations

import pytest
import td


def test_run_without_delay_executes_now_with_args(td_session, project1):
    project1.store("got", None)
    r = td.run("op('/project1').store('got', args)", 1, "two")
    assert project1.fetch("got") == (1, "two")
    with pytest.raises(td.tdError):
        _ = r.remainingFrames  # an executed Run raises on any member


def test_delay_frames_and_milliseconds(td_session, project1):
    project1.store("hits", [])
    td.run("op('/project1').fetch('hits').append(('f', absTime.frame))", delayFrames=3)
    td.run("op('/project1').fetch('hits').append(('ms', absTime.frame))", delayMilliSeconds=100)  # 6 frames @60
    td.run("op('/project1').fetch('hits').append(('round', absTime.frame))", delayMilliSeconds=24)  # 1.44 -> 1
    assert len(td.runs) == 3
    td_session.advance(6)
    assert project1.fetch("hits") == [("round", 1.0), ("f", 3.0), ("ms", 6.0)]
    assert len(td.runs) == 0


def test_run_object_members_kill_and_active(td_session, project1):
    project1.store("n", 0)
    r = td.run("op('/project1').store('n', op('/project1').fetch('n') + 1)", delayFrames=2, group="g")
    assert r.active and r.group == "g" and r.isString and not r.isDAT
    assert r.source.startswith("op(")
    assert r.remainingFrames == 2
    assert r.remainingMilliseconds == 33 and isinstance(r.remainingMilliseconds, int)  # Run Class: int
    assert list(td.runs) == [r] and td.runs[0] is r
    r.active = False
    td_session.advance(5)
    assert project1.fetch("n") == 0 and r.remainingFrames == 2
    r.active = True
    r.remainingFrames = 1
    td_session.advance()
    assert project1.fetch("n") == 1
    k = td.run("op('/project1').store('n', 99)", delayFrames=1)
    k.kill()
    td_session.advance(2)
    assert project1.fetch("n") == 1
    with pytest.raises(td.tdError):
        _ = k.active


def test_fromOP_sets_me_and_op(td_session, project1):
    comp = project1.create(td.baseCOMP, "box")
    comp.create(td.textDAT, "inside")
    td.run("me.store('found', op('inside').path)", fromOP=comp)
    assert comp.fetch("found") == "/project1/box/inside"


def test_dat_run_runs_its_text(td_session, project1):
    dat = project1.create(td.textDAT, "script")
    dat.text = "me.store('args', args)"
    r = dat.run(5, delayFrames=1)
    assert r.isDAT and r.source is dat
    assert r.path is dat  # Run Class: "The operator location from which this script will execute"
    td_session.advance()
    assert dat.fetch("args") == (5,)


def test_a_failing_script_never_escapes_the_frame(td_session, project1):
    td.run("raise ValueError('boom')", delayFrames=1)
    td.run("op('/project1').store('after', True)", delayFrames=1)
    td_session.advance()
    assert project1.fetch("after") is True
    errs = td_session.take_script_exceptions()
    assert [type(e.exception) for e in errs] == [ValueError]
    assert any("boom" in line for line in td_session.textport)


def test_run_rejects_bad_arguments(td_session):
    with pytest.raises(TypeError):
        td.run(lambda: None)
    with pytest.raises(td.tdError):
        td.run("pass", delayFrames=-1)
