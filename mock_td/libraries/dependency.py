"""TD's ``tdu.Dependency``: a value holder that notifies its callbacks when it changes.

There is no dependency tracking for parameter expressions (mock_td's parameter expressions are evaluated on every read, so they do not need it):
``ops`` is always an empty list. Setting ``val`` (even to an equal value — UNCONFIRMED) and calling
``modified()`` call every function in ``callbacks`` synchronously with one dict holding
``'dependency'``, ``'prevVal'`` and ``'callback'``.
"""

from __future__ import annotations

from typing import Any

from mock_td.unsupported import not_modelled_members


@not_modelled_members("Dependency", "listAttributes")
class Dependency:
    """A dependable value (``tdu.Dependency(val=None)``)."""

    def __init__(self, val: Any = None) -> None:
        self._val = val
        self.callbacks: list[Any] = []

    @property
    def val(self) -> Any:
        """The value; setting it notifies the callbacks."""
        return self._val

    @val.setter
    def val(self, value: Any) -> None:
        prev = self._val
        self._val = value
        self._notify(prev)

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

    def _notify(self, prev: Any) -> None:
        for callback in list(self.callbacks):
            callback({"dependency": self, "prevVal": prev, "callback": callback})

    def __repr__(self) -> str:
        return f"type:Dependency val:{self._val!r}"
