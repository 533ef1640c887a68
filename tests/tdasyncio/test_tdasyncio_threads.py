"""Worker-thread work made testable: ``ActiveThreadJobs`` counts thread jobs in flight.

A job counts from ``asyncio.to_thread`` (``run_in_executor``) until its result is back on the main
thread and the awaiting coroutine has resumed; a result the thread produced before a frame is
picked up by that frame. Tests therefore wait for thread work by advancing frames until the count is
0, with a wall-time limit, instead of guessing a number of frames.
"""

from __future__ import annotations

import asyncio
import threading
import time

import build_toxes
import pytest
from tdasyncio_helpers import Harness


@pytest.fixture
def h() -> Harness:
    harness = Harness()
    yield harness
    harness.runtime.shutdown()


def frames_until_no_thread_jobs(h: Harness, timeout: float = 5.0) -> int:
    """Advance frames until no thread job is in flight (what ``td_session.advance_until`` does on mock_td)."""
    deadline = time.monotonic() + timeout
    frames = 0
    while h.runtime.thread_jobs:
        assert time.monotonic() < deadline, "thread work did not finish in time"
        time.sleep(0)  # let the worker run between frames
        h.frame()
        frames += 1
    return frames


def test_a_sleeping_thread_job_counts_until_its_result_is_back_and_the_coroutine_resumed(h: Harness) -> None:
    resumed: list = []

    def slow() -> str:
        time.sleep(0.05)
        return "slept"

    async def uses_thread() -> str:
        value = await asyncio.to_thread(slow)
        resumed.append(value)
        return value

    task_id = h.runtime.submit(uses_thread())
    assert h.runtime.thread_jobs == 0  # not started before its first step
    h.frame()
    assert h.runtime.thread_jobs == 1 and resumed == []
    frames_until_no_thread_jobs(h)
    assert resumed == ["slept"]  # at 0 the awaiting code has run, in that same frame
    assert h.runtime.record(task_id).status == "completed" and h.runtime.record(task_id).result == "slept"


def test_a_finished_thread_result_is_picked_up_by_the_very_next_frame(h: Harness) -> None:
    release = threading.Event()
    resumed: list = []

    async def uses_thread() -> None:
        resumed.append(await asyncio.to_thread(release.wait, 5))

    h.runtime.submit(uses_thread())
    for _ in range(3):
        h.frame()
    assert h.runtime.thread_jobs == 1 and resumed == []
    release.set()
    deadline = time.monotonic() + 5
    while not h.runtime.loop.ready_count:  # the worker queued the result for the loop
        assert time.monotonic() < deadline
        time.sleep(0.001)
    h.frame()
    assert resumed == [True] and h.runtime.thread_jobs == 0


def test_a_chain_of_thread_jobs_is_waited_for_as_a_whole(h: Harness) -> None:
    steps: list = []

    async def two_jobs() -> None:
        steps.append(await asyncio.to_thread(time.sleep, 0.01))
        steps.append(await asyncio.to_thread(time.sleep, 0.01))

    task_id = h.runtime.submit(two_jobs())
    h.frame()
    counts = []
    deadline = time.monotonic() + 5
    while h.runtime.thread_jobs:
        assert time.monotonic() < deadline
        counts.append(h.runtime.thread_jobs)
        time.sleep(0.001)
        h.frame()
    assert steps == [None, None] and set(counts) == {1}  # never 0 between the two jobs
    assert h.runtime.record(task_id).status == "completed"


def test_a_failing_or_cancelled_thread_job_stops_counting(h: Harness) -> None:
    def fails() -> None:
        raise ValueError("disk on fire")

    release = threading.Event()

    async def waits_for_thread() -> None:
        await asyncio.to_thread(release.wait, 5)

    failed = h.runtime.submit(asyncio.to_thread(fails))
    cancelled = h.runtime.submit(waits_for_thread())
    h.frame()
    h.runtime.cancel(cancelled)
    frames_until_no_thread_jobs(h)
    assert h.runtime.record(failed).error == "ValueError: disk on fire"
    assert h.runtime.record(cancelled).status == "cancelled"
    release.set()


def test_on_the_component_advance_until_no_thread_jobs(td_session) -> None:
    comp = build_toxes.build_tdasyncio(td_session.root)

    def read_slowly() -> str:
        time.sleep(0.05)
        return "file contents"

    async def load() -> str:
        text = await asyncio.to_thread(read_slowly)
        return text.upper()

    task_id = comp.Run(load())
    assert comp.ActiveThreadJobs == 0
    td_session.advance()
    assert comp.ActiveThreadJobs == 1
    td_session.advance_until(lambda: comp.ActiveThreadJobs == 0, timeout=5)
    assert comp.GetTaskInfo(task_id)["status"] == "completed" and comp.GetTaskResult(task_id) == "FILE CONTENTS"
    comp.destroy()
    td_session.advance(2)
