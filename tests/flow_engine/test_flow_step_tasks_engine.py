"""Step tasks in the engine: ``task_started`` / ``task_done``, until = tasks, cancelling on leave, stale
completions (never touching the flow), error routes of failing tasks, and the restore rule."""

from __future__ import annotations

from typing import Any

import pytest
from flow_engine import FlowError, FlowStatus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: Load waits for its tasks; a failure goes to Fallback.
LOAD = [("Load", 0, "next", 0, "next", "tasks", "", "fallback"), ("Show", -1), ("Fallback", -1)]


def start_load(h: Any, *task_ids: int) -> list[list[Any]]:
    """Start the flow; Load's onStepEnter starts ``task_ids``. Returns the cancel requests heard."""
    cancelled: list[list[Any]] = []
    h.engine.on_cancel_tasks = cancelled.append
    h.dat["onStepEnter"] = lambda info: [h.engine.task_started(t) for t in task_ids] \
        if info["step_name"] == "load" else None
    h.engine.start()
    return cancelled


def test_a_step_waiting_for_tasks_leaves_by_then_when_all_completed(harness: Any) -> None:
    h = harness(LOAD)
    start_load(h, 1, 2)
    assert h.engine.current_step_name == "load" and h.engine.running_tasks == (1, 2)
    assert h.engine.task_done(2, "completed", {"rows": 3}) is True
    assert h.engine.current_step_name == "load" and h.engine.running_tasks == (1,)
    assert h.engine.task_done(1, "completed", "ok") is True
    assert h.engine.current_step_name == "show"
    done = [i for n, i in h.calls if n == "onTaskDone"]
    assert [(i["task_id"], i["status"], i["result"], i["outcome"], i["step_name"]) for i in done] == [
        (2, "completed", {"rows": 3}, "pending", "load"), (1, "completed", "ok", "all_completed", "load")]
    exit_info = [i for n, i in h.calls if n == "onStepExit"][0]
    assert (exit_info["source"], exit_info["reason"]) == ("tasks", "next")


def test_a_failed_task_follows_the_error_route_and_the_next_step_sees_the_error(harness: Any) -> None:
    h = harness(LOAD)
    cancelled = start_load(h, 1, 2)
    assert h.engine.task_done(2, "failed", error="disk full") is True
    assert h.engine.current_step_name == "fallback"
    assert cancelled == [[1]]  # the other task of the step left is cancelled
    enter = [i for n, i in h.calls if n == "onStepEnter"][-1]
    assert enter["error"] == {"origin": "task", "message": "Task 2 of step 'load' failed: disk full", "step": "load"}
    assert [i["transition"] for n, i in h.calls if n == "onNextStep"] == ["error"]
    # The cancelled task's completion arrives later: stale, the flow is untouched.
    before = h.engine.state
    assert h.engine.task_done(1, "cancelled") is False
    assert h.engine.state == before and h.engine.history.events()[-1].event == "task_stale"


def test_a_task_that_times_out_follows_the_error_route_too(harness: Any) -> None:
    h = harness(LOAD)
    start_load(h, 5)
    h.engine.task_done(5, "timeout")
    assert h.engine.current_step_name == "fallback"
    assert "timed out" in [i for n, i in h.calls if n == "onStepEnter"][-1]["error"]["message"]


def test_onerror_end_finishes_the_run_with_an_error(harness: Any) -> None:
    h = harness([("Load", 0, "next", 0, "next", "tasks", "", "end"), ("Show", -1)])
    start_load(h, 1)
    h.engine.task_done(1, "failed", error="nope")
    assert h.engine.state.status is FlowStatus.ERROR and h.engine.last_result_type == "error"
    assert h.engine.last_result == "Task 1 of step 'load' failed: nope"


def test_with_onerror_continue_a_failure_waits_for_the_rest_then_leaves_by_then(harness: Any) -> None:
    h = harness([("Load", 0, "next", 0, "next", "tasks"), ("Show", -1)])
    start_load(h, 1, 2)
    h.engine.task_done(1, "failed", error="x")
    assert h.engine.current_step_name == "load"
    h.engine.task_done(2, "completed")
    assert h.engine.current_step_name == "show"
    assert [i["outcome"] for n, i in h.calls if n == "onTaskDone"] == ["failed", "all_ended"]


def test_leaving_a_step_cancels_its_tasks_and_their_late_completion_changes_nothing(harness: Any) -> None:
    h = harness([("Intro", -1), ("Middle", -1), ("Other", -1, "next", 0, "next", "tasks")])
    cancelled: list[list[Any]] = []
    h.engine.on_cancel_tasks = cancelled.append
    h.engine.start()
    entry = h.engine.task_started(10)
    h.engine.task_started(11)
    assert entry == h.engine.history.events("step_enter")[-1].data["entry"]
    h.go()  # NextStep leaves Intro while its tasks run
    assert cancelled == [[10, 11]]
    h.engine.go_to_step("other")  # a step that waits for tasks: a late completion must not advance it
    h.clear()
    snapshot = (h.engine.state, len(h.engine.history.events("step_enter")))
    assert h.engine.task_done(10, "cancelled") is False and h.engine.task_done(11, "completed", "late") is False
    assert (h.engine.state, len(h.engine.history.events("step_enter"))) == snapshot and h.calls == []
    assert [e.data["task_id"] for e in h.engine.history.events("task_stale")] == [10, 11]


def test_stop_cancels_the_running_tasks_and_a_new_run_ignores_the_old_ones(harness: Any) -> None:
    h = harness(LOAD)
    cancelled = start_load(h, 1)
    h.engine.stop()
    assert cancelled == [[1]]
    start_load(h, 1)  # the same id again in a new run (TDAsyncIO ids are unique; the engine copes anyway)
    assert h.engine.task_done(1, "completed") is True and h.engine.current_step_name == "show"


def test_a_duration_step_with_tasks_moves_on_by_time_and_a_failure_uses_its_error_route(harness: Any) -> None:
    h = harness([("Play", 5.0, "next", 0, "next", "duration", "", "safe"), ("Later", -1), ("Safe", -1)])
    h.engine.start()
    h.engine.task_started(1)
    h.engine.task_started(2)
    h.engine.task_done(1, "completed")
    assert h.engine.current_step_name == "play"  # until = duration: tasks do not end the step
    h.engine.task_done(2, "failed")
    assert h.engine.current_step_name == "safe"


def test_task_calls_are_checked(harness: Any) -> None:
    h = harness(LOAD)
    with pytest.raises(FlowError, match="Can't RunTask: the flow is not running"):
        h.engine.task_started(1)
    start_load(h, 1)
    with pytest.raises(ValueError, match="already tied"):
        h.engine.task_started(1)
    with pytest.raises(ValueError, match="must be one of completed"):
        h.engine.task_done(1, "running")
    assert h.engine.task_done(99, "completed") is False  # unknown: stale


def test_a_pause_holds_the_leave_until_resume(harness: Any) -> None:
    h = harness(LOAD)
    start_load(h, 1, 2)
    h.engine.pause()
    h.engine.task_done(1, "completed")
    h.engine.task_done(2, "completed")
    assert h.engine.current_step_name == "load"
    h.engine.resume()
    assert h.engine.current_step_name == "show"
    failing = harness(LOAD)
    start_load(failing, 1)
    failing.engine.pause()
    failing.engine.task_done(1, "failed")
    assert failing.engine.current_step_name == "load"
    failing.engine.resume()
    assert failing.engine.current_step_name == "fallback"


def test_the_journal_hears_how_many_tasks_run(harness: Any) -> None:
    h = harness(LOAD)
    records: list[dict[str, Any]] = []
    h.engine.on_record = records.append
    start_load(h, 1, 2)
    assert [r.get("tasks") for r in records if r["k"] == "step"] == [None, 1, 2]
    assert h.engine.journal_state()["tasks"] == 2


def test_a_restored_step_waiting_for_tasks_follows_its_error_route(harness: Any) -> None:
    h = harness(LOAD)
    start_load(h, 1, 2)
    state = h.engine.journal_state(100.0)
    new = harness(LOAD)
    report = new.engine.import_run(state, source="restore")
    assert report.lost_tasks == 2 and new.engine.current_step_name == "load"
    assert any("cannot be resumed" in e.data["message"] for e in new.engine.history.events("warning"))
    new.advance()
    assert new.engine.current_step_name == "fallback"
    error = [i for n, i in new.calls if n == "onStepEnter"][-1]["error"]
    assert error["origin"] == "restore" and "2 tasks of step 'load' were running" in error["message"]


def test_a_restored_tasks_step_with_onerror_continue_leaves_by_then(harness: Any) -> None:
    rows = [("Load", 0, "next", 0, "next", "tasks"), ("Show", -1)]
    h = harness(rows)
    start_load(h, 1)
    new = harness(rows)
    new.engine.import_run(h.engine.journal_state(), source="restore")
    new.advance()
    assert new.engine.current_step_name == "show"


def test_a_reinit_keeps_the_running_tasks(harness: Any) -> None:
    h = harness(LOAD)
    start_load(h, 1, 2)
    new = harness(LOAD)
    report = new.engine.import_run(h.engine.export_run())
    assert report.lost_tasks == 0 and new.engine.running_tasks == (1, 2)
    assert new.engine.task_done(1, "completed") and new.engine.task_done(2, "completed")
    assert new.engine.current_step_name == "show"


OPS = st.lists(st.sampled_from(["start_task", "done_ok", "done_fail", "go", "goto_load", "stop", "start",
                                "pause", "resume"]), max_size=30)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, stale=st.sampled_from(["completed", "failed", "timeout", "cancelled"]))
def test_a_stale_task_completion_never_changes_the_state(harness: Any, ops: list[str], stale: str) -> None:
    """Whatever happened before, the completion of a task whose step entry is over (or that belongs to an
    earlier run, or is unknown) leaves the state, the step entries and the callbacks exactly as they were."""
    h = harness(LOAD)
    h.engine.on_cancel_tasks = lambda ids: None
    events: list[str] = []
    h.engine.add_event_listener(lambda event: events.append(event.event))
    next_id = [100]
    tasks: dict[int, int] = {}  # task id -> the entry it was started in
    for op in ops:
        engine = h.engine
        if op == "start":
            engine.start()
        elif not engine.is_running:
            continue
        elif op == "start_task":
            next_id[0] += 1
            tasks[next_id[0]] = engine.task_started(next_id[0])
        elif op in ("done_ok", "done_fail") and engine.running_tasks:
            engine.task_done(engine.running_tasks[0], "completed" if op == "done_ok" else "failed")
        elif op == "go":
            h.go()
        elif op == "goto_load":
            engine.go_to_step("load")
        elif op in ("stop", "pause", "resume"):
            getattr(engine, op)()
    current = h.engine.history.events("step_enter")[-1].data["entry"] if h.engine.is_running else None
    stale_ids = [t for t, entry in tasks.items() if entry != current or not h.engine.is_running] + [999]
    before = (h.engine.state, [e for e in events if e != "task_stale"], len(h.calls), h.engine.running_tasks)
    for task_id in stale_ids:
        if task_id in h.engine.running_tasks:
            continue
        assert h.engine.task_done(task_id, stale) is False
        h.advance()
    after = (h.engine.state, [e for e in events if e != "task_stale"], len(h.calls), h.engine.running_tasks)
    assert after == before

