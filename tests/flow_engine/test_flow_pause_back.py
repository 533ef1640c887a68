"""Pause, Resume and Back: frozen timers, explicit moves while paused, the Paused status and channel,
and a Back stack that walks further back."""

from __future__ import annotations

from typing import Any

import flow_callbacks
from flow_engine import FlowStatus


def test_a_paused_timed_step_keeps_its_remaining_time(harness: Any) -> None:
    h = harness([("Attract", 1.0), ("Show", -1)])
    h.engine.start()
    h.advance(0.4, frames=4)
    h.engine.pause()
    assert h.engine.next_due is None  # nothing to tick for while paused
    h.advance(30.0, frames=30)
    assert h.engine.current_step_name == "attract"
    h.engine.resume()
    h.advance(0.5, frames=5)
    assert h.engine.current_step_name == "attract"
    h.advance(0.1, frames=1)  # 0.4 + 0.6 s counted: the step's second
    assert h.engine.current_step_name == "show"
    (exit_info,) = [i for n, i in h.calls if n == "onStepExit"]
    assert exit_info["reason"] == "next" and exit_info["source"] == "timer"


def test_pause_and_resume_fire_their_callbacks_once_with_their_keys(harness: Any) -> None:
    h = harness([("Attract", 1.0), ("Show", -1)])
    h.engine.start()
    h.clear()
    h.engine.pause(source="pulse")
    h.engine.pause()  # already paused: nothing
    h.advance(2.5)
    h.engine.resume(source="pulse")
    h.engine.resume()  # not paused: nothing
    assert h.names() == ["onFlowPause", "onFlowResume"]
    pause, resume = (info for _, info in h.calls)
    assert {k: pause[k] for k in ("step_index", "step_name", "source")} == {"step_index": 0, "step_name": "attract",
                                                                          "source": "pulse"}
    assert resume["paused_for"] == 2.5 and resume["step"]["name"] == "attract"
    reasons = [e.data["reason"] for e in h.engine.history.events("ignored")]
    assert reasons == ["the run is already paused", "the run is not paused"]


def test_the_state_and_channels_show_paused(harness: Any) -> None:
    h = harness([("Attract", 1.0), ("Show", -1)])
    h.engine.start()
    changes: list[frozenset[str]] = []
    h.engine.add_listener(lambda change: changes.append(change.changed))
    h.engine.pause()
    state = h.engine.state
    assert state.paused and state.status is FlowStatus.RUNNING and state.status_label == "Paused"
    assert state.is_running and h.engine.is_paused and changes == [frozenset({"paused"})]
    values = dict(h.engine.channel_values())
    assert values["paused"] == 1.0 and values["status_running"] == 1.0 and values["flow_active"] == 1.0
    h.engine.resume()
    assert h.engine.state.status_label == "Running" and dict(h.engine.channel_values())["paused"] == 0.0


def test_explicit_moves_still_run_and_the_new_timer_starts_on_resume(harness: Any) -> None:
    h = harness([("A", -1), ("B", 0.5), ("C", 0), ("D", 0.5)])
    h.engine.start()
    h.engine.pause()
    h.go()
    assert h.engine.current_step_name == "b"
    h.advance(5.0, frames=5)
    h.engine.resume()
    h.advance(0.4, frames=4)
    assert h.engine.current_step_name == "b"  # b's half second counts from the resume
    h.engine.pause()
    h.engine.go_to_step("c")  # a duration-0 step holds too: nothing moves by itself while paused
    h.advance(1.0)
    assert h.engine.current_step_name == "c" and h.engine.is_paused
    h.engine.resume()
    assert h.engine.current_step_name == "d"  # the held advance ran on resume
    h.advance(0.4, frames=4)
    assert h.engine.current_step_name == "d"
    h.advance(0.1)
    assert h.engine.state.status is FlowStatus.COMPLETED


def test_a_pause_asked_in_on_step_enter_holds_that_steps_advance(harness: Any) -> None:
    h = harness([("A", -1), ("B", 0), ("C", -1)])
    h.dat["onStepEnter"] = lambda info: h.engine.pause() if info["step_name"] == "b" else None
    h.engine.start()
    h.go()
    assert h.engine.current_step_name == "b" and h.engine.is_paused
    h.advance(3.0, frames=3)
    assert h.engine.current_step_name == "b"
    h.engine.resume()
    assert h.engine.current_step_name == "c"
    assert h.names("onFlowPause", "onFlowResume", "onStepExit")[-3:] == ["onFlowPause", "onFlowResume", "onStepExit"]


def test_pause_stops_a_runaway_loop_at_once(harness: Any) -> None:
    h = harness([("A", 0), ("B", 0, "a")], max_transitions_per_frame=10)
    h.engine.start()
    assert h.engine.runaways == 1 and len(h.entered()) == 10
    h.engine.pause()  # the loop's next step waits for the next frame: the pause goes first
    h.advance(frames=5)
    assert len(h.entered()) == 10 and h.engine.is_paused
    h.engine.stop()
    assert not h.engine.is_paused and h.engine.state.status is FlowStatus.STOPPED


def test_a_new_run_is_not_paused(harness: Any) -> None:
    h = harness([("A", 1.0), ("B", -1)])
    h.engine.start()
    h.engine.pause()
    h.engine.start()
    assert not h.engine.is_paused
    h.advance(1.0)
    assert h.engine.current_step_name == "b"


def test_back_walks_further_back_with_source_back(harness: Any) -> None:
    h = harness([("A", -1), ("B", -1), ("C", -1), ("D", -1)])
    h.engine.start()
    h.go()
    h.go()
    h.go()
    h.clear()
    assert h.engine.back() is True and h.engine.current_step_name == "c"
    assert h.engine.back() is True and h.engine.current_step_name == "b"
    exits = [i for n, i in h.calls if n == "onStepExit"]
    nexts = [i for n, i in h.calls if n == "onNextStep"]
    enters = [i for n, i in h.calls if n == "onStepEnter"]
    assert [i["reason"] for i in exits] == ["back", "back"]
    assert [i["transition"] for i in nexts] == ["back", "back"]
    assert {i["source"] for i in exits + nexts + enters} == {"back"}
    h.go()  # b -> c, then Back returns to b again
    assert h.engine.back() and h.engine.current_step_name == "b"
    assert h.engine.back() and h.engine.current_step_name == "a"
    assert h.engine.back() is False and h.engine.current_step_name == "a"
    assert h.engine.history.events("ignored")[-1].data["reason"] == "no earlier step in this run"


def test_back_skips_steps_passed_through_at_once_but_not_held_ones(harness: Any) -> None:
    h = harness([("A", -1), ("B", 0), ("C", 0), ("D", -1)])
    h.dat["onStepEnter"] = lambda info: h.engine.wait_for_continue() if info["step_name"] == "c" else None
    h.engine.start()
    h.go()
    assert h.engine.current_step_name == "c"  # held by WaitForContinue
    h.go()
    assert h.engine.current_step_name == "d"
    h.engine.back()
    assert h.engine.current_step_name == "c"
    h.engine.back()
    assert h.engine.current_step_name == "a"  # 'b' was passed through at once


def test_back_belongs_to_the_run_and_skips_deleted_steps(harness: Any) -> None:
    h = harness([("A", -1), ("B", -1), ("C", -1)])
    h.engine.start()
    h.go()
    h.go()
    h.engine.load_rows([("A", -1), ("C", -1)])
    h.engine.back()
    assert h.engine.current_step_name == "a"
    h.engine.start()
    assert h.engine.back() is False


def test_back_inside_a_callback_is_queued(harness: Any) -> None:
    h = harness([("A", -1), ("B", -1), ("C", -1)])
    h.engine.start()
    h.go()
    h.dat["onStepEnter"] = lambda info: h.engine.back() if info["step_name"] == "c" else None
    h.go()
    assert h.engine.current_step_name == "b"
    assert [n for n in h.names("onStepEnter", "onStepExit")][-4:] == ["onStepExit", "onStepEnter", "onStepExit",
                                                                     "onStepEnter"]


def test_the_registry_documents_pause_resume_and_timeout_keys() -> None:
    assert flow_callbacks.spec("onFlowPause").key_names == ("step", "step_index", "step_name", "source",
                                                            "process_id")
    assert "paused_for" in flow_callbacks.spec("onFlowResume").key_names
    assert {"timeout", "elapsed", "ontimeout", "next_step_name"} <= set(flow_callbacks.spec("onStepTimeout").key_names)
