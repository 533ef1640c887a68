"""FlowEngine behaviour: statuses, step kinds, timers, scoping, re-entrancy, budget, definitions, errors."""

from __future__ import annotations

from typing import Any

import flow_engine
import flow_steps
import pytest
from flow_engine import FlowEngine, FlowError, FlowStatus

S = FlowStatus
WAITS = [("One", -1), ("Two", -1), ("Three", -1)]


def test_new_engine_statuses(harness: Any) -> None:
    assert harness([]).engine.state.status is S.NOT_SETUP
    h = harness(WAITS)
    assert h.engine.state.status is S.IDLE and h.engine.state.status.label == "Ready"
    assert (h.engine.current_step_index, h.engine.process_id, h.engine.state.progress) == (-1, None, 0.0)


def test_a_run_through_wait_steps(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    assert h.engine.state.status is S.RUNNING and h.engine.current_step_name == "one" and h.engine.state.waiting
    assert h.engine.state.progress == pytest.approx(1 / 3)
    h.go()
    h.go()
    assert h.engine.current_step_index == 2
    h.go()
    assert h.engine.state.status is S.COMPLETED and h.engine.current_step_index == -1 and h.engine.state.progress == 1.0
    assert h.entered() == ["one", "two", "three"]
    assert h.engine.last_result_type == "success"


def test_each_start_makes_a_new_process_id_and_clears_the_context(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    first = h.engine.process_id
    h.engine.set("x", 1)
    h.engine.finish()
    h.engine.start()
    assert h.engine.process_id != first and h.engine.get("x") is None


def test_the_id_factory_is_used() -> None:
    ids = iter(["run-a", "run-b"])
    engine = FlowEngine(flow_steps.FlowDefinition.from_rows(WAITS), now=lambda: 0.0, frame=lambda: 0,
                        id_factory=lambda: next(ids))
    engine.start()
    engine.start()
    assert engine.process_id == "run-b"


def test_duration_zero_steps_advance_at_once(harness: Any) -> None:
    h = harness([("A", 0), ("B", 0), ("C", -1)])
    h.engine.start()
    assert h.engine.current_step_name == "c" and h.entered() == ["a", "b", "c"]


def test_timed_step_advances_after_its_seconds_of_td_time(harness: Any) -> None:
    h = harness([("A", 1.0), ("B", -1)])
    h.engine.start()
    h.advance(0.5, frames=30)
    assert h.engine.current_step_name == "a"
    h.advance(0.51, frames=31)
    assert h.engine.current_step_name == "b"


def test_a_stale_timer_never_advances_a_later_step(harness: Any) -> None:
    h = harness([("A", 1.0), ("B", 2.0), ("C", -1)])
    h.engine.start()
    h.advance(0.9)
    h.engine.next_step()  # A left early; B's own timer starts now (t=0.9)
    h.advance(0.2)  # A's old deadline (t=1.0) passes
    assert h.engine.current_step_name == "b"
    h.advance(1.75)
    assert h.engine.current_step_name == "b"
    h.advance(0.1)
    assert h.engine.current_step_name == "c"


def test_wait_for_continue_holds_timed_and_instant_steps(harness: Any) -> None:
    h = harness([("A", 1.0), ("B", 0), ("C", -1)])
    h.engine.start()
    h.engine.wait_for_continue({"why": "busy"})
    assert h.engine.state.waiting and h.engine.step_data == {"why": "busy"}
    h.advance(5.0)
    assert h.engine.current_step_name == "a"
    h.dat["onStepEnter"] = lambda info: h.engine.wait_for_continue() if info["step_name"] == "b" else None
    h.go()
    assert h.engine.current_step_name == "b" and h.engine.state.waiting
    h.go()
    assert h.engine.current_step_name == "c"
    assert h.names("onWaitForContinue").count("onWaitForContinue") == 3


def test_then_jumps_loop_and_end(harness: Any) -> None:
    h = harness([("A", -1), ("B", -1, "a"), ("C", -1)])
    h.engine.start()
    h.go()
    h.go()
    assert h.engine.current_step_name == "a"
    transitions = [info["transition"] for name, info in h.calls if name == "onNextStep"]
    assert transitions == ["next", "jump"]
    h2 = harness([("A", -1, "end"), ("B", -1)])
    h2.engine.start()
    h2.go()
    assert h2.engine.state.status is S.COMPLETED


def test_go_to_step_by_name_label_and_old_name(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    h.engine.go_to_step("three")
    assert h.engine.current_step_name == "three"
    h.engine.go_to_step("Two")
    assert h.engine.current_step_name == "two"
    h.engine.load_rows([("One", -1), ("Deux", -1), ("Three", -1)])
    h.engine.go_to_step("one")
    h.engine.go_to_step("two")
    assert h.engine.current_step_name == "deux"
    assert ("two", "deux") in h.engine.state.name_history


def test_go_to_step_unknown_name_is_an_error_that_leaves_the_run(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    before = h.engine.state
    with pytest.raises(FlowError, match="Can't GoToStep: no step named 'nope'; steps are: one, two, three"):
        h.engine.go_to_step("nope")
    assert h.engine.state == before


@pytest.mark.parametrize(("call", "method"), [
    (lambda e: e.stop(), "Stop"), (lambda e: e.finish(), "Finish"),
    (lambda e: e.go_to_step("one"), "GoToStep"), (lambda e: e.update(1), "Update"),
    (lambda e: e.wait_for_continue(), "WaitForContinue"), (lambda e: e.pause(), "Pause"),
    (lambda e: e.resume(), "Resume"), (lambda e: e.back(), "Back"),
])
def test_api_calls_while_not_running_raise_a_clear_flow_error(harness: Any, call: Any, method: str) -> None:
    h = harness(WAITS)
    with pytest.raises(FlowError, match=f"Can't {method}: the flow is not running \\(status Ready\\)"):
        call(h.engine)
    assert isinstance(FlowError("x"), RuntimeError)
    assert h.calls == [] and h.engine.state.status is S.IDLE


def test_start_with_a_bad_definition_names_the_problem(harness: Any) -> None:
    with pytest.raises(FlowError, match="Can't Start: the flow has no steps"):
        harness([]).engine.start()
    with pytest.raises(FlowError, match="Can't Start: the steps have errors: .*'intro'"):
        harness([("Intro", -1), ("intro", -1)]).engine.start()


def test_finish_success_error_and_bad_result_type(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    with pytest.raises(FlowError, match="result_type must be 'success' or 'error', not 'meh'"):
        h.engine.finish(1, "meh")
    h.engine.finish({"score": 3})
    assert h.engine.state.status is S.COMPLETED and h.engine.last_result == {"score": 3}
    h.engine.start()
    h.engine.next_step()
    h.engine.finish("broke", "error")
    assert h.engine.state.status is S.ERROR and h.engine.state.status.label == "Error"
    assert h.engine.state.progress == pytest.approx(2 / 3) and h.engine.last_result == "broke"


def test_on_flow_finish_return_value_replaces_the_result(harness: Any) -> None:
    h = harness(WAITS)
    h.dat["onFlowFinish"] = lambda info: f"done: {info['result']}"
    h.engine.start()
    h.engine.finish(7)
    assert h.engine.last_result == "done: 7"


def test_stop_is_status_stopped_shown_as_ready(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    h.engine.stop()
    assert h.engine.state.status is S.STOPPED and h.engine.state.status.label == "Ready"
    assert h.engine.state.status.channel == "status_stopped"
    finish = [info for name, info in h.calls if name == "onFlowFinish"][0]
    assert finish["result_type"] == "stopped" and finish["status"] == "Ready"


def test_start_while_running_restarts(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    h.engine.next_step()
    h.clear()
    h.engine.start()
    assert h.names() == ["onStepExit", "onFlowFinish", "onFlowStart", "onStepEnter", "onWaitForContinue"]
    assert h.calls[0][1]["reason"] == "restart" and h.calls[2][1]["restarted"] is True
    assert h.engine.current_step_name == "one"


def test_update_sets_step_data_and_can_advance(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    h.time = 3.0
    h.engine.update({"p": 0.5})
    assert h.engine.step_data == {"p": 0.5} and h.engine.current_step_name == "one"
    assert h.engine.last_update_time == 3.0
    h.engine.update("x", advance_step=True)
    assert h.engine.current_step_name == "two" and h.engine.step_data is None
    exit_info = [info for name, info in h.calls if name == "onStepExit"][0]
    assert exit_info["step_data"] == "x" and exit_info["source"] == "update"


def test_two_next_steps_during_one_wait_advance_one_step(harness: Any) -> None:
    h = harness(WAITS)

    def on_wait(info: dict[str, Any]) -> None:
        if info["step_name"] == "one":
            h.engine.next_step()
            h.engine.next_step()

    h.dat["onWaitForContinue"] = on_wait
    h.engine.start()
    assert h.engine.current_step_name == "two"
    assert h.entered() == ["one", "two"]
    ignored = h.engine.history.events("ignored")
    assert len(ignored) == 1 and ignored[0].data["action"] == "next_step"


def test_next_step_in_on_step_enter_of_an_instant_step_advances_once(harness: Any) -> None:
    h = harness([("A", 0), ("B", -1), ("C", -1)])
    h.dat["onStepEnter"] = lambda info: h.engine.next_step() if info["step_name"] == "a" else None
    h.engine.start()
    assert h.engine.current_step_name == "b"
    assert h.entered() == ["a", "b"]


def test_next_step_with_an_old_entry_id_is_ignored(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    old = h.engine.history.events("step_enter")[-1].data["entry"]
    h.engine.next_step()
    h.engine.next_step(entry_id=old)
    assert h.engine.current_step_name == "two"


def test_calls_inside_callbacks_are_queued_not_nested(harness: Any) -> None:
    h = harness(WAITS)
    depth: list[int] = []

    def on_enter(info: dict[str, Any]) -> None:
        depth.append(len(h.dispatcher.active))
        if info["step_name"] != "three":
            h.engine.next_step()
            assert h.engine.current_step_name == info["step_name"]  # not advanced yet: queued

    h.dat["onStepEnter"] = on_enter
    h.engine.start()
    assert h.engine.current_step_name == "three" and depth == [1, 1, 1]
    assert h.names("onStepEnter", "onStepExit") == [
        "onStepEnter", "onStepExit", "onStepEnter", "onStepExit", "onStepEnter"]


def test_set_and_get_in_a_callback_act_at_once_but_on_context_change_is_queued(harness: Any) -> None:
    h = harness(WAITS)
    seen: list[Any] = []

    def on_enter(info: dict[str, Any]) -> None:
        h.engine.set("k", 5)
        seen.append(h.engine.get("k"))
        seen.append(h.names("onContextChange"))

    h.dat["onStepEnter"] = on_enter
    h.engine.start()
    assert seen == [5, []]
    change = [info for name, info in h.calls if name == "onContextChange"][0]
    assert change["key"] == "k" and change["value"] == 5 and change["process_id"] == h.engine.process_id


def test_every_set_fires_on_context_change_with_a_unique_change_id(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.set("a", 1)
    h.engine.set("a", 2)
    h.engine.clear_context()
    ids = [info["change_id"] for name, info in h.calls if name == "onContextChange"]
    kinds = [info["kind"] for name, info in h.calls if name == "onContextChange"]
    assert len(set(ids)) == 3 and ids == sorted(ids) and kinds == ["set", "set", "clear"]


def test_a_callback_that_raises_fires_on_error_and_the_run_goes_on(harness: Any) -> None:
    h = harness(WAITS)
    h.dat["onStepEnter"] = lambda info: 1 / 0
    h.engine.start()
    h.engine.next_step()
    assert h.engine.state.status is S.RUNNING and h.engine.current_step_name == "two"
    errors = [info for name, info in h.calls if name == "onError"]
    assert len(errors) == 2 and errors[0]["callback_name"] == "onStepEnter"
    assert errors[0]["error_type"] == "ZeroDivisionError" and errors[0]["process_id"] == h.engine.process_id
    assert "division by zero" in errors[0]["error"] and "Traceback" in errors[0]["traceback"]
    assert [n for n, _, _ in h.script_errors] == ["onStepEnter", "onStepEnter"]
    assert h.names()[:4] == ["onFlowStart", "onStepEnter", "onWaitForContinue", "onError"]


def test_an_on_error_that_raises_does_not_loop(harness: Any) -> None:
    h = harness(WAITS)
    h.dat["onStepEnter"] = lambda info: 1 / 0
    h.dat["onError"] = lambda info: 1 / 0
    h.engine.start()
    assert h.names("onError") == ["onError"]
    assert [n for n, _, _ in h.script_errors] == ["onStepEnter", "onError"]
    assert h.engine.state.status is S.RUNNING


def test_error_policy_finish_ends_the_run_in_error(harness: Any) -> None:
    h = harness(WAITS, error_policy="finish")
    h.dat["onStepEnter"] = lambda info: 1 / 0
    h.engine.start()
    assert h.engine.state.status is S.ERROR and "ZeroDivisionError" in h.engine.last_result
    with pytest.raises(ValueError, match="error_policy"):
        FlowEngine(now=lambda: 0.0, frame=lambda: 0, error_policy="explode")


def test_a_state_listener_that_raises_is_reported_not_raised(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.add_listener(lambda change: 1 / 0)
    h.engine.start()
    assert h.engine.state.status is S.RUNNING
    assert ("stateListener", "listener") in [(n, s) for n, s, _ in h.script_errors]
    assert "onError" in h.names()


def test_frame_budget_spreads_an_instant_loop_over_frames(harness: Any) -> None:
    h = harness([("A", 0), ("B", 0, "a")], max_transitions_per_frame=10)
    h.engine.start()
    assert len(h.entered()) == 10 and h.engine._queue.pending == 1
    runaway = h.engine.history.events("runaway")
    assert len(runaway) == 1 and runaway[0].data["steps"] == ["a", "b"] and runaway[0].data["limit"] == 10
    assert "a -> b" in runaway[0].data["message"]
    h.advance(frames=1)
    assert len(h.entered()) == 20
    h.dat["onStepEnter"] = lambda info: h.engine.finish("escaped") if info["step_name"] == "b" else None
    h.advance(frames=1)
    assert h.engine.state.status is S.COMPLETED and h.engine.last_result == "escaped"
    assert h.engine.runaways == 2


def test_set_definition_while_running_keeps_the_current_step_by_name(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    h.engine.next_step()
    h.engine.load_rows([("Zero", -1), ("One", -1), ("Two", -1), ("Three", -1)])
    assert h.engine.current_step_name == "two" and h.engine.current_step_index == 2
    changed = [info for name, info in h.calls if name == "onStepsChanged"][0]
    assert changed["steps"] == ["zero", "one", "two", "three"] and changed["runnable"] is True


def test_renaming_the_current_step_keeps_it_current(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    h.engine.load_rows([("Uno", -1), ("Two", -1), ("Three", -1)])
    renames = h.engine.names.entries()
    assert renames == [("one", "uno")]
    assert h.engine.current_step_name == "uno" and h.engine.current_step_index == 0
    assert h.calls[-1][1]["renamed"] == [["one", "uno"]]


def test_deleting_the_current_step_moves_to_the_step_in_its_place(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    h.engine.next_step()
    h.engine.load_rows([("One", -1), ("Three", -1)])
    assert h.engine.current_step_name == "three"
    exit_info = [info for name, info in h.calls if name == "onStepExit"][-1]
    assert exit_info["reason"] == "removed" and exit_info["step_name"] == "two"
    h.engine.load_rows([("One", -1)])
    assert h.engine.state.status is S.COMPLETED


def test_a_broken_definition_while_running_is_rejected_and_the_run_continues(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    h.engine.load_rows([("One", -1), ("one", -1)])
    assert h.engine.state.status is S.RUNNING and h.engine.definition.names == ("one", "two", "three")
    assert h.engine.history.events("definition_rejected")
    assert [info["runnable"] for name, info in h.calls if name == "onStepsChanged"] == [False]
    h.engine.next_step()
    assert h.engine.current_step_name == "two"


def test_definitions_switch_between_not_setup_and_ready_when_idle(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.load_rows([])
    assert h.engine.state.status is S.NOT_SETUP and h.engine.state.status.label == "Not Setup"
    assert h.engine.state.status.channel == "status_idle"
    h.engine.load_rows(WAITS)
    assert h.engine.state.status is S.IDLE
    h.clear()
    h.engine.load_rows(WAITS)
    assert h.names() == []  # nothing changed: no onStepsChanged


def test_then_holding_an_old_name_still_resolves_after_a_rename(harness: Any) -> None:
    h = harness([("A", -1), ("B", -1, "a")])
    defn = h.engine.load_rows([("Alpha", -1), ("B", -1, "a")])
    assert defn.errors == () and defn.resolved_then(1) == "alpha"
    h.engine.clear_name_history()
    assert h.engine.names.entries() == [] and h.engine.state.name_history == ()


def test_state_listeners_get_only_changed_fields(harness: Any) -> None:
    h = harness(WAITS)
    changes: list[flow_engine.StateChange] = []
    h.engine.add_listener(changes.append)
    h.engine.start()
    assert {"status", "step_index", "waiting", "process_id", "progress"} <= changes[-1].changed
    count = len(changes)
    h.engine.next_step()
    assert len(changes) == count + 1
    assert "status" not in changes[-1].changed and "step_index" in changes[-1].changed
    h.engine.tick()
    assert len(changes) == count + 1  # nothing changed, no call


def test_a_change_made_inside_a_state_listener_is_reported_on_the_next_tick(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.load_rows([("Uno", -1), ("Two", -1), ("Three", -1)])  # records the rename one -> uno
    changes: list[frozenset[str]] = []

    def listener(change: flow_engine.StateChange) -> None:
        changes.append(change.changed)
        if h.engine.names.entries():
            h.engine.clear_name_history()  # no queued action: only the next tick can report it

    h.engine.add_listener(listener)
    h.engine.start()
    assert "name_history" not in changes[-1]
    h.engine.tick()
    assert changes[-1] == {"name_history"} and h.engine.state.name_history == ()


def test_event_listener_sees_history_events(harness: Any) -> None:
    h = harness(WAITS)
    events: list[str] = []
    h.engine.add_event_listener(lambda e: events.append(e.event))
    h.engine.start()
    assert events[:3] == ["context_clear", "flow_start", "step_enter"]


def test_consume_events_counts_since_last_read(harness: Any) -> None:
    h = harness(WAITS)
    h.engine.start()
    h.engine.next_step()
    h.engine.update(1)
    assert h.engine._run.events.consume() == {"on_start": 1, "on_finish": 0, "on_update": 1, "on_next_step": 1}
    assert h.engine._run.events.consume() == {"on_start": 0, "on_finish": 0, "on_update": 0, "on_next_step": 0}
    h.engine.stop()
    values = dict(h.engine.channel_values())
    assert values["on_finish"] == 1.0 and values["status_stopped"] == 1.0 and values["flow_active"] == 0.0
    assert dict(h.engine.channel_values())["on_finish"] == 0.0
    assert h.engine.event_totals["on_start"] == 1


def test_history_is_bounded_and_resizable(harness: Any) -> None:
    h = harness([("A", 0), ("B", -1, "a")], history_size=5)
    h.engine.start()
    for _ in range(10):
        h.engine.next_step()
    assert len(h.engine.history) == 5
    h.engine.history_size = 2
    assert len(h.engine.history.snapshot()) == 2
    event = h.engine.history.snapshot()[-1]
    assert event["process_id"] == h.engine.process_id and event["frame"] == h.frame_no


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="max_transitions_per_frame"):
        FlowEngine(now=lambda: 0.0, frame=lambda: 0, max_transitions_per_frame=0)
    with pytest.raises(ValueError, match="History size"):
        FlowEngine(now=lambda: 0.0, frame=lambda: 0, history_size=0)


def test_status_repr_is_readable() -> None:
    assert repr(S.COMPLETED) == "<FlowStatus.COMPLETED: 'Completed'>"
    assert [s.label for s in S] == ["Not Setup", "Ready", "Running", "Completed", "Ready", "Error"]


@pytest.mark.parametrize("how", ["stop", "finish"])
@pytest.mark.parametrize("advance", ["next_step", "go_to_step", "timer", "instant"])
def test_stop_or_finish_inside_on_step_exit_does_not_enter_the_next_step(harness: Any, how: str,
                                                                         advance: str) -> None:
    h = harness([("One", 0.5 if advance == "timer" else 0 if advance == "instant" else -1), ("Two", -1),
                 ("Three", -1)])
    end = (lambda: h.engine.stop()) if how == "stop" else (lambda: h.engine.finish("early"))
    h.dat["onStepExit"] = lambda info: end() if info["step_name"] == "one" else None
    h.engine.start()
    if advance == "next_step":
        h.engine.next_step()
    elif advance == "go_to_step":
        h.engine.go_to_step("three")
    elif advance == "timer":
        h.advance(1.0)
    assert h.entered() == ["one"]
    assert h.names("onStepExit", "onNextStep", "onFlowFinish") == ["onStepExit", "onFlowFinish"]
    assert h.engine.state.status is (S.STOPPED if how == "stop" else S.COMPLETED)
    assert h.engine.last_result == (None if how == "stop" else "early")
    assert [e.event for e in h.engine.history.events()][-2:] == ["step_exit", "flow_finish"]
    finish = [info for name, info in h.calls if name == "onFlowFinish"][0]
    assert finish["step_name"] == "one" and not h.engine.is_running


def test_a_stop_asked_inside_on_step_exit_of_a_finishing_run_changes_nothing(harness: Any) -> None:
    h = harness([("One", -1, "end"), ("Two", -1)])
    h.dat["onStepExit"] = lambda info: h.engine.stop()
    h.engine.start()
    h.engine.next_step()  # then 'end': the run finishes; the Stop asked on the way out finds it over
    assert h.engine.state.status is S.COMPLETED and h.names("onFlowFinish") == ["onFlowFinish"]
    h.dat.clear()
    h.engine.start()
    h.engine.go_to_step("two")
    assert h.engine.current_step_name == "two" and h.entered() == ["one", "one", "two"]


def test_a_stop_asked_on_the_way_out_of_a_run_never_stops_a_later_move_without_callbacks(harness: Any) -> None:
    h = harness([("One", -1, "end"), ("Two", -1)])
    h.dat["onStepExit"] = lambda info: h.engine.stop()
    h.engine.start()
    h.engine.next_step()
    h.dispatcher.lookup = None  # no callback can run any more
    h.engine.start()
    h.engine.go_to_step("two")
    assert h.engine.current_step_name == "two"
