"""Helpers for FlowController tests: a built component on mock_td, a target COMP and a recording callbacks DAT.

Everything goes through TD's public API: parameters (``fc.par.Start.pulse()``), ``iop.LOPflow`` from code
inside the target, the callbacks DAT Setup creates, and the ``flow_channels`` Script CHOP.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

import build_toxes

#: Callbacks DAT text that records every callback (name + info keys + a few values) in the target's storage.
RECORDING_CALLBACKS = '''
def _record(info):
    log = info["targetComp"].fetch("calls", None, search=False)
    if log is None:
        log = []
        info["targetComp"].store("calls", log)
    log.append((info["callbackName"], dict(info)))

'''


def recording_callbacks_text(extra: str = "") -> str:
    """A callbacks DAT that records every registered callback, plus ``extra`` code appended."""
    import flow_callbacks

    text = RECORDING_CALLBACKS
    for name in flow_callbacks.callback_names():
        text += f"\ndef {name}(info):\n    _record(info)\n"
    return text + "\n" + extra


class Flow:
    """A FlowController wired to a target COMP, with helpers to drive it the way a user does."""

    def __init__(self, session: Any, fc: Any, target: Any) -> None:
        self.session = session
        self.fc = fc
        self.target = target

    # -- parameters -----------------------------------------------------------------------------------
    def set_steps(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Fill the Step sequence: labels first (so then menus know every step), then durations and thens
        (and, for 5-field rows ``(label, duration, then, timeout, ontimeout)``, the watchdog)."""
        rows = list(rows)
        fc = self.fc
        fc.seq.Step.numBlocks = len(rows)
        for i, row in enumerate(rows):
            setattr(fc.par, f"Step{i}label", row[0])
        for i, row in enumerate(rows):
            setattr(fc.par, f"Step{i}duration", row[1])
            setattr(fc.par, f"Step{i}then", row[2])
            if len(row) > 3:
                setattr(fc.par, f"Step{i}timeout", row[3])
                setattr(fc.par, f"Step{i}ontimeout", row[4])

    def status(self) -> str:
        return str(self.fc.par.Status.eval())

    def current(self) -> str:
        return str(self.fc.par.Currentstep.eval())

    def channels(self) -> dict[str, float]:
        chop = self.fc.op("flow_channels")
        return {chan.name: float(chan[0]) for chan in chop.chans()}

    # -- callbacks ------------------------------------------------------------------------------------
    def use_recording_callbacks(self, extra: str = "") -> Any:
        dat = self.fc.par.Callbackdat.eval()
        dat.text = recording_callbacks_text(extra)
        return dat

    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        return list(self.target.fetch("calls", [], search=False))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls()]

    def clear_calls(self) -> None:
        self.target.store("calls", [])

    # -- code inside the target -----------------------------------------------------------------------
    def target_code(self, text: str, name: str = "logic") -> Any:
        """A Text DAT inside the target holding ``text``; returns its module (``iop.LOPflow`` works there)."""
        dat = self.target.op(name) or self.target.create("textDAT", name)
        dat.text = text
        return dat.module


def make_flow(session: Any, rows: Iterable[tuple[Any, ...]] | None = None, setup: bool = True,
              target_name: str = "process", mode: str = "embedded") -> Flow:
    """Build a FlowController and a target in /project1, fill the steps and (optionally) pulse Setup."""
    project = session.root.op("project1")
    fc = build_toxes.build_flow_controller(project, mode=mode)
    target = project.create("baseCOMP", target_name)
    flow = Flow(session, fc, target)
    if rows is not None:
        flow.set_steps(rows)
    if setup:
        fc.par.Targetcomp = target
        fc.par.Setup.pulse()
    session.advance()
    return flow


class TDCallCounter:
    """Counts calls from a component's code (its DATs, by their TD path) into mock_td, i.e. TD API calls.

    ``with TDCallCounter(comp) as counter: ...`` then ``counter.calls``; ``counter.by_name`` counts per
    mock function. Property reads and writes count one each (``comp.par.X.val = v`` is three calls).
    """

    def __init__(self, comp: Any) -> None:
        import mock_td

        self._prefix = comp.path + "/"
        self._mock_dir = os.path.dirname(os.path.abspath(mock_td.__file__)) + os.sep
        self.calls = 0
        self.by_name: dict[str, int] = {}
        self._previous: Callable[..., Any] | None = None

    def _profile(self, frame: Any, event: str, arg: Any) -> None:
        if event != "call" or not frame.f_code.co_filename.startswith(self._mock_dir):
            return
        caller = frame.f_back
        if caller is not None and caller.f_code.co_filename.startswith(self._prefix):
            self.calls += 1
            name = frame.f_code.co_qualname
            self.by_name[name] = self.by_name.get(name, 0) + 1

    def __enter__(self) -> TDCallCounter:
        self._previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.setprofile(self._previous)
