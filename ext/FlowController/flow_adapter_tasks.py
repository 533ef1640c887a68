"""Step tasks on TDAsyncIO: ``RunTask`` submits a coroutine as a task of the current step entry; a left
step's unfinished tasks are cancelled.

``TaskLink.run`` submits to the TDAsyncIO component (the Asynciocomp parameter, else ``op.TDAsyncIO``)
and ties the task to the step entry (``engine.task_started``); the completion callback is the caller's
(FlowControllerExt reaches the *current* extension instance through ``ownerComp.ext``, so a
re-initialisation in between loses nothing). ``cancel`` is the engine's ``on_cancel_tasks``: their late
completions are stale.

Never imports ``td``: the component, the engine and TD's ``op`` are passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flow_adapter_report
from flow_state import FlowError


class TaskLink:
    """Submits step tasks to TDAsyncIO and cancels them."""

    def __init__(self, comp: Any, engine: Any, reporter: flow_adapter_report.Reporter, find_op: Any) -> None:
        self._comp = comp
        self._engine = engine
        self._reporter = reporter
        self._find_op = find_op

    def run(self, coroutine: Any, description: str, timeout: float | None, info: Any,
            on_done: Callable[[Any], None]) -> int:
        """Submit ``coroutine`` as a task of the current step entry; its id. FlowError when not running or
        when there is no TDAsyncIO."""
        engine = self._engine
        if not engine.is_running:
            raise FlowError(f"Can't RunTask: the flow is not running (status "
                            f"{engine.state.status_label}); call Start() first")
        task_id = self.runner().Run(coroutine, description or None, info, timeout, on_done)
        engine.task_started(task_id)
        return int(task_id)

    def cancel(self, task_ids: list[Any]) -> None:
        """The engine left a step with unfinished tasks: cancel them on TDAsyncIO (their completions are stale)."""
        try:
            runner = self.runner()
        except FlowError as exc:
            self._reporter.warn(str(exc))
            return
        for task_id in task_ids:
            runner.CancelTask(task_id)

    def runner(self) -> Any:
        """The TDAsyncIO component: the Asynciocomp parameter, else ``op.TDAsyncIO``; FlowError when none."""
        par = self._comp.par["Asynciocomp"]
        comp = par.eval() if par is not None else None
        if comp is None:
            try:
                comp = self._find_op.TDAsyncIO
            except Exception:
                comp = None
        if comp is None or not hasattr(comp, "Run"):
            raise FlowError(
                "Can't RunTask: no TDAsyncIO component; set the FlowController's TDAsyncIO Component parameter "
                "(Setup page) or give a TDAsyncIO the Global OP Shortcut 'TDAsyncIO'")
        return comp
