"""A real TD-style extension, loaded unmodified from .py files into Text DATs, runs on the mock."""

from __future__ import annotations

from pathlib import Path

import pytest
import td

FIXTURES = Path(__file__).parent / "fixtures"


def _build(project1):
    comp = project1.create(td.baseCOMP, "ticker")
    ext_dat = comp.create(td.textDAT, "TickerExt")
    ext_dat.par.file = str(FIXTURES / "TickerExt.py")
    ext_dat.par.syncfile = True
    ex = comp.create(td.executeDAT, "ticker_execute")
    ex.par.file = str(FIXTURES / "ticker_execute.py")
    ex.par.syncfile = True
    ex.par.framestart = True
    comp.par.ext0promote = True
    comp.par.ext0object = "op('./TickerExt').module.TickerExt(me)"
    return comp


@pytest.fixture
def ticker(td_session, project1):
    comp = _build(project1)
    yield comp
    if comp.valid:
        comp.destroy()  # onDestroyTD closes the asyncio loop


def test_extension_initialises_and_creates_its_table(td_session, ticker):
    assert ticker.op("log").OPType == "tableDAT"
    assert ticker.Inits == 1
    assert ticker.Ticks == 0
    td_session.advance()
    assert ticker.fetch("ready") is True
    assert ticker.Ticks == 1


def test_asyncio_jobs_advance_one_step_per_frame(td_session, ticker):
    ticker.StartJob("quick", 1)
    ticker.StartJob("slow", 3)
    td_session.advance(5)
    rows = [[c.val for c in r] for r in ticker.op("log").rows()]
    assert rows == [["job", "frame"], ["quick", "2"], ["slow", "4"]]
    assert any(line.startswith("job done quick") for line in td_session.textport)


def test_stored_items_survive_reinit_and_reload(td_session, ticker):
    ticker.par.reinitextensions.pulse()
    assert ticker.Inits == 2
    with pytest.raises(AttributeError):  # readOnly=True: a property without a setter
        ticker.Ticks = 5
    assert ticker.Ticks == 0
    old = ticker.ext.TickerExt
    old.onDestroyTD()  # the project closes; release the loop like TD's exit would
    td_session.reload()
    comp = td.op("/project1/ticker")
    assert comp.Inits == 3
    assert comp.op("log").numRows == 1
    comp.StartJob("after", 1)
    td_session.advance(2)
    assert comp.op("log")[1, "job"].val == "after"
    comp.destroy()
