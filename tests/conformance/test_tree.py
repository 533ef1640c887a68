"""The operator tree: paths, op()/ops(), parent(), create/copy/destroy, findChildren, tags, layout, docking."""

from __future__ import annotations

import pytest
import td


def test_a_new_project_has_project1_and_local(td_session):
    assert td.root.path == "/"
    assert td.op("/project1").OPType == "containerCOMP"
    assert td.op("/local").OPType == "baseCOMP"
    assert [c.name for c in td.root.children] == ["project1", "local", "sys"]  # /sys: TD's own components
    assert td_session.root is td.root
    assert td.root.parent() is None


def test_create_names_collisions_and_types(project1):
    a = project1.create(td.baseCOMP)
    b = project1.create("baseCOMP")
    t = project1.create(td.textDAT, "notes")
    t2 = project1.create(td.textDAT, "notes")
    assert (a.name, b.name) == ("base1", "base2")
    assert (t.name, t2.name) == ("notes", "notes1")
    assert t.path == "/project1/notes"
    assert (t.family, t.type, t.OPType, t.isDAT, t.isCOMP) == ("DAT", "text", "textDAT", True, False)
    assert t2.digits == 1 and t2.base == "notes"
    with pytest.raises(td.tdError):
        project1.create(td.textDAT, "1bad name")
    with pytest.raises(td.tdError):
        project1.create("notAnOpType")
    with pytest.raises(NotImplementedError, match="waveCHOP"):
        project1.create("waveCHOP")


def test_op_relative_absolute_patterns_and_ids(project1):
    box = project1.create(td.baseCOMP, "box")
    t1 = box.create(td.textDAT, "text1")
    t2 = box.create(td.textDAT, "text2")
    tab = box.create(td.tableDAT, "data")
    assert box.op("text1") is t1  # a COMP looks inside
    assert t1.op("text2") is t2  # any other OP looks at its siblings
    assert t1.op("..") is box and t1.op(".") is t1
    assert t1.op("../data") is tab
    assert td.op("/project1/box/text2") is t2
    assert td.op("project1/box") is box  # td.op outside any script: relative to root
    assert box.op("text*") is t1
    assert box.ops("text*") == [t1, t2]
    assert box.ops("text1 data") == [t1, tab]
    assert box.ops("nothing*") == []
    assert box.op("missing") is None
    assert td.op(t2.id) is t2
    with pytest.raises(td.tdError):
        box.opex("missing")
    assert box.opex("data") is tab


def test_parent_and_parent_shortcut(project1):
    outer = project1.create(td.baseCOMP, "outer")
    inner = outer.create(td.baseCOMP, "inner")
    dat = inner.create(td.textDAT, "code")
    outer.par.parentshortcut = "Outer"
    assert dat.parent() is inner
    assert dat.parent(2) is outer
    assert dat.parent(10) is None
    assert dat.parent.Outer is outer
    with pytest.raises(AttributeError):
        _ = dat.parent.Nowhere


def test_global_op_shortcut(project1):
    comp = project1.create(td.baseCOMP, "engine")
    comp.par.opshortcut = "Engine"
    assert td.op.Engine is comp
    assert comp in list(td.op)
    with pytest.raises(AttributeError):
        _ = td.op.NoSuchShortcut


def test_rename(project1):
    a = project1.create(td.baseCOMP, "a")
    project1.create(td.baseCOMP, "b")
    a.name = "c"
    assert project1.op("c") is a and project1.op("a") is None
    assert a.path == "/project1/c"
    with pytest.raises(td.tdError):
        a.name = "b"


def test_destroy_invalidates_and_unreaches(project1):
    box = project1.create(td.baseCOMP, "box")
    child = box.create(td.textDAT, "t")
    ident = child.id
    box.destroy()
    assert not box.valid and not child.valid
    assert project1.op("box") is None
    assert td.op(ident) is None
    with pytest.raises(td.tdError):
        _ = box.name
    with pytest.raises(td.tdError):
        _ = child.text
    with pytest.raises(td.tdError):
        box.destroy()
    with pytest.raises(td.tdError):
        td.root.destroy()


def test_destroy_takes_docked_ops_along(project1):
    chop = project1.create(td.scriptCHOP, "gen")
    cb = project1.create(td.textDAT, "gen_callbacks")
    cb.dock = chop
    assert cb.dock is chop and chop.docked == [cb]
    chop.destroy()
    assert not cb.valid


def test_dock_rules(project1):
    a = project1.create(td.textDAT)
    other = td.op("/local").create(td.textDAT)
    with pytest.raises(td.tdError):
        a.dock = other
    a.dock = None
    assert a.dock is None


def test_copy_gets_new_name_and_id_and_keeps_state(project1):
    src = project1.create(td.baseCOMP, "src")
    t = src.create(td.textDAT, "t")
    t.text = "hello"
    src.store("k", {"a": 1})
    src.tags = ["x", "y"]
    src.nodeX, src.nodeY = 100, -50
    page = src.appendCustomPage("Custom")
    page.appendFloat("Speed")
    src.par.Speed = 2.5
    cp = project1.copy(src)
    assert cp.name == "src1" and cp.id != src.id
    assert cp.op("t").text == "hello" and cp.op("t") is not t
    assert cp.fetch("k") == {"a": 1} and cp.storage["k"] is not src.storage["k"]
    assert cp.tags == {"x", "y"}
    assert (cp.nodeX, cp.nodeY) == (100, -50)
    assert cp.par.Speed.eval() == 2.5
    named = td.op("/local").copy(src, name="other")
    assert named.path == "/local/other"
    with pytest.raises(td.tdError):
        src.copy(src)


def test_find_children(project1):
    a = project1.create(td.baseCOMP, "a")
    t1 = a.create(td.textDAT, "t1")
    inner = a.create(td.baseCOMP, "inner")
    t2 = inner.create(td.textDAT, "t2")
    tab = inner.create(td.tableDAT, "tab")
    t2.tags = ["keep"]
    t1.comment = "first one"
    assert a.findChildren(type=td.textDAT) == [t1, t2]
    assert a.findChildren(depth=1) == [t1, inner]
    assert a.findChildren(maxDepth=1) == [t1, inner]
    assert a.findChildren(name="t*") == [t1, t2, tab]
    assert a.findChildren(tags=["keep"]) == [t2]
    assert a.findChildren(comment="first*") == [t1]
    assert a.findChildren(key=lambda o: o.isCOMP) == [inner]
    assert a.findChildren(path="*/inner/*") == [t2, tab]


def test_tags_layout_and_attributes(project1):
    t = project1.create(td.textDAT)
    assert t.tags == set()
    t.tags = ["a", "b", "a"]
    assert t.tags == {"a", "b"}
    t.tags.add("c")
    assert "c" in t.tags
    t.nodeX = 200
    t.nodeY = -100
    assert (t.nodeX, t.nodeY) == (200, -100)
    with pytest.raises(AttributeError):
        _ = t.noSuchMember
    with pytest.raises(AttributeError):
        t.newAttribute = 1
    assert project1.numChildren == 1 and project1.numChildrenRecursive == 1


def test_not_modelled_members_raise_naming_the_symbol(project1):
    comp = project1.create(td.baseCOMP)
    with pytest.raises(NotImplementedError, match="COMP.save"):
        comp.save("x.tox")
    with pytest.raises(NotImplementedError, match="OP.inputs"):
        _ = comp.inputs


def test_find_children_by_family_class(project1):
    """COMP Class examples: ``findChildren(type=CHOP, ...)``, ``findChildren(type=COMP, ...)``."""
    box = project1.create(td.baseCOMP, "box")
    chop = box.create(td.scriptCHOP, "s")
    dat = box.create(td.textDAT, "t")
    inner = box.create(td.containerCOMP, "inner")
    assert box.findChildren(type=td.CHOP) == [chop]
    assert box.findChildren(type=td.COMP) == [inner]
    assert box.findChildren(type=td.DAT) == [dat] and box.findChildren(type=td.textDAT) == [dat]
    assert set(box.findChildren(type=td.OP)) == {chop, dat, inner}
