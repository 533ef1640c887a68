"""What the FlowController shows: its state parameters, the Script CHOP, the dashboard, its frame callbacks.

``flush()`` (once per outer call, see ``flow_adapter_batch``) writes what changed since the last one:

- the state parameters (Status, "Paused" while paused, Current Step, Waiting, Last Result, Active Process ID, Setup Status),
  each only when its value changed (``ParWriteCache``). Status is "Not Setup" until Setup was done on
  the current target, "Invalid Steps" when the steps have errors (Setup Status names the step), else
  the engine's status;
- the ``flow_channels`` Script CHOP: its ``Revision`` parameter is bumped when a channel can have
  changed, so TD recooks the CHOP when something reads it: at most once per frame for a reader that
  reads once per frame, however many steps changed (one parameter write per frame, not one cook per
  step). Event pulses shown by a cook are reset by bumping again at the next frame start;
- the dashboard payload, when exposed and the state changed;
- the ``frame_execute`` DAT's ``active``: on only while something is due (a queued action, a timer,
  a deferred step load or error display, a pulse to reset), so a waiting controller costs no frame work.

Never imports ``td``: the component and its parts are passed in.
"""

from __future__ import annotations

from typing import Any

import flow_adapter_pars
import flow_adapter_steps
import flow_adapter_target
import flow_dashboard
import flow_spec

#: FlowState fields the state parameters show, and the ones the Script CHOP channels show.
PAR_FIELDS = frozenset({"status", "step_index", "step_name", "waiting", "last_result", "process_id", "runnable",
                        "paused"})
CHOP_FIELDS = frozenset({"status", "step_index", "steps", "waiting", "progress", "last_result", "step_data",
                         "paused"})


class Outputs:
    """Writes the FlowController's visible state, once per flush, only what changed."""

    def __init__(self, comp: Any, engine: Any, pars: flow_adapter_pars.ParWriteCache,
                 link: flow_adapter_target.TargetLink, steps: flow_adapter_steps.StepPars,
                 exposure: flow_dashboard.Exposure) -> None:
        self._comp = comp
        self._engine = engine
        self._pars = pars
        self._link = link
        self._steps = steps
        self._exposure = exposure
        self._forced = True
        self._changed: frozenset[str] = frozenset()
        self._state: Any = None  # the engine's latest FlowState (from its state listener)
        self._chop_changed = True
        self._chop: Any = None
        self._revision: Any = None
        self._revision_value = 0
        self.chop_stale = False  # the Revision was bumped and the CHOP has not cooked since
        self.pulses_shown = False  # the last cook showed an event pulse: reset it next frame
        self._frame_active: flow_adapter_pars.ParWriteCache | None = None
        self.channel_bumps = 0

    # ------------------------------------------------------------------ marking
    def force(self) -> None:
        """Something the adapter owns changed (Setup, target, steps, exposure): write everything."""
        self._forced = True

    def state_changed(self, changed: frozenset[str], state: Any) -> None:
        """The engine's state listener: these FlowState fields changed; ``state`` is the new FlowState."""
        self._changed |= changed
        self._state = state

    def channels_changed(self) -> None:
        """A channel may show something else though the state did not change (an optional channel toggle,
        a pulse to reset, an Update's ``on_update`` pulse)."""
        self._chop_changed = True

    # ------------------------------------------------------------------ flushing
    def flush(self) -> None:
        """Write every output that changed since the last flush (loops while writing changed more)."""
        for _ in range(4):
            forced, changed = self._forced, self._changed
            chop = bool(forced or changed & CHOP_FIELDS or self._chop_changed)
            if not (forced or changed or chop):
                break
            self._forced, self._changed = False, frozenset()
            if forced or changed & PAR_FIELDS:
                self._write_state_pars(forced, changed)
            if (forced or changed) and self._exposure.exposed_key is not None:
                self._exposure.publish()
            if chop:
                self._chop_changed = False
                self._bump_channels()
        self._update_frame_callbacks()

    def _write_state_pars(self, forced: bool, changed: frozenset[str]) -> None:
        engine, link, write = self._engine, self._link, self._pars.set
        state = self._state if not forced and self._state is not None else engine.state
        if forced or changed & {"status", "runnable", "paused"}:
            if not link.setup_done:
                status = flow_spec.STATUS_NOT_SETUP
            elif not state.runnable and not state.is_running:
                status = flow_spec.STATUS_INVALID_STEPS
            else:
                status = state.status_label
            write("Status", status)
        if forced or changed & {"step_index", "step_name"}:
            write("Currentstep", f"{state.step_name} ({state.step_index})" if state.step_index >= 0 else "")
        if forced or "waiting" in changed:
            write("Waiting", "Yes" if state.waiting else "No")
        if forced or "last_result" in changed:
            write("Lastresult", "" if state.last_result is None else str(state.last_result))
        if forced or "process_id" in changed:
            write("Activeprocessid", state.process_id or str(link.fetch("lopflow_process_id")))
        if forced:
            message = link.message
            problem = self._steps.problem() if link.setup_done else ""
            if problem:
                message = f"{message}. But the steps have errors: {problem}; fix them on the Steps page"
            write("Setupstatus", message)

    # ------------------------------------------------------------------ Script CHOP
    def _find_chop(self) -> None:
        chop = self._comp.op(flow_spec.CHANNELS_CHOP)
        self._chop = chop
        self._revision = None
        if chop is None:
            return
        revision = chop.par[flow_spec.CHANNELS_REVISION_PAR]
        if revision is None and chop.par["setuppars"] is not None:
            chop.par.setuppars.pulse()  # the CHOP's onSetupParameters makes its Revision parameter
            revision = chop.par[flow_spec.CHANNELS_REVISION_PAR]
        self._revision = revision
        self._revision_value = int(revision.eval()) if revision is not None else 0

    def _bump_channels(self) -> None:
        if self.chop_stale:
            return  # already bumped since the last cook: the next read shows everything
        if self._chop is None or not self._chop.valid:
            self._find_chop()
            if self._chop is None:
                return
        self.channel_bumps += 1
        if self._revision is None:
            self._chop.cook(force=True)  # an old callbacks DAT without Revision: cook now
            return
        self._revision_value += 1
        self._revision.val = self._revision_value
        self.chop_stale = True

    def channel_values(self, optional: tuple[str, ...]) -> list[tuple[str, float]]:
        """The ``flow_channels`` Script CHOP's channels, the ``optional`` ones last (consumes the event
        pulses: call once per cook)."""
        engine = self._engine
        values = engine.channel_values()
        events = len(flow_spec.EVENT_CHANNELS)
        pulses = any(value for _name, value in values[:events])
        if not self._link.setup_done:  # Not Setup counts as idle, whatever the engine says
            values = [(name, float(name == "status_idle") if name in flow_spec.STATUS_CHANNELS else value)
                      for name, value in values]
        for channel in optional:
            if channel == "result_length":
                value = float(len(str(engine.last_result))) if engine.last_result is not None else 0.0
            elif channel == "step_data_length":
                value = float(len(str(engine.step_data))) if engine.step_data is not None else 0.0
            else:
                value = float(engine.last_update_time or 0.0)
            values.append((channel, value))
        self.cooked(pulses)
        return values

    def cooked(self, pulses: bool) -> None:
        """The Script CHOP cooked (``channelValues``); ``pulses``: it showed an event pulse."""
        self.chop_stale = False
        if pulses:
            self.pulses_shown = True
            self._update_frame_callbacks()

    def reset_pulses(self) -> None:
        """Frame start: a pulse shown by the last cook goes back to 0 at the next read."""
        if self.pulses_shown:
            self.pulses_shown = False
            self._chop_changed = True

    # ------------------------------------------------------------------ frame callbacks
    def due(self) -> bool:
        """True while the next frame has work: a queued action, a timer, deferred steps, a pulse to reset."""
        return (self._engine.next_due is not None or self.pulses_shown or self._steps.pending
                or self._steps.display_pending)

    def _update_frame_callbacks(self) -> None:
        if self._frame_active is None:
            dat = self._comp.op(flow_spec.FRAME_EXECUTE_DAT)
            if dat is None:
                return
            self._frame_active = flow_adapter_pars.ParWriteCache(dat)
        self._frame_active.set("active", self.due())
