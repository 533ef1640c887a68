"""The frame budget, guarded by counting operations on a fake budget clock (never by wall time).

Work "costs" fake time: the fake budget clock moves only when a handle, a callback, a table write
or an expiry runs, by a fixed amount each. The tests then count what a frame does and check that
TDAsyncIO stops at the budget, keeps FIFO order, and spreads a burst over frames.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import async_loop
import async_runtime
from tdasyncio_helpers import FakeTable, ManualClock

BUDGET = 0.005  # the default Framebudget, 5 ms
SLACK = 0.002  # the target: no frame longer than Framebudget + 2 ms
STEP_COST = 0.0001  # fake cost of one task step
CALLBACK_COST = 0.00005  # fake cost of one completion callback
WRITE_COST = 0.000002  # fake cost of one table write (a row append or a cell)
FORGET_COST = 0.000001  # fake cost of forgetting one finished task


class CostlyTable(FakeTable):
    """A FakeTable whose every write costs fake budget time."""

    def __init__(self, budget_clock: ManualClock) -> None:
        super().__init__()
        self.budget_clock = budget_clock

    def appendRow(self, vals: list[Any]) -> int:  # noqa: N802
        self.budget_clock.advance(WRITE_COST)
        return super().appendRow(vals)

    def deleteRow(self, nameOrIndex: int) -> None:  # noqa: N802, N803
        self.budget_clock.advance(WRITE_COST)
        super().deleteRow(nameOrIndex)

    def __setitem__(self, key: tuple[int, int], value: Any) -> None:
        self.budget_clock.advance(WRITE_COST)
        super().__setitem__(key, value)


class Costed:
    """A runtime whose work costs fake budget time; frames stepped like TD (start, end)."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.budget_clock = ManualClock()
        self.errors: list[str] = []
        self.runtime = async_runtime.AsyncRuntime(self.clock, self.budget_clock,
                                                  report_error=lambda message, exc: self.errors.append(message))
        self.runtime.settings.frame_budget_s = BUDGET
        self.table = CostlyTable(self.budget_clock)
        tracker = self.runtime.tracker
        forget = tracker.forget

        def costly_forget(task_id: int) -> bool:
            self.budget_clock.advance(FORGET_COST)
            return forget(task_id)

        tracker.forget = costly_forget  # type: ignore[method-assign]
        self.frame_costs: list[float] = []

    def frame(self, seconds: float = 1 / 60) -> None:
        self.clock.advance(seconds)
        before = self.budget_clock.now
        self.runtime.frame_step(lambda: self.table)
        self.runtime.frame_step(lambda: self.table, end_of_frame=True)
        self.frame_costs.append(self.budget_clock.now - before)

    async def work(self, value: int) -> int:
        self.budget_clock.advance(STEP_COST)
        return value


# -- the loop --------------------------------------------------------------------------------------

def test_a_step_runs_handles_only_until_the_budget_is_spent_and_keeps_fifo_order() -> None:
    budget_clock = ManualClock()
    loop = async_loop.FrameLoop(ManualClock(), budget_clock)
    ran: list[int] = []

    def handle(number: int) -> None:
        ran.append(number)
        budget_clock.advance(0.001)  # every handle "costs" 1 ms

    for number in range(10_000):
        loop.call_soon(handle, number)
    assert loop.step(0.005) == 5 and ran == [0, 1, 2, 3, 4]  # 1, 2, 3, 4 ms < 5 ms; 5 ms: stop
    assert loop.ready_count == 9_995  # the rest waits, in order
    loop.call_soon(handle, -1)  # made ready later: runs after the ones left over
    assert loop.step(0.0025) == 3 and ran[5:] == [5, 6, 7]
    assert loop.step(0.0) == 1 and ran[-1] == 8  # no budget: still one handle, so the loop progresses
    while loop.ready_count:
        loop.step(1.0)
    assert ran == list(range(10_000)) + [-1]
    loop.close()


def test_a_due_timer_waits_behind_handles_left_over_by_the_budget() -> None:
    clock, budget_clock = ManualClock(), ManualClock()
    loop = async_loop.FrameLoop(clock, budget_clock)
    ran: list[str] = []

    def handle(name: str) -> None:
        ran.append(name)
        budget_clock.advance(0.001)

    for name in "abc":
        loop.call_soon(handle, name)
    loop.call_later(1.0, handle, "timer")
    loop.step(0.0015)
    clock.advance(1.0)
    loop.step(1.0)
    assert ran == ["a", "b", "c", "timer"]
    loop.close()


# -- a burst of 10,000 tasks ------------------------------------------------------------------------

def test_ten_thousand_tasks_in_one_frame_spread_over_frames_in_order_within_budget() -> None:
    costed = Costed()
    order: list[int] = []

    def callback(task: Any) -> None:
        costed.budget_clock.advance(CALLBACK_COST)
        order.append(task.result)

    n = 10_000
    ids = costed.runtime.submit([costed.work(i) for i in range(n)], completion_callback=callback)
    frames = 0
    while len(order) < n or costed.runtime.table.has_work(costed.runtime.tracker, costed.clock.now):
        costed.frame()
        frames += 1
        assert frames < 2_000
    assert order == list(range(n))  # callbacks fire in submission order
    assert max(costed.frame_costs) <= BUDGET + SLACK
    per_task = STEP_COST + CALLBACK_COST
    assert frames >= n * per_task / (BUDGET + SLACK)  # the work really was spread
    assert frames <= 2 * n * per_task / BUDGET + 20  # ...and frames were used, not wasted
    assert [int(row["task_id"]) for row in costed.table.as_dicts()] == ids
    assert {row["status"] for row in costed.table.as_dicts()} == {"completed"}
    assert costed.errors == []
    costed.runtime.shutdown()


def test_expiring_ten_thousand_tasks_spreads_over_frames_within_budget() -> None:
    costed = Costed()
    costed.runtime.settings.clear_after = 1.0
    n = 10_000
    costed.runtime.submit([costed.work(i) for i in range(n)])
    while costed.runtime.active_count or costed.runtime.table.has_work(costed.runtime.tracker, costed.clock.now):
        costed.frame()
    costed.frame_costs.clear()
    costed.frame(1.0)  # every finished task expires at once
    frames = 1
    while len(costed.runtime.tracker) or costed.runtime.table.has_work(costed.runtime.tracker, costed.clock.now):
        costed.frame()
        frames += 1
        assert frames < 2_000
    assert max(costed.frame_costs) <= BUDGET + SLACK and frames > 1
    assert costed.table.as_dicts() == []
    costed.runtime.shutdown()


def test_the_table_catches_up_while_the_loop_uses_the_whole_budget() -> None:
    costed = Costed()

    async def busy() -> None:
        while True:
            costed.budget_clock.advance(BUDGET)  # one step spends a whole frame's budget
            await asyncio.sleep(0)

    costed.runtime.submit(busy())
    ids = costed.runtime.submit([costed.work(i) for i in range(1_000)])
    for _ in range(40):
        costed.frame()
    rows = costed.table.as_dicts()
    assert [int(row["task_id"]) for row in rows] == [ids[0] - 1, *ids]  # every row written anyway
    # a frame may overrun by the one step that crosses the budget (here a whole budget) and the table's minimum
    assert max(costed.frame_costs) <= 2 * BUDGET + SLACK
    costed.runtime.shutdown()


# -- a frame with nothing to do costs the same, however many tasks wait --------------------------------

def count_calls(action: Any) -> int:
    """Python-level function calls made by ``action()`` (an operation count, not a time)."""
    calls = 0

    def profiler(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(profiler)
    try:
        action()
    finally:
        sys.setprofile(None)
    return calls


def idle_frame_calls(waiting: int) -> int:
    """Calls one frame makes while ``waiting`` tasks wait on an event (rows written, no refresh due)."""
    clock = ManualClock()
    runtime = async_runtime.AsyncRuntime(clock, ManualClock())
    table = FakeTable()
    event = asyncio.Event()

    async def waits() -> None:
        await event.wait()

    runtime.submit([waits() for _ in range(waiting)])
    for _ in range(3):
        clock.advance(1 / 60)
        runtime.frame_step(lambda: table)
        runtime.frame_step(lambda: table, end_of_frame=True)
    assert len(table.as_dicts()) == waiting and not runtime.table.has_work(runtime.tracker, clock.now)

    def idle_frame() -> None:
        runtime.frame_step(lambda: table)
        runtime.frame_step(lambda: table, end_of_frame=True)

    calls = count_calls(idle_frame)
    runtime.shutdown()
    return calls


def test_a_frame_with_only_waiting_tasks_makes_a_few_calls_whatever_their_number() -> None:
    few, many = idle_frame_calls(10), idle_frame_calls(10_000)
    assert few == many <= 8  # the loop and table checks only: no call per waiting task
