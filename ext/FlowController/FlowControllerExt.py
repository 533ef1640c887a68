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
  Restore;
- ``flow_adapter_run``: Start, Restore, the run pulses, the route resolver, the target's changes;
- ``flow_adapter_tasks``: step tasks on TDAsyncIO (``RunTask``) and their cancelling.

Re-initialisation (editing the extension's code, Re-Init Extensions): the live engine is kept in the
component's storage (key ``lopflow_engine``, startup value None, so it never outlives the
session). A new instance hands the run over with ``old.export_run()`` ->
``new_engine.import_run(state, source='reinit')`` (edited engine code takes effect), re-wires its
callbacks and listeners and fires no callback; the history records ``reinit``.

Step tasks (issue 13): a ``RunTask`` completion reaches the *current* extension instance
(``ownerComp.ext``, so a re-initialisation in between loses nothing) and becomes ``engine.task_done``.

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
import flow_adapter_run
import flow_adapter_steps
import flow_adapter_target
import flow_adapter_tasks
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
            on_exception=self._reporter.callback_error)
        names = flow_names.NameHistory(self._steps.read_name_history())
        self._engine = flow_engine.FlowEngine(
            flow_steps.FlowDefinition.from_rows(self._steps.rows, names),
            now=self._batch.now, frame=self._batch.frame, dispatcher=self._dispatcher,
            id_factory=lambda: str(uuid.uuid4()),
            max_transitions_per_frame=flow_adapter_pars.int_par(ownerComp, "Maxtransitions",
                                                                flow_spec.DEFAULT_MAX_TRANSITIONS),
            go_debounce=flow_adapter_pars.go_debounce(ownerComp),
            history_size=flow_adapter_pars.int_par(ownerComp, "Historysize", flow_spec.DEFAULT_HISTORY_SIZE),
            name_history=names, first_change_id=int(self._link.fetch("lopflow_change_id")) + 1)
        self._steps.attach(self._engine)
        self._exposure = flow_dashboard.Exposure(lambda: ownerComp.path, self._dashboardRegistry,
                                                 self.GetDashboardPayload)
        self._outputs = flow_adapter_outputs.Outputs(ownerComp, self._engine, self._pars, self._link,
                                                     self._steps, self._exposure)
        self._steps.on_loaded = self._outputs.force
        self._tasks = flow_adapter_tasks.TaskLink(ownerComp, self._engine, self._reporter, find_op=op)
        self._engine.on_cancel_tasks = self._tasks.cancel
        self._recovery = flow_adapter_recovery.Recovery(ownerComp, self._reporter, wall=time.time,
                                                        project_folder=lambda: project.folder)
        self._run = flow_adapter_run.RunControl(
            engine=self._engine, link=self._link, steps=self._steps, dispatcher=self._dispatcher,
            reporter=self._reporter, recovery=self._recovery, outputs=self._outputs, pars=self._pars,
            show_change_id=self._showChangeId)
        self._run.update_route_resolver()
        self._link.on_change = self._outputs.force
        self._optional = flow_adapter_pars.optional_channels(ownerComp)
        self._engine.add_listener(self._onStateChange)
        self._engine.context.add_listener(self._onContextChanged)
        self._context_view = flow_adapter_context.DependableContext(
            lambda: self._engine.context, self.Set, self.ClearContext, self.OnContextChange)
        self._watch_key = f"{ownerComp.path}#{id(self)}"
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
                self._run.restore("restoreonstart")

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
                self._run.pulse(name)

    def onParValueChange(self, par: Any, prev: Any) -> None:
        """Parameter Execute DAT: a watched FlowController parameter changed."""
        name = par.name
        with self._batch:
            if name.startswith(flow_spec.STEP_SEQUENCE):
                self._steps.on_par_change(par)
                if name.endswith(("then", "ontimeout", "onerror")):
                    self._run.update_route_resolver(par)
            elif name == "Targetcomp":
                self._run.target_changed()
            elif name == "Callbackdat":
                self._link.callbacks_changed()
            elif name in ("Exposeprocess", "Exposeflowdetails", "Flowname"):
                self._exposure.update(bool(self._pars.par("Exposeprocess").eval()))
                self._outputs.force()
            elif name in _SETTING_PARS or name == "Godebounce":
                self._run.apply_settings(self.ownerComp)
            elif name in _JOURNAL_PARS:
                self._recovery.open_journal(self._engine)
            elif name.startswith("Chan"):
                self._optional = flow_adapter_pars.optional_channels(self.ownerComp)
                self._outputs.channels_changed()

    def channelValues(self) -> list[tuple[str, float]]:
        """The ``flow_channels`` Script CHOP's channels (consumes the event pulses: call once per cook)."""
        return self._outputs.channel_values(self._optional)

    # ================================================================== promoted API
    def Start(self, source: str = "api") -> None:
        """Start the flow from its first step with a new process id and an empty context (same as the Start pulse).

        ``source`` is who started it, as the history and the callbacks' ``source`` show it (e.g.
        ``dashboard:<client>``). Fires: onFlowStart, onStepEnter (onStepExit, onFlowFinish first when restarting).
        """
        with self._batch:
            self._run.before_call()
            self._run.start(source)

    def NextStep(self, expect: str | None = None, source: str = "api") -> bool:
        """Leave the current step (its then decides where to); with ``expect`` (a step name), only when that
        step is current: ``NextStep('review')`` is a cue that cannot skip.

        From outside callbacks at most one call per frame advances (and one per Godebounce seconds). Returns
        False when the call was ignored (the history says why; also when not running: no error). Raises
        FlowError for an ``expect`` that names no step. Fires: onStepExit, onNextStep, onStepEnter.
        """
        with self._batch:
            self._run.before_call()
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
            self._run.before_call()
            return self._engine.back(source)

    def Restore(self) -> bool:
        """Continue the run the journal holds (after a crash or restart) in the same step entry, without
        onStepEnter; a timed step follows Restoretimed. Returns False, with a warning saying why, when there
        is nothing to restore or it cannot be restored. Fires: onFlowRestore."""
        with self._batch:
            return self._run.restore("restore")

    def Signal(self, name: str, payload: Any = None, source: str = "api") -> bool:
        """Send the signal ``name`` (no spaces) with ``payload``. True when the current step (Until = Signal,
        waiting for ``name``) took it and leaves by Then; False when it was queued for a later step waiting
        for it (the latest payload per name wins) or no run is going on. The payload is in the context as
        ``signal.<name>``. Fires: onSignal (then onContextChange, onRoute, onStepExit, onNextStep, onStepEnter
        when consumed)."""
        with self._batch:
            self._run.before_call()
            return self._engine.signal(name, payload, source)

    def RunTask(self, coroutine: Any, description: str = "", timeout: float | None = None, info: Any = None) -> int:
        """Run ``coroutine`` on TDAsyncIO (Asynciocomp, else ``op.TDAsyncIO``) as a task of the current step
        entry; returns its task id. Leaving the step cancels it; with Until = Tasks the step leaves when all
        its tasks ended (one failed or timed out: by Onerror). A completion after its step was left changes
        nothing. Raises FlowError when not running or when there is no TDAsyncIO. Fires: onTaskDone (when the
        task ends)."""
        with self._batch:
            self._run.before_call()
            comp = self.ownerComp
            return self._tasks.run(coroutine, description, timeout, info,
                                   lambda task: comp.ext.FlowControllerExt._taskDone(task))

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
            self._run.before_call()
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
            self._run.before_call()
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
            self._run.before_call()
            method(*args)

    def _taskDone(self, task: Any) -> None:
        """TDAsyncIO's completion callback of a step task (reached through the current extension instance)."""
        with self._batch:
            self._engine.task_done(task.task_id, str(task.status), task.result, task.error)

    def _targetLost(self, reason: str) -> None:
        """The target COMP was deleted (``TargetLink``): the run ends visibly (``RunControl.target_lost``)."""
        self._run.target_lost(reason)

    def _showChangeId(self, change_id: int) -> None:
        self.OnContextChange.val = change_id

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

    def _flush(self) -> None:
        self._outputs.flush()

    def _onStateChange(self, change: flow_engine.StateChange) -> None:
        self._outputs.state_changed(change.changed, change.current)
        if "process_id" in change.changed and change.current.process_id:
            self._link.store("lopflow_process_id", change.current.process_id)

    def _onContextChanged(self, change: Any) -> None:
        self._link.store("lopflow_change_id", change.change_id)
        self.OnContextChange.val = change.change_id

    def _readClock(self) -> tuple[float, int]:
        return float(absTime.seconds), int(absTime.frame)

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
        return flow_adapter_watch.process_watcher(root, run, create)
