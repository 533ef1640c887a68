"""TDAsyncIOExt: the TouchDesigner side of TDAsyncIO (parameters, table DAT, storage, run()).

The loop, the task tracker and the table sync live in ``async_runtime.AsyncRuntime`` (plain
Python). This extension only translates between it and TD:

- The runtime is kept in the component's storage (``RUNTIME_KEY``), with a startup value of None
  so a saved project reopens with a fresh one. A re-initialised extension (TD re-initialises
  whenever the code changes) adopts the stored runtime: no task is lost and no loop leaks.
- ``onDestroyTD`` runs both on re-initialisation and when the component is destroyed. It schedules
  a check one frame later (``run(..., fromOP=root)``, which outlives the component); the check
  shuts the runtime down only if the component is gone or no longer holds that runtime.
- The loop's clock is ``time.monotonic`` when ``project.realTime`` is on, else TD time
  (``absTime.seconds``: on mock_td ``asyncio.sleep(1.0)`` ends after ``advance_seconds(1.0)``).
  ``setClock`` injects another (tests, benchmarks). The frame budget is measured with
  ``time.perf_counter``.
- Parameter values are copied into the runtime when they change (Parameter Execute DAT), so the
  frame step never reads parameters.

Execute DAT: ``onFrameStart`` and ``onFrameEnd`` forward here. Parameter Execute DAT:
``onParValueChange`` and ``onParPulse`` forward here.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import async_runtime
import tdasyncio_spec

#: Storage key of the runtime on the component.
RUNTIME_KEY = tdasyncio_spec.RUNTIME_KEY
#: Name of the table DAT inside the component.
TABLE_NAME = tdasyncio_spec.TABLE_NAME

_log = logging.getLogger(tdasyncio_spec.LOGGER_NAME)


def default_clock() -> Callable[[], float]:
    """The loop clock for this session: monotonic in real-time TD, else TD time (``absTime.seconds``).

    Both are C-level callables (no Python frame per reading): the loop and the tracker read the
    clock a few times per task.
    """
    return time.monotonic if project.realTime else functools.partial(getattr, absTime, "seconds")


def _time_ref() -> Any:
    """An OP whose time keeps running while the timeline is paused (TDResources), else root."""
    try:
        return op.TDResources
    except Exception:
        return root


def shutdown_if_gone(comp: Any, runtime: Any) -> None:
    """Shut ``runtime`` down unless ``comp`` still exists and still holds it (re-initialisation)."""
    try:
        if comp.valid and comp.fetch(RUNTIME_KEY, None, search=False) is runtime:
            return
    except Exception:
        pass
    runtime.shutdown()


class TDAsyncIOExt:
    """Frame-driven asyncio task manager: Run coroutines without ever stalling a frame.

    Each frame, TDAsyncIO spends at most ``Framebudget`` ms (plus one task step and a few table rows)
    running ready task steps (in submission order), firing completion callbacks and writing the task
    table; what does not fit waits, in order, for the next frames. Errors (a raising callback, a
    table that refuses writes, anything user code raises on the loop, ``BaseException`` included)
    never escape a frame: they are logged to ``logging.getLogger('lopflow.tdasyncio')`` and added
    to the component's script errors.

    Testing flows that use worker threads: ``asyncio.to_thread`` work runs in real (wall) time while
    mock_td frames play instantly, so a fixed ``td_session.advance(n)`` may end before the thread
    does. Advance until TDAsyncIO has no thread work in flight, with a wall-time limit::

        task_id = comp.Run(load_file())             # awaits asyncio.to_thread(read, path)
        td_session.advance_until(lambda: comp.ActiveThreadJobs == 0, timeout=5)
        assert comp.GetTaskInfo(task_id)['status'] == 'completed'

    ``ActiveThreadJobs`` drops to 0 only once every thread result is back on the main thread and
    the coroutine awaiting it has resumed (what it then does on the loop runs within that frame's
    budget). A coroutine that awaits several thread jobs one after another keeps the count above 0
    in between (it starts the next job as it resumes, before the previous one stops counting), so
    the condition waits for the whole chain. To wait for whole tasks instead, use
    ``lambda: comp.GetActiveTasksCount() == 0``.
    """

    def __init__(self, ownerComp: Any) -> None:
        self.ownerComp = ownerComp
        self._table: Any = None
        self._runtime = self._adoptRuntime()
        self._readPars()

    # -- runtime ownership ---------------------------------------------------------------------

    def _adoptRuntime(self) -> async_runtime.AsyncRuntime:
        comp = self.ownerComp
        runtime = comp.fetch(RUNTIME_KEY, None, search=False)
        if runtime is None or getattr(runtime, "closed", True) or getattr(runtime, "owner_id", None) != comp.id:
            runtime = async_runtime.AsyncRuntime(default_clock(), time.perf_counter, owner_id=comp.id)
            comp.store(RUNTIME_KEY, runtime)
            comp.storeStartupValue(RUNTIME_KEY, None)
        else:
            runtime.table.needs_rebuild = True
        runtime.report_error = self._reportError
        return runtime

    @property
    def runtime(self) -> async_runtime.AsyncRuntime:
        """The component's runtime (loop, tracker, table sync); survives re-initialisation."""
        return self._runtime

    @property
    def loop(self) -> Any:
        """The component's asyncio loop (advanced by the frame callbacks; never run it yourself)."""
        return self._runtime.loop

    def setClock(self, clock: Callable[[], float]) -> None:
        """Replace the loop clock (tests, benchmarks). Not promoted."""
        self._runtime.set_clock(clock)

    def onDestroyTD(self) -> None:
        """TD hook (re-init and destruction): shut the runtime down next frame if the COMP is gone."""
        run("args[0](args[1], args[2])", shutdown_if_gone, self.ownerComp, self._runtime,
            fromOP=root, delayFrames=1, delayRef=_time_ref())

    def _reportError(self, message: str, exception: BaseException | None) -> None:
        """The one diagnostics path: the component's logger and a script error on the component."""
        _log.error(message, exc_info=exception)
        try:
            self.ownerComp.addScriptError(message)
        except Exception:  # noqa: BLE001 - the component is being destroyed: the logger has it
            pass

    # -- frame and parameter callbacks (not promoted) -------------------------------------------

    def onFrameStart(self, frame: float) -> None:
        """Execute DAT frame start: advance the loop, expire old tasks, sync the table."""
        self._runtime.frame_step(self._getTable)

    def onFrameEnd(self, frame: float) -> None:
        """Execute DAT frame end: start what was submitted during the frame, sync changed rows."""
        self._runtime.frame_step(self._getTable, True)

    def onParValueChange(self, par: Any, prev: Any) -> None:
        """Parameter Execute DAT: copy the changed parameter into the runtime settings."""
        self._readPars(par.name)

    def onParPulse(self, par: Any) -> None:
        """Parameter Execute DAT: the Clearfinished / Cancelactive / Clearall pulses."""
        action = {"Clearfinished": self.Clearfinished, "Cancelactive": self.Cancelactive,
                  "Clearall": self.Clearall}.get(par.name)
        if action is not None:
            action()

    def _readPars(self, name: str | None = None) -> None:
        pars = self.ownerComp.par
        settings = self._runtime.settings
        if name in (None, "Framebudget") and pars["Framebudget"] is not None:
            settings.frame_budget_s = max(0.0, float(pars["Framebudget"].eval())) / 1000.0
        if name in (None, "Clearafter") and pars["Clearafter"] is not None:
            settings.clear_after = max(0.0, float(pars["Clearafter"].eval()))
        if name in (None, "Updatetable") and pars["Updatetable"] is not None:
            self._runtime.set_update_table(bool(pars["Updatetable"].eval()))

    def _getTable(self) -> Any:
        table = self._table
        if table is None or not table.valid:
            table = self._table = self.ownerComp.op(TABLE_NAME)
        return table

    # -- promoted API ----------------------------------------------------------------------------

    def Run(self, coroutines: Any, description: str | None = None, info: Any = None,
            timeout: float | None = None, completion_callback: Callable[[Any], Any] | None = None) -> int | list[int]:
        """Schedule a coroutine (returns its task id) or a list of coroutines (returns their ids).

        ``timeout`` is in seconds of the loop clock; ``completion_callback(task)`` gets the task
        record once the task ends (on the main thread, inside a frame step). Raises TypeError for
        anything that is not a coroutine (nothing is scheduled then).
        Fires: completion_callback (once per task, for every terminal status).
        """
        return self._runtime.submit(coroutines, description, info, timeout, completion_callback)

    def CancelTask(self, task_id: int) -> bool:
        """Request cancellation of a pending/running task (status 'cancelled' at the next step); False if none.

        Fires: completion_callback (with status 'cancelled', at the next frame step).
        """
        return self._runtime.cancel(task_id)

    def GetTaskResult(self, task_id: int) -> Any:
        """The result of a completed task; None for unknown, unfinished, failed or cancelled tasks.

        Fires: nothing.
        """
        record = self._runtime.record(task_id)
        return record.result if record is not None else None

    def GetTaskInfo(self, task_id: int) -> dict[str, Any] | None:
        """A dict describing the task (status, result, error, times, duration...), or None if not tracked.

        Fires: nothing.
        """
        return self._runtime.info(task_id)

    def GetAllTasksInfo(self) -> list[dict[str, Any]]:
        """One GetTaskInfo dict per tracked task, oldest first.

        Fires: nothing.
        """
        return self._runtime.all_info()

    def GetActiveTasksCount(self) -> int:
        """The number of pending and running tasks.

        Fires: nothing.
        """
        return self._runtime.active_count

    @property
    def ActiveThreadJobs(self) -> int:
        """Worker-thread jobs in flight (``asyncio.to_thread``, ``loop.run_in_executor``); read-only.

        A job counts until its result is back on the main thread and the coroutine awaiting it has
        resumed. Tests wait for thread work with ``td_session.advance_until(lambda:
        comp.ActiveThreadJobs == 0, timeout=5)`` (see the class docstring). Fires: nothing.
        """
        return self._runtime.thread_jobs

    def Clearfinished(self) -> int:
        """Forget every finished task (and remove its table row); return how many.

        Fires: nothing.
        """
        return self._runtime.clear_finished()

    def Cancelactive(self) -> int:
        """Request cancellation of every pending/running task; return how many.

        Fires: completion_callback of each (status 'cancelled', at the next frame step).
        """
        return self._runtime.cancel_active()

    def Clearall(self) -> int:
        """Cancel every active task and forget all tasks (cancelled ones after their callback).

        Fires: completion_callback of each active task (status 'cancelled', at the next frame step).
        """
        return self._runtime.clear_all()
