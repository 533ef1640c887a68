"""Mock-only test kit: reported script errors count as script exceptions; advance_until waits with limits."""

from __future__ import annotations

import threading
import time

import pytest
import td

import mock_td

pytest_plugins = ["pytester"]


# ---- addScriptError is a script exception of the session ------------------------------------------


def test_an_added_script_error_is_recorded_with_where_and_what(td_session):
    comp = td.op("/project1").create(td.baseCOMP, "comp1")
    comp.addScriptError("Step 'b' has no duration")
    assert comp.scriptErrors() == "Step 'b' has no duration"
    (err,) = td_session.take_script_exceptions()
    assert (err.op_path, err.where) == ("/project1/comp1", "addScriptError")
    assert isinstance(err.exception, mock_td.ReportedScriptError)
    assert str(err.exception) == "Step 'b' has no duration"
    assert "Step 'b' has no duration" in err.traceback
    assert "test_an_added_script_error_is_recorded" in err.traceback  # where the component reported it
    assert td_session.take_script_exceptions() == []


def test_clearing_a_shown_error_does_not_unreport_it(td_session):
    comp = td.op("/project1").create(td.baseCOMP, "comp1")
    comp.addScriptError("first")
    comp.addScriptError("second")
    comp.clearScriptErrors(error="fir*")
    assert comp.scriptErrors() == "second"
    comp.clearScriptErrors()
    assert comp.scriptErrors() == ""
    assert [str(e.exception) for e in td_session.take_script_exceptions()] == ["first", "second"]


def test_an_exception_a_component_catches_and_reports_counts_once(td_session):
    project1 = td.op("/project1")
    ex = project1.create(td.executeDAT, "careful")
    ex.text = (
        "def onFrameStart(frame):\n"
        "    try:\n"
        "        raise KeyError('missing')\n"
        "    except KeyError as exc:\n"
        "        parent().addScriptError(f'onFrameStart failed: {exc!r}')\n"
    )
    ex.par.framestart = True
    td_session.advance()
    (err,) = td_session.take_script_exceptions()
    assert err.op_path == "/project1" and "onFrameStart failed: KeyError('missing')" in str(err.exception)


def test_an_exception_td_catches_is_not_counted_twice(td_session):
    ex = td.op("/project1").create(td.executeDAT, "broken")
    ex.text = "def onFrameStart(frame):\n    raise ValueError('broken')\n"
    ex.par.framestart = True
    td_session.advance()
    assert "ValueError: broken" in ex.scriptErrors()
    assert [type(e.exception) for e in td_session.take_script_exceptions()] == [ValueError]


REPORTED = '''
import td

def test_reported_and_cleared(td_session):
    comp = td.op('/project1')
    comp.addScriptError('a component is unhappy')
    comp.clearScriptErrors()

def test_reported_and_taken(td_session):
    td.op('/project1').addScriptError('expected')
    assert len(td_session.take_script_exceptions()) == 1
'''


def test_td_session_fails_a_test_that_leaves_a_reported_error(pytester):
    pytester.makepyfile(REPORTED)
    result = pytester.runpytest()  # the plugin is loaded through its pytest11 entry point
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*1 script exception(s)*", "*/project1 (addScriptError)*",
                                 "*a component is unhappy*"])


# ---- advance_until ---------------------------------------------------------------------------------


def _frame_counter(td_session):
    project1 = td.op("/project1")
    ex = project1.create(td.executeDAT, "count")
    ex.text = "def onFrameEnd(frame):\n    me.parent().store('n', me.parent().fetch('n', 0) + 1)\n"
    ex.par.frameend = True
    return project1


def test_advance_until_plays_exactly_the_frames_a_td_time_condition_needs(td_session):
    project1 = _frame_counter(td_session)
    assert td_session.advance_until(lambda: project1.fetch("n", 0) >= 7) == 7
    assert td_session.frame == 7
    assert td_session.advance_until(lambda: project1.fetch("n", 0) >= 7) == 0  # already true: no frame


def test_advance_until_names_the_frame_limit(td_session):
    with pytest.raises(mock_td.AdvanceLimitError, match=r"max_frames=12 frames \(0\.2 s of TD time") as info:
        td_session.advance_until(lambda: False, max_frames=12)
    assert isinstance(info.value, AssertionError)
    assert td_session.frame == 12


def test_advance_until_names_the_wall_time_limit(td_session):
    started = time.monotonic()
    with pytest.raises(mock_td.AdvanceLimitError, match=r"timeout=0\.05 s of wall time"):
        td_session.advance_until(lambda: False, max_frames=None, timeout=0.05)
    assert time.monotonic() - started < 5


def test_advance_until_rejects_limits_that_cannot_end(td_session):
    with pytest.raises(ValueError, match="max_frames"):
        td_session.advance_until(lambda: True, max_frames=0)
    with pytest.raises(ValueError, match="max_frames or timeout"):
        td_session.advance_until(lambda: True, max_frames=None, timeout=None)


def test_advance_until_waits_for_a_worker_thread_within_the_default_frame_limit(td_session):
    done = threading.Event()

    def work() -> None:
        time.sleep(0.1)  # wall time a worker thread spends (reading a file, a request, ...)
        done.set()

    thread = threading.Thread(target=work)
    thread.start()
    try:
        played = td_session.advance_until(done.is_set)  # defaults: max_frames=600, timeout=10
    finally:
        thread.join()
    assert done.is_set() and 0 < played < 600 and td_session.frame == played
