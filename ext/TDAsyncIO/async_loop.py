"""An asyncio event loop that is advanced in steps by its owner, on an injected clock.

``FrameLoop`` is what TDAsyncIO advances once (or twice) per TouchDesigner frame. It is a normal
``asyncio`` loop for the coroutines running on it (``asyncio.sleep``, ``asyncio.timeout``,
``asyncio.to_thread``, sockets, ``asyncio.get_running_loop()`` all work), but it never runs on its own:

- ``time()`` returns the injected ``clock()``: TD time on mock_td and in non-real-time TD, the
  monotonic clock in real-time TD. ``asyncio.sleep(1.0)`` therefore ends once the clock has moved
  1.0 s, deterministically.
- ``step(budget_s)`` runs ready callbacks ("handles": a task's next step, a done-callback, a
  ``call_soon``) one at a time, in FIFO order, and checks the injected ``budget_clock()`` after each:
  once ``budget_s`` is spent it stops, and the handles not run stay at the front of the queue for
  the next step. At least one handle runs per step, so the loop always makes progress. 10,000 tasks
  submitted at once are therefore spread over as many frames as their work needs.
  Before the first handle and whenever the handles that were ready have all run (a "pass"), the
  selector is polled without blocking and due timers are moved to the end of the queue, as asyncio
  does between its iterations.
- When nothing is ready, no timer is due and no socket or pipe is watched, ``step`` returns after a
  couple of attribute reads, so an idle or waiting loop costs the frame almost nothing, however many
  tasks are waiting.
- The selector never blocks: a frame step must not wait for I/O or timers.
- ``KeyboardInterrupt`` and ``SystemExit`` raised by a handle (asyncio lets only these two escape a
  callback) are contained: they go to the loop's exception handler like any other callback error,
  and the step goes on with the next handle.

CPython internals used, all confined to this module (checked against 3.11; TD ships 3.11): the
ready queue ``_ready`` and the timer heap ``_scheduled`` (with ``_timer_cancelled_count`` and the
handles' ``_when`` / ``_cancelled`` / ``_scheduled`` / ``_run``), ``_clock_resolution``,
``_process_events`` (turns selector events into ready callbacks), ``_thread_id`` and
``asyncio.events._set_running_loop`` (what ``run_forever`` sets, so that code running on the loop
sees it as the running loop), and the async-generator hooks ``run_forever`` installs. The public
alternative, ``loop.stop(); loop.run_forever()``, runs every ready handle at once (no budget) and
polls the selector every frame even when idle. The loop's debug mode (slow-callback warnings) is
not honoured by ``step``.

This module imports only the standard library and never reads the wall clock: both clocks are
injected.
"""

from __future__ import annotations

import asyncio
import heapq
import selectors
import sys
import threading
from asyncio import events
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar, TypeVarTuple

Clock = Callable[[], float]
_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")

#: Timers in the heap above which cancelled ones are purged in one go (when they are most of it).
_PURGE_MIN_TIMERS = 100
_PURGE_CANCELLED_FRACTION = 0.5
_FOREVER = float("inf")


class _NonBlockingSelector(selectors.DefaultSelector):
    """A selector whose ``select`` only polls, and that counts the files it watches.

    A frame step never waits for I/O or timers. ``watched`` tells the loop whether anything
    besides its own wake-up pipe is registered (then it must poll even when nothing else is due).
    """

    def __init__(self) -> None:
        super().__init__()
        self.watched = 0

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        key = super().register(fileobj, events, data)
        self.watched += 1
        return key

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        key = super().unregister(fileobj)
        self.watched -= 1
        return key

    def select(self, timeout: float | None = None) -> list:
        return super().select(0)


class FrameLoop(asyncio.SelectorEventLoop):
    """An asyncio loop driven by ``step()``, with ``time()`` taken from an injected clock.

    ``clock`` gives the loop's time in seconds (timers, ``asyncio.sleep``, timeouts).
    ``budget_clock`` measures how long a step has been running (for ``budget_s``); it must be a
    real-time clock such as ``time.perf_counter``, injected by the caller.
    """

    # CPython 3.11 BaseEventLoop internals this class reads or calls (see the module docstring).
    _ready: deque[Any]
    _scheduled: list[Any]
    _timer_cancelled_count: int
    _clock_resolution: float
    _thread_id: int | None
    _process_events: Callable[[list[Any]], None]
    _asyncgen_firstiter_hook: Callable[[Any], None]
    _asyncgen_finalizer_hook: Callable[[Any], None]

    def __init__(self, clock: Clock, budget_clock: Clock) -> None:
        self._watching = _NonBlockingSelector()
        super().__init__(selector=self._watching)
        #: files registered at creation (the loop's own wake-up pipe): only more than these need polling
        self._own_files = self._watching.watched
        self.set_clock(clock)
        self._budget_clock = budget_clock
        self._stepping = False
        #: budget-clock seconds the last non-idle ``step()`` took
        self.last_step_seconds = 0.0
        #: handles run by the last non-idle ``step()``
        self.last_step_handles = 0
        self._thread_jobs = 0

    def time(self) -> float:
        """The loop's current time: the injected clock (the instance attribute set in ``set_clock``)."""
        return self._clock()

    def set_clock(self, clock: Clock) -> None:
        """Replace the loop's clock (tests and adapters; timers keep their absolute due times)."""
        self._clock = clock
        # asyncio calls ``self.time()`` often: the clock itself answers, without a method in between.
        self.time = clock  # type: ignore[method-assign]

    @property
    def stepping(self) -> bool:
        """True while ``step()`` is running (code on the loop sees this as True)."""
        return self._stepping

    @property
    def ready_count(self) -> int:
        """Handles waiting to run (left over by the budget, or made ready since the last step)."""
        return len(self._ready)

    @property
    def thread_jobs(self) -> int:
        """Worker-thread jobs in flight: started with ``run_in_executor`` (``asyncio.to_thread`` uses it)
        and not yet handed back to the loop.

        A job counts from the call until its result (or exception) is back on the loop and the code
        awaiting it has been resumed: the count drops one loop pass after the job's future is done.
        A job whose thread finished before a step is picked up by that step (budget permitting).
        """
        return self._thread_jobs

    def run_in_executor(self, executor: Executor | None, func: Callable[[*_Ts], _T],
                        *args: *_Ts) -> asyncio.Future[_T]:
        """``AbstractEventLoop.run_in_executor``, counted in ``thread_jobs`` until the result is back."""
        future = super().run_in_executor(executor, func, *args)
        self._thread_jobs += 1
        future.add_done_callback(self._thread_job_returned)
        return future

    def _thread_job_returned(self, future: asyncio.Future[Any]) -> None:
        # The awaiting task's wake-up runs in this same pass (the job's completion scheduled both):
        # counting the job as done one pass later means the awaiting code has resumed by then.
        self.call_soon(self._thread_job_done)

    def _thread_job_done(self) -> None:
        self._thread_jobs -= 1

    def has_work(self) -> bool:
        """True when a handle is ready, a timer is due or a socket/pipe is watched: ``step()`` would act."""
        if self._ready or self._watching.watched > self._own_files:
            return True
        scheduled = self._scheduled
        return bool(scheduled) and scheduled[0]._when < self._clock() + self._clock_resolution

    def step(self, budget_s: float) -> int:
        """Run ready handles in FIFO order until none is ready or ``budget_s`` is spent; return how many ran.

        At least one handle runs when one is ready. Returns 0 at once (constant cost) when nothing is
        ready, no timer is due and nothing is watched, when the loop is closed, or when called
        re-entrantly from code running on this loop.
        """
        if not self._ready and self._watching.watched <= self._own_files:
            scheduled = self._scheduled
            if not scheduled or scheduled[0]._when >= self._clock() + self._clock_resolution:
                return 0
        if self._stepping or self.is_closed():
            return 0
        started = self._budget_clock()
        handles = self._run_stepping(started + budget_s, _FOREVER)
        self.last_step_seconds = self._budget_clock() - started
        self.last_step_handles = handles
        return handles

    def _run_stepping(self, deadline: float, max_passes: float) -> int:
        """Enter the loop's running state, run handles until ``deadline``/``max_passes``, leave it."""
        previous_loop = events._get_running_loop()
        old_hooks = sys.get_asyncgen_hooks()
        self._stepping = True
        self._thread_id = threading.get_ident()
        events._set_running_loop(self)
        sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook,
                               finalizer=self._asyncgen_finalizer_hook)
        try:
            return self._run_handles(deadline, max_passes)
        finally:
            self._stepping = False
            self._thread_id = None
            events._set_running_loop(previous_loop)
            sys.set_asyncgen_hooks(*old_hooks)

    def _run_handles(self, deadline: float, max_passes: float) -> int:
        """Passes of (poll, then run the handles ready at that moment), checking the budget per handle."""
        ready = self._ready
        popleft = ready.popleft
        budget_clock = self._budget_clock
        handles = 0
        passes = 0
        while passes < max_passes:
            self._poll()
            passes += 1
            todo = len(ready)
            if not todo:
                break
            for _ in range(todo):
                handle = popleft()
                if handle._cancelled:
                    continue
                try:
                    handle._run()
                except BaseException as exc:  # noqa: B036 - only KeyboardInterrupt/SystemExit get here
                    self._contain(exc, handle)
                handles += 1
                if budget_clock() >= deadline:
                    return handles
        return handles

    def _contain(self, exc: BaseException, handle: Any) -> None:
        """Hand a ``KeyboardInterrupt``/``SystemExit`` that escaped a handle to the exception handler."""
        self.call_exception_handler({
            "message": f"{type(exc).__name__} raised in a callback on the loop (contained; the loop goes on)",
            "exception": exc,
            "handle": handle,
        })

    def _poll(self) -> None:
        """Poll the selector without blocking and move due timers to the end of the ready queue."""
        scheduled = self._scheduled
        if (len(scheduled) > _PURGE_MIN_TIMERS
                and self._timer_cancelled_count > _PURGE_CANCELLED_FRACTION * len(scheduled)):
            kept = []
            for timer in scheduled:
                if timer._cancelled:
                    timer._scheduled = False
                else:
                    kept.append(timer)
            heapq.heapify(kept)
            self._scheduled = scheduled = kept
            self._timer_cancelled_count = 0
        if self._watching.watched > self._own_files or self._ready:
            # The wake-up pipe needs reading only when a thread queued a handle (then ``_ready`` is
            # not empty); other files whenever they are watched.
            self._process_events(self._watching.select(0))
        if scheduled:
            due = self._clock() + self._clock_resolution
            ready = self._ready
            while scheduled and scheduled[0]._when < due:
                timer = heapq.heappop(scheduled)
                timer._scheduled = False
                if timer._cancelled:
                    self._timer_cancelled_count -= 1
                else:
                    ready.append(timer)

    def run_forever(self) -> None:
        """Not available: a FrameLoop is advanced only by ``step()`` (from the frame callback)."""
        raise RuntimeError(
            "A TDAsyncIO FrameLoop is advanced by its component every frame; it cannot run_forever(). "
            "Submit coroutines with Run() instead of running the loop yourself."
        )

    def drain(self, max_passes: int = 100) -> int:
        """Run passes (no budget) until nothing is ready or ``max_passes`` ran; used on shutdown."""
        if self._stepping or self.is_closed() or not self._ready:
            return 0
        return self._run_stepping(_FOREVER, max_passes)
