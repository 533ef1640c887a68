"""Page, appendCustomPage and every Page.appendXxx through the public td API."""

from __future__ import annotations

import pytest
import td

APPENDERS = [
    "Float", "Int", "Str", "StrMenu", "Menu", "Toggle", "Pulse", "Momentary", "Header", "Python", "File",
    "FileSave", "Folder", "OP", "COMP", "Object", "PanelCOMP", "TOP", "CHOP", "SOP", "POP", "MAT", "DAT",
]
VECTORS = {"XY": "xy", "XYZ": "xyz", "XYZW": "xyzw", "WH": "wh", "UV": "uv", "UVW": "uvw", "RGB": "rgb",
           "RGBA": "rgba"}


@pytest.fixture
def comp(project1):
    return project1.create(td.baseCOMP, "c")


@pytest.mark.parametrize("style", APPENDERS)
def test_every_single_append_returns_a_pargroup(comp, style):
    page = comp.appendCustomPage("P")
    group = getattr(page, "append" + style)("Thing", label="The thing")
    assert type(group).__name__ == "ParGroup"
    assert len(group) == 1 and group[0].name == "Thing" and group[0].style == style
    assert group.label == "The thing" and group[0].page is page
    assert comp.par.Thing.isSamePar(group[0])


@pytest.mark.parametrize("style", sorted(VECTORS))
def test_vector_appends_name_their_elements(comp, style):
    group = getattr(comp.appendCustomPage("P"), "append" + style)("Vec")
    assert [p.name for p in group] == ["Vec" + s for s in VECTORS[style]]
    assert all(p.isFloat for p in group)


def test_size_names_start_at_one(comp):
    page = comp.appendCustomPage("P")
    assert [p.name for p in page.appendInt("Count", size=2)] == ["Count1", "Count2"]
    assert [p.name for p in page.appendFloat("Single", size=1)] == ["Single"]


@pytest.mark.parametrize("bad", ["speed", "MySpeed", "Speed_2", "2speed", "Sp eed", "", "Ünits"])
def test_custom_name_rule_is_enforced(comp, bad):
    page = comp.appendCustomPage("P")
    with pytest.raises(td.tdError, match="uppercase letter followed only by lowercase"):
        page.appendFloat(bad)
    with pytest.raises(td.tdError):
        page.appendSequence(bad)
    assert comp.customPars == []


def test_label_defaults_to_name(comp):
    assert comp.appendCustomPage("P").appendStr("Title").label == "Title"


def test_replace_true_gives_fresh_par_in_the_same_place(comp):
    page = comp.appendCustomPage("P")
    page.appendFloat("A")
    old = page.appendFloat("B")[0]
    page.appendFloat("C")
    old.val = 5
    new = page.appendStr("B")[0]
    assert [p.name for p in page.pars] == ["A", "B", "C"]
    assert not old.valid and new.style == "Str" and new.eval() == ""
    assert comp.par.B.isSamePar(new)


def test_replace_false_raises_if_the_name_exists(comp):
    page = comp.appendCustomPage("P")
    page.appendFloat("A")
    with pytest.raises(td.tdError, match="already exists"):
        page.appendFloat("A", replace=False)
    with pytest.raises(td.tdError, match="already exists"):
        comp.appendCustomPage("Q").appendToggle("A", replace=False)
    assert len(comp.customPars) == 1


def test_order_places_the_par(comp):
    page = comp.appendCustomPage("P")
    page.appendFloat("A")
    page.appendFloat("B")
    page.appendFloat("First", order=0)
    assert [p.name for p in page.pars] == ["First", "A", "B"]
    assert comp.par.A.order == 1


def test_page_list_behaviour_and_members(comp):
    page = comp.appendCustomPage("Main")
    page.appendFloat("A")
    page.appendXY("Pos")
    assert len(page) == 3 and page[0].name == "A" and page[2].name == "Posy"
    assert [p.name for p in page] == ["A", "Posx", "Posy"]
    assert [g.name for g in page.parGroups] == ["A", "Pos"]
    assert page.name == "Main" and page.owner is comp and page.isCustom and page.index == 0
    second = comp.appendCustomPage("Second")
    assert second.index == 1 and [p.name for p in comp.customPages] == ["Main", "Second"]
    page.name = "Renamed"
    assert comp.customPages[0].name == "Renamed"
    common = next(p for p in comp.pages if p.name == "Common")
    assert not common.isCustom and "opshortcut" in [p.name for p in common.pars]
    with pytest.raises(td.tdError, match="custom pages"):
        common.appendFloat("X")


def test_page_sort_reset_and_destroy(comp):
    page = comp.appendCustomPage("P")
    for name in ("A", "B", "C"):
        page.appendFloat(name)
    page.sort("C", "A")
    assert [p.name for p in page.pars] == ["C", "A", "B"]
    comp.par.B = 4
    assert page.resetPars() is True and comp.par.B.eval() == 0
    held = comp.par.A
    page.destroy()
    assert comp.customPages == [] and comp.par["A"] is None and not held.valid


def test_destroy_custom_pars_and_sort_custom_pages(comp):
    comp.appendCustomPage("One").appendFloat("A", size=2)
    comp.appendCustomPage("Two").appendFloat("B")
    comp.sortCustomPages("Two")
    assert [p.name for p in comp.customPages] == ["Two", "One"]
    assert comp.destroyCustomPars() == 3
    assert comp.customPages == [] and comp.customPars == []
    assert comp.par.opshortcut is not None  # built-ins stay


def test_append_par_group_copies_and_normalises(comp):
    page = comp.appendCustomPage("P")
    source = page.appendMenu("Mode")
    source.menuNames = ["a", "b"]
    source[0].val = "b"
    copy = page.appendParGroup("my_mode", source)
    assert copy.name == "Mymode" and copy[0].menuNames == ["a", "b"] and copy[0].eval() == "b"


def test_append_par_normalises_built_in_names(project1, comp):
    """Page Class, appendPar: "Built-in names can be used as they will be automatically adjusted to match
    proper custom name casing"."""
    page = comp.appendCustomPage("P")
    source = project1.create(td.textDAT, "t").par.syncfile
    copy = page.appendPar("syncfile", source)
    assert copy.name == "Syncfile" and copy[0].isToggle
    assert page.appendPar("speed").name == "Speed"


def test_script_chop_has_custom_pages(project1):
    chop = project1.create(td.scriptCHOP, "s")
    chop.appendCustomPage("Custom").appendFloat("Gain")
    assert chop.par.Gain.eval() == 0.0
