"""Write TD parameters only when their value changes, through Par objects looked up once.

Writing a parameter in TD recooks everything that depends on it, so FlowController keeps the last value it
wrote per parameter and skips writes that would not change anything. The Par objects of the component's
own custom parameters never change, so each is looked up once (one TD call per write, not three).
``writes`` counts the writes actually made (the benchmark and the tests read it). Never imports ``td``.
"""

from __future__ import annotations

from typing import Any

import flow_spec

_UNSET = object()


def int_par(comp: Any, name: str, default: int) -> int:
    """The integer parameter ``name`` of ``comp``; ``default`` on a component built without it."""
    par = comp.par[name]
    return int(par.eval()) if par is not None else default


def go_debounce(comp: Any) -> float | None:
    """The GO guard from the Godebounce parameter; None (no guard) on a component built without it."""
    par = comp.par["Godebounce"]
    return float(par.eval()) if par is not None else None


def optional_channels(comp: Any) -> tuple[str, ...]:
    """The optional Script CHOP channels whose Chan* toggle is on (``flow_spec.OPTIONAL_CHANNELS``)."""
    par = comp.par
    return tuple(channel for par_name, channel in flow_spec.OPTIONAL_CHANNELS
                 if par[par_name] is not None and par[par_name].eval())


class ParWriteCache:
    """Writes ``par.val`` only when the value differs from the last one written (or read)."""

    def __init__(self, comp: Any) -> None:
        self._comp = comp
        self._last: dict[str, Any] = {}
        self._pars: dict[str, Any] = {}
        self.writes = 0

    def par(self, name: str) -> Any:
        """The Par ``name`` of the component (looked up once); AttributeError when it does not exist."""
        par = self._pars.get(name)
        if par is None:
            par = self._comp.par[name]
            if par is None:
                raise AttributeError(f"FlowController has no parameter {name!r}; rebuild the component")
            self._pars[name] = par
        return par

    def set(self, name: str, value: Any) -> bool:
        """Set parameter ``name`` to ``value`` unless it already holds it; returns True when written."""
        last = self._last.get(name, _UNSET)
        if last is _UNSET:
            last = self.par(name).eval()
        if last == value and type(last) is type(value):
            self._last[name] = value
            return False
        self.par(name).val = value
        self._last[name] = value
        self.writes += 1
        return True

    def forget(self, name: str | None = None) -> None:
        """Drop the cached value of ``name`` (or of every parameter): the next ``set`` reads the par again."""
        if name is None:
            self._last.clear()
        else:
            self._last.pop(name, None)
