"""TD's ``tdu.Dependency``: a value holder that notifies its callbacks when it changes.

There is no dependency tracking for parameter expressions (mock_td's parameter expressions are evaluated on every read, so they do not need it):
``ops`` is always an empty list. Setting ``val`` (even to an equal value — UNCONFIRMED) and calling
``modified()`` call every function in ``callbacks`` synchronously with one dict holding
``'dependency'``, ``'prevVal'`` and ``'callback'`` (``setVal(v, setInfo=x)`` adds ``'setInfo'``).
A Dependency casts to its value in arithmetic (``dep + 1``; see ``values``) and ``dep[key]`` reads an
item of a wrapped list or dict (Dependency Class).
"""

from __future__ import annotations

from typing import Any

from mock_td.unsupported import not_modelled_members
from mock_td.values import CastsToValue


@not_modelled_members("Dependency", "listAttributes")
class Dependency(CastsToValue):
    """A dependable value (``tdu.Dependency(val=None)``); casts to ``val`` in expressions, ``dep[key]``
    reads an item of the wrapped list or dict."""

    __td_source__ = "Dependency_Class"

    def __init__(self, val: Any = None) -> None:
        self._val = val
        self.callbacks: list[Any] = []

    @property
    def val(self) -> Any:
        """The value; setting it notifies the callbacks."""
        return self._val

    @val.setter
    def val(self, value: Any) -> None:
        self.setVal(value)

    def setVal(self, val: Any, setInfo: Any = None) -> None:  # noqa: N802, N803 - TD's names
        """Set the value; the callbacks' info dict also gets ``setInfo`` (UNCONFIRMED key name)."""
        prev = self._val
        self._val = val
        self._notify(prev, setInfo)

    def __getitem__(self, key: Any) -> Any:
        return self._val[key]

    def _castValue(self) -> Any:
        return self._val

    @property
    def peekVal(self) -> Any:
        """The value, read without creating a dependency."""
        return self._val

    @property
    def ops(self) -> list[Any]:
        """OPs depending on this value (always empty: the mock does not track dependencies)."""
        return []

    def modified(self) -> None:
        """Notify the callbacks after the *contents* of ``val`` were changed in place."""
        self._notify(self._val)

    def _notify(self, prev: Any, set_info: Any = None) -> None:
        for callback in list(self.callbacks):
            info = {"dependency": self, "prevVal": prev, "callback": callback}
            if set_info is not None:
                info["setInfo"] = set_info
            callback(info)

    def __repr__(self) -> str:
        return f"type:Dependency val:{self._val!r}"
