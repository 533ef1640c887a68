"""Execute-family DATs: ``executeDAT`` and ``parameterexecuteDAT``.

Execute DAT (callbacks fire only while ``active`` and the matching toggle are on):
* ``onFrameStart(frame)`` / ``onFrameEnd(frame)`` every frame (``frame`` = ``absTime.frame`` as int;
  UNCONFIRMED: TD passes the timeline frame, which mock_td does not model separately);
* ``onStart()`` on ``Session.reload()`` (the project opening), ``onExit()`` when the project closes
  in ``Session.reload()``; ``onCreate()`` when the DAT arrives by ``COMP.copy`` (paste);
* ``onPlayStateChange``/``onDeviceChange``/``onProjectPreSave``/``onProjectPostSave`` never fire
  (no timeline, devices or saving in mock_td).
Parameter Execute DAT (``op`` names the OPs watched, ``pars`` the par-name patterns, ``custom`` /
``builtin`` filter by kind):
* ``onValueChange(par, prev)`` runs synchronously when a watched par's value changes (``valuechange``),
  once per change (UNCONFIRMED: the docs say at most once per frame per par, which mock_td reads as
  being about expression-driven values that TD evaluates once per frame);
* ``onValuesChanged(changes)`` runs once per frame at the end of the frame (after ``endFrame`` runs and
  ``onInitTD``, before ``onFrameEnd``), with the namedtuples ``(par, prev)`` of every change since the
  previous batch (``valueschanged``), so changes made anywhere in the frame arrive in that frame;
* ``onPulse(par)`` runs synchronously on a pulse (``onpulse``);
* expression/export/enable/mode change callbacks are not fired (UNCONFIRMED when TD fires them).

Callbacks run with ``me`` = the DAT. An exception is printed to the textport, recorded as a script
error on the DAT and never propagates.

DOCS DISAGREE: an older Parameter Execute template has ``onValueChange(par, val, prev)``, the current
template ``onValueChange(par, prev)``; the mock calls the current template's signature.
"""

from __future__ import annotations

from collections import namedtuple
from fnmatch import fnmatchcase
from typing import Any

from mock_td.operators.dat import TextLikeDAT
from mock_td.operators.registry import register

#: What ``onValuesChanged`` receives: one per change, ``.par`` and ``.prev``.
ParChange = namedtuple("ParChange", ["par", "prev"])


def _toggle(dat: Any, name: str) -> bool:
    return bool(dat._parValue(name, False))


def call_callback(dat: Any, name: str, *args: Any) -> Any:
    """Call ``name(*args)`` from ``dat``'s module if defined; errors are recorded, never raised."""
    w = dat._world
    try:
        module = dat.module
    except Exception as exc:  # noqa: BLE001 - a DAT whose text does not run is a script error
        w.record_exception(dat, "module", exc)
        return None
    fn = module.__dict__.get(name)
    if not callable(fn):
        return None
    return w.call_guarded(dat, name, fn, *args)


@register
class executeDAT(TextLikeDAT):  # noqa: N801 - TD type name
    """TD's Execute DAT: project and frame callbacks."""

    _label = "Execute"
    _defaultName = "execute1"

    def __init__(self, world: Any, parent: Any, name: str) -> None:
        super().__init__(world, parent, name)
        world.execute_dats[self._id] = self

    def _fire(self, toggle: str, callback: str, *args: Any) -> None:
        if _toggle(self, toggle) and _toggle(self, "active"):
            call_callback(self, callback, *args)


@register
class parameterexecuteDAT(TextLikeDAT):  # noqa: N801 - TD type name
    """TD's Parameter Execute DAT: callbacks on parameter changes of the OPs it watches."""

    _label = "Parameter Execute"
    _defaultName = "parexec1"

    def __init__(self, world: Any, parent: Any, name: str) -> None:
        super().__init__(world, parent, name)
        world.parexec_dats[self._id] = self

    def _watches(self, owner: Any, par: Any) -> bool:
        if not _toggle(self, "active"):
            return False
        p = self.par["op"]
        try:
            targets = p.evalOPs() if p is not None else []
        except Exception:  # noqa: BLE001
            targets = []
        if not any(t is owner for t in targets):
            return False
        custom = bool(getattr(par, "isCustom", False))
        if custom and not _toggle(self, "custom"):
            return False
        if not custom and not _toggle(self, "builtin"):
            return False
        pp = self.par["pars"]
        patterns = str(pp.eval() if pp is not None else "*").split()
        return any(fnmatchcase(par.name, pat) for pat in patterns)


def dispatch_value_change(owner: Any, par: Any, prev: Any) -> None:
    """World listener (``par_changed``): ``onValueChange`` now, and queue the change for ``onValuesChanged``."""
    w = owner._world
    if not w.parexec_dats:
        return
    for dat in list(w.parexec_dats.values()):
        if not dat._valid or not dat._watches(owner, par):
            continue
        if _toggle(dat, "valueschanged"):
            w.pending_value_changes.setdefault(dat._id, []).append(ParChange(par, prev))
        if _toggle(dat, "valuechange"):
            call_callback(dat, "onValueChange", par, prev)


def dispatch_pulse(owner: Any, par: Any) -> None:
    """World listener (``par_pulsed``): ``onPulse(par)`` of the DATs watching ``par``."""
    w = owner._world
    if not w.parexec_dats:
        return
    for dat in list(w.parexec_dats.values()):
        if dat._valid and dat._watches(owner, par) and _toggle(dat, "onpulse"):
            call_callback(dat, "onPulse", par)


def fire_values_changed(world: Any) -> None:
    """Frame phase: one ``onValuesChanged(changes)`` per Parameter Execute DAT with queued changes."""
    if not world.pending_value_changes:
        return
    batches = world.pending_value_changes
    world.pending_value_changes = {}
    for dat_id, changes in batches.items():
        dat = world.parexec_dats.get(dat_id)
        if dat is not None and dat._valid:
            call_callback(dat, "onValuesChanged", changes)


def fire_frame(world: Any, toggle: str, callback: str, frame: int) -> None:
    """``onFrameStart``/``onFrameEnd`` of every active Execute DAT (creation order)."""
    if not world.execute_dats:
        return
    for dat in list(world.execute_dats.values()):
        if dat._valid:
            dat._fire(toggle, callback, frame)


def fire_all(world: Any, toggle: str, callback: str, dats: list[Any] | None = None) -> None:
    """``onStart``/``onCreate``/``onExit`` of the given (default: all) Execute DATs."""
    for dat in list(dats if dats is not None else world.execute_dats.values()):
        if dat._valid:
            dat._fire(toggle, callback)


def fire_created(ops: list[Any]) -> None:
    """World listener (``ops_pasted``): ``onCreate`` of the pasted Execute DATs."""
    dats = [o for o in ops if isinstance(o, executeDAT)]
    if dats:
        fire_all(dats[0]._world, "create", "onCreate", dats)
