"""Session.reload(): save and reopen the project."""

from __future__ import annotations

import threading

import td

EXT = """
class KeepExt:
    def __init__(self, ownerComp):
        self.ownerComp = ownerComp
        self.Live = 'fresh'
"""


def test_network_pars_and_storage_survive(td_session, project1):
    comp = project1.create(td.baseCOMP, "keep")
    comp.appendCustomPage("Custom").appendFloat("Speed")
    comp.par.Speed = 7
    comp.tags = ["t"]
    comp.nodeX = 42
    tab = comp.create(td.tableDAT, "data")
    tab.appendRow(["a", "b"])
    txt = comp.create(td.textDAT, "notes")
    txt.text = "remember"
    comp.store("plain", {"x": [1, 2]})
    old_id = comp.id
    td_session.reload()
    new = td.op("/project1/keep")
    assert new is not comp and not comp.valid
    assert new.par.Speed.eval() == 7
    assert new.tags == {"t"} and new.nodeX == 42
    assert new.op("data")[0, 1].val == "b"
    assert new.op("notes").text == "remember"
    assert new.fetch("plain") == {"x": [1, 2]}
    assert td.op(old_id) is not comp


def test_storage_goes_through_pickle_with_startup_values(td_session, project1):
    comp = project1.create(td.baseCOMP, "s")
    lock = threading.Lock()
    comp.store("lock", lock)
    comp.storeStartupValue("lock", None)
    comp.store("counter", 5)
    comp.storeStartupValue("counter", 0)
    shared = [1]
    comp.store("shared", shared)
    td_session.reload()
    new = td.op("/project1/s")
    assert new.fetch("lock") is None
    assert new.fetch("counter") == 0
    assert new.fetch("shared") == [1] and new.fetch("shared") is not shared


def test_unpicklable_storage_without_startup_value_is_dropped(td_session, project1):
    comp = project1.create(td.baseCOMP, "s")
    comp.store("lock", threading.Lock())
    td_session.reload()
    assert "lock" not in td.op("/project1/s").storage
    assert any("lock" in line for line in td_session.textport)


def test_extensions_reinitialise_and_python_objects_do_not_survive(td_session, project1):
    comp = project1.create(td.baseCOMP, "e")
    comp.create(td.textDAT, "KeepExt").text = EXT
    comp.par.ext0object = "op('./KeepExt').module.KeepExt(me)"
    comp.par.ext0promote = True
    comp.Live = "changed"
    td_session.reload()
    new = td.op("/project1/e")
    assert new.Live == "fresh"


def test_initextonstart_off_leaves_extensions_uninitialised(td_session, project1):
    comp = project1.create(td.baseCOMP, "e")
    comp.create(td.textDAT, "KeepExt").text = EXT
    comp.par.ext0object = "op('./KeepExt').module.KeepExt(me)"
    comp.par.initextonstart = False
    td_session.reload()
    assert td.op("/project1/e").extensions == []


def test_pending_runs_are_dropped_and_the_clock_continues(td_session, project1):
    td.run("op('/project1').store('ran', True)", delayFrames=1)
    td_session.advance(2)
    td.run("op('/project1').store('late', True)", delayFrames=1)
    td_session.reload()
    assert len(td.runs) == 0
    td_session.advance()
    assert td.absTime.frame == 3
    assert td.op("/project1").fetch("late", None) is None


def test_synced_file_is_reloaded_on_open(td_session, project1, tmp_path):
    dat = project1.create(td.textDAT, "m")
    dat.par.file = "m.py"
    dat.par.syncfile = True
    dat.text = "V = 1\n"
    (tmp_path / "m.py").write_text("V = 2\n")
    td_session.reload()
    assert td.op("/project1/m").module.V == 2


def test_an_op_in_storage_survives_reload_and_copy(td_session, project1):
    """OP Class ``store`` example: ``n.store('moviebank', op('/project1/movies'))``. The OP comes back as
    the OP at its path once the project is open again (also inside lists and dicts)."""
    movies = project1.create(td.baseCOMP, "movies")
    comp = project1.create(td.baseCOMP, "c")
    comp.store("moviebank", movies)
    comp.store("many", {"list": [movies, comp], "n": 1})
    copy = project1.copy(comp)  # a paste: the stored OPs are still the same OPs
    assert copy.fetch("moviebank") is movies and copy.fetch("many")["list"] == [movies, comp]
    td_session.reload()
    new = td.op("/project1/c")
    assert new.fetch("moviebank") is td.op("/project1/movies")
    assert new.fetch("many") == {"list": [td.op("/project1/movies"), new], "n": 1}


def test_other_td_objects_in_storage_are_dropped_with_a_warning(td_session, project1):
    comp = project1.create(td.baseCOMP, "c")
    comp.appendCustomPage("P").appendFloat("Speed")
    comp.store("par", comp.par.Speed)
    comp.store("kept", 1)
    td_session.reload()
    new = td.op("/project1/c")
    assert "par" not in new.storage and new.fetch("kept") == 1
    assert any("'par'" in line and "td.Par" in line for line in td_session.textport)
