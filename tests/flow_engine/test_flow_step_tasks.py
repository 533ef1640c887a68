"""StepTasks: tasks tied to step entries, stale completions, first failure wins, cancel on leave, costs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import flow_step_tasks
import hypothesis.strategies as st
import pytest
from async_tasks import TaskStatus
from flow_step_tasks import StepTasks, TaskFailure, TaskOutcome, lost_tasks_error, task_error
from hypothesis import given, settings
from line_counter import lines_run

RUN = "run-1"


def _tasks(entry: int, *ids: int, run: str = RUN) -> StepTasks:
    tasks = StepTasks()
    for task_id in ids:
        tasks.started(task_id, entry, run)
    return tasks


def test_the_entry_settles_when_its_last_task_completes() -> None:
    tasks = _tasks(5, 1, 2, 3)
    assert tasks.finished(2, "completed", 5, RUN) is TaskOutcome.PENDING
    assert tasks.running(5) == (1, 3)
    assert tasks.finished(1, "completed", 5, RUN) is TaskOutcome.PENDING
    assert tasks.finished(3, "completed", 5, RUN) is TaskOutcome.ALL_COMPLETED
    assert tasks.running(5) == () and tasks.failure(5) is None and len(tasks) == 0


@pytest.mark.parametrize("status", ["failed", "timeout", "cancelled"])
def test_the_first_failure_wins_and_the_others_are_to_cancel(status: str) -> None:
    tasks = _tasks(5, 1, 2, 3)
    assert tasks.finished(2, status, 5, RUN, error="boom") is TaskOutcome.FAILED
    assert tasks.failure(5) == TaskFailure(2, status, "boom")
    assert tasks.finished(1, "failed", 5, RUN, error="second") is TaskOutcome.PENDING
    assert tasks.failure(5) == TaskFailure(2, status, "boom")  # still the first one
    assert tasks.to_cancel(5) == [3]


def test_the_last_task_ending_after_a_failure_is_all_ended() -> None:
    tasks = _tasks(5, 1, 2)
    assert tasks.finished(1, "timeout", 5, RUN) is TaskOutcome.FAILED
    assert tasks.finished(2, "completed", 5, RUN) is TaskOutcome.ALL_ENDED


def test_a_lone_task_failing_is_failed_not_all_ended() -> None:
    tasks = _tasks(5, 1)
    assert tasks.finished(1, "failed", 5, RUN) is TaskOutcome.FAILED
    assert tasks.running(5) == ()


def test_a_task_cancelled_on_leaving_its_step_arrives_stale() -> None:
    tasks = _tasks(5, 1, 2)
    tasks.finished(1, "completed", 5, RUN)
    assert tasks.to_cancel(5) == [2]
    tasks.started(3, 6, RUN)
    assert tasks.finished(2, "cancelled", 6, RUN) is TaskOutcome.STALE  # the flow caused it: not a failure
    assert tasks.running(6) == (3,) and tasks.failure(6) is None
    assert tasks.to_cancel(5) == []  # nothing left of that entry


def test_a_completion_from_an_entry_that_is_no_longer_current_is_stale() -> None:
    tasks = _tasks(5, 1)
    assert tasks.finished(1, "completed", 6, RUN) is TaskOutcome.STALE
    assert tasks.finished(1, "completed", 5, RUN) is TaskOutcome.STALE  # already ended: a repeat is stale too
    assert tasks.finished(99, "completed", 5, RUN) is TaskOutcome.STALE  # never started here


def test_a_completion_from_an_earlier_run_is_stale_even_with_the_same_entry_id() -> None:
    tasks = _tasks(1, 10, run="old")
    tasks.started(11, 1, "new")  # entry ids start over in the new run: a new entry
    assert tasks.finished(10, "completed", 1, "new") is TaskOutcome.STALE
    assert tasks.finished(11, "completed", 1, "new") is TaskOutcome.ALL_COMPLETED


def test_a_task_with_the_current_run_but_an_old_run_record_is_stale() -> None:
    tasks = _tasks(1, 10, run="old")
    assert tasks.finished(10, "completed", 1, "new") is TaskOutcome.STALE


def test_a_cancellation_the_flow_did_not_cause_counts_as_a_failure() -> None:
    tasks = _tasks(5, 1, 2)
    assert tasks.finished(1, "cancelled", 5, RUN) is TaskOutcome.FAILED


def test_stop_cancels_every_unfinished_task() -> None:
    tasks = _tasks(5, 1, 2)
    tasks.started(3, 6, RUN)
    assert sorted(tasks.cancel_all()) == [1, 2, 3]
    assert len(tasks) == 0 and tasks.finished(3, "cancelled", 6, RUN) is TaskOutcome.STALE


def test_an_unknown_status_or_a_task_started_twice_is_a_clear_error() -> None:
    tasks = _tasks(5, 1)
    with pytest.raises(ValueError, match="completed, failed, cancelled, timeout, got 'running'"):
        tasks.finished(1, "running", 5, RUN)
    assert tasks.running(5) == (1,)  # nothing changed
    with pytest.raises(ValueError, match="Task 1 is already tied to step entry 5"):
        tasks.started(1, 6, RUN)


def test_tdasyncio_status_members_are_accepted() -> None:
    tasks = _tasks(5, 1, 2)
    assert tasks.finished(1, TaskStatus.COMPLETED, 5, RUN) is TaskOutcome.PENDING
    assert tasks.finished(2, TaskStatus.TIMEOUT, 5, RUN) is TaskOutcome.FAILED
    failure = tasks.failure(5)
    assert failure == TaskFailure(2, "timeout") and type(failure.status) is str
    assert set(flow_step_tasks.TERMINAL_STATUSES) == {s.value for s in TaskStatus if s.is_terminal}


def test_export_for_the_journal_and_the_restore_rule() -> None:
    tasks = _tasks(5, 1, 2, 3)
    tasks.finished(1, "completed", 5, RUN)
    record = json.loads(json.dumps(tasks.export(5)))
    assert record == {"tasks": 2, "started": 3, "completed": 1, "failed": False}
    assert tasks.export(42) == {"tasks": 0, "started": 0, "completed": 0, "failed": False}
    error = lost_tasks_error("download", record["tasks"])
    assert error["origin"] == "restore" and error["step"] == "download"
    assert "2 tasks of step 'download' were running" in error["message"]
    assert "cannot be resumed" in error["message"]
    assert "1 task of step 'x' was running" in lost_tasks_error("x", 1)["message"]


def test_task_error_names_the_task_the_step_and_what_happened() -> None:
    assert task_error("load", 4, "timeout") == {
        "origin": "task", "message": "Task 4 of step 'load' timed out", "step": "load"}
    assert task_error("load", 4, "failed", "FileNotFoundError: x")["message"] == \
        "Task 4 of step 'load' failed: FileNotFoundError: x"
    assert "cancelled outside the flow" in task_error("load", 4, "cancelled")["message"]


def test_has_tasks_and_entry_of() -> None:
    tasks = _tasks(5, 1)
    assert tasks.has_tasks(5) and not tasks.has_tasks(6)
    assert tasks.entry_of(1) == 5 and tasks.entry_of(2) is None


def _lines_run(action: Callable[[], object]) -> int:
    return lines_run(flow_step_tasks, action)


def _costs(size: int) -> list[int]:
    tasks = StepTasks()
    for i in range(size):
        tasks.started(i, 1, RUN)  # many tasks of the current entry
        tasks.started(100_000 + i, 1_000 + i, RUN)  # and many entries nobody left
    return [
        _lines_run(lambda: tasks.started(-1, 1, RUN)),
        _lines_run(lambda: tasks.finished(size // 2, "completed", 1, RUN)),
        _lines_run(lambda: tasks.finished(size // 3, "failed", 1, RUN)),
        _lines_run(lambda: tasks.finished(100_000, "completed", 1, RUN)),  # stale
    ]


def test_every_task_event_costs_the_same_however_many_tasks_run() -> None:
    assert _costs(10) == _costs(5000)


_EVENTS = st.lists(st.one_of(
    st.tuples(st.just("start")),
    st.tuples(st.just("finish"), st.integers(0, 30), st.sampled_from(flow_step_tasks.TERMINAL_STATUSES)),
    st.tuples(st.just("leave")),
    st.tuples(st.just("new_run")),
), max_size=60)


@settings(max_examples=200, deadline=None)
@given(_EVENTS)
def test_random_events_settle_each_entry_once_and_never_lose_a_task(events: list[tuple[Any, ...]]) -> None:
    tasks = StepTasks()
    run, entry, next_id = "r0", 0, 0
    owner: dict[int, tuple[str, int]] = {}
    ended: set[int] = set()  # ended while current, or handed back by to_cancel
    settled: dict[tuple[str, int], list[TaskOutcome]] = {}
    for event in events:
        if event[0] == "start":
            tasks.started(next_id, entry, run)
            owner[next_id] = (run, entry)
            next_id += 1
        elif event[0] == "finish":
            task_id, status = event[1], event[2]
            outcome = tasks.finished(task_id, status, entry, run)
            live = task_id in owner and owner[task_id] == (run, entry) and task_id not in ended
            assert (outcome is TaskOutcome.STALE) == (not live)
            if live:
                ended.add(task_id)
                outcomes = settled.setdefault((run, entry), [])
                outcomes.append(outcome)
                if outcome is TaskOutcome.FAILED:
                    assert TaskOutcome.FAILED not in outcomes[:-1]  # the first failure only
                running = [t for t, where in owner.items() if where == (run, entry) and t not in ended]
                assert tasks.running(entry) == tuple(running)
                if outcome in (TaskOutcome.ALL_COMPLETED, TaskOutcome.ALL_ENDED):
                    assert running == []
                    assert (outcome is TaskOutcome.ALL_ENDED) == (TaskOutcome.FAILED in outcomes)
        elif event[0] == "leave":
            cancelled = tasks.to_cancel(entry)
            assert cancelled == [t for t, where in owner.items() if where == (run, entry) and t not in ended]
            ended.update(cancelled)
            entry += 1
        else:
            ended.update(t for t in tasks.cancel_all())
            run, entry = f"r{int(run[1:]) + 1}", 0
    assert len(tasks) == len([t for t, where in owner.items() if t not in ended])
