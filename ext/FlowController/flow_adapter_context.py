"""``FlowController.Context``: the flow context as a dependable dict.

Reading it (``iop.LOPflow.Context['score']`` in a parameter expression) touches a ``tdu.Dependency``
the extension pulses on every context change, so the expression recooks; writing it
(``Context['score'] = 3``) goes through ``Set`` and so fires ``onContextChange``. Never imports ``td``:
the dependency and the setter are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import flow_context


class DependableContext(MutableMapping[str, Any]):
    """A live dict view of the engine's context; reads create a dependency, writes fire onContextChange."""

    def __init__(self, context: Callable[[], flow_context.FlowContext], setter: Callable[[str, Any], Any],
                 clear: Callable[[], Any], dependency: Any) -> None:
        self._context = context
        self._setter = setter
        self._clear = clear
        self._dependency = dependency

    def _touch(self) -> flow_context.FlowContext:
        _ = self._dependency.val  # creates the dependency when read inside an expression
        return self._context()

    def __getitem__(self, key: str) -> Any:
        context = self._touch()
        if key not in context:
            raise KeyError(key)
        return context.get(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._setter(key, value)

    def __delitem__(self, key: str) -> None:
        raise TypeError("FlowController.Context keys cannot be deleted one by one; use ClearContext() or Set(key, None)")

    def __iter__(self) -> Iterator[str]:
        return iter(self._touch())

    def __len__(self) -> int:
        return len(self._touch())

    def __contains__(self, key: object) -> bool:
        return key in self._touch()

    def clear(self) -> None:
        """Remove every key (same as ``ClearContext()``). Fires: onContextChange."""
        self._clear()

    def copy(self) -> dict[str, Any]:
        """A plain dict copy of the context."""
        return dict(self._touch().data)

    def __repr__(self) -> str:
        return f"Context({dict(self._touch().data)!r})"
