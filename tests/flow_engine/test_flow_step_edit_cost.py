"""One step edit: ``FlowDefinition.with_row`` equals a full rebuild, and its work does not grow with the flow."""

from __future__ import annotations

from typing import Any

import flow_engine
import flow_names
import flow_steps
from flow_steps import FlowDefinition
from hypothesis import given, settings
from hypothesis import strategies as st

LABELS = ["A", "B", "b ", "C", "Next", "", "old", "D d"]
ROUTES = ["next", "end", "a", "B", "c", "old", "gone", "d_d", "continue", "", "=ctx.get('x') or 'a'", "=(("]
rows_strategy = st.lists(st.tuples(
    st.sampled_from(LABELS), st.sampled_from([0, -1, 2.0, "x"]), st.sampled_from(ROUTES),
    st.sampled_from([0, 1.0, -3]), st.sampled_from(ROUTES), st.sampled_from(["duration", "tasks", "signal", "?"]),
    st.sampled_from(["", "go"]), st.sampled_from(ROUTES), st.sampled_from([0, 0.5, 5.0])), min_size=1, max_size=7)


def snapshot(defn: FlowDefinition) -> dict[str, Any]:
    """Everything a reader of a definition can see."""
    count = len(defn)
    return {
        "steps": defn.steps, "names": defn.names, "labels": defn.labels, "findings": defn.findings,
        "errors": defn.errors, "warnings": defn.warnings, "runnable": defn.is_runnable,
        "targets": defn.targets, "timeout_targets": defn.timeout_targets, "error_targets": defn.error_targets,
        "resolved": [(defn.resolved_then(i), defn.resolved_ontimeout(i), defn.resolved_onerror(i)) for i in range(count)],
        "loops": defn.instant_loop_steps, "expressions": defn.has_expressions, "rows": defn.rows(),
        "index_of": {name: defn.index_of(name) for name in [*defn.names, "old", "gone", "a"]},
        "successors": [defn.successors(i) for i in range(count)],
        "history": defn.history.entries(), "menu": defn.then_menu(),
    }


@settings(max_examples=400, deadline=None)
@given(rows=rows_strategy, edits=st.lists(st.tuples(st.integers(0, 6), st.sampled_from(range(9)),
                                                    st.sampled_from(LABELS + ROUTES + [0, -1, 3.0, 1.0])),
                                          min_size=1, max_size=4))
def test_an_edited_definition_equals_the_rebuilt_one(rows: list[tuple[Any, ...]],
                                                      edits: list[tuple[int, int, Any]]) -> None:
    history = flow_names.NameHistory([("old", "a")])
    defn = FlowDefinition.from_rows(rows, history)
    for block, position, value in edits:
        block %= len(rows)
        row = list(rows[block])
        row[position] = value
        old_names = list(defn.names)
        rows[block] = tuple(row)
        new_names = [*old_names[:block], flow_steps.step_name(row[0]), *old_names[block + 1:]]
        flow_names.apply_renames(history, old_names, new_names)
        defn = defn.with_row(block, rows[block], history)
        assert snapshot(defn) == snapshot(FlowDefinition.from_rows(rows, history))


def routed_flow(steps: int) -> list[tuple[Any, ...]]:
    """A chain with a few named routes, a duplicate, an unreachable step and an instant loop."""
    rows: list[tuple[Any, ...]] = [(f"Step {i}", -1, "next") for i in range(steps)]
    rows[1] = ("Step 1", -1, "step_3", 2.0, "step_5", "duration", "", "step_7")
    rows[2] = ("Lonely", -1, "missing")
    rows[4] = ("Step 3", 0, "next")
    rows[-2] = ("Spin A", 0, "spin_b")
    rows[-1] = ("Spin B", 0, "spin_a")
    return rows


def edit_cost(steps: int, block: int, label: str) -> int:
    rows = routed_flow(steps)
    history = flow_names.NameHistory()
    defn = FlowDefinition.from_rows(rows, history)
    defn = defn.with_row(block, (f"Warm {block}", *rows[block][1:]), history)  # the first edit indexes the flow
    defn = defn.with_row(block, (label, *rows[block][1:]), history)
    return defn.steps_checked


def test_one_label_edit_checks_the_same_number_of_steps_at_100_and_10000_steps() -> None:
    # In the middle, renaming a step every route reaches by "next"; a step named in a route; an unreachable step.
    for block, label in ((50, "Renamed"), (5, "Step Five"), (2, "Lonelier")):
        small, big = edit_cost(100, block, label), edit_cost(10_000, block, label)
        assert small == big <= 5


def test_the_engine_loads_a_one_row_edit_without_rebuilding_the_flow() -> None:
    rows = routed_flow(10_000)
    engine = flow_engine.FlowEngine(now=lambda: 0.0, frame=lambda: 0)
    engine.load_rows(rows)
    rows[5000] = ("Warm", -1, "next")
    engine.load_rows(rows)
    rows[5000] = ("Renamed", -1, "next")
    definition = engine.load_rows(rows)
    assert definition.steps_checked <= 5
    assert definition.names[5000] == "renamed"
    assert engine.names.resolve("step_5000") == "renamed"
    assert engine.definition.index_of("warm") == 5000


@settings(max_examples=150, deadline=None)
@given(rows=rows_strategy, edits=st.lists(st.tuples(st.integers(0, 6), st.sampled_from(range(9)),
                                                    st.sampled_from(LABELS + ROUTES + [0, -1, 3.0])),
                                          min_size=1, max_size=5))
def test_the_engine_edits_one_row_as_a_full_reload_would(rows: list[tuple[Any, ...]],
                                                        edits: list[tuple[int, int, Any]]) -> None:
    edited = flow_engine.FlowEngine(now=lambda: 0.0, frame=lambda: 0)
    rebuilt = flow_engine.FlowEngine(now=lambda: 0.0, frame=lambda: 0)
    edited.load_rows(rows)
    rebuilt.load_rows(rows)
    for block, position, value in edits:
        block %= len(rows)
        row = list(rows[block])
        row[position] = value
        rows[block] = tuple(row)
        rebuilt._loaded_rows = None  # the full reload
        assert snapshot(edited.load_rows(rows)) == snapshot(rebuilt.load_rows(rows))
        assert edited.names.entries() == rebuilt.names.entries()
