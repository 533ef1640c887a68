"""OP storage: store/fetch/unstore/storeStartupValue with TD's search and missing-key rules."""

from __future__ import annotations

import pytest
import td


def test_store_returns_value_and_fetch_finds_it(project1):
    comp = project1.create(td.baseCOMP)
    assert comp.store("n", 3) == 3
    assert comp.fetch("n") == 3
    assert comp.storage == {"n": 3}
    comp.storage["m"] = 4
    assert comp.fetch("m") == 4


def test_fetch_missing_raises_or_returns_default(project1):
    comp = project1.create(td.baseCOMP)
    with pytest.raises(td.tdError):
        comp.fetch("nope")
    assert comp.fetch("nope", None) is None
    assert "nope" not in comp.storage
    assert comp.fetch("nope", 7, storeDefault=True) == 7
    assert comp.storage["nope"] == 7


def test_fetch_searches_parents_unless_told_not_to(project1):
    project1.store("shared", "top")
    inner = project1.create(td.baseCOMP).create(td.textDAT)
    assert inner.fetch("shared") == "top"
    assert inner.fetchOwner("shared") is project1
    with pytest.raises(td.tdError):
        inner.fetch("shared", search=False)
    assert inner.fetch("shared", "local", search=False) == "local"
    assert inner.fetchOwner("missing") is None


def test_unstore_with_patterns(project1):
    comp = project1.create(td.baseCOMP)
    for k in ("a1", "a2", "b1"):
        comp.store(k, k)
    comp.unstore("a*")
    assert list(comp.storage) == ["b1"]
    comp.unstore("zzz")
    assert list(comp.storage) == ["b1"]


def test_storage_is_not_replaceable(project1):
    comp = project1.create(td.baseCOMP)
    with pytest.raises(AttributeError):
        comp.storage = {}
