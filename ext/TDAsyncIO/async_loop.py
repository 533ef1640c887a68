"""An asyncio event loop that is advanced in steps by its owner, on an injected clock.

``FrameLoop`` is what TDAsyncIO advances once (or twice) per TouchDesigner frame. It is a normal
``asyncio`` loop for the coroutines running on it (``asyncio.sleep``, ``asyncio.timeout``,
``asyncio.to_thread``, ``asyncio.get_running_loop()`` all work), but it never runs on its own:

- ``time()`` returns the injected ``clock()``: TD time on mock_td and in non-real-time TD, the
  monotonic clock in real-time TD. ``asyncio.sleep(1.0)`` therefore ends once the clock has moved
  1.0 s, deterministically.
- ``step(budget_s)`` runs everything that is ready, repeatedly, until nothing is ready or
  ``budget_s`` seconds of the injected ``budget_clock()`` are spent (at least one pass always runs,
  so the loop always makes progress). When nothing is ready and no timer is due it returns after a
  couple of attribute reads, so an idle or waiting loop costs the frame almost nothing, however many
  tasks are waiting.
- The selector never blocks: a frame step must not wait for I/O or timers.

CPython internals used, all confined to this module (checked against 3.11; TD ships 3.11):
``BaseEventLoop._run_once`` (one pass: poll I/O without blocking, move due timers to the ready
queue, run the ready callbacks), ``_ready`` / ``_scheduled`` / ``_clock_resolution`` (read for the
early exit, without them every idle frame would pay for a selector poll), ``_thread_id`` and
``asyncio.events._set_running_loop`` (what ``run_forever`` sets, so that code running on the loop
sees it as the running loop), and the async-generator hooks ``run_forever`` installs. The public
alternative, ``loop.stop(); loop.run_forever()``, runs exactly one pass per call and polls the
selector every frame even when idle.

This module imports only the standard library and never reads the wall clock: both clocks are
injected.
"""

from __future__ import annotations

import asyncio
import selectors
import sys
import threading
from asyncio import events
from collections import deque
from collections.abc import Callable
from typing import Any

Clock = Callable[[], float]


class _NonBlockingSelector(selectors.DefaultSelector):
    """A selector whose ``select`` only polls: a frame step never waits for I/O or timers."""

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
    _clock_resolution: float
    _thread_id: int | None
    _run_once: Callable[[], None]
    _asyncgen_firstiter_hook: Callable[[Any], None]
    _asyncgen_finalizer_hook: Callable[[Any], None]

    def __init__(self, clock: Clock, budget_clock: Clock) -> None:
        super().__init__(selector=_NonBlockingSelector())
        self._clock = clock
        self._budget_clock = budget_clock
        self._stepping = False
        #: budget-clock seconds the last non-idle ``step()`` took
        self.last_step_seconds = 0.0

    def time(self) -> float:
        """The loop's current time: the injected clock."""
        return self._clock()

    def set_clock(self, clock: Clock) -> None:
        """Replace the loop's clock (tests and adapters; timers keep their absolute due times)."""
        self._clock = clock

    @property
    def stepping(self) -> bool:
        """True while ``step()`` is running (code on the loop sees this as True)."""
        return self._stepping

    def has_work(self) -> bool:
        """True when a callback is ready or a timer is due: ``step()`` would do something."""
        if self._ready:
            return True
        scheduled = self._scheduled
        return bool(scheduled) and scheduled[0]._when < self._clock() + self._clock_resolution

    def step(self, budget_s: float) -> int:
        """Run ready callbacks until none is ready or ``budget_s`` is spent; return the passes run.

        Returns 0 at once (constant cost) when nothing is ready and no timer is due, when the loop
        is closed, or when called re-entrantly from code running on this loop.
        """
        if not self._ready:
            scheduled = self._scheduled
            if not scheduled or scheduled[0]._when >= self._clock() + self._clock_resolution:
                return 0
        if self._stepping or self.is_closed():
            return 0
        return self._run_passes(budget_s)

    def _run_passes(self, budget_s: float) -> int:
        previous_loop = events._get_running_loop()
        old_hooks = sys.get_asyncgen_hooks()
        self._stepping = True
        self._thread_id = threading.get_ident()
        events._set_running_loop(self)
        sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook,
                               finalizer=self._asyncgen_finalizer_hook)
        passes = 0
        started = self._budget_clock()
        deadline = started + budget_s
        try:
            while True:
                self._run_once()
                passes += 1
                if not self.has_work() or self._budget_clock() >= deadline:
                    break
        finally:
            self.last_step_seconds = self._budget_clock() - started
            self._stepping = False
            self._thread_id = None
            events._set_running_loop(previous_loop)
            sys.set_asyncgen_hooks(*old_hooks)
        return passes

    def run_forever(self) -> None:
        """Not available: a FrameLoop is advanced only by ``step()`` (from the frame callback)."""
        raise RuntimeError(
            "A TDAsyncIO FrameLoop is advanced by its component every frame; it cannot run_forever(). "
            "Submit coroutines with Run() instead of running the loop yourself."
        )

    def drain(self, max_passes: int = 100) -> int:
        """Run passes (no budget) until nothing is ready or ``max_passes`` ran; used on shutdown."""
        passes = 0
        while passes < max_passes and self._ready and not self.is_closed():
            passes += self._run_passes(0.0)
        return passes
