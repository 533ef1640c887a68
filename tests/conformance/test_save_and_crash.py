"""``project.save()`` (Project Class) and the mock-only ``Session.crash()``: TD dies and reopens its last save."""

from __future__ import annotations

import pytest
import td

EXT = """
class LifeExt:
    def __init__(self, ownerComp):
        self.ownerComp = ownerComp
        ownerComp.store('inits', ownerComp.fetch('inits', 0) + 1)

    def onInitTD(self):
        self.ownerComp.store('initTD', absTime.frame)

    def onDestroyTD(self):
        print('onDestroyTD ran')
"""

EXECUTE = """
def onStart():
    parent().store('started', parent().fetch('started', 0) + 1)

def onExit():
    print('onExit ran')
"""


def _show(project1):
    comp = project1.create(td.baseCOMP, "show")
    comp.appendCustomPage("Custom").appendFloat("Level")
    comp.create(td.textDAT, "LifeExt").text = EXT
    comp.par.ext0object = "op('./LifeExt').module.LifeExt(me)"
    ex = comp.create(td.executeDAT, "exec")
    ex.text = EXECUTE
    ex.par.start = True
    ex.par.exit = True
    return comp


def test_save_returns_true_and_names_the_file(td_session, tmp_path):
    """Project Class: ``save(path, saveExternalToxs=False) -> bool``; without a path "the default/current
    filename is incremented and used"; the file is ``project.name`` under ``project.folder``."""
    assert td.project.name == "NewProject.toe"
    assert td.project.save() is True
    assert td.project.name == "NewProject.1.toe" and td.project.folder == str(tmp_path)
    td.project.save()
    assert td.project.name == "NewProject.2.toe"
    assert td.project.save("shows/main.toe") is True
    assert td.project.name == "main.toe" and td.project.folder == str(tmp_path / "shows")
    td.project.save()
    assert td.project.name == "main.1.toe"
    with pytest.raises(NotImplementedError, match="saveExternalToxs"):
        td.project.save(saveExternalToxs=True)


def test_crash_reopens_the_last_save_and_loses_later_changes(td_session, project1):
    comp = _show(project1)
    comp.par.Level = 1
    comp.store("position", "intro")
    td.project.save()
    comp.par.Level = 2
    comp.store("position", "finale")
    comp.store("late", True)
    td_session.advance(10)
    td_session.crash()
    assert not comp.valid
    new = td.op("/project1/show")
    assert new.par.Level.eval() == 1.0 and new.fetch("position") == "intro" and "late" not in new.storage
    assert not any(line.endswith(" ran") for line in td_session.textport)  # no onExit, no onDestroyTD
    assert new.fetch("started") == 1  # a new TD process starts: onStart
    assert td.absTime.frame == 0  # a new process: absTime starts again
    assert new.fetch("inits") == 2 and "initTD" not in new.storage  # saved 1, plus the init on open
    td_session.advance()
    assert new.fetch("initTD") == 1.0  # the extension initialised on open; onInitTD at the end of frame 1


def test_files_on_disk_survive_a_crash(td_session, project1, tmp_path):
    """Changes since the save are lost, except what is on disk: a synced DAT reloads its file on open."""
    dat = project1.create(td.textDAT, "notes")
    dat.par.file = "notes.txt"
    dat.par.syncfile = True
    dat.text = "saved"
    td.project.save()
    dat.text = "written after the save"  # syncfile writes it to disk at once
    td_session.crash()
    assert td.op("/project1/notes").text == "written after the save"
    assert (tmp_path / "notes.txt").read_text() == "written after the save"


def test_reload_counts_as_a_save(td_session, project1):
    comp = project1.create(td.baseCOMP, "c")
    comp.store("k", 1)
    td_session.reload()
    td.op("/project1/c").store("k", 2)
    td_session.crash()
    assert td.op("/project1/c").fetch("k") == 1


def test_crash_without_a_save_starts_a_new_project(td_session, project1):
    project1.create(td.baseCOMP, "unsaved")
    td_session.crash()
    assert td.op("/project1/unsaved") is None and td.op("/project1") is not None
    assert any("never saved" in line for line in td_session.textport)


def test_an_op_in_storage_survives_save_and_crash(td_session, project1):
    target = project1.create(td.baseCOMP, "target")
    project1.store("target", target)
    td.project.save()
    td_session.crash()
    assert td.op("/project1").fetch("target") is td.op("/project1/target")


def test_write_on_toe_save_writes_the_file(td_session, project1, tmp_path):
    """Text DAT, File page: Write on Toe Save ``write`` "writes the contents of the DAT out to the file on
    disk when the project is saved"."""
    dat = project1.create(td.textDAT, "out")
    dat.par.file = "out.txt"
    dat.par.write = True
    dat.text = "content"
    assert not (tmp_path / "out.txt").exists()
    td.project.save()
    assert (tmp_path / "out.txt").read_text() == "content"
