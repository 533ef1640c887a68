"""A GO that never skips: NextStep from outside callbacks advances at most once per frame (and per
go_debounce seconds), ``expect`` pins it to a step, and calls while not running are notes, not errors."""

from __future__ import annotations

from typing import Any

import flow_callbacks
import flow_engine
import flow_steps
import pytest
from flow_engine import FlowError, FlowStatus
from hypothesis import given, settings
from hypothesis import strategies as st

FOUR = [("Attract", -1), ("Intro", -1), ("Show", -1), ("Outro", -1)]


def ignored_notes(engine: Any) -> list[dict[str, Any]]:
    return [e.data for e in engine.history.events("ignored") if e.data["action"] == "next_step"]


def test_a_flood_of_1000_calls_in_one_frame_advances_exactly_one_step(harness: Any) -> None:
    h = harness(FOUR)
    h.engine.start()
    h.advance()
    results = [h.engine.next_step(source="sensor") for _ in range(1000)]
    assert results == [True] + [False] * 999
    assert h.entered() == ["attract", "intro"] and h.script_errors == []
    (note,) = ignored_notes(h.engine)  # one history event for the whole flood, not 999
    assert note["count"] == 999 and "already advanced the flow in this frame" in note["reason"]
    h.advance()
    assert h.engine.next_step() is True and h.engine.current_step_name == "show"


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D", "E"]), st.sampled_from([-1.0, 0.0, 0.5]),
                               st.sampled_from(["next", "end", "a", "c"])), min_size=1, max_size=5),
       floods=st.lists(st.integers(0, 50), min_size=1, max_size=6),
       expect=st.none() | st.sampled_from(["a", "b"]), debounce=st.sampled_from([0.0, 0.05, 0.2]))
def test_any_flood_of_outside_calls_in_one_frame_advances_at_most_one_step(
        rows: list[tuple[str, float, str]], floods: list[int], expect: str | None, debounce: float) -> None:
    definition = flow_steps.FlowDefinition.from_rows(rows)
    if not definition.is_runnable or (expect is not None and definition.index_of(expect) is None):
        return
    clock = {"frame": 1}
    engine = flow_engine.FlowEngine(definition, now=lambda: clock["frame"] / 60, frame=lambda: clock["frame"],
                                    go_debounce=debounce)
    moved_by_go: list[int] = []
    engine.add_event_listener(lambda e: moved_by_go.append(e.frame)
                              if e.event == "step_exit" and e.source == "go" else None)
    engine.start()
    for flood in floods:
        clock["frame"] += 1
        engine.tick()
        before = len(moved_by_go)
        advanced = sum(engine.next_step(expect, source="go") for _ in range(flood))
        # An advance runs at once, or (behind a runaway loop's next frame) is queued for its step entry.
        assert advanced <= 1 and len(moved_by_go) - before <= advanced
    assert len(moved_by_go) == len(set(moved_by_go))  # never two GO advances in one frame


def test_godebounce_sets_a_minimum_interval_in_td_time(harness: Any) -> None:
    h = harness(FOUR, go_debounce=0.5)
    h.engine.start()
    h.advance(0.1)
    assert h.engine.next_step() is True
    h.advance(0.3, frames=3)
    assert h.engine.next_step() is False
    assert "within Godebounce (0.5 s)" in ignored_notes(h.engine)[-1]["reason"]
    h.advance(0.2, frames=2)  # exactly 0.5 s after the last advance, float rounding or not
    assert h.engine.next_step() is True and h.engine.current_step_name == "show"


def test_godebounce_at_20_fps_allows_every_second_frame() -> None:
    clock = {"frame": 3}
    engine = flow_engine.FlowEngine(flow_steps.FlowDefinition.from_rows([(f"S{i}", -1) for i in range(40)]),
                                    now=lambda: clock["frame"] / 20, frame=lambda: clock["frame"], go_debounce=0.1)
    engine.start()
    accepted = []
    for _ in range(30):
        clock["frame"] += 1
        accepted.append(engine.next_step())
    assert accepted == [True, False] * 15


def test_expect_advances_only_from_the_named_step(harness: Any) -> None:
    h = harness(FOUR)
    h.engine.start()
    h.advance()
    assert h.engine.next_step(expect="intro") is False and h.engine.current_step_name == "attract"
    assert ignored_notes(h.engine)[-1]["reason"] == "expected step 'intro', but the current step is 'attract'"
    assert h.engine.next_step(expect="Attract") is True  # a label works too
    h.advance()
    h.engine.load_rows([("Attract", -1), ("Welcome", -1), ("Show", -1), ("Outro", -1)])
    assert h.engine.next_step(expect="intro") is True  # the old name of 'welcome'
    assert h.engine.current_step_name == "show"
    with pytest.raises(FlowError, match="Can't NextStep: expect='nope' names no step; steps are: attract, "):
        h.engine.next_step(expect="nope")


def test_a_cue_that_must_not_skip(harness: Any) -> None:
    """Two operators press GO for 'intro' in different frames: the second press does not skip 'show'."""
    h = harness(FOUR)
    h.engine.start()
    h.go()
    assert h.engine.current_step_name == "intro"
    assert h.go(expect="intro") is True
    assert h.go(expect="intro") is False and h.engine.current_step_name == "show"


@pytest.mark.parametrize("finished", [False, True])
def test_next_step_while_not_running_returns_false_with_a_note(harness: Any, finished: bool) -> None:
    h = harness(FOUR)
    if finished:
        h.engine.start()
        h.engine.finish()
    h.clear()
    assert h.engine.next_step(source="button") is False
    assert h.engine.next_step(source="button") is False
    assert h.calls == [] and h.script_errors == []
    (note,) = ignored_notes(h.engine)
    status = "Completed" if finished else "Ready"
    assert note == {"action": "next_step", "reason": f"the flow is not running (status {status})", "entry": None,
                    "count": 2}


def test_inside_callbacks_next_step_keeps_run_to_completion_and_scoping(harness: Any) -> None:
    h = harness([(f"S{i}", -1) for i in range(6)])
    h.dat["onStepEnter"] = lambda info: (h.engine.next_step(), h.engine.next_step())
    h.engine.start()
    # Every step's onStepEnter advances once (the second call belongs to a finished entry), all in one frame.
    assert h.entered() == [f"s{i}" for i in range(6)] and h.engine.state.status is FlowStatus.COMPLETED
    assert {e.frame for e in h.engine.history.events("step_enter")} == {h.frame_no}


def test_a_call_inside_a_callback_returns_true_for_its_queued_advance(harness: Any) -> None:
    h = harness(FOUR)
    returned: list[bool] = []
    h.dat["onWaitForContinue"] = lambda info: returned.append(h.engine.next_step()) if info["step_index"] == 0 else None
    h.engine.start()
    assert returned == [True] and h.engine.current_step_name == "intro"


def test_the_guard_can_be_switched_off_and_refuses_bad_values(harness: Any) -> None:
    h = harness(FOUR, go_debounce=None)
    h.engine.start()
    assert [h.engine.next_step() for _ in range(3)] == [True, True, True]
    assert h.engine.current_step_name == "outro"
    for bad in (-1, True, "0.1", float("nan"), float("inf")):
        with pytest.raises(ValueError, match="go_debounce must be a number of seconds"):
            h.engine.go_debounce = bad
    h.engine.go_debounce = 0.25
    assert h.engine.go_debounce == 0.25


def test_the_default_guard_is_one_advance_per_frame() -> None:
    engine = flow_engine.FlowEngine(flow_steps.FlowDefinition.from_rows(FOUR), now=lambda: 0.0, frame=lambda: 1,
                                    dispatcher=flow_callbacks.CallbackDispatcher())
    assert engine.go_debounce == 0.0
    engine.start()
    assert [engine.next_step() for _ in range(3)] == [True, False, False]
