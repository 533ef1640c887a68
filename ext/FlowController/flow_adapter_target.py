"""The FlowController's link to its target COMP and its callbacks DAT: Setup, Cleanup, watching, lookups.

- ``setup()`` / ``cleanup()`` do what the pulses say (``flow_adapter_setup`` holds the TD-side steps and
  the refusals); ``message`` is what Setup Status shows about them.
- ``setup_done`` says whether Setup was done on the COMP Target Component names now; it is kept up to
  date by the events (Targetcomp / Callbackdat changed, Setup, Cleanup) and by ``check()``, which the
  watcher and every API call run: a deleted target ends Setup (``on_target_lost`` is called so the run
  ends visibly), a deleted callbacks DAT is reported on the component and in Setup Status.
- ``lookup(name)`` is the dispatcher's callbacks-DAT lookup: the DAT is resolved when Callbackdat
  changes, its module read once per outer call (``serial``), its functions cached per module.

Persistent state lives in the component's storage (``STORED_DEFAULTS``). Never imports ``td``: the
component, the Text DAT type, ``op`` and the reporter are passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flow_adapter_pars
import flow_adapter_report
import flow_adapter_setup
import flow_spec

#: Storage keys on the FlowController and their defaults.
STORED_DEFAULTS: dict[str, Any] = {
    "lopflow_setup_slot": -1,  # iop block index of the LOPflow shortcut on the target
    "lopflow_setup_target": "",  # path of the target Setup was done on
    "lopflow_process_id": "",  # id of the current / last run
    "lopflow_change_id": 0,  # last context change id (ids stay unique across re-initialisation)
}
_NO_MODULE = object()


class TargetLink:
    """Setup state, target and callbacks DAT of one FlowController."""

    def __init__(self, comp: Any, pars: flow_adapter_pars.ParWriteCache, reporter: flow_adapter_report.Reporter,
                 *, text_dat_type: Any, find_op: Callable[[str], Any], serial: Callable[[], int],
                 on_target_lost: Callable[[str], None]) -> None:
        self._comp = comp
        self._pars = pars
        self._reporter = reporter
        self._text_dat_type = text_dat_type
        self._find_op = find_op
        self._serial = serial
        self._on_target_lost = on_target_lost
        self._target: Any = None
        self._setup_op: Any = None
        self.setup_done = False
        self.message = str(pars.par("Setupstatus").eval())
        self._dat: Any = None
        self._dat_path = ""
        self._module: Any = _NO_MODULE
        self._module_serial = -1
        self._functions: dict[str, Any] = {}
        #: Called when ``message`` or ``setup_done`` changed outside a pulse (the adapter rewrites its pars).
        self.on_change: Callable[[], None] | None = None
        self.target_changed()
        self.callbacks_changed()

    # ------------------------------------------------------------------ storage
    def fetch(self, key: str) -> Any:
        """A stored value of the component (its default when never stored)."""
        return self._comp.fetch(key, STORED_DEFAULTS[key], search=False)

    def store(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` on the component."""
        self._comp.store(key, value)

    # ------------------------------------------------------------------ target
    @property
    def target(self) -> Any:
        """The COMP Target Component names (None when empty, deleted or not a COMP)."""
        return self._target

    def _read_target(self) -> Any:
        target = self._pars.par("Targetcomp").eval()
        return target if target is not None and getattr(target, "isCOMP", False) else None

    def target_changed(self) -> None:
        """Targetcomp changed (or at init): re-read it and, unless Setup was done on it, say what to do."""
        target = self._target = self._read_target()
        done_on = str(self.fetch("lopflow_setup_target"))
        self.setup_done = target is not None and done_on == target.path
        self._setup_op = target if self.setup_done else None
        if self.setup_done:
            return
        if target is None:
            self.message = flow_adapter_setup.NO_TARGET_MESSAGE
            return
        self.message = self._refusal(target) or (
            f"Target is now {target.path}: pulse Setup to give it iop.LOPflow"
            + (f" (Setup was done on {done_on})" if done_on else ""))

    def _refusal(self, target: Any) -> str:
        return flow_adapter_setup.refusal_for_target(target, self._comp) if target is not None else ""

    def lost_something(self) -> bool:
        """True when the target Setup was done on, or the callbacks DAT, was deleted (``check`` acts on it)."""
        setup_op, dat = self._setup_op, self._dat
        return (setup_op is not None and not setup_op.valid) or (dat is not None and not dat.valid)

    def check(self) -> None:
        """What TD reports to no callback: a deleted target ends Setup; a deleted callbacks DAT is reported."""
        setup_op = self._setup_op
        if setup_op is not None and not setup_op.valid:
            path = str(self.fetch("lopflow_setup_target"))
            self._setup_op = self._target = None
            self.setup_done = False
            self.store("lopflow_setup_target", "")
            self.store("lopflow_setup_slot", -1)
            self.message = f"Target {path} was deleted: set Target Component and pulse Setup"
            self._on_target_lost(f"Target COMP {path} was deleted while the flow was running")
        dat = self._dat
        if dat is not None and not dat.valid:
            self._callbacks_lost()

    # ------------------------------------------------------------------ setup / cleanup
    def setup(self) -> None:
        """The Setup pulse: shortcut on the target, callbacks DAT; refuses what would take something over."""
        target = self._read_target()
        self._target = target
        if target is None:
            self.message = flow_adapter_setup.NO_TARGET_MESSAGE
            self.setup_done = False
            return
        dat = self._pars.par("Callbackdat").eval()
        refusal = self._refusal(target) or flow_adapter_setup.refusal_for_callbacks(dat)
        if not refusal and dat is None and flow_adapter_setup.find_docked_callbacks(target) is None:
            refusal = flow_adapter_setup.refusal_for_callbacks(flow_adapter_setup.named_callbacks_dat(target))
        if refusal:
            self.message = refusal
            self.setup_done = self.setup_done and str(self.fetch("lopflow_setup_target")) == target.path
            return
        slot = flow_adapter_setup.install_shortcut(target, self._comp)
        if slot is None:
            self.message = (f"{flow_adapter_setup.NO_SLOTS_MESSAGE} on {target.path}: all "
                            f"{flow_adapter_setup.MAX_IOP_SLOTS} Internal OP shortcuts are used")
            return
        old_target = str(self.fetch("lopflow_setup_target"))
        if old_target and old_target != target.path:
            previous = self._find_op(old_target)
            if previous is not None and previous.isCOMP:
                flow_adapter_setup.remove_shortcut(previous, int(self.fetch("lopflow_setup_slot")))
        self.store("lopflow_setup_slot", slot)
        self.store("lopflow_setup_target", target.path)
        created = False
        if dat is None:
            template = self._comp.op(flow_spec.TEMPLATE_DAT)
            dat, created = flow_adapter_setup.ensure_callbacks_dat(target, self._text_dat_type,
                                                                  template.text if template is not None else "")
            self._pars.par("Callbackdat").val = dat  # fires callbacks_changed through Parameter Execute
        self.callbacks_changed()
        self.setup_done = True
        self._setup_op = target
        self.message = (f"Setup done: iop.LOPflow on {target.path} (slot {slot}); callbacks "
                        f"{'created in' if created else 'from'} {dat.path}")

    def cleanup(self) -> None:
        """The Cleanup pulse: remove the shortcut from the target Setup was done on (the run was stopped)."""
        path = str(self.fetch("lopflow_setup_target"))
        target = self._find_op(path) if path else self._read_target()
        removed = None
        if target is not None and target.isCOMP:
            removed = flow_adapter_setup.remove_shortcut(target, int(self.fetch("lopflow_setup_slot")))
        self.store("lopflow_setup_slot", -1)
        self.store("lopflow_setup_target", "")
        self.setup_done = False
        self._setup_op = None
        where = target.path if target is not None else "the target"
        self.message = (f"Cleaned up: removed iop.LOPflow from {where}" if removed is not None
                        else "Cleanup: no LOPflow shortcut to remove")

    # ------------------------------------------------------------------ callbacks DAT
    def callbacks_changed(self) -> None:
        """Callbackdat changed (or at init / Setup): resolve the DAT again and forget cached functions."""
        dat = self._pars.par("Callbackdat").eval()
        self._dat = dat
        self._dat_path = str(dat.path) if dat is not None else ""
        self._module = _NO_MODULE
        self._module_serial = -1
        self._functions = {}
        self._reporter.clear(flow_spec.SETUP_ERROR_PREFIX)

    def _callbacks_lost(self) -> None:
        path = self._dat_path
        self._dat = None
        self._module = None
        self._functions = {}
        text = f"the callbacks DAT {path} was deleted; its callbacks no longer run (set Callbacks DAT or pulse Setup)"
        self._reporter.show(flow_spec.SETUP_ERROR_PREFIX, [text])
        self.message = f"Warning: {text}"
        if self.on_change is not None:
            self.on_change()

    def lookup(self, name: str) -> Any:
        """The callbacks DAT's function ``name`` (None when there is none): the dispatcher's lookup.

        The DAT's module is read once per outer call; a DAT whose text does not run raises here (the
        dispatcher reports it); a deleted DAT is reported on the component and runs nothing.
        """
        serial = self._serial()
        if serial != self._module_serial:
            module = None
            if self._dat is not None:
                try:
                    module = self._dat.module
                except Exception:
                    if not self._dat.valid:
                        self._callbacks_lost()
                        return None
                    raise
            self._module_serial = serial
            if module is not self._module:
                self._module = module
                self._functions = {}
        if self._module is None:
            return None
        function = self._functions.get(name, _NO_MODULE)
        if function is _NO_MODULE:
            function = getattr(self._module, name, None)
            function = function if callable(function) else None
            self._functions[name] = function
        return function
