"""install(), the clock (absTime, advance, advance_seconds) and the project object."""

from __future__ import annotations

import pytest
import td

import mock_td


def test_install_resets_the_world(td_session):
    td.op("/project1").create(td.baseCOMP, "old")
    td_session.advance(3)
    fresh = mock_td.install()
    assert td.op("/project1/old") is None
    assert fresh.frame == 0 and td.absTime.frame == 0
    with pytest.raises(RuntimeError):
        td_session.advance()


def test_clock_is_frozen_until_advanced(td_session):
    assert (td.absTime.frame, td.absTime.seconds) == (0, 0)
    td_session.advance()
    assert td.absTime.frame == 1 and td_session.frame == 1
    td_session.advance(59)
    assert td.absTime.frame == 60
    assert td.absTime.seconds == pytest.approx(1.0) == td_session.seconds
    assert td.absTime.step == 1
    assert td.absTime.stepSeconds == pytest.approx(1 / 60)
    with pytest.raises(AttributeError):
        _ = td.absTime.rate
    with pytest.raises(AttributeError):
        td.absTime.frame = 5


def test_advance_seconds_rounds_to_frames(tmp_path):
    s = mock_td.install(project_folder=str(tmp_path), cook_rate=30)
    s.advance_seconds(0.5)
    assert td.absTime.frame == 15
    s.advance_seconds(0.02)  # 0.6 frame rounds to 1
    assert td.absTime.frame == 16
    assert td.project.cookRate == 30
    with pytest.raises(ValueError):
        s.advance(-1)


def test_project_members(td_session, tmp_path):
    assert td.project.folder == str(tmp_path)
    assert td.project.realTime is False
    assert td.project.cookRate == 60
    with pytest.raises(NotImplementedError, match="project.load"):
        td.project.load("x.toe")
    with pytest.raises(NotImplementedError, match="project.stack"):
        td.project.stack()
    for missing in ("performMode", "cookRate2"):  # not Project members (performMode is ui.performMode)
        with pytest.raises(AttributeError):
            getattr(td.project, missing)


def test_td_globals_exist(td_session):
    for name in ("op", "ops", "parent", "iop", "ipar", "root", "absTime", "run", "runs", "debug", "project",
                 "baseCOMP", "containerCOMP", "textDAT", "tableDAT", "scriptCHOP", "executeDAT",
                 "parameterexecuteDAT", "nullCHOP", "tdError", "ParMode", "me", "tdu", "mod", "ext"):
        assert hasattr(td, name), name
    assert td.me is td.root
    import tdu

    assert tdu is td.tdu


def test_not_modelled_globals_raise(td_session):
    with pytest.raises(NotImplementedError, match="ui.panes"):
        _ = td.ui.panes
