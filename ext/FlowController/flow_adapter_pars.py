"""Write TD parameters only when their value changes.

Writing a parameter in TD recooks everything that depends on it, so FlowController keeps the last value it
wrote per parameter and skips writes that would not change anything. ``writes`` counts the writes actually
made (the benchmark reports it per transition). Never imports ``td``.
"""

from __future__ import annotations

from typing import Any

_UNSET = object()


class ParWriteCache:
    """Writes ``comp.par[name].val`` only when the value differs from the last one written (or read)."""

    def __init__(self, comp: Any) -> None:
        self._comp = comp
        self._last: dict[str, Any] = {}
        self.writes = 0

    def set(self, name: str, value: Any) -> bool:
        """Set parameter ``name`` to ``value`` unless it already holds it; returns True when written."""
        last = self._last.get(name, _UNSET)
        if last is _UNSET:
            par = self._comp.par[name]
            if par is None:
                raise AttributeError(f"FlowController has no parameter {name!r}; rebuild the component")
            last = par.eval()
        if last == value:
            self._last[name] = value
            return False
        self._comp.par[name].val = value
        self._last[name] = value
        self.writes += 1
        return True

    def forget(self, name: str | None = None) -> None:
        """Drop the cached value of ``name`` (or of every parameter): the next ``set`` reads the par again."""
        if name is None:
            self._last.clear()
        else:
            self._last.pop(name, None)
