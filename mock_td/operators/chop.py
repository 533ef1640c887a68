"""TD's ``CHOP`` class and the modelled CHOP types ``scriptCHOP`` and ``nullCHOP``.

Channel data comes from ``ChopDataMixin`` (chop_data). A Script CHOP cooks through the DAT in its
``callbacks`` parameter:
* ``onCook(scriptOp)`` runs when the CHOP's data is read while it is dirty, or at once on
  ``cook(force=True)``. It is dirty after: creation, a change of any of its parameter values, a
  change of its callbacks DAT's text, and a custom pulse. mock_td does not cook Script CHOPs every
  frame by itself (they are not time-dependent unless something reads them); read the data or call
  ``cook(force=True)`` each frame when you need per-frame cooking.
* ``onSetupParameters(scriptOp)`` runs when ``setuppars`` is pulsed; ``onPulse(par)`` runs when one of
  its custom pulse pars is pulsed.
* An exception in a callback is printed to the textport and recorded as a script error; the CHOP
  keeps the channels it had (UNCONFIRMED).
A Null CHOP has no input wiring in mock_td (wiring is not modelled), so it holds no channels.
"""

from __future__ import annotations

from typing import Any

from mock_td.operators.chop_data import ChopDataMixin, ScriptChopDataMixin
from mock_td.operators.op import OP
from mock_td.operators.registry import register
from mock_td.parameters.par_owner import CustomParsMixin
from mock_td.unsupported import not_modelled_members


@not_modelled_members("CHOP", "export", "exportChanges", "save", "convertToKeyframes")
class CHOP(OP):
    """TD's CHOP class."""

    __td_source__ = "CHOP_Class"

    family = "CHOP"
    isCHOP = True

    def _beforeChopRead(self) -> None:  # noqa: N802
        """Called by ChopDataMixin before its data is read (a dirty Script CHOP cooks here)."""


@register
@not_modelled_members("scriptCHOP", "timeSliceDefault")
class scriptCHOP(CustomParsMixin, ScriptChopDataMixin, CHOP):  # noqa: N801 - TD type name
    """TD's Script CHOP: channels built by Python in its callbacks DAT."""

    __td_source__ = "scriptCHOP Class (docs.derivative.ca/ScriptCHOP_Class; not in the 2023 crawl)"

    _label = "Script"
    _defaultName = "script1"

    def __init__(self, world: Any, parent: Any, name: str) -> None:
        self._dirty = True
        super().__init__(world, parent, name)
        world.script_chops[self._id] = self

    def _callbacksDAT(self) -> Any:  # noqa: N802
        dat = self._parValue("callbacks")
        return dat if dat is not None and getattr(dat, "isDAT", False) and hasattr(dat, "_text") else None

    def _callback(self, name: str) -> Any:
        dat = self._callbacksDAT()
        if dat is None:
            return None
        w = self._world
        try:
            module = dat.module
        except Exception as exc:  # noqa: BLE001 - a broken callbacks DAT is a script error
            w.record_exception(dat, "module", exc)
            return None
        fn = getattr(module, name, None)
        return fn if callable(fn) else None

    def _beforeChopRead(self) -> None:  # noqa: N802
        if self._dirty and not self._cooking and self._valid:
            self._doCook(force=True)

    def _doCook(self, force: bool) -> None:
        if self._cooking:
            return
        self._dirty = False
        super()._doCook(force)
        fn = self._callback("onCook")
        if fn is None:
            return
        dat = self._callbacksDAT()
        self._cookErrors = []
        self._cooking = True
        try:
            self._world.call_guarded(dat, "onCook", fn, self)
        finally:
            self._cooking = False

    def _onParChanged(self, par: Any, prev: Any) -> None:  # noqa: N802
        self._dirty = True

    def _onParPulsed(self, par: Any) -> None:  # noqa: N802
        w = self._world
        if par.name == "setuppars":
            fn = self._callback("onSetupParameters")
            if fn is not None:
                w.call_guarded(self._callbacksDAT(), "onSetupParameters", fn, self)
        elif getattr(par, "isCustom", False):
            fn = self._callback("onPulse")
            if fn is not None:
                w.call_guarded(self._callbacksDAT(), "onPulse", fn, par)
        self._dirty = True


@register
class nullCHOP(ChopDataMixin, CHOP):  # noqa: N801 - TD type name
    """TD's Null CHOP (no inputs in mock_td, so no channels)."""

    _label = "Null"
    _defaultName = "null1"


def callbacks_dat_changed(dat: Any) -> None:
    """World listener (``dat_text_changed``): mark dirty every Script CHOP whose callbacks DAT is ``dat``."""
    world = dat._world
    if not world.script_chops:
        return
    for chop in world.script_chops.values():
        if chop._callbacksDAT() is dat:
            chop._dirty = True
