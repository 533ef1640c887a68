"""Extensions: the ext sequence, promotion, re-initialisation, onInitTD/onDestroyTD, init-time use."""

from __future__ import annotations

import pytest
import td

EXT = """
class GreeterExt:
    def __init__(self, ownerComp):
        self.ownerComp = ownerComp
        self.Count = 0
        self.hidden = 'lower'
        ownerComp.store('inits', ownerComp.fetch('inits', 0) + 1)

    def Greet(self, who):
        self.Count += 1
        return 'hello ' + who

    @property
    def Twice(self):
        return self.Count * 2

    def onInitTD(self):
        self.ownerComp.store('initTD', self.ownerComp.fetch('initTD', 0) + 1)

    def onDestroyTD(self):
        self.ownerComp.store('destroyed', self.ownerComp.fetch('destroyed', []) + [id(self)])
        self.ownerComp.store('childSeen', self.ownerComp.op('GreeterExt') is not None)
"""


def _comp(project1, promote=True, name=""):
    comp = project1.create(td.baseCOMP, "greeter")
    dat = comp.create(td.textDAT, "GreeterExt")
    dat.text = EXT
    comp.par.ext0name = name
    comp.par.ext0promote = promote
    comp.par.ext0object = "op('./GreeterExt').module.GreeterExt(me)"
    return comp, dat


def test_extension_by_class_name_and_promotion(td_session, project1):
    comp, _ = _comp(project1)
    ext = comp.ext.GreeterExt
    assert comp.extensions == [ext]
    assert comp.Greet("you") == "hello you"
    assert comp.Count == 1 and comp.Twice == 2
    comp.Count = 10
    assert ext.Count == 10
    with pytest.raises(AttributeError):
        _ = comp.hidden  # lowercase members are not promoted
    assert ext.hidden == "lower"
    assert comp.extensionsReady


def test_not_promoted_and_named(td_session, project1):
    comp, _ = _comp(project1, promote=False, name="Hello")
    assert comp.ext.Hello.Greet("x") == "hello x"
    with pytest.raises(AttributeError):
        _ = comp.Greet
    with pytest.raises(AttributeError):
        _ = comp.ext.GreeterExt


def test_ext_searches_up_from_inside(td_session, project1):
    comp, _ = _comp(project1)
    inner = comp.create(td.baseCOMP, "inner").create(td.textDAT, "code")
    inner.text = "def call():\n    return ext.GreeterExt.Greet('in')\n"
    assert inner.module.call() == "hello in"
    assert inner.ext.GreeterExt is comp.ext.GreeterExt


def test_on_init_td_runs_at_end_of_frame(td_session, project1):
    comp, _ = _comp(project1)
    assert comp.fetch("initTD", 0) == 0
    td_session.advance()
    assert comp.fetch("initTD") == 1
    td_session.advance()
    assert comp.fetch("initTD") == 1


def test_reinit_paths_replace_the_instance_and_call_on_destroy(td_session, project1):
    comp, dat = _comp(project1)
    first = comp.ext.GreeterExt
    comp.par.reinitextensions.pulse()
    second = comp.ext.GreeterExt
    assert second is not first
    assert comp.fetch("destroyed")[-1] == id(first)
    third = comp.initializeExtensions(0)
    assert third is comp.ext.GreeterExt and third is not second
    dat.text = EXT.replace("'hello '", "'hi '")
    assert comp.Greet("a") == "hi a"
    assert comp.ext.GreeterExt is not third


def test_destroying_the_comp_calls_on_destroy_with_children_readable(td_session, project1):
    comp, _ = _comp(project1)
    holder = project1.create(td.baseCOMP, "holder")
    comp.par.ext0object = "op('./GreeterExt').module.GreeterExt(me)"
    ext = comp.ext.GreeterExt
    # onDestroyTD stores on the COMP itself; keep a reference to read it afterwards
    storage = comp.storage
    comp.destroy()
    assert storage["destroyed"][-1] == id(ext)
    assert storage["childSeen"] is True
    assert holder.valid


def test_using_an_extension_during_its_initialization_raises(td_session, project1):
    comp = project1.create(td.baseCOMP, "eager")
    dat = comp.create(td.textDAT, "EagerExt")
    dat.text = (
        "class EagerExt:\n"
        "    def __init__(self, ownerComp):\n"
        "        try:\n"
        "            ownerComp.ext.EagerExt\n"
        "        except Exception as e:\n"
        "            ownerComp.store('error', str(e))\n"
    )
    comp.par.ext0object = "op('./EagerExt').module.EagerExt(me)"
    assert comp.fetch("error") == "Cannot use an extension during its initialization"
    assert comp.ext.EagerExt is not None


def test_a_failing_extension_is_a_script_error(td_session, project1):
    comp = project1.create(td.baseCOMP, "broken")
    dat = comp.create(td.textDAT, "BrokenExt")
    dat.text = "class BrokenExt:\n    def __init__(self, ownerComp):\n        raise ValueError('bad init')\n"
    comp.par.ext0object = "op('./BrokenExt').module.BrokenExt(me)"
    assert comp.extensions == [None]
    errs = td_session.take_script_exceptions()
    assert len(errs) == 1 and "bad init" in str(errs[0].exception)


def test_bare_op_in_the_object_par_looks_at_siblings(td_session, project1):
    comp = project1.create(td.baseCOMP, "c")
    comp.create(td.textDAT, "SomeExt").text = "class SomeExt:\n    def __init__(self, o):\n        pass\n"
    comp.par.ext0object = "op('SomeExt').module.SomeExt(me)"
    assert comp.extensions == [None]
    td_session.take_script_exceptions()
    comp.par.ext0object = "me.op('SomeExt').module.SomeExt(me)"
    assert type(comp.extensions[0]).__name__ == "SomeExt"


def test_two_extension_slots(td_session, project1):
    comp = project1.create(td.baseCOMP, "two")
    comp.create(td.textDAT, "AExt").text = "class AExt:\n    def __init__(self, o):\n        self.Who = 'a'\n"
    comp.create(td.textDAT, "BExt").text = "class BExt:\n    def __init__(self, o):\n        self.Other = 'b'\n"
    comp.seq.ext.numBlocks = 2
    comp.par.ext0object = "op('./AExt').module.AExt(me)"
    comp.par.ext1object = "op('./BExt').module.BExt(me)"
    comp.par.ext1promote = True
    assert [type(e).__name__ for e in comp.extensions] == ["AExt", "BExt"]
    assert comp.Other == "b"
    with pytest.raises(AttributeError):
        _ = comp.Who


LEGACY = """
class OldExt:
    def __init__(self, ownerComp):
        self.ownerComp = ownerComp

    def __delTD__(self):
        self.ownerComp.store('legacy', self.ownerComp.fetch('legacy', 0) + 1)
"""


def test_legacy_del_td_hook_is_called_on_reinit(td_session, project1):
    """Extensions page (2023): "when extensions are re-initialized, TouchDesigner will call the old
    extension's __delTD__ function if it exists"."""
    comp = project1.create(td.baseCOMP, "old")
    comp.create(td.textDAT, "OldExt").text = LEGACY
    comp.par.ext0object = "op('./OldExt').module.OldExt(me)"
    comp.par.reinitextensions.pulse()
    assert comp.fetch("legacy") == 1
    comp.destroy()


def test_initialize_extensions_with_an_index_reinitialises_that_slot_only(td_session, project1):
    """COMP Class: "To initialize an individual extension, specify its index. Returns the compiled extension"."""
    comp, _ = _comp(project1)
    comp.create(td.textDAT, "BExt").text = "class BExt:\n    def __init__(self, o):\n        self.Other = 'b'\n"
    comp.seq.ext.numBlocks = 2
    comp.par.ext1object = "op('./BExt').module.BExt(me)"
    first, second = comp.extensions
    comp.store("destroyed", [])
    new = comp.initializeExtensions(1)
    assert type(new).__name__ == "BExt" and new is not second
    assert comp.extensions == [first, new] and comp.fetch("destroyed") == []  # slot 0 untouched
    replaced = comp.initializeExtensions(0)
    assert comp.extensions == [replaced, new] and comp.fetch("destroyed") == [id(first)]
    td_session.advance()
    assert comp.Greet("x") == "hello x"
    with pytest.raises(td.tdError):
        comp.initializeExtensions(5)
