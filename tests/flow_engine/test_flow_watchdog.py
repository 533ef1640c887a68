"""Watchdog timeouts (a step still current after ``timeout`` seconds leaves by ``ontimeout``), their
definition checks and graph edges, and timed steps that last exactly their frames."""

from __future__ import annotations

from typing import Any

import flow_engine
import flow_graph
import flow_steps
import pytest
from flow_engine import FlowStatus
from flow_steps import FlowDefinition
from hypothesis import given
from hypothesis import strategies as st

KIOSK = [("Attract", 5.0, "attract"), ("Visitor", -1, "next", 60.0, "attract"), ("Thanks", 3.0, "attract")]


def test_no_visitor_for_60_seconds_goes_back_to_the_attract_loop(harness: Any) -> None:
    h = harness(KIOSK)
    h.engine.start()
    h.engine.go_to_step("visitor")  # a visitor walks in
    h.clear()
    h.advance(59.9, frames=599)
    assert h.engine.current_step_name == "visitor"
    h.advance(0.1)
    assert h.engine.current_step_name == "attract"
    assert h.names() == ["onStepTimeout", "onStepExit", "onNextStep", "onStepEnter"]
    info = h.calls[0][1]
    assert {k: info[k] for k in ("step_name", "timeout", "ontimeout", "next_step_name", "source")} == {
        "step_name": "visitor", "timeout": 60.0, "ontimeout": "attract", "next_step_name": "attract",
        "source": "timeout"}
    assert info["elapsed"] == pytest.approx(60.0)
    assert h.calls[1][1]["reason"] == "timeout" and h.calls[2][1]["transition"] == "timeout"


def test_a_visitor_in_time_cancels_the_watchdog(harness: Any) -> None:
    h = harness(KIOSK)
    h.engine.start()
    h.engine.go_to_step("visitor")
    h.advance(30.0, frames=30)
    h.go()
    h.advance(40.0, frames=40)
    assert "onStepTimeout" not in h.names()


def test_paused_time_does_not_count(harness: Any) -> None:
    h = harness(KIOSK)
    h.engine.start()
    h.engine.go_to_step("visitor")
    h.advance(50.0, frames=50)
    h.engine.pause()
    h.advance(100.0, frames=100)
    h.engine.resume()
    h.advance(9.0, frames=9)
    assert h.engine.current_step_name == "visitor"
    h.advance(1.0)
    assert h.engine.current_step_name == "attract"


def test_a_step_held_by_wait_for_continue_times_out(harness: Any) -> None:
    h = harness([("Load", 0, "next", 2.0, "end"), ("Play", -1)])
    h.dat["onStepEnter"] = lambda info: h.engine.wait_for_continue() if info["step_name"] == "load" else None
    h.engine.start()
    h.advance(1.9, frames=19)
    assert h.engine.current_step_name == "load" and h.engine.state.waiting
    h.advance(0.1)
    assert h.engine.state.status is FlowStatus.COMPLETED
    finish = [i for n, i in h.calls if n == "onFlowFinish"][0]
    assert finish["result_type"] == "success" and finish["source"] == "timeout"


def test_a_timer_due_first_wins_over_the_watchdog(harness: Any) -> None:
    h = harness([("A", 1.0, "next", 1.0, "c"), ("B", -1), ("C", -1)])
    h.engine.start()
    h.advance(1.0)
    assert h.engine.current_step_name == "b" and "onStepTimeout" not in h.names()


def test_taking_the_timeout_away_while_running_disarms_it(harness: Any) -> None:
    h = harness([("A", -1, "next", 1.0, "end"), ("B", -1)])
    h.engine.start()
    h.engine.load_rows([("A", -1), ("B", -1)])
    assert h.engine.next_due is None
    h.advance(5.0)
    assert h.engine.current_step_name == "a"
    h.engine.load_rows([("A", -1, "next", 6.0, "b"), ("B", -1)])  # counts from the entry
    h.advance(0.9)
    assert h.engine.current_step_name == "a"
    h.advance(0.1)
    assert h.engine.current_step_name == "b"


def test_next_due_is_the_earlier_of_timer_and_watchdog(harness: Any) -> None:
    h = harness([("A", 5.0, "next", 2.0, "end"), ("B", -1, "next", 3.0)])
    h.engine.start()
    assert h.engine.next_due == 2.0
    h.engine.go_to_step("b")
    assert h.engine.next_due == 3.0


def test_timeouts_are_checked_when_the_definition_is_built() -> None:
    defn = FlowDefinition.from_rows([("A", -1, "next", "soon"), ("B", -1, "next", -2.0), ("C", -1, "next", 5, "zzz"),
                                     ("D", -1, "next", 0, "zzz")])
    codes = [(f.code, f.steps) for f in defn.errors]
    assert codes == [("unknown_ontimeout", ("c",)), ("invalid_timeout", ("a",)), ("invalid_timeout", ("b",))]
    assert "has timeout 'soon'; use 0 (no watchdog)" in defn.errors[1].message
    assert "has ontimeout 'zzz', but no step has that name" in defn.errors[0].message
    assert not defn.is_runnable


def test_step_rows_take_timeouts_in_every_shape() -> None:
    defn = FlowDefinition.from_rows([
        ("A", -1), ("B", -1, "next", 2.5), {"label": "C", "duration": -1, "timeout": "4", "ontimeout": "A"},
        flow_steps.StepDef("D", 1.0, "end", 3.0, "b"), ("E", -1, "next", None, None)])
    assert defn.errors == ()
    assert [(s.timeout, s.ontimeout) for s in defn.steps] == [(0.0, "next"), (2.5, "next"), (4.0, "A"), (3.0, "b"),
                                                              (0.0, "next")]
    assert defn.timeout_targets == (None, 2, 0, 1, None)
    assert defn.rows()[2][:5] == ("C", -1.0, "next", 4.0, "a")
    assert FlowDefinition.from_rows(defn.rows()).rows() == defn.rows()


def test_ontimeout_resolves_old_names_and_counts_for_reachability() -> None:
    defn = FlowDefinition.from_rows([("Attract", 1.0, "attract", 0), ("Visitor", -1, "end", 10, "old_attract")],
                                    flow_steps.flow_names.NameHistory({"old_attract": "attract"}))
    assert defn.resolved_ontimeout(1) == "attract" and defn.timeout_targets[1] == 0
    unreachable = FlowDefinition.from_rows([("A", -1, "end", 5, "c"), ("B", -1), ("C", -1)])
    assert [f.steps for f in unreachable.warnings if f.code == "unreachable"] == [("b",)]


def test_the_graph_draws_timeout_edges() -> None:
    graph = flow_graph.build_graph(FlowDefinition.from_rows(KIOSK + [("Last", -1, "next", 9, "next")]))
    edges = {(e.source, e.target, e.kind) for e in graph.edges}
    assert ("visitor", "attract", "timeout") in edges and ("visitor", "thanks", "next") in edges
    assert ("last", "__end__", "timeout") in edges and ("last", "__end__", "end") in edges
    assert graph.node("visitor").timeout == 60.0 and graph.node("attract").as_dict()["timeout"] == 0.0


@given(fps=st.sampled_from([20, 24, 25, 30, 50, 60]), start=st.integers(0, 100_000),
       frames=st.integers(1, 12))
def test_a_timed_step_lasts_exactly_its_frames(fps: int, start: int, frames: int) -> None:
    """A step of ``frames / fps`` seconds, with TD time = frame / fps, lasts ``frames`` frames (float
    rounding never adds one: at 20 fps a 0.1 s step lasts 2 frames, not 3)."""
    clock = {"frame": start}
    duration = frames / fps
    engine = flow_engine.FlowEngine(FlowDefinition.from_rows([("A", duration, "b"), ("B", duration, "a")]),
                                    now=lambda: clock["frame"] / fps, frame=lambda: clock["frame"])
    entered: list[int] = []
    engine.add_event_listener(lambda e: entered.append(e.frame) if e.event == "step_enter" else None)
    engine.start()
    for _ in range(frames * 6):
        clock["frame"] += 1
        engine.tick()
    assert [b - a for a, b in zip(entered, entered[1:], strict=False)] == [frames] * 6


def test_at_20_fps_a_tenth_of_a_second_is_two_frames_from_any_start() -> None:
    for start in range(400):
        clock = {"frame": start}
        engine = flow_engine.FlowEngine(FlowDefinition.from_rows([("A", 0.1, "b"), ("B", 0.1, "a")]),
                                        now=lambda clock=clock: clock["frame"] / 20, frame=lambda clock=clock: clock["frame"])
        entered: list[int] = []
        engine.add_event_listener(lambda e, entered=entered: entered.append(e.frame) if e.event == "step_enter" else None)
        engine.start()
        for _ in range(20):
            clock["frame"] += 1
            engine.tick()
        assert {b - a for a, b in zip(entered, entered[1:], strict=False)} == {2}, start
