"""The step fields of issue 13 (until, signal, onerror, alert): rows, checks naming the step, the graph,
and the end alert (onStepEndAlert) with pauses and hand-overs."""

from __future__ import annotations

import json
from typing import Any

import flow_graph
import pytest
from flow_steps import FlowDefinition, StepDef

SHOW = [("Intro", 5.0, "next", 0, "next", "duration", "", "continue", 1.0), ("Main", -1)]


def codes(definition: FlowDefinition) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.code, f.steps) for f in definition.findings]


# ------------------------------------------------------------------------------------------- rows
def test_rows_take_the_new_fields_in_every_shape_and_round_trip() -> None:
    defn = FlowDefinition.from_rows([
        ("A", -1), ("B", 0, "next", 0, "next", "Tasks", "", "end"),
        {"label": "C", "duration": -1, "until": "signal", "signal": ["go", "stop"], "alert": "0"},
        StepDef("D", 2.0, "next", 0, "next", "duration", "", "a", 0.5)])
    assert defn.errors == ()
    assert [(s.kind, s.until, s.signals, s.onerror, s.alert) for s in defn.steps] == [
        ("wait", "duration", (), "continue", 0.0), ("tasks", "tasks", (), "end", 0.0),
        ("signal", "signal", ("go", "stop"), "continue", 0.0), ("timed", "duration", (), "a", 0.5)]
    assert [s.step_type for s in defn.steps] == ["wait", "tasks", "signal", "auto"]
    assert defn.rows()[3] == ("D", 2.0, "next", 0.0, "next", "duration", "", "a", 0.5)
    assert FlowDefinition.from_rows(defn.rows()).rows() == defn.rows()
    assert defn.resolved_onerror(0) == "continue" and defn.error_targets == (None, None, None, 0)
    assert defn.onerror_menu()[0][:3] == ["continue", "next", "end"]


def test_the_new_fields_are_checked_with_messages_naming_the_step() -> None:
    defn = FlowDefinition.from_rows([
        ("A", -1, "next", 0, "next", "forever"), ("B", -1, "next", 0, "next", "signal", ""),
        ("C", -1, "next", 0, "next", "duration", "", "nowhere"), ("D", 3.0, "next", 0, "next", "duration", "", "c",
                                                                    "soon"),
        ("E", -1, "='x' if ctx['a'] else", 0)])
    errors = {f.code: f.message for f in defn.errors}
    assert errors["invalid_until"] == "Step 'a' (block 0) has until 'forever'; use 'duration', 'tasks' or 'signal'"
    assert errors["no_signal"].startswith("Step 'b' (block 1) waits for a signal (until 'signal') but names none")
    assert errors["unknown_onerror"].startswith("Step 'c' (block 2) has onerror 'nowhere', but no step has that name")
    assert errors["invalid_alert"] == ("Step 'd' (block 3) has alert 'soon'; use 0 (no alert) or a number of "
                                       "seconds above 0")
    assert "Step 'e' then expression" in errors["invalid_route"] and "(block 4)" in errors["invalid_route"]
    assert not defn.is_runnable


def test_warnings_for_fields_that_do_nothing() -> None:
    defn = FlowDefinition.from_rows([
        ("A", -1, "next", 0, "next", "duration", "go"), ("B", 4.0, "next", 0, "next", "tasks"),
        ("C", -1, "next", 0, "next", "duration", "", "continue", 2.0),
        ("D", 2.0, "next", 0, "next", "duration", "", "continue", 2.0)])
    assert codes(defn) == [("signal_unused", ("a",)), ("duration_unused", ("b",)), ("alert_unused", ("c",)),
                           ("alert_too_long", ("d",))]
    assert defn.is_runnable


def test_error_routes_and_expressions_count_for_reachability() -> None:
    fallback = FlowDefinition.from_rows([("A", -1, "end", 0, "next", "duration", "", "safe"), ("Safe", -1)])
    assert "unreachable" not in [f.code for f in fallback.findings]
    branch = FlowDefinition.from_rows([("A", -1, "='c' if ctx.get('x') else 'end'"), ("B", -1), ("C", -1)])
    assert [f.steps for f in branch.findings if f.code == "unreachable"] == [("b",)]
    assert branch.successors(0) == (2, None)
    unknown = FlowDefinition.from_rows([("A", -1, "=ctx['where']"), ("B", -1), ("C", -1)])
    assert "unreachable" not in [f.code for f in unknown.findings]
    assert unknown.expression(0, "then") == "ctx['where']" and unknown.expression(1, "then") is None


# ------------------------------------------------------------------------------------------- graph
def test_the_graph_draws_error_and_conditional_edges_and_waits_on_the_nodes() -> None:
    defn = FlowDefinition.from_rows([
        ("Attract", -1, "next", 0, "next", "signal", "visitor"),
        ("Load", 0, "next", 0, "next", "tasks", "", "safe"),
        ("Review", -1, "='publish' if ctx['score'] > 0.8 else 'retry'"),
        ("Retry", 0, "=ctx['where']"), ("Publish", 3.0, "end", 0, "next", "duration", "", "end", 1.0),
        ("Safe", -1, "end")])
    graph = flow_graph.build_graph(defn)
    edges = {(e.source, e.target, e.kind) for e in graph.edges}
    assert ("load", "safe", "error") in edges and ("publish", "__end__", "error") in edges
    assert ("review", "publish", "conditional") in edges and ("review", "retry", "conditional") in edges
    assert ("retry", "__unknown__", "conditional") in edges
    assert [n.id for n in graph.nodes][-2:] == ["__unknown__", "__end__"]
    attract = graph.node("attract")
    assert (attract.type, attract.until, attract.signals) == ("signal", "signal", ("visitor",))
    assert graph.node("load").type == "tasks" and graph.node("publish").alert == 1.0
    data = graph.as_dict()
    json.dumps(data)
    conditional = [e for e in data["edges"] if e["kind"] == "conditional"][0]
    assert conditional == {"from": "review", "to": "publish", "kind": "conditional", "field": "then",
                           "expression": "'publish' if ctx['score'] > 0.8 else 'retry'"}


# ------------------------------------------------------------------------------------------- alert
def alerts(h: Any) -> list[dict[str, Any]]:
    return [i for n, i in h.calls if n == "onStepEndAlert"]


def test_the_alert_fires_that_long_before_a_timed_step_ends(harness: Any) -> None:
    h = harness(SHOW)
    h.engine.start()
    assert h.engine.next_due == 4.0
    h.advance(3.9, frames=39)
    assert alerts(h) == []
    h.advance(0.1)
    (info,) = alerts(h)
    assert (info["step_name"], info["remaining"], info["alert"], info["duration"]) == ("intro", pytest.approx(1.0),
                                                                                     1.0, 5.0)
    assert h.engine.next_due == 5.0
    h.advance(1.0, frames=10)
    assert h.engine.current_step_name == "main" and len(alerts(h)) == 1
    assert h.names().index("onStepEndAlert") < h.names().index("onStepExit")


def test_the_alert_counts_active_time_across_a_pause(harness: Any) -> None:
    h = harness(SHOW)
    h.engine.start()
    h.advance(2.0, frames=2)
    h.engine.pause()
    h.advance(30.0, frames=30)
    assert alerts(h) == []
    h.engine.resume()
    h.advance(1.9, frames=19)
    assert alerts(h) == []
    h.advance(0.1)
    assert len(alerts(h)) == 1 and alerts(h)[0]["remaining"] == pytest.approx(1.0)


def test_wait_for_continue_cancels_the_alert(harness: Any) -> None:
    h = harness(SHOW)
    h.engine.start()
    h.engine.wait_for_continue()
    h.advance(10.0, frames=10)
    assert alerts(h) == [] and h.engine.current_step_name == "intro"


def test_after_a_restore_the_alert_counts_from_the_remaining_time(harness: Any) -> None:
    h = harness(SHOW)
    h.engine.start()
    h.advance(2.0, frames=2)
    state = h.engine.journal_state()
    new = harness(SHOW)
    report = new.engine.import_run(state, source="restore")
    assert report.remaining == pytest.approx(3.0) and new.engine.next_due == pytest.approx(new.time + 2.0)
    new.advance(2.0, frames=2)
    assert len(alerts(new)) == 1
    late = harness(SHOW)
    state["timer"] = {"duration": 5.0, "elapsed": 4.5}
    late.engine.import_run(state, source="restore")
    late.advance()
    assert len(alerts(late)) == 1 and alerts(late)[0]["remaining"] == pytest.approx(0.5)


def test_a_reinit_after_the_alert_does_not_fire_it_again(harness: Any) -> None:
    h = harness(SHOW)
    h.engine.start()
    h.advance(4.5, frames=45)
    assert len(alerts(h)) == 1
    new = harness(SHOW)
    new.time, new.frame_no = h.time, h.frame_no
    new.engine.import_run(h.engine.export_run())
    new.advance(0.4, frames=4)
    assert alerts(new) == [] and new.engine.current_step_name == "intro"
    new.advance(0.1)
    assert new.engine.current_step_name == "main"
