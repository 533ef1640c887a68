"""``Session.share_modules(resolver)``: a headless tool lets an already-imported module stand for a DAT's module.

Off by default (every DAT builds its own module, as in TD); with a resolver, a DAT whose text is a file
the tool already imported uses that module, so each class exists once in the process.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import td

import mock_td

SOURCE = "class FlowThing:\n    pass\n"


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, ModuleType]:
    """``flowthing.py`` imported once, the way a headless tool loads a component's files."""
    path = tmp_path / "flowthing.py"
    path.write_text(SOURCE, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("flowthing_shared", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return path, module


def _resolver(path: Path, module: ModuleType, calls: list[str]) -> Any:
    text = path.read_text(encoding="utf-8")

    def resolve(dat: Any) -> ModuleType | None:
        calls.append(dat.name)
        embedded = dat.text == text
        linked = bool(dat.par.syncfile.eval()) and os.path.abspath(str(dat.par.file.eval())) == str(path)
        return module if embedded or linked else None

    return resolve


def test_off_by_default_every_dat_builds_its_own_module(td_session: mock_td.Session, loaded: Any) -> None:
    _, module = loaded
    dat = td.op("/project1").create(td.textDAT, "flowthing")
    dat.text = SOURCE
    assert dat.module is not module and dat.module.FlowThing is not module.FlowThing


def test_an_embedded_or_linked_copy_uses_the_loaded_module(td_session: mock_td.Session, loaded: Any) -> None:
    path, module = loaded
    calls: list[str] = []
    td_session.share_modules(_resolver(path, module, calls))
    project1 = td.op("/project1")
    embedded = project1.create(td.textDAT, "flowthing")
    embedded.text = SOURCE
    linked = project1.create(td.textDAT, "linked")
    linked.par.file = str(path)
    linked.par.syncfile = True
    user = project1.create(td.textDAT, "user")
    user.text = "import flowthing\nCLS = flowthing.FlowThing\nSAME = mod.linked.FlowThing\n"
    assert embedded.module is module and linked.module is module
    assert user.module.CLS is module.FlowThing and user.module.SAME is module.FlowThing  # one class
    assert user.module is not module  # a DAT the resolver does not claim builds its own module
    asked = len(calls)
    assert embedded.module is module and len(calls) == asked  # asked again only when the text changes
    embedded.text = SOURCE + "EXTRA = 1\n"
    assert embedded.module is not module and embedded.module.EXTRA == 1
    td_session.share_modules(None)
    embedded.text = SOURCE
    assert embedded.module is not module


def test_the_hook_survives_reload_and_crash_but_not_install(td_session: mock_td.Session, loaded: Any) -> None:
    path, module = loaded
    td_session.share_modules(_resolver(path, module, []))
    td.op("/project1").create(td.textDAT, "flowthing").text = SOURCE
    td.project.save()
    td_session.crash()
    assert td.op("/project1/flowthing").module is module
    td_session.reload()
    assert td.op("/project1/flowthing").module is module
    fresh = mock_td.install(project_folder=str(path.parent))
    dat = td.op("/project1").create(td.textDAT, "flowthing")
    dat.text = SOURCE
    assert dat.module is not module
    assert fresh is not td_session
