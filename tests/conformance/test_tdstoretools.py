"""TDStoreTools (StorageManager, Depend*) as an extension would use it."""

from __future__ import annotations

import pickle

import pytest
import td
from TDStoreTools import DependDict, DependList, DependSet, StorageManager


def make_ext(comp, **kwargs):
    class CounterExt:
        def __init__(self, ownerComp):
            self.ownerComp = ownerComp
            items = [
                {"name": "Count", "default": 0},
                {"name": "Locked", "default": "x", "readOnly": True},
                {"name": "history", "default": [], "dependable": True},
                {"name": "Hidden", "default": 1, "property": False},
            ]
            self.stored = StorageManager(self, ownerComp, items, **kwargs)

    return CounterExt(comp)


@pytest.fixture
def comp(project1):
    return project1.create(td.baseCOMP, "c")


def test_defaults_properties_and_storage(comp):
    ext = make_ext(comp)
    assert ext.Count == 0 and ext.Locked == "x" and ext.stored["Hidden"] == 1
    assert not hasattr(ext, "Hidden")
    ext.Count += 2
    assert comp.storage["CounterExt"]["Count"] == 2 and ext.stored["Count"] == 2
    with pytest.raises(AttributeError):
        ext.Locked = "y"
    ext.stored["Locked"] = "y"  # read-only only for the property
    assert ext.Locked == "y"
    assert isinstance(ext.history, DependList)
    ext.history.append({"a": [1]})
    assert isinstance(ext.history[0], DependDict) and ext.history.getRaw() == [{"a": [1]}]
    assert sorted(ext.stored) == ["Count", "Hidden", "Locked", "history"] and len(ext.stored) == 4


def test_values_survive_reinit_and_sync(comp):
    ext = make_ext(comp)
    ext.Count = 5
    comp.storage["CounterExt"]["Stale"] = 1
    again = make_ext(comp)
    assert again.Count == 5 and "Stale" not in comp.storage["CounterExt"]
    comp.storage["CounterExt"]["Stale"] = 1
    make_ext(comp, sync=False)
    assert comp.storage["CounterExt"]["Stale"] == 1
    fresh = make_ext(comp, restoreAllDefaults=True)
    assert fresh.Count == 0


def test_restore_defaults_and_locking(comp):
    ext = make_ext(comp)
    ext.Count = 3
    ext.stored.restoreDefault("Count")
    assert ext.Count == 0
    ext.Count = 4
    ext.stored.restoreAllDefaults()
    assert ext.Count == 0
    with pytest.raises(KeyError, match="locked"):
        ext.stored["Other"] = 1
    unlocked = make_ext(comp, locked=False)
    unlocked.stored["Other"] = 1
    assert comp.storage["CounterExt"]["Other"] == 1
    with pytest.raises(td.tdError, match="name"):
        StorageManager(ext, comp, [{"default": 1}])


def test_stored_values_pickle(comp):
    ext = make_ext(comp)
    ext.history.append([1, 2])
    data = pickle.loads(pickle.dumps(comp.storage["CounterExt"]))
    assert data["history"] == [[1, 2]]


def test_depend_collections():
    d = DependDict({"a": {"b": 1}})
    seen = []
    d.myMainDep.callbacks.append(seen.append)
    d["a"]["b"] = 2  # nested change notifies the parent
    assert d.getRaw() == {"a": {"b": 2}} and seen
    d.setItem("raw", {"x": 1}, raw=True)
    assert type(d["raw"]) is dict
    assert d.getDependency("a").val is d["a"]
    lst = DependList([1])
    lst.insert(0, 0)
    lst.append([2], raw=True)
    assert lst.getRaw() == [0, 1, [2]] and lst == [0, 1, [2]] and type(lst[2]) is list
    s = DependSet({1})
    s.add(2)
    s.discard(1)
    assert s == {2} and s == frozenset({2}) and s.getRaw() == {2} and s != {1}
    assert d == DependDict(d.getRaw()) and d != DependList([1]) and lst != DependSet({0, 1})
    assert repr(lst) == "DependList([0, 1, [2]])"


def test_storage_manager_refuses_what_cannot_be_saved(comp, project1):
    """StorageManager Class, "Limitations": not "many TouchDesigner objects, notably Operators ... You will
    get an error if you attempt to store a dis-allowed object"."""
    ext = make_ext(comp)
    with pytest.raises(td.tdError, match="OP|td"):
        ext.Count = project1
    with pytest.raises(td.tdError):
        ext.stored["Count"] = [comp.par.parentshortcut]
    assert ext.Count == 0

    class BadExt:
        def __init__(self, ownerComp):
            self.stored = StorageManager(self, ownerComp, [{"name": "Target", "default": project1}])

    with pytest.raises(td.tdError):
        BadExt(comp)


def test_dependable_collections_have_the_usual_methods():
    """TDStoreTools: the collections "have all the usual methods and members of their core Python
    counterparts"; DependSet documents only getRaw."""
    lst = DependList([3, 1, 2])
    seen = []
    lst.myMainDep.callbacks.append(seen.append)
    lst.sort()
    assert lst.getRaw() == [1, 2, 3] and seen and lst.copy() == [1, 2, 3] and lst + [4] == [1, 2, 3, 4]
    s = DependSet({1, 2})
    assert s.union({3}) == {1, 2, 3} and s.intersection({2, 5}) == {2} and s.difference({1}) == {2}
    s.update({7})
    assert 7 in s and s.copy() == {1, 2, 7} and not hasattr(s, "getDependency")
    d = DependDict({"a": 1})
    assert d.copy() == {"a": 1} and (d | {"b": 2}) == {"a": 1, "b": 2}
