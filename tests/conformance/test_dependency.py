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
