"""TDFunctions.createProperty and the other modelled TDFunctions members."""

from __future__ import annotations

import pytest
import td
import TDFunctions as TDF
from TDStoreTools import DependDict


def test_create_property_on_the_class():
    class Ext:
        def __init__(self):
            TDF.createProperty(self, "Speed", value=1)
            TDF.createProperty(self, "Fixed", value="f", readOnly=True)
            TDF.createProperty(self, "Plain", value=2, dependable=False, attributeName="_plain")
            TDF.createProperty(self, "Deep", value={"a": 1}, dependable="deep")

    ext = Ext()
    assert isinstance(Ext.__dict__["Speed"], property)
    assert ext.Speed == 1 and isinstance(ext._Speed, td.tdu.Dependency)
    ext.Speed = 3
    assert ext._Speed.val == 3
    with pytest.raises(AttributeError):
        ext.Fixed = "x"
    ext._Fixed.val = "x"
    assert ext.Fixed == "x"
    assert ext.Plain == 2 and ext._plain == 2
    ext.Plain = 5
    assert ext._plain == 5
    assert isinstance(ext.Deep, DependDict) and ext.Deep.getRaw() == {"a": 1}
    other = Ext()
    assert other.Speed == 1  # each instance keeps its own value


def test_helpers(project1):
    box = project1.create(td.baseCOMP, "box")
    inner = box.create(td.textDAT, "t")
    assert TDF.parentLevel(box, inner) == 1 and TDF.parentLevel(inner, box) is None
    assert TDF.sharedParent(inner, box) is box
    assert TDF.clamp(5, 0, 2) == 2
    page = box.appendCustomPage("P")
    assert TDF.getCustomPage(box, "P") is page and TDF.getCustomPage(box, "Q") is None
    with pytest.raises(NotImplementedError, match="TDFunctions.arrangeNode"):
        TDF.arrangeNode  # noqa: B018


def test_shared_parent_is_none_at_root(project1):
    """TDFunctions: sharedParent "Returns None if root is result"."""
    assert TDF.sharedParent(project1, td.op("/local")) is None
    box = project1.create(td.baseCOMP, "box")
    assert TDF.sharedParent(box.create(td.textDAT, "a"), box.create(td.textDAT, "b")) is box


def test_menu_label_and_par_string_helpers(project1):
    comp = project1.create(td.baseCOMP, "c")
    menu = comp.appendCustomPage("P").appendMenu("Mode")[0]
    menu.menuNames = ["a", "b"]
    menu.menuLabels = ["Apple", "Banana"]
    TDF.setMenuLabel(menu, "Banana")
    assert menu.eval() == "b" and TDF.getMenuLabel(menu) == "Banana"
    with pytest.raises(ValueError):
        TDF.setMenuLabel(menu, "Cherry")
    assert TDF.listToParString([1, "a", 2.5]) == "1 a 2.5"
    assert TDF.parStringToIntList("1 2  3") == [1, 2, 3]
    assert TDF.multiMatch("a* -ab*", ["abc", "axe", "b"]) == ["axe"]
    assert TDF.multiMatch("a* -ab*", ["abc"], useMinus=False) == ["abc"]
    assert TDF.multiMatch("A*", ["abc"], caseSensitive=False) == ["abc"]
    assert isinstance(TDF.makeDeepDependable(5), td.tdu.Dependency)
    for name in ("formatString", "messageDialog", "panelParentShortcut", "changeParStyle"):
        with pytest.raises(NotImplementedError, match=f"TDFunctions.{name}"):
            getattr(TDF, name)
