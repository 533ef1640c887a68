"""Faults contained: nothing user code raises (``BaseException`` included) escapes a TDAsyncIO frame step.

Every kind of user code the runtime calls is covered: the coroutine, its completion callback, plain
asyncio callbacks and tasks on the loop, a worker-thread function, and ``__str__`` of what ends up
in the task table or in an error message. Each fault ends visibly (status, callback, report) and
the loop goes on with the next task.
"""

from __future__ import annotations

import asyncio
import logging
import socket

import async_runtime
import build_toxes
import pytest
from tdasyncio_helpers import Harness


async def chain(n: int, value: object = "done") -> object:
    for _ in range(n):
        await asyncio.sleep(0)
    return value


@pytest.fixture
def h() -> Harness:
    harness = Harness()
    yield harness
    harness.runtime.shutdown()


BASE_EXCEPTIONS = [KeyboardInterrupt, SystemExit, GeneratorExit, asyncio.CancelledError]


# -- the coroutine -----------------------------------------------------------------------------------

def test_a_coroutine_raising_generator_exit_ends_failed_with_its_callback(h: Harness) -> None:
    seen: list = []

    async def closes_itself() -> None:
        await asyncio.sleep(0)
        raise GeneratorExit

    task_id = h.runtime.submit(closes_itself(), completion_callback=lambda task: seen.append(task.status))
    after = h.runtime.submit(chain(1, "next"))
    h.frame()
    record = h.runtime.record(task_id)
    assert record.status == "failed" and record.error == "GeneratorExit" and seen == ["failed"]
    assert isinstance(record.exception, GeneratorExit)
    assert h.runtime.record(after).result == "next" and h.runtime.active_count == 0


@pytest.mark.parametrize("exc_type", [KeyboardInterrupt, SystemExit])
def test_a_coroutine_raising_a_base_exception_before_its_first_await_ends_failed(h: Harness, exc_type: type) -> None:
    async def raises_at_once() -> None:
        raise exc_type("stop")

    seen: list = []
    task_id = h.runtime.submit(raises_at_once(), completion_callback=lambda task: seen.append(task.status))
    h.frame()
    assert h.runtime.record(task_id).status == "failed" and seen == ["failed"]
    assert h.runtime.record(task_id).error == f"{exc_type.__name__}: stop"


# -- the completion callback -------------------------------------------------------------------------

@pytest.mark.parametrize("exc_type", BASE_EXCEPTIONS)
def test_a_completion_callback_raising_any_base_exception_is_contained_and_reported(
        h: Harness, exc_type: type) -> None:
    seen: list = []

    def bad(task: object) -> None:
        raise exc_type("from the callback")

    first = h.runtime.submit(chain(1, "a"), completion_callback=bad)
    h.runtime.submit(chain(2, "b"), completion_callback=lambda task: seen.append(task.result))
    h.frame()  # nothing escapes the frame step
    assert h.runtime.record(first).status == "completed" and h.runtime.record(first).result == "a"
    assert seen == ["b"]  # the loop went on in the same frame
    assert len(h.errors) == 1 and f"callback of task {first}" in h.errors[0] and exc_type.__name__ in h.errors[0]
    third = h.runtime.submit(chain(1, "c"), completion_callback=lambda task: seen.append(task.result))
    h.frame()
    assert seen == ["b", "c"] and h.runtime.record(third).status == "completed"


def test_a_callback_of_a_task_cancelled_before_it_started_raising_system_exit_is_contained(h: Harness) -> None:
    def bad(task: object) -> None:
        raise SystemExit(2)

    task_id = h.runtime.submit(chain(1), completion_callback=bad)
    h.runtime.cancel(task_id)
    h.frame()
    assert h.runtime.record(task_id).status == "cancelled"
    assert len(h.errors) == 1 and "SystemExit: 2" in h.errors[0]


def test_a_callback_raising_keyboard_interrupt_at_shutdown_is_contained(h: Harness) -> None:
    def bad(task: object) -> None:
        raise KeyboardInterrupt

    h.runtime.submit(chain(100), completion_callback=bad)
    h.frame(0.0)
    h.runtime.shutdown()
    assert h.runtime.loop.is_closed() and len(h.errors) == 1 and "KeyboardInterrupt" in h.errors[0]


def test_on_the_component_a_system_exit_callback_is_a_script_error_and_logged(td_session, caplog) -> None:
    comp = build_toxes.build_tdasyncio(td_session.root)
    comp.par.Framebudget = 10_000  # one frame finishes the work, however loaded the machine
    seen: list = []

    def bad(task: object) -> None:
        raise SystemExit("bye")

    comp.Run(chain(1), completion_callback=bad)
    comp.Run(chain(1, "still running"), completion_callback=lambda task: seen.append(task.result))
    with caplog.at_level(logging.ERROR, logger="lopflow.tdasyncio"):
        td_session.advance()
    assert seen == ["still running"]
    assert "SystemExit: bye" in comp.scriptErrors()
    assert any("SystemExit: bye" in record.getMessage() for record in caplog.records)
    td_session.take_script_exceptions()  # acknowledged: the script error is what this test expects
    comp.destroy()
    td_session.advance(2)


# -- plain asyncio code on the loop ------------------------------------------------------------------

@pytest.mark.parametrize("exc_type", [KeyboardInterrupt, SystemExit])
def test_a_plain_loop_callback_raising_is_contained_and_the_step_goes_on(h: Harness, exc_type: type) -> None:
    calls: list = []

    def explode() -> None:
        raise exc_type("in call_soon")

    async def schedules() -> str:
        loop = asyncio.get_running_loop()
        loop.call_soon(explode)
        loop.call_soon(calls.append, "after")
        await asyncio.sleep(0)
        return "ok"

    task_id = h.runtime.submit(schedules())
    h.frame()
    assert calls == ["after"] and h.runtime.record(task_id).result == "ok"
    assert len(h.errors) == 1 and exc_type.__name__ in h.errors[0] and "in call_soon" in h.errors[0]


def test_a_plain_asyncio_task_raising_system_exit_is_contained(h: Harness) -> None:
    async def inner() -> None:
        raise SystemExit(5)

    async def spawns() -> str:
        inner_task = asyncio.get_running_loop().create_task(inner())
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return "survived" if inner_task.done() else "?"

    task_id = h.runtime.submit(spawns())
    h.frame()
    assert h.runtime.record(task_id).result == "survived"
    assert any("SystemExit" in message for message in h.errors)


# -- worker threads ----------------------------------------------------------------------------------

@pytest.mark.parametrize("exc_type", [KeyboardInterrupt, SystemExit, GeneratorExit])
def test_a_worker_thread_function_raising_a_base_exception_fails_its_task(h: Harness, exc_type: type) -> None:
    def work() -> None:
        raise exc_type("in the thread")

    async def uses_thread() -> None:
        await asyncio.to_thread(work)

    seen: list = []
    task_id = h.runtime.submit(uses_thread(), completion_callback=lambda task: seen.append(task.status))
    h.frames_until(lambda: h.runtime.thread_jobs == 0 and seen, real_sleep=0.002)
    assert seen == ["failed"] and h.runtime.record(task_id).error == f"{exc_type.__name__}: in the thread"


# -- __str__ of user objects -------------------------------------------------------------------------

class Unprintable:
    def __str__(self) -> str:
        raise SystemExit("no str for you")

    __repr__ = __str__


def test_an_info_whose_str_raises_shows_a_placeholder_and_the_table_goes_on(h: Harness) -> None:
    first = h.runtime.submit(chain(1), info=Unprintable())
    second = h.runtime.submit(chain(1), info="plain")
    h.frame()
    rows = {int(row["task_id"]): row for row in h.table.as_dicts()}
    assert rows[first]["info"] == "<Unprintable whose str() raised SystemExit>"
    assert rows[second]["info"] == "plain" and rows[second]["status"] == "completed"
    assert h.errors == []


def test_an_exception_whose_str_raises_still_fails_its_task_with_a_message(h: Harness) -> None:
    class Odd(Exception):
        def __str__(self) -> str:
            raise KeyboardInterrupt

    async def raises_odd() -> None:
        raise Odd

    seen: list = []
    task_id = h.runtime.submit(raises_odd(), completion_callback=lambda task: seen.append(task.status))
    h.frame()
    assert seen == ["failed"]
    assert h.runtime.record(task_id).error == "Odd: <Odd whose str() raised KeyboardInterrupt>"


def test_a_reporter_that_raises_never_breaks_the_frame(caplog) -> None:
    def broken_reporter(message: str, exc: BaseException | None) -> None:
        raise SystemExit("reporter down")

    runtime = async_runtime.AsyncRuntime(lambda: 0.0, lambda: 0.0, report_error=broken_reporter)

    def bad(task: object) -> None:
        raise ValueError("callback bug")

    runtime.submit(chain(1), completion_callback=bad)
    with caplog.at_level(logging.ERROR, logger="lopflow.tdasyncio"):
        runtime.frame_step(lambda: None)
    assert any("callback bug" in record.getMessage() for record in caplog.records)
    runtime.shutdown()


# -- diagnostics: one path ---------------------------------------------------------------------------

def test_the_default_reporter_logs_to_the_component_logger_and_prints_nothing(capsys, caplog) -> None:
    runtime = async_runtime.AsyncRuntime(lambda: 0.0, lambda: 0.0)

    def bad(task: object) -> None:
        raise ValueError("callback bug")

    runtime.submit(chain(1), completion_callback=bad)
    with caplog.at_level(logging.ERROR, logger="lopflow.tdasyncio"):
        runtime.frame_step(lambda: None)
    runtime.shutdown()
    assert [record.name for record in caplog.records] == ["lopflow.tdasyncio"]
    assert "ValueError: callback bug" in caplog.records[0].getMessage()
    assert caplog.records[0].exc_info is not None  # the traceback goes with it
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# -- sockets (I/O readiness is polled even when no timer or handle is due) ---------------------------

def test_a_coroutine_waiting_on_a_socket_wakes_when_data_arrives(h: Harness) -> None:
    ours, theirs = socket.socketpair()
    ours.setblocking(False)

    async def receive() -> bytes:
        return await asyncio.get_running_loop().sock_recv(ours, 16)

    task_id = h.runtime.submit(receive())
    h.frame()
    h.frame()
    assert h.runtime.record(task_id).status == "running"
    theirs.send(b"hello")
    h.frames_until(lambda: h.runtime.record(task_id).is_finished, limit=50, real_sleep=0.001)
    assert h.runtime.record(task_id).result == b"hello"
    ours.close()
    theirs.close()
