"""The td_session fixture: a fresh project per test, and unacknowledged script exceptions fail the test."""

from __future__ import annotations

pytest_plugins = ["pytester"]

FAILING = '''
import td

def test_broken_callback(td_session):
    ex = td.op('/project1').create(td.executeDAT)
    ex.text = "def onFrameStart(frame):\\n    raise ValueError('broken callback')\\n"
    ex.par.framestart = True
    td_session.advance()
'''

ACKNOWLEDGED = '''
import td

def test_acknowledged(td_session):
    td.run("raise ValueError('expected')")
    assert len(td_session.take_script_exceptions()) == 1

def test_fresh_world(td_session, tmp_path):
    assert td.op('/project1').numChildren == 0
    assert td.project.folder == str(tmp_path)
'''


def test_unacknowledged_script_exception_fails_the_test(pytester):
    pytester.makepyfile(FAILING)
    result = pytester.runpytest()  # the plugin is loaded through its pytest11 entry point
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*script exception(s) were raised inside TD callbacks*", "*broken callback*"])


def test_acknowledged_exceptions_pass(pytester):
    pytester.makepyfile(ACKNOWLEDGED)
    result = pytester.runpytest()  # the plugin is loaded through its pytest11 entry point
    result.assert_outcomes(passed=2)
