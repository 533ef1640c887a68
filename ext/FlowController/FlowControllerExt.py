"""FlowControllerExt: the TouchDesigner face of LOPflow's step engine, translation only.

``flow_engine.FlowEngine`` (pure Python) runs the steps. This class turns TD's events into engine calls
and nothing else; each job has its own module:

- ``flow_adapter_batch``: one flush per outer call (``with self._batch:``), TD time read once per call;
- ``flow_adapter_outputs``: state parameters, Script CHOP revision, dashboard, frame callbacks on/off;
- ``flow_adapter_steps``: the Step sequence <-> the engine's definition, the shared Then menu;
- ``flow_adapter_target`` / ``flow_adapter_setup``: Setup, Cleanup, target and callbacks DAT;
- ``flow_adapter_watch``: the process-wide watcher for what TD reports to no callback;
- ``flow_adapter_report``: script errors on the component and the ``lopflow.flowcontroller`` logger;
- ``flow_dashboard``: the dashboard payload and registry; ``flow_adapter_context``: ``Context``;
- ``flow_adapter_recovery``: the live engine kept in storage across re-initialisation, the journal file,
  Restore.

Re-initialisation (editing the extension's code, Re-Init Extensions): the live engine is kept in the
component's storage (key ``lopflow_engine``, startup value None, so it never outlives the
session). A new instance hands the run over with ``old.export_run()`` ->
``new_engine.import_run(state, source='reinit')`` (edited engine code takes effect), re-wires its
callbacks and listeners and fires no callback; the history records ``reinit``.

Step tasks (issue 13): ``RunTask`` submits to TDAsyncIO (the Asynciocomp parameter, else
``op.TDAsyncIO``) and ties the task to the step entry (``engine.task_started``); its completion reaches
the *current* extension instance (``ownerComp.ext``, so a re-initialisation in between loses nothing)
and becomes ``engine.task_done``; the engine's ``on_cancel_tasks`` cancels a left step's tasks. A Then /
Ontimeout / Onerror parameter in expression mode is read when its step is left (``route_resolver``, set
only while one is in expression mode).

Code inside the target COMP reaches the promoted members as ``iop.LOPflow`` after Setup. Wiring inside
the component: ``frame_execute`` (Execute DAT, active only while something is due) -> ``onFrameStart``;
``par_execute`` (Parameter Execute DAT) -> ``onParValueChange`` / ``onParPulse``; ``flow_channels``
(Script CHOP) -> ``channelValues`` on every cook. Nothing touches TD at import time.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import flow_adapter_batch
import flow_adapter_context
import flow_adapter_outputs
import flow_adapter_pars
import flow_adapter_recovery
import flow_adapter_report
import flow_adapter_steps
import flow_adapter_target
import flow_adapter_watch
import flow_callbacks
import flow_dashboard
import flow_engine
import flow_names
import flow_spec
import flow_steps

STORED_DEFAULTS = flow_adapter_target.STORED_DEFAULTS
CHANNELS_CHOP = flow_spec.CHANNELS_CHOP
NAME_HISTORY_DAT = flow_spec.NAME_HISTORY_DAT
TEMPLATE_DAT = flow_spec.TEMPLATE_DAT
NAME_HISTORY_HEADER = list(flow_spec.NAME_HISTORY_HEADER)
OPTIONAL_CHANNELS = flow_spec.OPTIONAL_CHANNELS
_SETTING_PARS = ("Maxtransitions", "Historysize")
_RUN_PULSES = ("Start", "Stop", "Nextstep", "Pause", "Resume", "Back", "Restore", "Signal")
_JOURNAL_PARS = ("Journal", "Journalfolder", "Journalfsync")


class FlowControllerExt:
    """Promoted extension of the FlowController COMP (reach it as ``iop.LOPflow`` inside the target)."""

    #: The error API misuse raises (``except iop.LOPflow.FlowError``); a RuntimeError.
    FlowError = flow_engine.FlowError

    def __init__(self, ownerComp: Any) -> None:
        """Build the engine from the current parameters; writes nothing to TD (``onInitTD`` does)."""
        self.ownerComp = ownerComp
        #: Pulsed (``val`` = the change id) on every context change; expressions can depend on it.
        self.OnContextChange = tdu.Dependency(0)
        self._reporter = flow_adapter_report.Reporter(ownerComp)
        self._pars = flow_adapter_pars.ParWriteCache(ownerComp)
        self._batch = flow_adapter_batch.Batch(self._readClock, self._flush)
        self._steps = flow_adapter_steps.StepPars(ownerComp, self._reporter, self._batch.frame)
        self._steps.expression_mode = ParMode.EXPRESSION
        #: The one menu source of every Step{n}then / Step{n}ontimeout parameter (``flow_spec.THEN_MENU_SOURCE``).
        self.thenMenu = self._steps.then_menu
        #: The menu source of every Step{n}onerror parameter: continue, then the Then menu.
        self.onerrorMenu = self._steps.onerror_menu
        self._link = flow_adapter_target.TargetLink(
            ownerComp, self._pars, self._reporter, text_dat_type=textDAT, find_op=op,
            serial=self._batch.current_serial, on_target_lost=self._targetLost)
        self._dispatcher = flow_callbacks.CallbackDispatcher(
            owner_comp=ownerComp, target_comp=self._link.target, lookup=self._link.lookup,
            on_exception=self._reportCallbackError)
        names = flow_names.NameHistory(self._steps.read_name_history())
        self._engine = flow_engine.FlowEngine(
            flow_steps.FlowDefinition.from_rows(self._steps.rows, names),
            now=self._batch.now, frame=self._batch.frame, dispatcher=self._dispatcher,
            id_factory=lambda: str(uuid.uuid4()),
            max_transitions_per_frame=self._intPar("Maxtransitions", flow_spec.DEFAULT_MAX_TRANSITIONS),
            go_debounce=self._goDebounce(),
            history_size=self._intPar("Historysize", flow_spec.DEFAULT_HISTORY_SIZE),
            name_history=names, first_change_id=int(self._link.fetch("lopflow_change_id")) + 1)
        self._steps.attach(self._engine)
        self._exposure = flow_dashboard.Exposure(lambda: ownerComp.path, self._dashboardRegistry,
                                                 self.GetDashboardPayload)
        self._outputs = flow_adapter_outputs.Outputs(ownerComp, self._engine, self._pars, self._link,
                                                     self._steps, self._exposure)
        self._steps.on_loaded = self._outputs.force
        self._engine.on_cancel_tasks = self._cancelTasks
        self._updateRouteResolver()
        self._link.on_change = self._outputs.force
        self._optional = self._readOptionalChannels()
        self._engine.add_listener(self._onStateChange)
        self._engine.context.add_listener(self._onContextChanged)
        self._context_view = flow_adapter_context.DependableContext(
            lambda: self._engine.context, self.Set, self.ClearContext, self.OnContextChange)
        self._watch_key = f"{ownerComp.path}#{id(self)}"
        self._recovery = flow_adapter_recovery.Recovery(ownerComp, self._reporter, wall=time.time,
                                                        project_folder=lambda: project.folder)
        self._engine.on_warning = self._reporter.warn
        #: True when this instance took over a live run from the previous instance (a re-initialisation).
        self.adopted = self._recovery.adopt(self._engine)
        self._recovery.open_journal(self._engine)
        if self.adopted:
            self.OnContextChange.val = self._engine.context.last_change_id

    # ================================================================== TD hooks
    def onInitTD(self) -> None:
        """End of the frame the extension initialised in: load the steps, show the state, start watching."""
        with self._batch:
            self._steps.install_menu_source()
            self._steps.refresh(settled=True)
            self._steps.display_findings()
            self._exposure.update(bool(self._pars.par("Exposeprocess").eval()))
            watcher = self._watcher(create=True)
            if watcher is not None:
                watcher.register(self._watch_key, self._watchCheck)
            self._outputs.force()
            if not self.adopted and self._recovery.par("Restoreonstart", False) and self._recovery.has_run():
                self._restore("restoreonstart")

    def onDestroyTD(self) -> None:
        """The extension is replaced or the COMP destroyed: leave the dashboard registry and the watcher
        (the engine stays in storage for the next instance; it stops writing the journal)."""
        self._recovery.detach(self._engine)
        self._exposure.withdraw()
        watcher = self._watcher(create=False)
        if watcher is not None:
            watcher.unregister(self._watch_key)

    # ================================================================== forwarded from DATs (not promoted)
    def onFrameStart(self, frame: int) -> None:
        """Execute DAT, on only while something is due: deferred steps, pulse reset, timers, queued actions."""
        with self._batch:
            self._settleSteps()
            self._outputs.reset_pulses()
            self._engine.tick()

    def onParPulse(self, par: Any) -> None:
        """Parameter Execute DAT: a pulse on the FlowController (Start, Stop, Nextstep, Setup, Cleanup)."""
        name = par.name
        with self._batch:
            if name == "Setup":
                self._link.setup()
                self._dispatcher.target_comp = self._link.target
                self._outputs.force()
            elif name == "Cleanup":
                if self._engine.is_running:
                    self._engine.stop("cleanup")
                self._link.cleanup()
                self._outputs.force()
            elif name in _RUN_PULSES:
                try:
                    self._beforeCall()
                    if name == "Start":
                        self._start("pulse")
                    elif name == "Stop":
                        self._engine.stop("pulse")
                    elif name == "Pause":
                        self._engine.pause("pulse")
                    elif name == "Resume":
                        self._engine.resume("pulse")
                    elif name == "Back":
                        self._engine.back("pulse")
                    elif name == "Restore":
                        self._restore("restore")
                    elif name == "Signal":
                        payload = str(self._pars.par("Signalpayload").eval())
                        self._engine.signal(str(self._pars.par("Signalname").eval()).strip(), payload or None,
                                            "pulse")
                    elif not self._engine.next_step(source="pulse"):
                        last = self._engine.history.snapshot(1)
                        why = last[0]["data"].get("reason", "") if last else ""
                        self._reporter.warn(f"Next Step pulse ignored: {why}")
                except flow_engine.FlowError as exc:
                    self._reporter.warn(str(exc))

    def onParValueChange(self, par: Any, prev: Any) -> None:
        """Parameter Execute DAT: a watched FlowController parameter changed."""
        name = par.name
        with self._batch:
            if name.startswith(flow_spec.STEP_SEQUENCE):
                self._steps.on_par_change(par)
                if name.endswith(("then", "ontimeout", "onerror")):
                    self._updateRouteResolver(par)
            elif name == "Targetcomp":
                self._targetChanged()
            elif name == "Callbackdat":
                self._link.callbacks_changed()
            elif name in ("Exposeprocess", "Exposeflowdetails", "Flowname"):
                self._exposure.update(bool(self._pars.par("Exposeprocess").eval()))
                self._outputs.force()
            elif name in _SETTING_PARS or name == "Godebounce":
                self._applySettings()
            elif name in _JOURNAL_PARS:
                self._recovery.open_journal(self._engine)
            elif name.startswith("Chan"):
                self._optional = self._readOptionalChannels()
                self._outputs.channels_changed()

    def channelValues(self) -> list[tuple[str, float]]:
        """The ``flow_channels`` Script CHOP's channels (consumes the event pulses: call once per cook)."""
        values = self._engine.channel_values()
        events = len(flow_spec.EVENT_CHANNELS)
        pulses = any(value for _name, value in values[:events])
        if not self._link.setup_done:  # Not Setup counts as idle, whatever the engine says
            values = [(name, float(name == "status_idle") if name in flow_spec.STATUS_CHANNELS else value)
                      for name, value in values]
        engine = self._engine
        for channel in self._optional:
            if channel == "result_length":
                value = float(len(str(engine.last_result))) if engine.last_result is not None else 0.0
            elif channel == "step_data_length":
                value = float(len(str(engine.step_data))) if engine.step_data is not None else 0.0
            else:
                value = float(engine.last_update_time or 0.0)
            values.append((channel, value))
        self._outputs.cooked(pulses)
        return values

    # ================================================================== promoted API
    def Start(self, source: str = "api") -> None:
        """Start the flow from its first step with a new process id and an empty context (same as the Start pulse).

        ``source`` is who started it, as the history and the callbacks' ``source`` show it (e.g.
        ``dashboard:<client>``). Fires: onFlowStart, onStepEnter (onStepExit, onFlowFinish first when restarting).
        """
        with self._batch:
            self._beforeCall()
            self._start(source)

    def NextStep(self, expect: str | None = None, source: str = "api") -> bool:
        """Leave the current step (its then decides where to); with ``expect`` (a step name), only when that
        step is current: ``NextStep('review')`` is a cue that cannot skip.

        From outside callbacks at most one call per frame advances (and one per Godebounce seconds). Returns
        False when the call was ignored (the history says why; also when not running: no error). Raises
        FlowError for an ``expect`` that names no step. Fires: onStepExit, onNextStep, onStepEnter.
        """
        with self._batch:
            self._beforeCall()
            return self._engine.next_step(expect, source=source)

    def Pause(self, source: str = "api") -> None:
        """Pause the run: timed steps and timeouts stop counting; NextStep, GoToStep and Back still move (the
        new step's timer starts on Resume). Status shows "Paused". Raises FlowError when not running.
        Fires: onFlowPause."""
        self._call(self._engine.pause, source)

    def Resume(self, source: str = "api") -> None:
        """Resume a paused run: timers count on from where they stopped. Raises FlowError when not running.
        Fires: onFlowResume (then what came due meanwhile: onStepTimeout, onStepExit, onNextStep, onStepEnter)."""
        self._call(self._engine.resume, source)

    def Back(self, source: str = "back") -> bool:
        """Return to the step visited before the current one in this run (again: further back); False when
        there is none. Raises FlowError when not running. Fires: onStepExit, onNextStep, onStepEnter."""
        with self._batch:
            self._beforeCall()
            return self._engine.back(source)

    def Restore(self) -> bool:
        """Continue the run the journal holds (after a crash or restart) in the same step entry, without
        onStepEnter; a timed step follows Restoretimed. Returns False, with a warning saying why, when there
        is nothing to restore or it cannot be restored. Fires: onFlowRestore."""
        with self._batch:
            return self._restore("restore")

    def Signal(self, name: str, payload: Any = None, source: str = "api") -> bool:
        """Send the signal ``name`` (no spaces) with ``payload``. True when the current step (Until = Signal,
        waiting for ``name``) took it and leaves by Then; False when it was queued for a later step waiting
        for it (the latest payload per name wins) or no run is going on. The payload is in the context as
        ``signal.<name>``. Fires: onSignal (then onContextChange, onRoute, onStepExit, onNextStep, onStepEnter
        when consumed)."""
        with self._batch:
            self._beforeCall()
            return self._engine.signal(name, payload, source)

    def RunTask(self, coroutine: Any, description: str = "", timeout: float | None = None, info: Any = None) -> int:
        """Run ``coroutine`` on TDAsyncIO (Asynciocomp, else ``op.TDAsyncIO``) as a task of the current step
        entry; returns its task id. Leaving the step cancels it; with Until = Tasks the step leaves when all
        its tasks ended (one failed or timed out: by Onerror). A completion after its step was left changes
        nothing. Raises FlowError when not running or when there is no TDAsyncIO. Fires: onTaskDone (when the
        task ends)."""
        with self._batch:
            self._beforeCall()
            if not self._engine.is_running:
                raise flow_engine.FlowError(f"Can't RunTask: the flow is not running (status "
                                            f"{self._engine.state.status_label}); call Start() first")
            runner = self._asyncio()
            comp = self.ownerComp
            task_id = runner.Run(coroutine, description or None, info, timeout,
                                 lambda task: comp.ext.FlowControllerExt._taskDone(task))
            self._engine.task_started(task_id)
            return int(task_id)

    @property
    def IsPaused(self) -> bool:
        """True while the run is paused."""
        return self._engine.is_paused

    def WaitForContinue(self, step_data: Any = None) -> None:
        """Make the current step wait for NextStep, whatever its duration. Fires: onWaitForContinue."""
        self._call(self._engine.wait_for_continue, step_data)

    def Update(self, step_data: Any = None, advance_step: bool = False) -> None:
        """Give the current step new data, and advance when ``advance_step``. Fires: onFlowUpdate (+ step changes)."""
        with self._batch:
            self._beforeCall()
            self._engine.update(step_data, advance_step)
            self._outputs.channels_changed()  # the on_update pulse, even when nothing else changed

    def Finish(self, result: Any = None, result_type: str = "success") -> None:
        """End the run now: 'success' -> Completed, 'error' -> Error; Lastresult shows ``result``.

        Fires: onStepExit, onFlowFinish.
        """
        self._call(self._engine.finish, result, result_type)

    def GoToStep(self, name: str, source: str = "api") -> None:
        """Jump to the step called ``name`` (a label or an old, renamed name works too); ``source`` as for Start.

        Fires: onStepExit, onNextStep, onStepEnter.
        """
        with self._batch:
            self._beforeCall()
            self._steps.refresh()
            self._engine.go_to_step(name, source)

    def Stop(self, source: str = "api") -> None:
        """Stop the running flow; Status returns to Ready; ``source`` as for Start. Fires: onStepExit, onFlowFinish."""
        self._call(self._engine.stop, source)

    def Set(self, key: str, value: Any, source: str = "api") -> int:
        """Set a context value; returns its change id and pulses ``OnContextChange``. Fires: onContextChange."""
        with self._batch:
            return self._engine.set(key, value, source).change_id

    def Get(self, key: str, default: Any = None) -> Any:
        """A context value, or ``default`` when it is not set. Fires: nothing."""
        _ = self.OnContextChange.val
        return self._engine.get(key, default)

    def ClearContext(self) -> int:
        """Remove every context value; returns the change id. Fires: onContextChange."""
        with self._batch:
            return self._engine.clear_context().change_id

    @property
    def Context(self) -> flow_adapter_context.DependableContext:
        """The context as a dependable dict (reads recook expressions on change; writes go through Set)."""
        return self._context_view

    @property
    def History(self) -> list[dict[str, Any]]:
        """The kept history events (oldest first), as plain dicts."""
        return self._engine.history.snapshot()

    def GetFlowGraph(self) -> dict[str, Any]:
        """The flow as a graph dict (nodes, edges) of the current steps. Fires: nothing."""
        return self._engine.graph().as_dict()

    def GetDashboardPayload(self) -> dict[str, Any]:
        """The JSON-ready dashboard payload (with context, history, graph when Exposeflowdetails). Fires: nothing."""
        return flow_dashboard.build_payload(self._engine, self._flowName(),
                                            details=bool(self._pars.par("Exposeflowdetails").eval()))

    def AssignCallback(self, name: str, function: Any) -> None:
        """Call ``function(info)`` for callback ``name``, before the callbacks DAT (None removes it). Fires: nothing."""
        self._dispatcher.assign(name, function)

    def ClearNameHistory(self) -> None:
        """Forget every recorded step rename (empties ``step_name_history``). Fires: onStepsChanged."""
        with self._batch:
            self._engine.clear_name_history()
            self._steps.clear_name_history()

    @property
    def IsRunning(self) -> bool:
        """True while a run is going on."""
        return self._engine.is_running

    @property
    def CurrentStepIndex(self) -> int:
        """The current step's index (0 = first block), -1 when not running."""
        return self._engine.current_step_index

    @property
    def CurrentStepName(self) -> str:
        """The current step's name, '' when not running."""
        return self._engine.current_step_name

    @property
    def ProcessId(self) -> str:
        """The id of the current run (of the last one when not running), '' before the first run."""
        return self._engine.process_id or str(self._link.fetch("lopflow_process_id"))

    @property
    def engine(self) -> flow_engine.FlowEngine:
        """The underlying pure ``FlowEngine`` (not promoted: ``ext.FlowControllerExt.engine``, for tools and tests)."""
        return self._engine

    # ================================================================== translation helpers
    def _call(self, method: Any, *args: Any) -> None:
        with self._batch:
            self._beforeCall()
            method(*args)

    def _beforeCall(self) -> None:
        """Before an API call acts: notice a deleted target / callbacks DAT, load deferred step edits."""
        self._link.check()
        self._steps.apply_pending()

    def _start(self, source: str) -> None:
        if not self._link.setup_done:
            raise flow_engine.FlowError(
                "Can't Start: the FlowController is not set up; set Target Component and pulse Setup first")
        self._steps.refresh()
        self._updateRouteResolver()
        self._dispatcher.target_comp = self._link.target
        self._reporter.clear(flow_spec.CALLBACK_ERROR_PREFIX)
        self._engine.start(source)

    def _restore(self, source: str) -> bool:
        """Restore the journaled run (``source`` 'restore' or 'restoreonstart'); fires onFlowRestore."""
        self._beforeCall()
        if not self._link.setup_done:
            self._reporter.warn("Can't Restore: the FlowController is not set up; set Target Component and pulse "
                                "Setup first")
            return False
        self._steps.refresh()
        self._dispatcher.target_comp = self._link.target
        info = self._recovery.restore(self._engine, str(self._recovery.par("Restoretimed", "remaining")))
        if info is None:
            return False
        self.OnContextChange.val = self._engine.context.last_change_id
        self._outputs.force()  # the import ran no action: no state listener heard of it
        info["source"] = source
        self._dispatcher.dispatch("onFlowRestore", info)
        return True

    def _taskDone(self, task: Any) -> None:
        """TDAsyncIO's completion callback of a step task (reached through the current extension instance)."""
        with self._batch:
            self._engine.task_done(task.task_id, str(task.status), task.result, task.error)

    def _cancelTasks(self, task_ids: list[Any]) -> None:
        """The engine left a step with unfinished tasks: cancel them on TDAsyncIO (their completions are stale)."""
        try:
            runner = self._asyncio()
        except flow_engine.FlowError as exc:
            self._reporter.warn(str(exc))
            return
        for task_id in task_ids:
            runner.CancelTask(task_id)

    def _asyncio(self) -> Any:
        """The TDAsyncIO component: the Asynciocomp parameter, else ``op.TDAsyncIO``; FlowError when none."""
        par = self.ownerComp.par["Asynciocomp"]
        comp = par.eval() if par is not None else None
        if comp is None:
            try:
                comp = op.TDAsyncIO
            except Exception:
                comp = None
        if comp is None or not hasattr(comp, "Run"):
            raise flow_engine.FlowError(
                "Can't RunTask: no TDAsyncIO component; set the FlowController's TDAsyncIO Component parameter "
                "(Setup page) or give a TDAsyncIO the Global OP Shortcut 'TDAsyncIO'")
        return comp

    def _updateRouteResolver(self, par: Any = None) -> None:
        """Ask the Step route parameters at leave time only while one of them is in expression mode: every one
        is checked at init and Start; an edit of one route parameter checks that one (all when it left
        expression mode)."""
        if par is not None and par.mode == ParMode.EXPRESSION:
            self._engine.route_resolver = self._steps.resolve_route
        elif par is None or self._engine.route_resolver is not None:
            self._engine.route_resolver = self._steps.resolve_route if self._steps.expression_routes() else None

    def _settleSteps(self) -> None:
        self._steps.check_count()
        self._steps.apply_pending(settled=True)
        if self._steps.display_pending:
            self._steps.display_findings()

    def _watchCheck(self) -> bool:
        """The watcher's check (False: this controller is gone, stop calling it)."""
        if not self.ownerComp.valid:
            self._exposure.withdraw()
            return False
        if self._link.lost_something() or self._steps.unsettled():  # else: nothing to do, nothing to flush
            with self._batch:
                self._link.check()
                self._settleSteps()
        return True

    def _targetChanged(self) -> None:
        before = self._link.target
        self._link.target_changed()
        after = self._link.target
        if self._engine.is_running and after is not before:
            where = after.path if after is not None else "nothing"
            self._finishRun(f"Target Component changed to {where} while the flow was running")
            self._link.message += "; the run was ended"
        self._dispatcher.target_comp = after
        self._outputs.force()

    def _targetLost(self, reason: str) -> None:
        """The target COMP was deleted: callbacks get no targetComp, the run ends visibly."""
        self._dispatcher.target_comp = None
        self._finishRun(reason)

    def _finishRun(self, reason: str) -> None:
        """End a running flow that lost its target: onFlowFinish with result_type 'error' and ``reason``."""
        if self._engine.is_running:
            self._engine.finish(reason, "error", source="target")
        self._outputs.force()

    def _flush(self) -> None:
        self._outputs.flush()

    def _onStateChange(self, change: flow_engine.StateChange) -> None:
        self._outputs.state_changed(change.changed, change.current)
        if "process_id" in change.changed and change.current.process_id:
            self._link.store("lopflow_process_id", change.current.process_id)

    def _onContextChanged(self, change: Any) -> None:
        self._link.store("lopflow_change_id", change.change_id)
        self.OnContextChange.val = change.change_id

    def _reportCallbackError(self, callback_name: str, source: str, exc: BaseException) -> None:
        where = "assigned callback" if source == "assigned" else ("callbacks DAT" if source == "dat" else source)
        text = f"{callback_name} ({where}) raised {type(exc).__name__}: {exc}"
        self._reporter.add(flow_spec.CALLBACK_ERROR_PREFIX, text)
        self._reporter.error(text, exc)

    def _applySettings(self) -> None:
        try:
            self._engine.max_transitions_per_frame = self._intPar("Maxtransitions", flow_spec.DEFAULT_MAX_TRANSITIONS)
            self._engine.history_size = self._intPar("Historysize", flow_spec.DEFAULT_HISTORY_SIZE)
            self._engine.go_debounce = self._goDebounce()
        except ValueError as exc:
            self._reporter.warn(str(exc))

    def _readOptionalChannels(self) -> tuple[str, ...]:
        par = self.ownerComp.par
        return tuple(channel for par_name, channel in OPTIONAL_CHANNELS
                     if par[par_name] is not None and par[par_name].eval())

    def _goDebounce(self) -> float | None:
        """The GO guard from the Godebounce parameter; None (no guard) on a component built without it."""
        par = self.ownerComp.par["Godebounce"]
        return float(par.eval()) if par is not None else None

    def _readClock(self) -> tuple[float, int]:
        return float(absTime.seconds), int(absTime.frame)

    def _intPar(self, name: str, default: int) -> int:
        par = self.ownerComp.par[name]
        return int(par.eval()) if par is not None else default

    def _flowName(self) -> str:
        name = str(self._pars.par("Flowname").eval()).strip()
        if name:
            return name
        target = self._link.target
        return target.name if target is not None else self.ownerComp.name

    def _dashboardRegistry(self, create: bool) -> flow_dashboard.DashboardRegistry | None:
        factory = flow_dashboard.DashboardRegistry if create else None
        registry: flow_dashboard.DashboardRegistry | None = flow_dashboard.process_object(
            root, flow_spec.DASHBOARD_KEY, factory)
        return registry

    def _watcher(self, create: bool) -> flow_adapter_watch.Watcher | None:
        def schedule(callback: Any, frames: int) -> Any:
            return run("args[0]()", callback, delayFrames=frames, fromOP=root)

        factory = (lambda: flow_adapter_watch.Watcher(schedule)) if create else None
        watcher: flow_adapter_watch.Watcher | None = flow_dashboard.process_object(root, flow_spec.WATCH_KEY, factory)
        return watcher
