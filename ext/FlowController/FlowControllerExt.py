"""FlowControllerExt: the TouchDesigner face of LOPflow's step engine.

A thin adapter. ``flow_engine.FlowEngine`` (pure Python) runs the steps; this class translates between
it and TD: it reads the Step sequence and the settings parameters, forwards pulses and promoted
methods, writes the state parameters (only when their value changed), keeps Setup state in storage,
shows errors on the component, cooks the ``flow_channels`` Script CHOP and publishes to the dashboard.

Code inside the target COMP reaches it as ``iop.LOPflow`` after Setup.

Wiring inside the component (``build_flow_controller``):
- ``frame_execute`` (Execute DAT) -> ``onFrameStart(frame)``: the engine's per-frame ``tick``;
- ``par_execute`` (Parameter Execute DAT) -> ``onParValueChange(par, prev)`` / ``onParPulse(par)``;
- ``flow_channels`` (Script CHOP) -> ``channelValues()`` on every cook.

Persistent state: the storage keys in ``STORED_DEFAULTS`` (Setup slot, target path, process id, last
context change id) and the ``step_name_history`` table; everything else is rebuilt from parameters.
Nothing touches TD at import time.
"""

from __future__ import annotations

import traceback
import uuid
from typing import Any

import flow_adapter_context
import flow_adapter_pars
import flow_adapter_setup
import flow_callbacks
import flow_dashboard
import flow_engine
import flow_names
import flow_spec
import flow_steps

#: Storage keys on the FlowController and their defaults (the StorageManager idea, spelled out).
STORED_DEFAULTS: dict[str, Any] = {
    "lopflow_setup_slot": -1,  # iop block index of the LOPflow shortcut on the target
    "lopflow_setup_target": "",  # path of the target Setup was done on
    "lopflow_process_id": "",  # id of the current / last run
    "lopflow_change_id": 0,  # last context change id (ids stay unique across re-initialisation)
}
#: Root storage key of the process-wide dashboard registry (session-only: saved as None).
DASHBOARD_KEY = flow_spec.DASHBOARD_KEY
CHANNELS_CHOP = flow_spec.CHANNELS_CHOP
NAME_HISTORY_DAT = flow_spec.NAME_HISTORY_DAT
TEMPLATE_DAT = flow_spec.TEMPLATE_DAT
NAME_HISTORY_HEADER = list(flow_spec.NAME_HISTORY_HEADER)
STEP_SEQUENCE = flow_spec.STEP_SEQUENCE
#: Script errors this extension adds start with these, so it can clear its own.
CALLBACK_ERROR_PREFIX = "LOPflow callback"
STEPS_ERROR_PREFIX = "LOPflow steps"
OPTIONAL_CHANNELS = flow_spec.OPTIONAL_CHANNELS
_SETTING_PARS = ("Maxtransitions", "Historysize")
#: Fallbacks when a settings parameter is missing (the parameter table's defaults).
DEFAULT_MAX_TRANSITIONS = flow_spec.DEFAULT_MAX_TRANSITIONS
DEFAULT_HISTORY_SIZE = flow_spec.DEFAULT_HISTORY_SIZE
#: FlowState fields the state parameters show (``_writeStatePars``) and the Script CHOP channels show
#: (``channelValues``, optional channels included): a change elsewhere (e.g. the context) writes and cooks nothing.
_PAR_FIELDS = frozenset({"status", "step_index", "step_name", "waiting", "last_result", "process_id"})
_CHOP_FIELDS = frozenset({"status", "step_index", "steps", "waiting", "progress", "last_result", "step_data"})


class FlowControllerExt:
    """Promoted extension of the FlowController COMP (reach it as ``iop.LOPflow`` inside the target)."""

    #: The error API misuse raises (``except iop.LOPflow.FlowError``); a RuntimeError.
    FlowError = flow_engine.FlowError

    def __init__(self, ownerComp: Any) -> None:
        """Build the engine from the current parameters; writes nothing to TD (``onInitTD`` does)."""
        self.ownerComp = ownerComp
        #: Pulsed (``val`` = the change id) on every context change; expressions can depend on it.
        self.OnContextChange = tdu.Dependency(0)
        self._pars = flow_adapter_pars.ParWriteCache(ownerComp)
        self._depth = 0
        self._flushing = False
        self._state_dirty = True  # the adapter's own reasons (Setup, target, exposure): write and cook everything
        self._changed: frozenset[str] = frozenset()  # engine state fields changed since the last flush
        self._chop_dirty = True
        self._reset_pulses = False
        self._events_seen = 0
        self._loading_steps = False
        self._rows: list[tuple[str, float, str]] | None = None  # None: re-read the Step sequence
        self._menus: dict[str, tuple[list[str], list[str]]] = {}
        self._history_rows: list[tuple[str, str]] | None = None
        self._errors_shown: tuple[str, ...] = ()
        self._exposed_key: str | None = None
        self._dispatcher = flow_callbacks.CallbackDispatcher(
            owner_comp=ownerComp, target_comp=self._target(), lookup=self._datCallback,
            on_exception=self._reportCallbackError)
        rows = self._readStepRows()
        names = flow_names.NameHistory(self._readNameHistory())
        self._engine = flow_engine.FlowEngine(
            flow_steps.FlowDefinition.from_rows(rows, names),
            now=lambda: float(absTime.seconds),
            frame=lambda: int(absTime.frame),
            dispatcher=self._dispatcher,
            id_factory=lambda: str(uuid.uuid4()),
            max_transitions_per_frame=self._intPar("Maxtransitions", DEFAULT_MAX_TRANSITIONS),
            history_size=self._intPar("Historysize", DEFAULT_HISTORY_SIZE),
            name_history=names,
            first_change_id=int(self._fetch("lopflow_change_id")) + 1,
        )
        self._rows = rows
        self._engine.add_listener(self._onStateChange)
        self._engine.context.add_listener(self._onContextChanged)
        self._context_view = flow_adapter_context.DependableContext(
            lambda: self._engine.context, self.Set, self.ClearContext, self.OnContextChange)

    # ================================================================== TD hooks
    def onInitTD(self) -> None:
        """End of the frame the extension initialised in: show the state, menus and dashboard entry."""
        self._enter()
        try:
            self._syncStepPars(self._engine.definition)
            self._updateExposure()
            self._state_dirty = True
        finally:
            self._leave()

    def onDestroyTD(self) -> None:
        """The extension is replaced or the COMP destroyed: leave the dashboard registry."""
        if self._exposed_key is not None:
            registry = self._registry(create=False)
            if registry is not None:
                registry.unregister(self._exposed_key)
            self._exposed_key = None

    # ================================================================== forwarded from DATs (not promoted)
    def onFrameStart(self, frame: int) -> None:
        """Execute DAT, every frame: notice added/removed blocks, fire due timers, reset CHOP pulses."""
        self._enter()
        try:
            if self._reset_pulses:
                self._chop_dirty = True
            if self._rows is None or self._stepSequence().numBlocks != len(self._rows):
                self._loadSteps()
            self._engine.tick()
        finally:
            self._leave()

    def onParPulse(self, par: Any) -> None:
        """Parameter Execute DAT: a pulse on the FlowController (Start, Stop, Nextstep, Setup, Cleanup)."""
        name = par.name
        self._enter()
        try:
            if name == "Setup":
                self._setup()
            elif name == "Cleanup":
                self._cleanup()
            elif name in ("Start", "Stop", "Nextstep"):
                try:
                    if name == "Start":
                        self._start("pulse")
                    elif name == "Stop":
                        self._engine.stop("pulse")
                    else:
                        self._engine.next_step("pulse")
                except flow_engine.FlowError as exc:
                    self._say(str(exc))
        finally:
            self._leave()

    def onParValueChange(self, par: Any, prev: Any) -> None:
        """Parameter Execute DAT: a watched FlowController parameter changed."""
        name = par.name
        if name.startswith(STEP_SEQUENCE) and not self._loading_steps:
            self._enter()
            try:
                self._loadSteps()
            finally:
                self._leave()
        elif name == "Targetcomp":
            target = self._target()
            self._dispatcher.target_comp = target
            done_on = str(self._fetch("lopflow_setup_target"))
            if target is None:
                self._pars.set("Setupstatus", flow_adapter_setup.NO_TARGET_MESSAGE)
            elif done_on != target.path:
                self._pars.set("Setupstatus", f"Target is now {target.path}: pulse Setup to give it iop.LOPflow"
                               + (f" (Setup was done on {done_on})" if done_on else ""))
            self._state_dirty = True
            self._enter()
            self._leave()
        elif name in ("Exposeprocess", "Exposeflowdetails", "Flowname"):
            self._enter()
            try:
                self._updateExposure()
                self._state_dirty = True
            finally:
                self._leave()
        elif name in _SETTING_PARS:
            self._applySettings()
        elif name.startswith("Chan"):
            self._chop_dirty = True
            self._enter()
            self._leave()

    def channelValues(self) -> list[tuple[str, float]]:
        """The ``flow_channels`` Script CHOP's channels (consumes the event pulses: call once per cook)."""
        values = self._engine.channel_values()
        self._reset_pulses = any(value for name, value in values[:len(flow_engine.EVENT_NAMES)])
        comp = self.ownerComp
        for par_name, channel in OPTIONAL_CHANNELS:
            if comp.par[par_name].eval():
                values.append((channel, self._optionalChannel(channel)))
        return values

    # ================================================================== promoted API
    def Start(self) -> None:
        """Start the flow from its first step with a new process id and an empty context (same as the Start pulse).

        Fires: onFlowStart, onStepEnter (onStepExit, onFlowFinish first when restarting).
        """
        self._enter()
        try:
            self._start("api")
        finally:
            self._leave()

    def NextStep(self, source: str = "api") -> None:
        """Leave the current step (the then of the step decides where to). Fires: onStepExit, onNextStep, onStepEnter."""
        self._call(self._engine.next_step, source)

    def WaitForContinue(self, step_data: Any = None) -> None:
        """Make the current step wait for NextStep, whatever its duration. Fires: onWaitForContinue."""
        self._call(self._engine.wait_for_continue, step_data)

    def Update(self, step_data: Any = None, advance_step: bool = False) -> None:
        """Give the current step new data, and advance when ``advance_step``. Fires: onFlowUpdate (+ step changes)."""
        self._call(self._engine.update, step_data, advance_step)

    def Finish(self, result: Any = None, result_type: str = "success") -> None:
        """End the run now: 'success' -> Completed, 'error' -> Error; Lastresult shows ``result``.

        Fires: onStepExit, onFlowFinish.
        """
        self._call(self._engine.finish, result, result_type)

    def GoToStep(self, name: str) -> None:
        """Jump to the step called ``name`` (a label or an old, renamed name works too).

        Fires: onStepExit, onNextStep, onStepEnter.
        """
        self._enter()
        try:
            self._loadSteps()
            self._engine.go_to_step(name)
        finally:
            self._leave()

    def Stop(self) -> None:
        """Stop the running flow; Status returns to Ready. Fires: onStepExit, onFlowFinish."""
        self._call(self._engine.stop)

    def Set(self, key: str, value: Any, source: str = "api") -> int:
        """Set a context value; returns its change id and pulses ``OnContextChange``. Fires: onContextChange."""
        self._enter()
        try:
            return self._engine.set(key, value, source).change_id
        finally:
            self._leave()

    def Get(self, key: str, default: Any = None) -> Any:
        """A context value, or ``default`` when it is not set. Fires: nothing."""
        _ = self.OnContextChange.val
        return self._engine.get(key, default)

    def ClearContext(self) -> int:
        """Remove every context value; returns the change id. Fires: onContextChange."""
        self._enter()
        try:
            return self._engine.clear_context().change_id
        finally:
            self._leave()

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
                                            details=bool(self.ownerComp.par.Exposeflowdetails.eval()))

    def AssignCallback(self, name: str, function: Any) -> None:
        """Call ``function(info)`` for callback ``name``, before the callbacks DAT (None removes it). Fires: nothing."""
        self._dispatcher.assign(name, function)

    def ClearNameHistory(self) -> None:
        """Forget every recorded step rename (empties ``step_name_history``). Fires: onStepsChanged."""
        self._enter()
        try:
            self._engine.clear_name_history()
            self._rows = None  # rebuild the definition so it stops resolving the forgotten names
            self._loadSteps()
            self._writeNameHistory()
        finally:
            self._leave()

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
        return self._engine.process_id or str(self._fetch("lopflow_process_id"))

    @property
    def Engine(self) -> flow_engine.FlowEngine:
        """The underlying pure ``FlowEngine`` (for tools and tests; prefer the methods above)."""
        return self._engine

    # ================================================================== batching: one flush per outer call
    def _enter(self) -> None:
        self._depth += 1

    def _leave(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._flush()

    def _call(self, method: Any, *args: Any) -> None:
        self._enter()
        try:
            method(*args)
        finally:
            self._leave()

    def _flush(self) -> None:
        if self._flushing:
            return
        self._flushing = True
        try:
            totals = sum(self._engine.event_totals.values())
            if totals != self._events_seen:
                self._events_seen = totals
                self._chop_dirty = True
            forced, changed = self._state_dirty, self._changed
            self._state_dirty, self._changed = False, frozenset()
            if forced or changed & _PAR_FIELDS:
                self._writeStatePars()
            if forced or changed:
                self._publish()
            if forced or changed & _CHOP_FIELDS:
                self._chop_dirty = True
            if self._chop_dirty:
                self._chop_dirty = False
                self._reset_pulses = False
                chop = self.ownerComp.op(CHANNELS_CHOP)
                if chop is not None:
                    chop.cook(force=True)
        finally:
            self._flushing = False

    def _onStateChange(self, change: flow_engine.StateChange) -> None:
        self._changed |= change.changed
        if "process_id" in change.changed and change.current.process_id:
            self.ownerComp.store("lopflow_process_id", change.current.process_id)

    def _onContextChanged(self, change: Any) -> None:
        self.ownerComp.store("lopflow_change_id", change.change_id)
        self.OnContextChange.val = change.change_id

    # ================================================================== state -> parameters
    def _writeStatePars(self) -> None:
        state = self._engine.state
        write = self._pars.set
        write("Status", state.status_label if self._isSetup() else "Not Setup")
        write("Currentstep", f"{state.step_name} ({state.step_index})" if state.step_index >= 0 else "")
        write("Waiting", "Yes" if state.waiting else "No")
        write("Lastresult", "" if state.last_result is None else str(state.last_result))
        write("Activeprocessid", state.process_id or str(self._fetch("lopflow_process_id")))

    def _optionalChannel(self, channel: str) -> float:
        engine = self._engine
        if channel == "result_length":
            return float(len(str(engine.last_result))) if engine.last_result is not None else 0.0
        if channel == "step_data_length":
            return float(len(str(engine.step_data))) if engine.step_data is not None else 0.0
        return float(engine.last_update_time or 0.0)

    # ================================================================== steps
    def _stepSequence(self) -> Any:
        return self.ownerComp.seq[STEP_SEQUENCE]

    def _readStepRows(self) -> list[tuple[str, float, str]]:
        comp = self.ownerComp
        rows = []
        for index in range(self._stepSequence().numBlocks):
            rows.append((str(comp.par[f"Step{index}label"].eval()), float(comp.par[f"Step{index}duration"].eval()),
                         str(comp.par[f"Step{index}then"].eval())))
        return rows

    def _loadSteps(self) -> None:
        """Re-read the Step sequence; only a change reaches the engine, the menus and the parameters."""
        rows = self._readStepRows()
        if rows == self._rows:
            return
        self._rows = rows
        definition = self._engine.load_rows(rows)
        self._syncStepPars(definition)
        self._state_dirty = True

    def _syncStepPars(self, definition: Any) -> None:
        """Then menus, then values pointing at renamed steps, the name history table and the findings."""
        self._loading_steps = True
        try:
            comp = self.ownerComp
            menu_names, menu_labels = definition.then_menu()
            for index in range(len(definition)):
                par = comp.par[f"Step{index}then"]
                value = str(par.eval())
                resolved = definition.resolved_then(index)
                names, labels = list(menu_names), list(menu_labels)
                if resolved != value and resolved in menu_names:
                    par.menuNames = names + [value]  # both names valid while the value moves over
                    par.val = resolved
                    value = resolved
                elif value and value not in menu_names:  # keep a then naming no step visible (it is an error)
                    names.append(value)
                    labels.append(value)
                if self._menus.get(par.name) != (names, labels):
                    par.menuNames = names
                    par.menuLabels = labels
                    self._menus[par.name] = (names, labels)
            self._rows = self._readStepRows()
        finally:
            self._loading_steps = False
        self._writeNameHistory()
        self._showFindings(definition)

    def _showFindings(self, definition: Any) -> None:
        errors = tuple(f"{STEPS_ERROR_PREFIX}: {finding.message}" for finding in definition.errors)
        if errors == self._errors_shown:
            return
        self.ownerComp.clearScriptErrors(error=STEPS_ERROR_PREFIX + "*")
        for message in errors:
            self.ownerComp.addScriptError(message)
        for finding in definition.warnings:
            self._say(f"warning: {finding.message}")
        self._errors_shown = errors

    def _readNameHistory(self) -> list[tuple[str, str]]:
        table = self.ownerComp.op(NAME_HISTORY_DAT)
        if table is None:
            return []
        rows = []
        for index in range(1, table.numRows):
            old, new = table[index, 0], table[index, 1]
            if old is not None and new is not None and old.val and new.val:
                rows.append((old.val, new.val))
        return rows

    def _writeNameHistory(self) -> None:
        entries = self._engine.names.entries()
        if entries == self._history_rows:
            return
        table = self.ownerComp.op(NAME_HISTORY_DAT)
        if table is None:
            return
        if self._history_rows is None and entries == self._readNameHistory():
            self._history_rows = entries
            return
        table.clear()
        table.appendRow(NAME_HISTORY_HEADER)
        for old, new in entries:
            table.appendRow([old, new])
        self._history_rows = entries

    # ================================================================== run control
    def _start(self, source: str) -> None:
        if not self._isSetup():
            raise flow_engine.FlowError(
                "Can't Start: the FlowController is not set up; set Target Component and pulse Setup first")
        self._loadSteps()
        self._dispatcher.target_comp = self._target()
        self.ownerComp.clearScriptErrors(error=CALLBACK_ERROR_PREFIX + "*")
        self._engine.start(source)

    def _applySettings(self) -> None:
        try:
            self._engine.max_transitions_per_frame = self._intPar("Maxtransitions", DEFAULT_MAX_TRANSITIONS)
            self._engine.history_size = self._intPar("Historysize", DEFAULT_HISTORY_SIZE)
        except ValueError as exc:
            self._say(str(exc))

    # ================================================================== setup / cleanup
    def _target(self) -> Any:
        par = self.ownerComp.par["Targetcomp"]
        target = par.eval() if par is not None else None
        return target if target is not None and getattr(target, "isCOMP", False) else None

    def _isSetup(self) -> bool:
        target = self._target()
        return target is not None and self._fetch("lopflow_setup_target") == target.path

    def _setup(self) -> None:
        comp = self.ownerComp
        target = self._target()
        if target is None:
            self._pars.set("Setupstatus", flow_adapter_setup.NO_TARGET_MESSAGE)
            self._state_dirty = True
            return
        slot = flow_adapter_setup.install_shortcut(target, comp)
        if slot is None:
            self._pars.set("Setupstatus", f"{flow_adapter_setup.NO_SLOTS_MESSAGE} on {target.path}: all "
                                          f"{flow_adapter_setup.MAX_IOP_SLOTS} Internal OP shortcuts are used")
            return
        old_target = self._fetch("lopflow_setup_target")
        if old_target and old_target != target.path:
            previous = op(old_target)
            if previous is not None and previous.isCOMP:
                flow_adapter_setup.remove_shortcut(previous, int(self._fetch("lopflow_setup_slot")))
        comp.store("lopflow_setup_slot", slot)
        comp.store("lopflow_setup_target", target.path)
        dat = comp.par.Callbackdat.eval()
        created = False
        if dat is None:
            template = comp.op(TEMPLATE_DAT)
            dat, created = flow_adapter_setup.ensure_callbacks_dat(target, "textDAT",
                                                                  template.text if template is not None else "")
            comp.par.Callbackdat = dat
        self._dispatcher.target_comp = target
        self._pars.set("Setupstatus", f"Setup done: iop.LOPflow on {target.path} (slot {slot}); callbacks "
                                      f"{'created in' if created else 'from'} {dat.path}")
        self._state_dirty = True

    def _cleanup(self) -> None:
        comp = self.ownerComp
        path = str(self._fetch("lopflow_setup_target"))
        target = op(path) if path else self._target()
        if self._engine.is_running:
            self._engine.stop("cleanup")
        removed = None
        if target is not None and target.isCOMP:
            removed = flow_adapter_setup.remove_shortcut(target, int(self._fetch("lopflow_setup_slot")))
        comp.store("lopflow_setup_slot", -1)
        comp.store("lopflow_setup_target", "")
        where = target.path if target is not None else "the target"
        self._pars.set("Setupstatus", f"Cleaned up: removed iop.LOPflow from {where}" if removed is not None
                       else "Cleanup: no LOPflow shortcut to remove")
        self._state_dirty = True

    # ================================================================== dashboard
    def _registry(self, create: bool = True) -> Any:
        registry = root.fetch(DASHBOARD_KEY, None, search=False)
        if registry is None and create:
            registry = flow_dashboard.DashboardRegistry()
            root.store(DASHBOARD_KEY, registry)
            root.storeStartupValue(DASHBOARD_KEY, None)
        return registry

    def _flowName(self) -> str:
        name = str(self.ownerComp.par.Flowname.eval()).strip()
        if name:
            return name
        target = self._target()
        return target.name if target is not None else self.ownerComp.name

    def _updateExposure(self) -> None:
        key = self.ownerComp.path
        if self.ownerComp.par.Exposeprocess.eval():
            self._registry().register(key, self.GetDashboardPayload)
            self._exposed_key = key
        elif self._exposed_key is not None:
            registry = self._registry(create=False)
            if registry is not None:
                registry.unregister(self._exposed_key)
            self._exposed_key = None

    def _publish(self) -> None:
        if self._exposed_key is None:
            return
        registry = self._registry()
        if not registry.is_registered(self._exposed_key):
            registry.register(self._exposed_key, self.GetDashboardPayload)
        registry.publish(self._exposed_key, self.GetDashboardPayload())

    # ================================================================== callbacks DAT, errors, helpers
    def _datCallback(self, name: str) -> Any:
        par = self.ownerComp.par["Callbackdat"]
        dat = par.eval() if par is not None else None
        if dat is None:
            return None
        function = getattr(dat.module, name, None)
        return function if callable(function) else None

    def _reportCallbackError(self, callback_name: str, source: str, exc: BaseException) -> None:
        where = "assigned callback" if source == "assigned" else ("callbacks DAT" if source == "dat" else source)
        self.ownerComp.addScriptError(
            f"{CALLBACK_ERROR_PREFIX} {callback_name} ({where}) raised {type(exc).__name__}: {exc}")
        self._say("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip())

    def _say(self, message: str) -> None:
        print(f"LOPflow {self.ownerComp.path}: {message}")

    def _fetch(self, key: str) -> Any:
        return self.ownerComp.fetch(key, STORED_DEFAULTS[key], search=False)

    def _intPar(self, name: str, default: int) -> int:
        par = self.ownerComp.par[name]
        return int(par.eval()) if par is not None else default

