"""The TDAsyncIO runtime: a FrameLoop, the task tracker and the table sync, advanced per frame.

One ``AsyncRuntime`` belongs to one TDAsyncIO component. The extension keeps it in the
component's storage so it outlives extension re-initialisation; everything here is plain Python
(standard library + the sibling modules ``async_loop``, ``async_tasks``, ``async_table``), so it can
be tested without TouchDesigner.

Order of work in one frame (``frame_step``):

1. frame start: run the loop (ready callbacks, due timers, worker-thread results) until nothing is
   ready or the frame budget is spent. Tasks submitted before this point start here; completion
   callbacks of tasks that finish here fire here.
   Then tasks cancelled through asyncio itself before their first step are finished as cancelled
   (``_settle_unstarted``; each task is looked at about once, in submission order).
2. frame start: forget finished tasks older than ``clear_after`` (cost = number forgotten).
3. frame start: write the changed table cells and, within the table's write budget, stale running
   durations (see ``async_table``).
4. frame end (``end_of_frame=True``): run the loop again with what is left of the budget, only if
   something became ready during the frame (a task submitted by a script, a parameter callback or
   another operator after step 1 starts in the same frame), then write the changed cells.

Completion callbacks run on the loop, so always on the main thread and inside a frame step. Each
task's callback fires exactly once, for every terminal status (completed, failed, cancelled,
timeout). A callback that raises is reported through ``report_error`` and changes nothing else.
"""

# No `from __future__ import annotations` here: @dataclass with string annotations looks the module up in
# sys.modules, which a module built from a Text DAT may not be registered in.

import asyncio
import threading
import types
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import async_loop
import async_table
import async_tasks
import tdasyncio_spec
from async_tasks import TaskRecord, TaskStatus

_CoroutineType = types.CoroutineType
Clock = Callable[[], float]
CompletionCallback = Callable[[TaskRecord], Any]
ErrorReporter = Callable[[str, "BaseException | None"], None]


class TaskTimeout(TimeoutError):
    """The exception recorded on a task whose ``timeout`` expired (its status is ``timeout``)."""


@dataclass
class RuntimeSettings:
    """Values the adapter copies from the component's parameters (read once, not every frame)."""

    frame_budget_s: float = tdasyncio_spec.DEFAULT_FRAMEBUDGET_MS / 1000.0
    clear_after: float = tdasyncio_spec.DEFAULT_CLEARAFTER_S
    update_table: bool = True


def _default_reporter(message: str, exception: BaseException | None) -> None:
    print(message)


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


def format_exception(exception: BaseException) -> str:
    """``"ValueError: bad url"`` (the class name alone when the message is empty)."""
    text = str(exception)
    return f"{type(exception).__name__}: {text}" if text else type(exception).__name__


class AsyncRuntime:
    """Loop + tracker + table sync of one TDAsyncIO component."""

    def __init__(self, clock: Clock, budget_clock: Clock, report_error: ErrorReporter | None = None,
                 owner_id: Any = None) -> None:
        self.loop = async_loop.FrameLoop(clock, budget_clock)
        self.loop.set_exception_handler(self._on_loop_exception)
        self.tracker = async_tasks.TaskTracker(clock)
        self.table = async_table.TaskTableSync()
        self.settings = RuntimeSettings()
        self.report_error: ErrorReporter = report_error or _default_reporter
        self.owner_id = owner_id
        self.closed = False
        self._budget_clock = budget_clock
        self._main_thread = threading.get_ident()
        #: task id -> asyncio task, while not finished
        self._tasks: dict[int, asyncio.Task[Any]] = {}
        #: task id -> completion callback, for unfinished tasks that have one
        self._callbacks: dict[int, CompletionCallback] = {}
        self._discard_when_done: set[int] = set()
        #: ids of pending tasks whose cancellation was requested before their first step
        self._cancel_before_start: set[int] = set()
        # Records and submitted coroutines of tasks whose first step may not have run yet, in
        # submission order (two parallel queues: no tuple per task for the garbage collector).
        self._unstarted: deque[TaskRecord] = deque()
        self._unstarted_coros: deque[Coroutine[Any, Any, Any]] = deque()
        #: shutdown() was called from code running on the loop: finish it after the loop step
        self._shutdown_after_step = False
        #: the last table sync raised (reported once until a sync succeeds)
        self._table_failing = False
        self._budget_left = 0.0
        self._create_task = self.loop.create_task

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
        task_id = record.task_id
        self._tasks[task_id] = self._create_task(self._drive(record, coro))
        self._unstarted.append(record)
        self._unstarted_coros.append(coro)
        if callback is not None:
            self._callbacks[task_id] = callback
        return task_id

    async def _drive(self, record: TaskRecord, coro: Coroutine[Any, Any, Any]) -> None:
        """Run one submitted coroutine and record how it ended (nothing escapes into the loop)."""
        if self._cancel_before_start and record.task_id in self._cancel_before_start:
            self._finish_unstarted(record, coro)
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
                    self._finish(record, TaskStatus.TIMEOUT, error=f"Timed out after {record.timeout:g} s",
                                 exception=TaskTimeout(f"Timed out after {record.timeout:g} s"))
                    return
        except asyncio.CancelledError:
            self._finish(record, TaskStatus.CANCELLED)
        except GeneratorExit:  # the coroutine is being closed (abandoned at shutdown): let it close
            raise
        except BaseException as exc:  # noqa: B036 - KeyboardInterrupt/SystemExit must not escape into the frame
            self._finish(record, TaskStatus.FAILED, error=format_exception(exc), exception=exc)
        else:
            self._finish(record, TaskStatus.COMPLETED, result=result)

    def _finish(self, record: TaskRecord, status: TaskStatus, result: Any = None, error: str | None = None,
                exception: BaseException | None = None) -> None:
        """Record the terminal status (once), then fire the completion callback (errors reported)."""
        if not self.tracker.finish(record, status, result, error, exception):
            return
        task_id = record.task_id
        self._tasks.pop(task_id, None)
        callback = self._callbacks.pop(task_id, None) if self._callbacks else None
        if callback is not None:
            try:
                callback(record)
            except Exception as exc:
                self.report_error(
                    f"TDAsyncIO: the completion callback of task {task_id} ({record.description}) raised "
                    f"{format_exception(exc)}", exc)
        if self._cancel_before_start:  # cancelled via CancelTask and via asyncio before its first step
            self._cancel_before_start.discard(task_id)
        if self._discard_when_done and task_id in self._discard_when_done:
            self._discard_when_done.discard(task_id)
            self.tracker.forget(task_id)

    def _finish_unstarted(self, record: TaskRecord, coro: Coroutine[Any, Any, Any]) -> None:
        """End a task whose coroutine never ran as cancelled (fires its callback)."""
        coro.close()  # never started: close it so Python does not warn "coroutine was never awaited"
        self._finish(record, TaskStatus.CANCELLED)

    def cancel(self, task_id: int) -> bool:
        """Request cancellation; True if the task was pending/running (it ends at the next loop pass)."""
        task = self._tasks.get(task_id)
        if task is None or task.done():
            return False
        record = self.tracker.get(task_id)
        if record is not None and record.status is TaskStatus.PENDING:
            # Not started yet: its first step (already scheduled) closes the coroutine and finishes it.
            self._cancel_before_start.add(task_id)
        else:
            task.cancel()
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

    # -- per frame -----------------------------------------------------------------------------

    def frame_step(self, table_getter: Callable[[], Any], end_of_frame: bool = False) -> None:
        """Advance the loop, expire old finished tasks and sync the table (see the module doc)."""
        loop = self.loop
        if end_of_frame:
            if self._budget_left > 0 and loop.step(self._budget_left):
                self._budget_left -= loop.last_step_seconds
        else:
            budget = self.settings.frame_budget_s
            self._budget_left = budget - loop.last_step_seconds if loop.step(budget) else budget
        if self._shutdown_after_step:  # shutdown() was called by code running on the loop
            self._shut_down()
        if self._unstarted:
            self._settle_unstarted()
        tracker = self.tracker
        if not end_of_frame and tracker.has_finished:
            tracker.expire(loop.time(), self.settings.clear_after)
        if tracker.dirty or not end_of_frame:
            self._sync_table(table_getter)

    def _settle_unstarted(self) -> None:
        """Forget started tasks; finish tasks cancelled through asyncio before their first step.

        Code that cancels the asyncio task itself (``for t in asyncio.all_tasks(loop): t.cancel()``)
        before it ever ran would otherwise leave its record pending forever, with no callback. Tasks
        start in submission order, so this stops at the first task that is still waiting to start:
        each task is looked at about once.
        """
        unstarted, coros = self._unstarted, self._unstarted_coros
        while unstarted:
            record = unstarted[0]
            if record.status is TaskStatus.PENDING:
                task = self._tasks.get(record.task_id)
                if task is None or not task.done():
                    return  # still waiting for its first step (the frame budget ran out)
            unstarted.popleft()
            coro = coros.popleft()
            if record.status is TaskStatus.PENDING:  # popped first: the callback may call shutdown()
                self._finish_unstarted(record, coro)

    def _sync_table(self, table_getter: Callable[[], Any]) -> None:
        tracker = self.tracker
        if not self.settings.update_table:
            tracker.dirty.clear()
            return
        now = self.loop.time()
        if self.table.has_work(tracker, now):
            table = table_getter()
            if table is not None:
                try:
                    self.table.sync(table, tracker, now)
                except Exception as exc:  # the DAT was deleted or locked mid-write: never break the frame
                    self.table.needs_rebuild = True  # what the table holds is unknown: rewrite it next time
                    if not self._table_failing:  # reported once, not every frame
                        self._table_failing = True
                        self.report_error(
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

    def _on_loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exception = context.get("exception")
        message = context.get("message", "error on the TDAsyncIO loop")
        if exception is not None:
            message = f"{message}: {format_exception(exception)}"
        self.report_error(f"TDAsyncIO: {message}", exception)

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
        self.loop.drain()
        self._settle_unstarted()
        for task_id, task in list(self._tasks.items()):
            # The coroutine swallowed the cancellation and keeps waiting: it is abandoned with the loop.
            task._log_destroy_pending = False  # type: ignore[attr-defined]
            record = self.tracker.get(task_id)
            self.report_error(
                f"TDAsyncIO: task {task_id} ({record.description if record else '?'}) ignored cancellation "
                f"and was abandoned when the component was destroyed", None)
        self._tasks.clear()
        self._callbacks.clear()
        self._unstarted.clear()
        self._unstarted_coros.clear()
        self.loop.close()

