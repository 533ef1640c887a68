"""The TDAsyncIO runtime: a FrameLoop, the task tracker and the table sync, advanced per frame.

One ``AsyncRuntime`` belongs to one TDAsyncIO component. The extension keeps it in the
component's storage so it outlives extension re-initialisation; everything here is plain Python
(standard library + the sibling modules ``async_loop``, ``async_tasks``, ``async_table``), so it can
be tested without TouchDesigner.

Order of work in one frame (``frame_step``); the frame budget (``settings.frame_budget_s``) is shared
by everything TDAsyncIO does in the frame:

1. frame start: run ready handles of the loop (task steps, due timers, worker-thread results), one at
   a time in FIFO order, until none is ready or the budget is spent (at least one runs). Tasks
   submitted before this point start here; a task's completion callback fires inside its last step,
   so callbacks are budgeted too and fire in the order the tasks finish. Handles left over stay
   first in line for the next frame.
2. frame start: forget finished tasks older than ``clear_after``, in chunks, while budget is left
   (at least one chunk; cost = number forgotten).
3. frame start: write changed table rows while budget is left (at least ``MIN_TABLE_ROWS`` rows, so the
   table catches up even while the loop uses the whole budget), plus a few stale running durations
   (see ``async_table``).
4. frame end (``end_of_frame=True``): run the loop again with what is left of the budget, only if
   something became ready during the frame (a task submitted by a script, a parameter callback or
   another operator after step 1 starts in the same frame), then write changed rows with what is left.

So one frame spends at most the budget, plus the one handle running when it ran out, one expiry chunk
(``EXPIRE_CHUNK`` tasks) and one chunk of table rows (``MIN_TABLE_ROWS``).

Completion callbacks run on the loop, so always on the main thread and inside a frame step. Each
task's callback fires exactly once, for every terminal status (completed, failed, cancelled,
timeout). Nothing user code raises escapes a frame step, ``BaseException`` included: a coroutine or a
worker-thread function that raises (``KeyboardInterrupt``, ``SystemExit``, ``GeneratorExit``...) ends
its task ``failed``; a completion callback or a plain asyncio callback that raises is reported through
``report_error`` (the component's logger and script errors) and changes nothing else; an ``info`` or
exception whose ``str()`` raises is shown as a placeholder naming the failure.
"""

# No `from __future__ import annotations` here: @dataclass with string annotations looks the module up in
# sys.modules, which a module built from a Text DAT may not be registered in.

import asyncio
import logging
import threading
import types
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import async_loop
import async_table
import async_tasks
import tdasyncio_spec
from async_tasks import TaskRecord, TaskStatus

_CoroutineType = types.CoroutineType
_PENDING = TaskStatus.PENDING
Clock = Callable[[], float]
CompletionCallback = Callable[[TaskRecord], Any]
ErrorReporter = Callable[[str, "BaseException | None"], None]

#: Table rows written per frame at least (the budget may be spent by the loop already).
MIN_TABLE_ROWS = async_table.CHUNK
#: Finished tasks forgotten per expiry chunk (the budget is checked between chunks).
EXPIRE_CHUNK = 256
_FOREVER = float("inf")


class TaskTimeout(TimeoutError):
    """The exception recorded on a task whose ``timeout`` expired (its status is ``timeout``)."""


@dataclass
class RuntimeSettings:
    """Values the adapter copies from the component's parameters (read once, not every frame)."""

    frame_budget_s: float = tdasyncio_spec.DEFAULT_FRAMEBUDGET_MS / 1000.0
    clear_after: float = tdasyncio_spec.DEFAULT_CLEARAFTER_S
    update_table: bool = True


def log_error(message: str, exception: BaseException | None) -> None:
    """The default reporter: the component's logger (the extension adds the script error)."""
    logging.getLogger(tdasyncio_spec.LOGGER_NAME).error(message, exc_info=exception)


def describe_non_coroutine(value: Any) -> str:
    """Say what ``value`` is, for the TypeError of ``Run`` (and how to fix the common mistakes)."""
    if asyncio.iscoroutinefunction(value):
        name = getattr(value, "__qualname__", repr(value))
        return f"the coroutine function {name} itself; call it to get a coroutine: Run({name}(...))"
    if isinstance(value, asyncio.Future):
        return f"a {type(value).__name__} ({value!r}); pass the coroutine itself, not a task or future"
    return f"{type(value).__name__} {value!r}"


def as_coroutine_list(coroutines: Any) -> tuple[list[Coroutine[Any, Any, Any]], bool]:
    """Validate ``Run``'s first argument; return (coroutines, whether one id should be returned)."""
    if asyncio.iscoroutine(coroutines):
        return [coroutines], True
    if isinstance(coroutines, (list, tuple)):
        if not coroutines:
            raise ValueError("Run() got an empty list: pass a coroutine or a list of coroutines")
        for index, item in enumerate(coroutines):
            if not asyncio.iscoroutine(item):
                raise TypeError(
                    f"Run() expects coroutines, but item {index} of the list is {describe_non_coroutine(item)}. "
                    f"Nothing was scheduled (the other coroutines were left untouched)."
                )
        return list(coroutines), len(coroutines) == 1
    raise TypeError(f"Run() expects a coroutine or a list of coroutines, got {describe_non_coroutine(coroutines)}")


def check_timeout(timeout: Any) -> float | None:
    """``timeout`` as a positive float, or None; raise a clear error otherwise."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"Run() timeout must be a number of seconds or None, got {type(timeout).__name__} {timeout!r}")
    if not timeout > 0:
        raise ValueError(f"Run() timeout must be more than 0 seconds (or None for no timeout), got {timeout!r}")
    return float(timeout)


#: ``"ValueError: bad url"``; never raises, whatever the exception's ``__str__`` does.
format_exception = async_tasks.format_exception


class _RunTask(asyncio.Task):
    """The asyncio task of one submitted coroutine.

    Cancelling it before its first step (``CancelTask``, or user code calling ``task.cancel()`` on a
    task from ``asyncio.all_tasks``) is routed to the runtime: the first step then closes the
    coroutine unstarted and ends the task ``cancelled`` with its callback. (Cancelled through asyncio
    alone, the coroutine would never run and its record would stay pending.)
    """

    __slots__ = ("_lop_runtime", "_lop_record")
    _lop_runtime: "AsyncRuntime"
    _lop_record: TaskRecord

    def cancel(self, msg: Any = None) -> bool:
        record = self._lop_record
        if record.status is _PENDING and not self.done():
            self._lop_runtime._cancel_before_start.add(record.task_id)
            return True
        return super().cancel(msg)


class AsyncRuntime:
    """Loop + tracker + table sync of one TDAsyncIO component."""

    def __init__(self, clock: Clock, budget_clock: Clock, report_error: ErrorReporter | None = None,
                 owner_id: Any = None) -> None:
        self.loop = async_loop.FrameLoop(clock, budget_clock)
        self.loop.set_exception_handler(self._on_loop_exception)
        self.tracker = async_tasks.TaskTracker(clock)
        self.table = async_table.TaskTableSync()
        self.settings = RuntimeSettings()
        self.report_error: ErrorReporter = report_error or log_error
        self.owner_id = owner_id
        self.closed = False
        self._budget_clock = budget_clock
        self._main_thread = threading.get_ident()
        #: task id -> asyncio task, while not finished
        self._tasks: dict[int, _RunTask] = {}
        self._discard_when_done: set[int] = set()
        #: ids of pending tasks whose cancellation was requested before their first step
        self._cancel_before_start: set[int] = set()
        #: shutdown() was called from code running on the loop: finish it after the loop step
        self._shutdown_after_step = False
        #: the last table sync raised (reported once until a sync succeeds)
        self._table_failing = False
        self._budget_left = 0.0

    # -- clock ---------------------------------------------------------------------------------

    def now(self) -> float:
        """The runtime's clock (the loop's time)."""
        return self.loop.time()

    def set_clock(self, clock: Clock) -> None:
        """Replace the clock of the loop and the tracker (tests, benchmarks)."""
        self.loop.set_clock(clock)
        self.tracker.set_clock(clock)

    # -- submitting and controlling tasks -------------------------------------------------------

    def submit(self, coroutines: Any, description: str | None = None, info: Any = None,
               timeout: float | None = None,
               completion_callback: CompletionCallback | None = None) -> int | list[int]:
        """Schedule one coroutine (-> its id) or a list (-> list of ids; a one-element list -> id)."""
        if self.closed or threading.get_ident() != self._main_thread:
            self._refuse_submit()
        if timeout is not None:
            timeout = check_timeout(timeout)
        if completion_callback is not None and not callable(completion_callback):
            raise TypeError(
                f"Run() completion_callback must be callable (a function taking the task record), "
                f"got {type(completion_callback).__name__} {completion_callback!r}"
            )
        if description is not None and not isinstance(description, str):
            description = str(description)
        if type(coroutines) is _CoroutineType:  # the common case, without building a list
            return self._start(coroutines, description, info, timeout, completion_callback)
        coros, single = as_coroutine_list(coroutines)
        ids = [self._start(coro, description, info, timeout, completion_callback) for coro in coros]
        return ids[0] if single else ids

    def _refuse_submit(self) -> None:
        if self.closed:
            raise RuntimeError("Can't Run: this TDAsyncIO component was destroyed and its loop is closed")
        raise RuntimeError(
            "Can't Run from a worker thread: call Run on TouchDesigner's main thread (for example from a "
            "completion callback, or return the value from the thread and Run the follow-up there)"
        )

    def _start(self, coro: Coroutine[Any, Any, Any], description: str | None, info: Any,
               timeout: float | None, callback: CompletionCallback | None) -> int:
        record = self.tracker.new_record(description if description is not None else getattr(coro, "__qualname__", "task"),
                                         info, timeout)
        task = _RunTask(self._drive(record, coro, callback), loop=self.loop)
        task._lop_runtime = self
        task._lop_record = record
        self._tasks[record.task_id] = task
        return record.task_id

    async def _drive(self, record: TaskRecord, coro: Coroutine[Any, Any, Any],
                     callback: CompletionCallback | None) -> None:
        """Run one submitted coroutine and record how it ended (nothing escapes into the loop)."""
        if self._cancel_before_start and record.task_id in self._cancel_before_start:
            coro.close()  # never started: close it so Python does not warn "coroutine was never awaited"
            self._finish(record, TaskStatus.CANCELLED, callback)
            return
        self.tracker.mark_running(record)
        try:
            if record.timeout is None:
                result = await coro
            else:
                scope = asyncio.timeout(record.timeout)
                try:
                    async with scope:
                        result = await coro
                except TimeoutError:
                    if not scope.expired():
                        raise
                    self._finish(record, TaskStatus.TIMEOUT, callback, error=f"Timed out after {record.timeout:g} s",
                                 exception=TaskTimeout(f"Timed out after {record.timeout:g} s"))
                    return
        except asyncio.CancelledError:
            self._finish(record, TaskStatus.CANCELLED, callback)
        except GeneratorExit as exc:
            current = asyncio.current_task(self.loop)
            if current is None or current is not self._tasks.get(record.task_id):
                raise  # this wrapper is being closed (a task abandoned at shutdown): let it close
            # raised by the coroutine itself, while its task was stepping: an ordinary failure
            self._finish(record, TaskStatus.FAILED, callback, error=format_exception(exc), exception=exc)
        except BaseException as exc:  # noqa: B036 - KeyboardInterrupt/SystemExit must not escape into the frame
            self._finish(record, TaskStatus.FAILED, callback, error=format_exception(exc), exception=exc)
        else:
            self._finish(record, TaskStatus.COMPLETED, callback, result=result)

    def _finish(self, record: TaskRecord, status: TaskStatus, callback: CompletionCallback | None,
                result: Any = None, error: str | None = None, exception: BaseException | None = None) -> None:
        """Record the terminal status (once), then fire the completion callback (anything it raises reported)."""
        if not self.tracker.finish(record, status, result, error, exception):
            return
        task_id = record.task_id
        self._tasks.pop(task_id, None)
        if callback is not None:
            try:
                callback(record)
            except BaseException as exc:  # noqa: B036 - KeyboardInterrupt/SystemExit from a callback stay in the frame
                self._report(f"TDAsyncIO: the completion callback of task {task_id} ({record.description}) raised "
                             f"{format_exception(exc)}", exc)
        if self._cancel_before_start:  # cancelled via CancelTask and via asyncio before its first step
            self._cancel_before_start.discard(task_id)
        if self._discard_when_done and task_id in self._discard_when_done:
            self._discard_when_done.discard(task_id)
            self.tracker.forget(task_id)

    def cancel(self, task_id: int) -> bool:
        """Request cancellation; True if the task was pending/running (it ends at the next loop step)."""
        task = self._tasks.get(task_id)
        if task is None or task.done():
            return False
        task.cancel()  # not started yet: routed to the first step (see _RunTask)
        return True

    def cancel_active(self) -> int:
        """Request cancellation of every pending/running task; return how many."""
        return sum(1 for task_id in list(self._tasks) if self.cancel(task_id))

    def clear_finished(self) -> int:
        """Forget every finished task; return how many."""
        return len(self.tracker.forget_finished())

    def clear_all(self) -> int:
        """Cancel active tasks and forget all tasks (cancelled ones once their callback fired)."""
        self._discard_when_done.update(task_id for task_id, task in self._tasks.items() if not task.done())
        cancelled = self.cancel_active()
        return cancelled + self.clear_finished()

    # -- queries -------------------------------------------------------------------------------

    def record(self, task_id: int) -> TaskRecord | None:
        """The tracked record of ``task_id`` or None."""
        return self.tracker.get(task_id)

    def info(self, task_id: int) -> dict[str, Any] | None:
        """A dict of the task's record (live duration), or None if not tracked."""
        record = self.tracker.get(task_id)
        return None if record is None else record.as_dict(self.now())

    def all_info(self) -> list[dict[str, Any]]:
        """Dicts of every tracked task, oldest first."""
        now = self.now()
        return [record.as_dict(now) for record in self.tracker.records()]

    @property
    def active_count(self) -> int:
        """Pending + running tasks."""
        return self.tracker.active_count

    @property
    def thread_jobs(self) -> int:
        """Worker-thread jobs in flight (see ``FrameLoop.thread_jobs``)."""
        return self.loop.thread_jobs

    # -- per frame -----------------------------------------------------------------------------

    def frame_step(self, table_getter: Callable[[], Any], end_of_frame: bool = False) -> None:
        """Advance the loop, expire old finished tasks and sync the table, within the frame budget."""
        loop = self.loop
        if end_of_frame:
            left = self._budget_left
            if left > 0 and loop.step(left):
                left -= loop.last_step_seconds
        else:
            left = self.settings.frame_budget_s
            if loop.step(left):
                left -= loop.last_step_seconds
        if self._shutdown_after_step:  # shutdown() was called by code running on the loop
            self._shut_down()
        tracker = self.tracker
        if end_of_frame:
            if tracker.dirty:
                self._sync_table(table_getter, self._budget_clock() + left, 0)
            return
        deadline = None
        if tracker.expiry_due(loop.time, self.settings.clear_after):
            deadline = self._budget_clock() + left
            self._expire(deadline)
        due_at = self.table.due_at
        if tracker.dirty or (due_at != _FOREVER and loop.time() >= due_at):
            if deadline is None:
                deadline = self._budget_clock() + left
            self._sync_table(table_getter, deadline, MIN_TABLE_ROWS)
        self._budget_left = left if deadline is None else deadline - self._budget_clock()

    def _expire(self, deadline: float) -> None:
        """Forget finished tasks older than ``clear_after``: one chunk, then more while budget is left."""
        tracker, clock = self.tracker, self._budget_clock
        now, keep_for = self.loop.time(), self.settings.clear_after
        while len(tracker.expire(now, keep_for, EXPIRE_CHUNK)) == EXPIRE_CHUNK and clock() < deadline:
            pass

    def _sync_table(self, table_getter: Callable[[], Any], deadline: float, min_rows: int) -> None:
        """Write changed rows until ``deadline`` (at least ``min_rows``); failures reported once, never raised."""
        if not self.settings.update_table:
            self.tracker.dirty.clear()
            return
        try:
            table = table_getter()
            if table is None:
                return
            self.table.sync(table, self.tracker, self.loop.time(), deadline, self._budget_clock, min_rows)
        except Exception as exc:  # the DAT was deleted or locked mid-write: never break the frame
            self.table.needs_rebuild = True  # what the table holds is unknown: rewrite it next time
            if not self._table_failing:  # reported once, not every frame
                self._table_failing = True
                self._report(
                    f"TDAsyncIO: could not update the task table ({format_exception(exc)}); tasks are "
                    f"unaffected and the table is rewritten once it accepts writes again", exc)
        else:
            self._table_failing = False

    def set_update_table(self, on: bool) -> None:
        """Turn table updates on (the next frame rewrites the table once) or off (table left alone)."""
        on = bool(on)
        if on and not self.settings.update_table:
            self.table.needs_rebuild = True
        self.settings.update_table = on

    # -- errors and shutdown -------------------------------------------------------------------

    def _report(self, message: str, exception: BaseException | None) -> None:
        """Hand ``message`` to ``report_error``; a reporter that raises never breaks the frame."""
        try:
            self.report_error(message, exception)
        except BaseException:  # noqa: B036 - last line of defence: the frame must go on
            try:
                log_error(message, None)
            except BaseException:  # noqa: B036, S110 - nothing left to report to
                pass

    def _on_loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exception = context.get("exception")
        message = context.get("message", "error on the TDAsyncIO loop")
        if exception is not None:
            message = f"{message}: {format_exception(exception)}"
        self._report(f"TDAsyncIO: {message}", exception)

    def shutdown(self) -> None:
        """Cancel every task (callbacks fire with ``cancelled``), then close the loop. Idempotent.

        Called from code running on the loop (a completion callback), it refuses new tasks at once
        and finishes right after the current loop step (a loop cannot be drained from inside itself).
        """
        if self.closed:
            return
        self.closed = True
        if self.loop.stepping:
            self._shutdown_after_step = True
            return
        self._shut_down()

    def _shut_down(self) -> None:
        self._shutdown_after_step = False
        for task_id in list(self._tasks):
            self.cancel(task_id)
        self.loop.drain()  # the first pass starts every unstarted task (which then ends cancelled)
        for task_id, task in list(self._tasks.items()):
            # The coroutine swallowed the cancellation and keeps waiting: it is abandoned with the loop.
            task._log_destroy_pending = False  # type: ignore[attr-defined]
            record = self.tracker.get(task_id)
            self._report(
                f"TDAsyncIO: task {task_id} ({record.description if record else '?'}) ignored cancellation "
                f"and was abandoned when the component was destroyed", None)
        self._tasks.clear()
        self.loop.close()
