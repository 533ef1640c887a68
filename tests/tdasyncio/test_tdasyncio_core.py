"""TDAsyncIO's pure runtime (loop + tracker + table sync) on a manual clock, without mock_td."""

from __future__ import annotations

import asyncio
import threading
import time

import async_loop
import async_runtime
import pytest
from async_tasks import TaskStatus
from tdasyncio_helpers import Harness, ManualClock


async def chain(n: int, value: object = "done") -> object:
    for _ in range(n):
        await asyncio.sleep(0)
    return value


async def sleeper(seconds: float, value: object = None) -> object:
    await asyncio.sleep(seconds)
    return value


async def failing(message: str = "boom") -> None:
    await asyncio.sleep(0)
    raise ValueError(message)


@pytest.fixture
def h() -> Harness:
    harness = Harness()
    yield harness
    harness.runtime.shutdown()


def record_callbacks(store: list) -> object:
    return lambda task: store.append((task.task_id, task.status, threading.get_ident()))


# -- statuses and callbacks ------------------------------------------------------------------------

def test_status_enum_is_closed_and_compares_to_strings() -> None:
    assert [s.value for s in TaskStatus] == ["pending", "running", "completed", "failed", "cancelled", "timeout"]
    assert TaskStatus.COMPLETED == "completed"
    assert repr(TaskStatus.FAILED) == "TaskStatus.FAILED"
    assert {s for s in TaskStatus if s.is_terminal} == {"completed", "failed", "cancelled", "timeout"}


def test_run_returns_ids_and_tasks_start_pending(h: Harness) -> None:
    one = h.runtime.submit(chain(1))
    single_list = h.runtime.submit([chain(1)])
    several = h.runtime.submit([chain(1), chain(2)])
    assert isinstance(one, int) and isinstance(single_list, int)
    assert several == [single_list + 1, single_list + 2]
    assert h.runtime.info(one)["status"] == "pending"
    assert h.runtime.active_count == 4


def test_every_terminal_status_fires_its_callback_once_on_the_main_thread(h: Harness) -> None:
    seen: list = []
    cb = record_callbacks(seen)
    done = h.runtime.submit(chain(3, 42), completion_callback=cb)
    failed = h.runtime.submit(failing("bad url"), completion_callback=cb)
    timed = h.runtime.submit(sleeper(10), timeout=0.5, completion_callback=cb)
    cancelled = h.runtime.submit(sleeper(10), completion_callback=cb)
    h.frame()
    assert h.runtime.cancel(cancelled) is True
    h.frames_until(lambda: h.runtime.active_count == 0)
    statuses = {task_id: status for task_id, status, _ in seen}
    assert statuses == {done: "completed", failed: "failed", timed: "timeout", cancelled: "cancelled"}
    assert len(seen) == 4
    assert {thread for _, _, thread in seen} == {threading.get_ident()}
    assert h.runtime.record(done).result == 42
    assert h.runtime.record(failed).error == "ValueError: bad url"
    assert isinstance(h.runtime.record(failed).exception, ValueError)
    assert h.runtime.record(timed).error == "Timed out after 0.5 s"
    assert h.runtime.record(cancelled).error is None


def test_cancelling_a_pending_task_never_starts_it_and_leaves_no_never_awaited_warning(h: Harness) -> None:
    started: list = []
    seen: list = []

    async def body() -> None:
        started.append(True)

    task_id = h.runtime.submit(body(), completion_callback=record_callbacks(seen))
    assert h.runtime.cancel(task_id) is True
    h.frame()  # pytest turns RuntimeWarning ("never awaited") into an error
    assert started == [] and [s for _, s, _ in seen] == ["cancelled"]
    assert h.runtime.cancel(task_id) is False  # already finished
    assert h.runtime.cancel(9999) is False


def test_a_task_cancelled_through_asyncio_before_it_started_still_ends_cancelled_and_calls_back(h: Harness) -> None:
    started: list = []
    seen: list = []

    async def body() -> None:
        started.append(True)

    ids = h.runtime.submit([body(), body()], completion_callback=record_callbacks(seen))
    for task in asyncio.all_tasks(h.runtime.loop):  # user code reaching past Run/CancelTask
        task.cancel()
    h.frame()  # unraisable "never awaited" warnings fail the test
    assert [h.runtime.record(task_id).status for task_id in ids] == ["cancelled", "cancelled"]
    assert sorted(task_id for task_id, _, _ in seen) == ids and started == []
    assert h.runtime.active_count == 0
    later = h.runtime.submit(body(), completion_callback=record_callbacks(seen))
    h.frame()
    assert h.runtime.record(later).status == "completed" and started == [True]


def test_shutdown_from_a_completion_callback_finishes_after_the_loop_step(h: Harness) -> None:
    seen: list = []

    def stop_everything(task) -> None:
        seen.append((task.task_id, task.status))
        h.runtime.shutdown()
        refused = sleeper(1)
        with pytest.raises(RuntimeError, match="destroyed"):
            h.runtime.submit(refused)  # refused at once, even before the loop is closed
        refused.close()  # a refused coroutine stays the caller's

    first = h.runtime.submit(chain(1), completion_callback=stop_everything)
    second = h.runtime.submit(sleeper(10), completion_callback=lambda task: seen.append((task.task_id, task.status)))
    h.frame()
    assert seen == [(first, "completed"), (second, "cancelled")]
    assert h.runtime.loop.is_closed() and h.errors == []
    h.frame()  # a closed runtime's frame step does nothing


def test_shutdown_from_a_callback_of_a_task_cancelled_through_asyncio(h: Harness) -> None:
    seen: list = []

    def stop_everything(task) -> None:
        seen.append(task.status)
        h.runtime.shutdown()

    async def body() -> None:
        pass

    h.runtime.submit([body(), body()], completion_callback=stop_everything)
    for task in asyncio.all_tasks(h.runtime.loop):
        task.cancel()
    h.frame()
    assert seen == ["cancelled", "cancelled"] and h.runtime.loop.is_closed() and h.errors == []


def test_a_table_that_refuses_writes_is_reported_once_and_rewritten_when_it_accepts_them(h: Harness) -> None:
    h.runtime.submit(chain(1))
    h.frame()
    real_append = h.table.appendRows

    def locked(rows: list) -> int:
        raise RuntimeError("table is locked")

    h.table.appendRows = locked  # type: ignore[method-assign]
    for _ in range(3):
        h.runtime.submit(chain(1))
        h.frame()  # the frame goes on; tasks still complete
    assert len(h.errors) == 1 and "could not update the task table" in h.errors[0]
    assert h.runtime.active_count == 0
    h.table.appendRows = real_append  # type: ignore[method-assign]
    h.frame()
    assert [int(row["task_id"]) for row in h.table.as_dicts()] == [1, 2, 3, 4]
    assert len(h.errors) == 1


def test_user_timeout_error_is_failed_not_timeout(h: Harness) -> None:
    async def raises_timeout() -> None:
        raise TimeoutError("server did not answer")

    task_id = h.runtime.submit(raises_timeout(), timeout=5)
    h.frame()
    record = h.runtime.record(task_id)
    assert record.status == "failed" and record.error == "TimeoutError: server did not answer"


def test_cancel_wins_over_a_pending_timeout(h: Harness) -> None:
    task_id = h.runtime.submit(sleeper(10), timeout=1.0)
    h.frame()
    h.runtime.cancel(task_id)
    h.frame()
    assert h.runtime.record(task_id).status == "cancelled"


def test_a_raising_callback_is_reported_and_changes_nothing_else(h: Harness) -> None:
    seen: list = []

    def bad_callback(task: object) -> None:
        raise RuntimeError("callback bug")

    first = h.runtime.submit(chain(1, "a"), completion_callback=bad_callback)
    second = h.runtime.submit(chain(1, "b"), completion_callback=record_callbacks(seen))
    h.frame()
    assert h.runtime.record(first).status == "completed" and h.runtime.record(first).result == "a"
    assert [s for _, s, _ in seen] == ["completed"] and seen[0][0] == second
    assert len(h.errors) == 1 and "callback of task 1" in h.errors[0] and "RuntimeError: callback bug" in h.errors[0]


def test_base_exceptions_in_a_task_do_not_escape_the_frame(h: Harness) -> None:
    async def exits() -> None:
        raise SystemExit(3)

    task_id = h.runtime.submit(exits())
    h.frame()
    assert h.runtime.record(task_id).status == "failed"
    assert "SystemExit" in h.runtime.record(task_id).error


# -- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad, words", [
    (42, "int 42"),
    ("fetch", "str 'fetch'"),
    (chain, "coroutine function chain itself; call it"),
    (None, "NoneType None"),
])
def test_run_rejects_non_coroutines_with_a_clear_type_error(h: Harness, bad: object, words: str) -> None:
    with pytest.raises(TypeError, match="Run\\(\\) expects") as info:
        h.runtime.submit(bad)
    assert words in str(info.value)
    assert h.runtime.active_count == 0 and len(h.runtime.tracker) == 0


def test_a_bad_item_in_a_list_schedules_nothing(h: Harness) -> None:
    good = chain(1)
    with pytest.raises(TypeError, match="item 1 of the list is int 7"):
        h.runtime.submit([good, 7])
    assert len(h.runtime.tracker) == 0
    assert h.runtime.submit([good]) == 1  # the untouched coroutine can be submitted again
    h.frame()
    assert h.runtime.record(1).status == "completed"


def test_bad_timeout_and_callback_are_rejected(h: Harness) -> None:
    coro = chain(1)
    with pytest.raises(ValueError, match="more than 0 seconds"):
        h.runtime.submit(coro, timeout=0)
    with pytest.raises(TypeError, match="timeout must be a number"):
        h.runtime.submit(coro, timeout="5")
    with pytest.raises(TypeError, match="completion_callback must be callable"):
        h.runtime.submit(coro, completion_callback="onDone")
    with pytest.raises(ValueError, match="empty list"):
        h.runtime.submit([])
    assert len(h.runtime.tracker) == 0
    coro.close()


def test_run_from_a_worker_thread_is_refused(h: Harness) -> None:
    errors: list = []

    def worker() -> None:
        coro = chain(1)
        try:
            h.runtime.submit(coro)
        except RuntimeError as exc:
            errors.append(str(exc))
        coro.close()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert errors and "worker thread" in errors[0]


# -- the frame step ----------------------------------------------------------------------------------

def test_ready_work_runs_to_completion_within_one_frame(h: Harness) -> None:
    seen: list = []
    task_id = h.runtime.submit(chain(5, "x"), completion_callback=record_callbacks(seen))
    h.frame()
    assert h.runtime.record(task_id).status == "completed" and len(seen) == 1


def test_frame_budget_stops_a_busy_coroutine_and_lets_the_frame_go_on() -> None:
    budget_clock = ManualClock()
    clock = ManualClock()
    runtime = async_runtime.AsyncRuntime(clock, budget_clock)
    runtime.settings.frame_budget_s = 0.010
    passes: list[int] = []

    async def spinner() -> None:
        while True:
            passes.append(1)
            budget_clock.advance(0.004)  # every pass "costs" 4 ms
            await asyncio.sleep(0)

    runtime.submit(spinner())
    runtime.frame_step(lambda: None)
    assert len(passes) == 3  # 0, 4, 8 ms < 10 ms; 12 ms >= budget: stop
    runtime.frame_step(lambda: None, end_of_frame=True)
    assert len(passes) == 3  # budget of this frame spent
    runtime.frame_step(lambda: None)
    assert len(passes) == 6
    runtime.settings.frame_budget_s = 0.0
    runtime.frame_step(lambda: None)
    assert len(passes) == 7  # budget 0: one pass per frame
    runtime.shutdown()


def test_submit_during_a_frame_starts_in_the_same_frame(h: Harness) -> None:
    seen: list = []

    def follow_up(task: object) -> None:
        h.runtime.submit(chain(2, "second"), completion_callback=record_callbacks(seen))

    h.runtime.submit(chain(1), completion_callback=follow_up)
    h.frame()
    assert [s for _, s, _ in seen] == ["completed"]  # submitted from a callback: same frame step


def test_sleep_follows_the_injected_clock_exactly(h: Harness) -> None:
    task_id = h.runtime.submit(sleeper(1.0, "woke"))
    h.frame(0.0)
    h.frame(0.999)
    assert h.runtime.record(task_id).status == "running"
    h.frame(0.001)
    assert h.runtime.record(task_id).status == "completed"
    assert h.runtime.record(task_id).duration == pytest.approx(1.0)


def test_timeout_uses_the_loop_clock(h: Harness) -> None:
    task_id = h.runtime.submit(sleeper(5.0), timeout=2.0)
    h.frame(0.0)
    h.frame(1.99)
    assert h.runtime.record(task_id).status == "running"
    h.frame(0.01)
    assert h.runtime.record(task_id).status == "timeout"


def test_idle_step_does_not_poll_or_run_anything() -> None:
    clock = ManualClock()
    loop = async_loop.FrameLoop(clock, time.perf_counter)
    calls: list = []
    loop.call_later(5.0, calls.append, "late")
    assert loop.step(0.01) == 0 and not loop.has_work()
    clock.advance(5.0)
    assert loop.has_work() and loop.step(0.01) == 1 and calls == ["late"]
    loop.close()


def test_the_loop_is_the_running_loop_only_inside_a_step(h: Harness) -> None:
    seen: list = []

    async def who() -> None:
        seen.append(asyncio.get_running_loop())

    h.runtime.submit(who())
    h.frame()
    assert seen == [h.runtime.loop]
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    with pytest.raises(RuntimeError, match="cannot run_forever"):
        h.runtime.loop.run_forever()


def test_worker_thread_result_returns_on_the_main_thread_in_a_later_frame(h: Harness) -> None:
    release = threading.Event()
    threads: list = []

    def blocking() -> str:
        threads.append(threading.get_ident())
        release.wait(5)
        return "from thread"

    async def uses_thread() -> str:
        value = await asyncio.to_thread(blocking)
        threads.append(threading.get_ident())
        return value

    seen: list = []
    task_id = h.runtime.submit(uses_thread(), completion_callback=record_callbacks(seen))
    h.frame()
    h.frame()
    assert h.runtime.record(task_id).status == "running" and seen == []
    release.set()
    h.frames_until(lambda: seen, real_sleep=0.005)
    main = threading.get_ident()
    assert threads[0] != main and threads[1] == main and seen[0][2] == main
    assert h.runtime.record(task_id).result == "from thread"


# -- tracking, cleanup, cancel/clear -----------------------------------------------------------------

def test_finished_tasks_expire_after_clear_after(h: Harness) -> None:
    h.runtime.settings.clear_after = 1.0
    first = h.runtime.submit(chain(1))
    h.frame(0.0)  # first completes at t=0.0
    second = h.runtime.submit(chain(1))
    h.frame(0.5)  # second completes at t=0.5
    waiting = h.runtime.submit(sleeper(100))
    h.frame(0.5)  # t=1.0: first is 1.0 s old
    assert h.runtime.info(first) is None and h.runtime.info(second) is not None
    h.frame(0.5)
    assert h.runtime.info(second) is None and h.runtime.info(waiting)["status"] == "running"
    assert [row["task_id"] for row in h.table.as_dicts()] == [str(waiting)]


def test_expiry_cost_does_not_depend_on_running_tasks(h: Harness) -> None:
    h.runtime.settings.clear_after = 0.0
    h.runtime.submit([sleeper(100) for _ in range(500)])
    h.frame()
    h.runtime.submit(chain(1))
    h.frame()
    reads: list = []
    original_get = h.runtime.tracker.get

    def counting_get(task_id: int) -> object:
        reads.append(task_id)
        return original_get(task_id)

    h.runtime.tracker.get = counting_get  # type: ignore[method-assign]
    h.frame()
    assert len(reads) < 20  # the expired row and a bounded duration refresh, not 500 running tasks


def test_clear_finished_cancel_active_and_clear_all(h: Harness) -> None:
    seen: list = []
    cb = record_callbacks(seen)
    finished = h.runtime.submit([chain(1), chain(1)], completion_callback=cb)
    running = h.runtime.submit([sleeper(100), sleeper(100)], completion_callback=cb)
    h.frame()
    assert h.runtime.clear_finished() == 2
    assert all(h.runtime.info(t) is None for t in finished)
    assert h.runtime.cancel_active() == 2
    h.frame()
    assert [h.runtime.info(t)["status"] for t in running] == ["cancelled", "cancelled"]
    more = h.runtime.submit([sleeper(100), chain(0)], completion_callback=cb)
    h.frame()
    h.runtime.clear_all()
    h.frame()
    assert len(h.runtime.tracker) == 0 and h.table.as_dicts() == []
    assert sorted(t for t, _, _ in seen) == sorted(finished + running + more)  # each exactly once


def test_get_info_has_the_record_fields(h: Harness) -> None:
    task_id = h.runtime.submit(sleeper(1.0, 5), description="wait", info={"k": 1})
    h.frame(0.25)
    info = h.runtime.info(task_id)
    assert info["status"] == "running" and info["description"] == "wait" and info["info"] == {"k": 1}
    assert info["duration"] == pytest.approx(0.25)
    h.frame(1.0)
    info = h.runtime.info(task_id)
    assert info["result"] == 5 and info["completed_at"] == pytest.approx(1.25) and info["duration"] == pytest.approx(1.25)
    assert [i["task_id"] for i in h.runtime.all_info()] == [task_id]


# -- shutdown ----------------------------------------------------------------------------------------

def test_shutdown_cancels_tasks_fires_callbacks_and_closes_the_loop(h: Harness) -> None:
    seen: list = []
    h.runtime.submit([sleeper(100), chain(1)], completion_callback=record_callbacks(seen))
    pending = h.runtime.submit(sleeper(100), completion_callback=record_callbacks(seen))
    h.frame()
    h.runtime.shutdown()
    assert sorted(s for _, s, _ in seen) == ["cancelled", "cancelled", "completed"]
    assert h.runtime.loop.is_closed() and pending
    late = chain(1)
    with pytest.raises(RuntimeError, match="destroyed"):
        h.runtime.submit(late)
    late.close()
    h.runtime.shutdown()  # idempotent


def test_shutdown_abandons_a_task_that_ignores_cancellation(h: Harness) -> None:
    async def stubborn() -> None:
        while True:
            try:
                await asyncio.sleep(100)
            except asyncio.CancelledError:
                continue

    h.runtime.submit(stubborn())
    h.frame()
    h.runtime.shutdown()
    assert any("ignored cancellation" in message for message in h.errors)


# -- the table -----------------------------------------------------------------------------------------

def test_table_writes_only_what_changed(h: Harness) -> None:
    h.runtime.submit([chain(1) for _ in range(50)])
    waiting = h.runtime.submit(sleeper(0.5))
    h.frame()
    assert len(h.table.as_dicts()) == 51
    before = h.table.writes
    h.frame()
    assert h.table.writes == before  # nothing changed, nothing stale yet: no write at all
    h.frame(0.5)
    rows = {row["task_id"]: row for row in h.table.as_dicts()}
    assert rows[str(waiting)]["status"] == "completed"
    assert h.table.writes - before <= 4  # status, duration, completed_at of one row (not 51 rows)


def test_running_durations_refresh_under_a_write_budget_stalest_first(h: Harness) -> None:
    sync = h.runtime.table
    h.runtime.submit([sleeper(100) for _ in range(40)])
    h.frame()  # rows written once at t = 1/60
    first_written = h.clock.now
    writes: list[tuple[float, int]] = []
    for _ in range(50):
        before = h.table.writes
        h.frame(0.1)
        if h.table.writes > before:
            writes.append((h.clock.now, h.table.writes - before))
    elapsed = h.clock.now - first_written
    assert writes and max(count for _, count in writes) <= sync.rows_per_refresh
    pass_times = [when for when, _ in writes]
    assert all(b - a >= sync.refresh_period - 1e-9 for a, b in zip(pass_times, pass_times[1:], strict=False))
    assert sum(count for _, count in writes) <= sync.max_refresh_rate * elapsed + sync.rows_per_refresh
    refreshed = [row for row in h.table.as_dicts() if float(row["duration"]) > first_written + 0.1]
    assert len(refreshed) == sum(count for _, count in writes)  # fewer writes than rows: each to a new row
    assert [int(row["task_id"]) for row in refreshed] == list(range(1, len(refreshed) + 1))  # stalest first
    for row in refreshed:  # refreshed only once stale (refresh_interval after the first write)
        assert float(row["duration"]) >= first_written + sync.refresh_interval - 1e-3


def test_a_few_running_tasks_show_durations_at_most_a_refresh_behind(h: Harness) -> None:
    sync = h.runtime.table
    few = int(sync.max_refresh_rate * sync.refresh_interval)
    ids = h.runtime.submit([sleeper(100) for _ in range(few)])
    h.frame()
    lag_limit = sync.refresh_interval + sync.refresh_period + 1 / 60
    for _ in range(300):  # 5 s of TD time at 60 fps
        h.frame()
        rows = {int(row["task_id"]): row for row in h.table.as_dicts()}
        for task_id in ids:
            live = h.runtime.info(task_id)["duration"]
            assert live - float(rows[task_id]["duration"]) <= lag_limit


def test_no_refresh_writes_once_every_task_finished(h: Harness) -> None:
    h.runtime.submit([sleeper(0.5) for _ in range(10)])
    h.frame()
    h.frame(0.6)
    assert all(row["status"] == "completed" for row in h.table.as_dicts())
    before = h.table.writes
    for _ in range(120):
        h.frame()
    assert h.table.writes == before
    assert not h.runtime.table.has_work(h.runtime.tracker, h.clock.now)


def test_rows_stay_in_submission_order_through_deletions(h: Harness) -> None:
    h.runtime.settings.clear_after = 0.5
    ids = h.runtime.submit([chain(1), sleeper(10), chain(1), sleeper(10), chain(1)])
    h.frame(0.0)
    h.frame(1.0)
    late = h.runtime.submit(chain(1))
    h.frame()
    assert [int(r["task_id"]) for r in h.table.as_dicts()] == [ids[1], ids[3], late]
    h.runtime.set_update_table(False)
    h.runtime.submit(chain(1))
    h.frame()
    assert len(h.table.as_dicts()) == 3  # left alone while off
    h.runtime.set_update_table(True)
    h.frame()
    assert len(h.table.as_dicts()) == 4  # rebuilt once when turned back on
