"""tdu.Dependency through the public td API."""

from __future__ import annotations

import td


def test_val_peek_and_callbacks():
    dep = td.tdu.Dependency(1)
    seen = []
    dep.callbacks.append(lambda info: seen.append((info["dependency"], info["prevVal"], info["callback"])))
    assert dep.val == 1 and dep.peekVal == 1 and dep.ops == []
    dep.val = 2
    assert seen == [(dep, 1, dep.callbacks[0])] and dep.val == 2


def test_modified_after_in_place_change():
    dep = td.tdu.Dependency([])
    calls = []
    dep.callbacks.append(calls.append)
    dep.val.append(3)
    assert calls == []  # mutating contents does not notify by itself
    dep.modified()
    assert len(calls) == 1 and calls[0]["prevVal"] == [3]


def test_default_value_is_none():
    assert td.tdu.Dependency().val is None


def test_set_val_items_and_casting():
    """Dependency Class: ``setVal(val, setInfo=None)``, ``dep[key]`` on wrapped lists and dicts, and "the
    Dependency object will cast itself to its underlying value in most cases"."""
    dep = td.tdu.Dependency(2)
    infos = []
    dep.callbacks.append(infos.append)
    dep.setVal(3, setInfo="why")
    assert dep.val == 3 and infos[-1]["prevVal"] == 2 and infos[-1]["setInfo"] == "why"
    assert dep + 1 == 4 and 10 - dep == 7 and dep * dep == 9 and dep > 2 and float(dep) == 3.0
    assert td.tdu.Dependency({"fred": 33})["fred"] == 33
    assert td.tdu.Dependency(["a", "d", "g"])[2] == "g"
