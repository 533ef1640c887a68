"""FlowContext: values, change ids, listeners and JSON snapshots."""

from __future__ import annotations

import json
import math
from typing import Any

import hypothesis.strategies as st
import pytest
from flow_context import ContextChange, FlowContext, bounded_repr, jsonable, summarize
from hypothesis import given


def test_set_get_and_default() -> None:
    context = FlowContext()
    assert context.get("missing", 7) == 7
    change = context.set("score", 3)
    assert context.get("score") == 3 and "score" in context and len(context) == 1
    assert change.kind == "set" and change.key == "score" and change.is_new_key
    assert change.payload()["old_value"] is None


def test_change_ids_are_unique_and_increase_across_clears() -> None:
    context = FlowContext(first_change_id=10)
    ids = [context.set("a", 1).change_id, context.set("a", 2).change_id, context.clear().change_id,
           context.set("b", 1).change_id]
    assert ids == [10, 11, 12, 13]
    assert context.last_change_id == 13
    assert list(context) == ["b"]


def test_listeners_see_every_change_with_old_values() -> None:
    context = FlowContext()
    seen: list[ContextChange] = []
    context.add_listener(seen.append)
    context.set("a", 1, source="pulse")
    context.set("a", 2)
    context.clear()
    assert [(c.kind, c.key, c.value, c.source) for c in seen] == [
        ("set", "a", 1, "pulse"), ("set", "a", 2, "api"), ("clear", None, None, "api")]
    assert seen[1].old_value == 1 and seen[2].old_value == {"a": 2}
    context.remove_listener(seen.append)
    context.set("b", 1)
    assert len(seen) == 3


@pytest.mark.parametrize("key", ["", None, 3])
def test_bad_keys_are_refused_clearly(key: Any) -> None:
    with pytest.raises(TypeError, match="Can't Set: the context key must be a non-empty string"):
        FlowContext().set(key, 1)


def test_snapshot_is_json_and_a_copy() -> None:
    context = FlowContext()
    context.set("nums", (1, 2.5, math.nan))
    context.set("obj", object())
    context.set("nested", {1: {"s": {3, 1}}})
    snap = context.snapshot()
    json.dumps(snap)
    assert snap["nums"] == [1, 2.5, "nan"] and snap["nested"] == {"1": {"s": [1, 3]}}
    assert snap["obj"].startswith("<object object")
    snap["nums"].append(9)
    assert context.get("nums")[:2] == (1, 2.5) and len(context.get("nums")) == 3


def test_jsonable_cuts_deep_nesting() -> None:
    deep: list = []
    node = deep
    for _ in range(50):
        node.append([])
        node = node[0]
    result = jsonable(deep)
    json.dumps(result)
    levels = 0
    while isinstance(result, list):
        result, levels = result[0], levels + 1
    assert levels == 33 and result.startswith("[[")  # 32 levels below the top are kept, the rest is a repr


PLAIN_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (st.lists(inner, max_size=6) | st.tuples(inner, inner)
                   | st.dictionaries(st.text(max_size=8), inner, max_size=6)
                   | st.frozensets(st.integers(), max_size=4)),
    max_leaves=40)


@given(value=PLAIN_VALUES, limit=st.integers(3, 120))
def test_bounded_repr_is_repr_when_it_fits_and_never_longer_than_the_limit(value: Any, limit: int) -> None:
    text = bounded_repr(value, limit)
    assert len(text) <= limit
    if len(repr(value)) <= limit:
        assert text == repr(value)
    else:
        assert text.endswith("...")


@given(value=PLAIN_VALUES, items=st.integers(0, 30), chars=st.integers(3, 60))
def test_summarize_copies_a_small_value_and_cuts_a_large_one(value: Any, items: int, chars: int) -> None:
    summary, cut = summarize(value, items, chars)
    if cut:
        assert isinstance(summary, str) and len(summary) <= chars
    else:
        assert summary == jsonable(value)
