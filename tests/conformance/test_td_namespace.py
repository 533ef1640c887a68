"""Names of the ``td`` module and the globals of DAT code, as the td Module page lists them."""

from __future__ import annotations

import pytest
import td
from hypothesis import given
from hypothesis import strategies as st


def test_standard_modules_are_in_expressions_and_dat_code(project1):
    """td Module, "Standard Python Modules": usable as ``math.cos(math.pi)`` without an import."""
    assert project1.evalExpression("math.cos(math.pi)") == -1.0
    assert project1.evalExpression("re.sub('a', 'b', 'aa')") == "bb"
    dat = project1.create(td.textDAT, "m")
    dat.text = "VALUES = (sys.maxsize > 0, collections.OrderedDict, enum.Enum, inspect.isclass, traceback, warnings)\n"
    assert dat.module.VALUES[0] is True
    assert td.math.pi > 3


def test_opex_raises_where_op_returns_none(project1):
    """td Module: opex "will raise an exception if it fails to find the node instead of returning None"."""
    box = project1.create(td.baseCOMP, "box")
    assert td.opex("/project1/box") is box
    with pytest.raises(td.tdError, match="nothing"):
        td.opex("/project1/nothing")
    assert box.opex("..") is project1
    with pytest.raises(td.tdError):
        box.opex("missing")
    assert project1.evalExpression("opex('./box')") is box
    with pytest.raises(td.tdError):
        project1.evalExpression("opex('ghost')")


def test_op_member_is_a_finder_object(project1):
    """OP Class: ``n.op`` is the operator finder object: ``n.op.Shortcut`` and ``for x in n.op`` work."""
    box = project1.create(td.baseCOMP, "box")
    box.par.opshortcut = "Box"
    inner = box.create(td.textDAT, "t")
    assert inner.op.Box is box and box.op("t") is inner
    assert box in list(inner.op)


def test_built_in_tdresources_component(project1):
    """td Module: ``run(delayRef=op.TDResources)``, TD's built-in independent time component."""
    resources = td.op.TDResources
    assert resources.isCOMP and resources.path == "/sys/TDResources"
    td.run("op('/project1').store('ran', True)", delayFrames=1, delayRef=td.op.TDResources)
    with pytest.raises(NotImplementedError, match="op.TDModules"):
        td.op.TDModules  # noqa: B018


def test_passive_clear_and_variables(td_session, project1):
    box = project1.create(td.baseCOMP, "box")
    assert td.passive(box) is box
    with pytest.raises(NotImplementedError, match="passive"):
        td.passive(project1.create(td.scriptCHOP, "s"))
    td.debug("something")
    assert td_session.textport
    td.clear()  # td Module: "Clear the textport of all text."
    assert td_session.textport == []
    for name in ("var", "varExists", "varOwner"):
        with pytest.raises(NotImplementedError, match=f"td.{name}"):
            getattr(td, name)("X")


def test_sequence_and_collection_classes_are_in_td(project1):
    """td Module lists SequenceBlock, SequenceCollection and ParGroupCollection among its classes."""
    comp = project1.create(td.baseCOMP, "c")
    page = comp.appendCustomPage("P")
    page.appendSequence("Step")
    page.appendStr("Label")
    comp.seq.Step.blockSize = 1
    assert isinstance(comp.seq.Step[0], td.SequenceBlock)
    assert isinstance(comp.seq, td.SequenceCollection) and isinstance(comp.parGroup, td.ParGroupCollection)


def test_collections_name_their_owner(project1):
    """ParCollection / ParGroupCollection / SequenceCollection Class: ``owner`` is the OP."""
    comp = project1.create(td.baseCOMP, "c")
    assert comp.par.owner is comp and comp.parGroup.owner is comp and comp.seq.owner is comp


def test_digits_and_base_follow_the_op_class_rule(project1):
    """OP Class: digits "can be in the middle of the name if there are none at the end"; base is the part
    "before any digits". Tdu Module: the search begins after the last slash."""
    op = project1.create(td.textDAT, "geo1_a")
    assert (op.digits, op.base) == (1, "geo")
    assert (project1.digits, project1.base) == (1, "project")
    tdu = td.tdu
    assert tdu.digits("arm123/456leg") == 456 and tdu.digits("arm123/leg") is None
    assert tdu.base("arm123/leg456") == "leg" and tdu.base("arm123") == "arm"


@given(st.text(alphabet="ab_1907/", max_size=12))
def test_digits_and_base_invariants(text):
    tail = text.rsplit("/", 1)[-1]
    base, digits = td.tdu.base(text), td.tdu.digits(text)
    assert tail.startswith(base) and not any(ch.isdigit() for ch in base)
    assert (digits is None) == (not any(ch.isdigit() for ch in tail))
    if digits is not None:
        assert tail.rstrip("ab_").endswith(str(digits)) or str(digits) in tail


def test_names_td_does_not_have_are_gone(project1):
    """OP.pythonTrigger, CHOP.isTimeSlice_, DAT.source and COMP.blockPrivacy are on no TD page."""
    comp = project1.create(td.baseCOMP, "c")
    chop = project1.create(td.scriptCHOP, "s")
    dat = project1.create(td.textDAT, "t")
    for obj, name in ((comp, "pythonTrigger"), (chop, "isTimeSlice_"), (dat, "source"), (comp, "blockPrivacy")):
        with pytest.raises(AttributeError):
            getattr(obj, name)
    with pytest.raises(NotImplementedError, match="COMP.blockPrivateContents"):
        comp.blockPrivateContents("key")
    for name in ("editFile", "layoutChildren", "panelParent"):
        with pytest.raises(AttributeError):
            getattr(td.TDFunctions if hasattr(td, "TDFunctions") else __import__("TDFunctions"), name)


def test_library_helpers_do_not_leak(td_session):
    import TDFunctions

    for module, names in ((td.tdu, ("random", "re", "ast", "shlex", "fnmatch", "Any", "Callable", "not_modelled")),
                          (TDFunctions, ("Dependency", "not_modelled", "Any", "annotations"))):
        for name in names:
            with pytest.raises(AttributeError):
                getattr(module, name)


def test_documented_members_not_modelled_raise_naming_them(project1):
    """Members on the OP / COMP / DAT / CHOP / Par / Project pages that mock_td does not model raise
    NotImplementedError naming the TD symbol (not AttributeError, which would claim TD lacks them)."""
    comp = project1.create(td.baseCOMP, "c")
    dat = project1.create(td.textDAT, "t")
    chop = project1.create(td.scriptCHOP, "s")
    table = project1.create(td.tableDAT, "tab")
    checks = [(comp, "cookTime", "OP.cookTime"), (comp, "currentPage", "OP.currentPage"),
              (comp, "pickable", "COMP.pickable"), (comp, "inputCOMPs", "COMP.inputCOMPs"),
              (dat, "detectLanguage", "DAT.detectLanguage"), (chop, "convertToKeyframes", "CHOP.convertToKeyframes"),
              (chop, "timeSliceDefault", "scriptCHOP.timeSliceDefault"), (table, "subRow", "tableDAT.subRow"),
              (comp.par.parentshortcut, "hidden", "Par.hidden"), (td.project, "windowDraw", "project.windowDraw")]
    for obj, name, symbol in checks:
        with pytest.raises(NotImplementedError, match=symbol.replace(".", r"\.")):
            getattr(obj, name)
    assert dat.flush() is None and dat.isatty() is False
    assert comp.cookedThisFrame is False and dat.lock is False  # OP members, modelled for every OP


def test_documented_builtin_pars_raise_not_modelled(project1):
    """A built-in parameter the operator's page lists (Script CHOP ``timeslice``, Table DAT ``syncfile``)
    raises NotImplementedError naming it; a name on no page is a plain tdAttributeError."""
    chop = project1.create(td.scriptCHOP, "s")
    table = project1.create(td.tableDAT, "tab")
    with pytest.raises(NotImplementedError, match=r"scriptCHOP\.par\.timeslice"):
        chop.par.timeslice  # noqa: B018
    with pytest.raises(NotImplementedError, match=r"tableDAT\.par\.syncfile"):
        table.par.syncfile = True
    with pytest.raises(NotImplementedError, match=r"textDAT\.par\.edit"):
        project1.create(td.textDAT, "t").par["edit"]  # noqa: B018
    with pytest.raises(td.tdAttributeError):
        chop.par.nosuchpar  # noqa: B018
