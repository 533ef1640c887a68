"""Text DATs as modules: globals bound to the DAT, sibling imports, caching, file sync, textport."""

from __future__ import annotations

import os

import pytest
import td


def test_module_sees_me_op_and_parent(project1):
    box = project1.create(td.baseCOMP, "box")
    box.create(td.tableDAT, "data")
    code = box.create(td.textDAT, "code")
    code.text = "ME = me\nDATA = op('data')\nPARENT = parent()\nMEOP = me.op('data')\n"
    m = code.module
    assert m.ME is code and m.DATA is box.op("data") and m.PARENT is box and m.MEOP is m.DATA


def test_import_finds_sibling_dat_first(project1):
    far = td.op("/local").create(td.baseCOMP, "modules").create(td.textDAT, "helper")
    far.text = "VALUE = 'local/modules'\ndef where():\n    return me.path\n"
    box = project1.create(td.baseCOMP, "box")
    helper = box.create(td.textDAT, "helper")
    helper.text = "VALUE = 'sibling'\ndef where():\n    return me.path\n"
    user = box.create(td.textDAT, "user")
    user.text = "import helper\nfrom helper import where\nRESULT = (helper.VALUE, where())\n"
    assert user.module.RESULT == ("sibling", "/project1/box/helper")
    import sys

    assert "helper" not in sys.modules


def test_import_searches_local_modules_then_sys_path(project1, tmp_path, monkeypatch):
    modules = td.op("/local").create(td.baseCOMP, "modules")
    shared = modules.create(td.textDAT, "sharedlib")
    shared.text = "WHO = 'local/modules'"
    deep = project1.create(td.baseCOMP, "a").create(td.baseCOMP, "b")
    user = deep.create(td.textDAT, "user")
    (tmp_path / "diskmod_tree.py").write_text("WHO = 'sys.path'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    user.text = "import sharedlib\nimport diskmod_tree\nR = (sharedlib.WHO, diskmod_tree.WHO)\n"
    assert user.module.R == ("local/modules", "sys.path")
    own = project1.create(td.baseCOMP, "local").create(td.baseCOMP, "modules").create(td.textDAT, "sharedlib")
    own.text = "WHO = 'nearer'"
    user.text += "\n"
    assert user.module.R[0] == "nearer"


def test_missing_import_raises_import_error(project1):
    user = project1.create(td.textDAT)
    user.text = "import no_such_module_anywhere_xyz\n"
    with pytest.raises(ImportError):
        _ = user.module


def test_module_is_cached_and_rebuilt_when_text_changes(project1):
    dat = project1.create(td.textDAT)
    dat.text = "import random\nTOKEN = object()\n"
    first = dat.module
    assert dat.module is first
    dat.text = "TOKEN = 'new'\n"
    assert dat.module is not first and dat.module.TOKEN == "new"


def test_errors_in_module_text_propagate_to_the_caller(project1):
    dat = project1.create(td.textDAT)
    dat.text = "def broken(:\n"
    with pytest.raises(SyntaxError):
        _ = dat.module


def test_print_and_debug_go_to_the_textport(td_session, project1):
    dat = project1.create(td.textDAT, "talk")
    dat.text = "print('hello', 42)\ndebug('dbg')\n"
    _ = dat.module
    assert "hello 42" in td_session.textport
    assert any(line.startswith("dbg") and "/project1/talk" in line for line in td_session.textport)


def test_td_me_follows_the_running_code(project1):
    dat = project1.create(td.textDAT, "ctx")
    dat.text = "import td\ndef who():\n    return td.me\nNOW = td.me\n"
    assert dat.module.NOW is dat
    assert td.me is td.root


def test_file_and_syncfile_load_and_write(td_session, project1, tmp_path):
    path = tmp_path / "code" / "mod.py"
    path.parent.mkdir()
    path.write_text("X = 1\n")
    dat = project1.create(td.textDAT, "mod")
    dat.par.file = "code/mod.py"
    assert dat.text == ""  # file alone does not load
    dat.par.syncfile = True
    assert dat.text == "X = 1\n" and dat.module.X == 1
    dat.text = "X = 2\n"
    assert path.read_text() == "X = 2\n"
    path.write_text("X = 3\n")
    os.utime(path, (1, 1))
    td_session.advance()
    assert dat.module.X == 3


def test_syncfile_creates_a_missing_file(project1, tmp_path):
    dat = project1.create(td.textDAT)
    dat.text = "Y = 5\n"
    dat.par.file = str(tmp_path / "new.py")
    dat.par.syncfile = True
    assert (tmp_path / "new.py").read_text() == "Y = 5\n"


def test_mod_object(project1):
    box = project1.create(td.baseCOMP, "box")
    lib = box.create(td.textDAT, "lib")
    lib.text = "N = 9\n"
    user = box.create(td.textDAT, "user")
    user.text = "A = mod.lib.N\nB = mod('lib').N\nC = mod.nothing\n"
    assert (user.module.A, user.module.B) == (9, 9)
    assert user.module.C is None  # MOD Class: "If the DAT is still not found, None is returned."


def test_dataclasses_and_future_annotations_work_in_dat_modules(project1):
    dat = project1.create(td.textDAT, "shapes")
    dat.text = (
        "from __future__ import annotations\n"
        "from dataclasses import dataclass, field\n"
        "@dataclass\n"
        "class Point:\n"
        "    x: int = 0\n"
        "    tags: list = field(default_factory=list)\n"
    )
    p = dat.module.Point(3)
    assert (p.x, p.tags) == (3, [])


def test_dat_code_does_not_inherit_future_flags(project1):
    dat = project1.create(td.textDAT)
    dat.text = "def f(a: int):\n    pass\nANN = f.__annotations__\n"
    assert dat.module.ANN == {"a": int}  # evaluated annotations: no inherited `from __future__ import annotations`


def test_attribute_error_inside_module_code_is_not_masked(project1):
    dat = project1.create(td.textDAT)
    dat.text = "x = None\nx.missing_member\n"
    with pytest.raises(AttributeError, match="missing_member"):
        _ = dat.module
