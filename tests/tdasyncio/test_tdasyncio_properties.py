"""Property test: random submit / cancel / clear / advance sequences on the TDAsyncIO runtime.

Cancels come through the runtime and also straight through asyncio (``Task.cancel()`` on a task
from ``asyncio.all_tasks``), as user code may do.

Whatever the sequence, every task ends in exactly one terminal status, its completion callback
fires exactly once (with that status), active counts and the table stay consistent.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from async_tasks import TaskStatus
from hypothesis import given, settings
from hypothesis import strategies as st
from tdasyncio_helpers import Harness

submit_op = st.tuples(
    st.just("submit"),
    st.sampled_from(["ready", "sleep", "fail", "timeout", "raising_callback", "chained"]),
    st.integers(min_value=0, max_value=4),
)
operations = st.lists(
    st.one_of(
        submit_op,
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("asyncio_cancel"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("advance"), st.sampled_from([0.0, 1 / 60, 0.1, 0.5, 1.0])),
        st.tuples(st.sampled_from(["clear_finished", "cancel_active", "clear_all"])),
    ),
    max_size=40,
)


async def work(kind: str, n: int) -> int:
    for _ in range(n):
        await asyncio.sleep(0)
    if kind in ("sleep", "timeout"):
        await asyncio.sleep(0.2 * (n + 1))
    if kind == "fail":
        raise ValueError("planned failure")
    return n


@given(operations)
def test_every_task_ends_once_and_calls_back_once(ops: list[tuple]) -> None:
    h = Harness()
    runtime = h.runtime
    calls: Counter[int] = Counter()
    final: dict[int, TaskStatus] = {}
    submitted: list[int] = []

    def make_callback(kind: str):
        def callback(task) -> None:
            calls[task.task_id] += 1
            final[task.task_id] = task.status
            assert task.status.is_terminal and task.completed_at is not None
            if kind == "chained" and len(submitted) < 200:
                submitted.append(runtime.submit(work("ready", 1), completion_callback=make_callback("ready")))
            if kind == "raising_callback":
                raise RuntimeError("callback fails")
        return callback

    def check() -> None:
        assert all(count == 1 for count in calls.values()), calls
        for task_id in submitted:
            record = runtime.record(task_id)
            if record is not None and record.is_finished:
                assert calls[task_id] == 1 and final[task_id] == record.status
            if record is not None and not record.is_finished:
                assert calls[task_id] == 0
        assert runtime.active_count == sum(1 for r in runtime.tracker.records() if not r.is_finished)
        # the only errors reported are the planned callback failures (an assert failing inside a
        # callback is reported like any callback error, so it shows up here)
        assert all("RuntimeError: callback fails" in message for message in h.errors), h.errors

    for op in ops:
        if op[0] == "submit":
            kind, n = op[1], op[2]
            timeout = 0.1 * (n + 1) if kind == "timeout" else None
            submitted.append(runtime.submit(work(kind, n), timeout=timeout, completion_callback=make_callback(kind)))
        elif op[0] == "cancel":
            if submitted:
                runtime.cancel(submitted[op[1] % len(submitted)])
        elif op[0] == "asyncio_cancel":  # user code cancelling through asyncio, past the runtime's API
            tasks = sorted(asyncio.all_tasks(runtime.loop), key=lambda task: int(task.get_name().split("-")[-1]))
            if tasks:
                tasks[op[1] % len(tasks)].cancel()
        elif op[0] == "advance":
            h.frame(op[1])
        else:
            getattr(runtime, op[0])()
        check()

    runtime.cancel_active()
    for _ in range(3):
        h.frame()
    check()
    assert runtime.active_count == 0
    assert not runtime._cancel_before_start and not runtime._tasks  # no bookkeeping left behind
    assert sorted(calls) == sorted(submitted) and set(calls.values()) == {1} or not submitted
    assert [int(row["task_id"]) for row in h.table.as_dicts()] == [r.task_id for r in runtime.tracker.records()]
    assert [row["status"] for row in h.table.as_dicts()] == [r.status.value for r in runtime.tracker.records()]
    runtime.shutdown()


component_ops = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.sampled_from(["ready", "sleep", "fail", "timeout"]),
                  st.integers(min_value=0, max_value=3)),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("advance"), st.integers(min_value=1, max_value=20)),
        st.tuples(st.sampled_from(["Clearfinished", "Cancelactive", "Clearall"])),
    ),
    max_size=25,
)


@settings(max_examples=25)
@given(component_ops)
def test_component_tasks_end_once_under_random_frames(ops: list[tuple]) -> None:
    """The same property through the built component, its Execute DAT and TD frames on mock_td."""
    import build_toxes

    import mock_td

    session = mock_td.install()
    comp = build_toxes.build_tdasyncio(session.root)
    comp.par.Framebudget = 10_000  # frames do all ready work, however loaded the machine
    calls: Counter[int] = Counter()
    final: dict[int, str] = {}
    submitted: list[int] = []

    def callback(task) -> None:
        calls[task.task_id] += 1
        final[task.task_id] = task.status

    for op in ops:
        if op[0] == "submit":
            timeout = 0.1 * (op[2] + 1) if op[1] == "timeout" else None
            submitted.append(comp.Run(work(op[1], op[2]), timeout=timeout, completion_callback=callback))
        elif op[0] == "cancel":
            if submitted:
                comp.CancelTask(submitted[op[1] % len(submitted)])
        elif op[0] == "advance":
            session.advance(op[1])
        else:
            getattr(comp.par, op[0]).pulse()
        assert all(count == 1 for count in calls.values())
        for info in comp.GetAllTasksInfo():
            finished = info["status"] in ("completed", "failed", "cancelled", "timeout")
            assert calls[info["task_id"]] == (1 if finished else 0)
            if finished:
                assert final[info["task_id"]] == info["status"]
    comp.Cancelactive()
    session.advance(2)
    assert comp.GetActiveTasksCount() == 0
    assert sorted(calls) == sorted(submitted) and all(count == 1 for count in calls.values())
    comp.destroy()
    session.advance(2)
    assert session.take_script_exceptions() == []
