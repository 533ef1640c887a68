"""Run control for FlowController: Start, Restore, the run pulses, the route resolver and the target's
changes, between the engine and the adapter's parts.

``before_call`` runs before every API call acts (a deleted target or callbacks DAT is noticed, deferred
step edits are loaded). A Then / Ontimeout / Onerror parameter in expression mode is read when its step
is left (``route_resolver``, set only while one is in expression mode). A run whose target COMP is
changed or deleted ends visibly (onFlowFinish with result_type 'error').

Never imports ``td``: the engine and the adapter's parts are passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flow_adapter_outputs
import flow_adapter_pars
import flow_adapter_recovery
import flow_adapter_report
import flow_adapter_steps
import flow_adapter_target
import flow_callbacks
import flow_spec
from flow_state import FlowError


class RunControl:
    """Starts, restores and ends runs for the adapter, and keeps the route resolver and target in step."""

    def __init__(self, *, engine: Any, link: flow_adapter_target.TargetLink, steps: flow_adapter_steps.StepPars,
                 dispatcher: flow_callbacks.CallbackDispatcher, reporter: flow_adapter_report.Reporter,
                 recovery: flow_adapter_recovery.Recovery, outputs: flow_adapter_outputs.Outputs,
                 pars: flow_adapter_pars.ParWriteCache, show_change_id: Callable[[int], None]) -> None:
        self._engine, self._link, self._steps, self._dispatcher = engine, link, steps, dispatcher
        self._reporter, self._recovery, self._outputs, self._pars = reporter, recovery, outputs, pars
        self._show_change_id = show_change_id  # pulses the extension's OnContextChange

    def before_call(self) -> None:
        """Before an API call acts: notice a deleted target / callbacks DAT, load deferred step edits."""
        self._link.check()
        self._steps.apply_pending()

    def start(self, source: str) -> None:
        """Start a run (FlowError when not set up). Fires what ``FlowEngine.start`` fires."""
        if not self._link.setup_done:
            raise FlowError(
                "Can't Start: the FlowController is not set up; set Target Component and pulse Setup first")
        self._steps.refresh()
        self.update_route_resolver()
        self._dispatcher.target_comp = self._link.target
        self._reporter.clear(flow_spec.CALLBACK_ERROR_PREFIX)
        self._engine.start(source)

    def restore(self, source: str) -> bool:
        """Restore the journaled run (``source`` 'restore' or 'restoreonstart'); fires onFlowRestore."""
        self.before_call()
        if not self._link.setup_done:
            self._reporter.warn("Can't Restore: the FlowController is not set up; set Target Component and pulse "
                                "Setup first")
            return False
        self._steps.refresh()
        self._dispatcher.target_comp = self._link.target
        info = self._recovery.restore(self._engine, str(self._recovery.par("Restoretimed", "remaining")))
        if info is None:
            return False
        self._show_change_id(self._engine.context.last_change_id)
        self._outputs.force()  # the import ran no action: no state listener heard of it
        info["source"] = source
        self._dispatcher.dispatch("onFlowRestore", info)
        return True

    def pulse(self, name: str) -> None:
        """A run pulse (Start, Stop, Nextstep, Pause, Resume, Back, Restore, Signal); what it cannot do is
        logged as a warning."""
        engine = self._engine
        try:
            self.before_call()
            if name == "Start":
                self.start("pulse")
            elif name == "Stop":
                engine.stop("pulse")
            elif name == "Pause":
                engine.pause("pulse")
            elif name == "Resume":
                engine.resume("pulse")
            elif name == "Back":
                engine.back("pulse")
            elif name == "Restore":
                self.restore("restore")
            elif name == "Signal":
                payload = str(self._pars.par("Signalpayload").eval())
                engine.signal(str(self._pars.par("Signalname").eval()).strip(), payload or None, "pulse")
            elif not engine.next_step(source="pulse"):
                last = engine.history.snapshot(1)
                why = last[0]["data"].get("reason", "") if last else ""
                self._reporter.warn(f"Next Step pulse ignored: {why}")
        except FlowError as exc:
            self._reporter.warn(str(exc))

    def update_route_resolver(self, par: Any = None) -> None:
        """Ask the Step route parameters at leave time only while one of them is in expression mode: every one
        is checked at init and Start; an edit of one route parameter checks that one (all when it left
        expression mode)."""
        steps = self._steps
        if par is not None and par.mode == steps.expression_mode:
            self._engine.route_resolver = steps.resolve_route
        elif par is None or self._engine.route_resolver is not None:
            self._engine.route_resolver = steps.resolve_route if steps.expression_routes() else None

    def apply_settings(self, comp: Any) -> None:
        """Give the engine the Maxtransitions, Historysize and Godebounce of ``comp`` (a bad value is logged)."""
        try:
            self._engine.max_transitions_per_frame = flow_adapter_pars.int_par(
                comp, "Maxtransitions", flow_spec.DEFAULT_MAX_TRANSITIONS)
            self._engine.history_size = flow_adapter_pars.int_par(comp, "Historysize", flow_spec.DEFAULT_HISTORY_SIZE)
            self._engine.go_debounce = flow_adapter_pars.go_debounce(comp)
        except ValueError as exc:
            self._reporter.warn(str(exc))

    def target_changed(self) -> None:
        """The Targetcomp parameter changed: a run on another target ends."""
        before = self._link.target
        self._link.target_changed()
        after = self._link.target
        if self._engine.is_running and after is not before:
            where = after.path if after is not None else "nothing"
            self.finish_run(f"Target Component changed to {where} while the flow was running")
            self._link.message += "; the run was ended"
        self._dispatcher.target_comp = after
        self._outputs.force()

    def target_lost(self, reason: str) -> None:
        """The target COMP was deleted: callbacks get no targetComp, the run ends visibly."""
        self._dispatcher.target_comp = None
        self.finish_run(reason)

    def finish_run(self, reason: str) -> None:
        """End a running flow that lost its target: onFlowFinish with result_type 'error' and ``reason``."""
        if self._engine.is_running:
            self._engine.finish(reason, "error", source="target")
        self._outputs.force()
