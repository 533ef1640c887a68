"""Internal OPs and parameters: iop.Name, ipar.Name, internalOPs."""

from __future__ import annotations

import pytest
import td


def _setup(project1):
    comp = project1.create(td.baseCOMP, "flow")
    store = comp.create(td.baseCOMP, "iparSettings")
    store.appendCustomPage("Settings").appendFloat("Size")
    store.par.Size = 4
    table = comp.create(td.tableDAT, "steps")
    comp.seq.iop.numBlocks = 2
    comp.par.iop0shortcut = "Steps"
    comp.par.iop0op = "./steps"
    comp.par.iop1shortcut = "Settings"
    comp.par.iop1op = store
    return comp, store, table


def test_iop_and_ipar_from_code_inside(td_session, project1):
    comp, store, table = _setup(project1)
    code = comp.create(td.baseCOMP, "deep").create(td.textDAT, "code")
    code.text = "def get():\n    return iop.Steps, ipar.Settings.Size.eval()\n"
    assert code.module.get() == (table, 4.0)
    assert comp.iop.Steps is table
    assert comp.internalOPs == {"Steps": table, "Settings": store}


def test_iop_is_not_visible_outside(td_session, project1):
    _setup(project1)
    outside = project1.create(td.textDAT, "outside")
    outside.text = "def get():\n    return iop.Steps\n"
    with pytest.raises(AttributeError):
        outside.module.get()
    with pytest.raises(AttributeError):
        _ = td.op("/project1/flow").iop.Missing
