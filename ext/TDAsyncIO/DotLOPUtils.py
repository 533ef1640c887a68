"""DotLOPUtils: a mixin that lets any extension submit coroutines to a TDAsyncIO component.

Usage in another extension::

    from DotLOPUtils import DotLOPUtils

    class MyExt(DotLOPUtils):
        def __init__(self, ownerComp):
            self.ownerComp = ownerComp

        def Fetch(self):
            self.run_async_task(download(), description='download', completion_callback=self.onDone)

The TDAsyncIO component is found, in this order: the OP parameter ``Tdasyncio`` on the owner
component, an Internal OP shortcut ``TDAsyncIO`` on the owner or one of its parents, the Global OP
Shortcut ``TDAsyncIO``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tdasyncio_spec

#: Name of the optional OP parameter on the owner that points at the TDAsyncIO component.
ASYNCIO_PAR = "Tdasyncio"
#: Internal OP shortcut / Global OP Shortcut name searched for the TDAsyncIO component.
ASYNCIO_SHORTCUT = tdasyncio_spec.SHORTCUT


class DotLOPUtils:
    """Mixin for extensions (expects ``self.ownerComp``): find TDAsyncIO and run coroutines on it."""

    ownerComp: Any

    @property
    def asyncio_comp(self) -> Any:
        """The TDAsyncIO component (OP parameter, then Internal OP shortcut, then Global OP Shortcut)."""
        owner = self.ownerComp
        par = owner.par[ASYNCIO_PAR]
        if par is not None:
            comp = par.eval()
            if comp is not None:
                return comp
            if str(par.val or "").strip():
                raise LookupError(
                    f"{owner.path}: the '{ASYNCIO_PAR}' parameter is set to {par.val!r}, which is not an existing "
                    f"operator; point it at the TDAsyncIO component (or clear it to use the shortcuts)"
                )
        try:
            return getattr(owner.iop, ASYNCIO_SHORTCUT)
        except Exception:
            pass
        import td  # at call time, never at import time; td.op works wherever this module was imported from

        try:
            return getattr(td.op, ASYNCIO_SHORTCUT)
        except Exception:
            pass
        raise LookupError(
            f"No TDAsyncIO component found for {owner.path}: point its '{ASYNCIO_PAR}' OP parameter at one, "
            f"give the TDAsyncIO component the Internal OP shortcut '{ASYNCIO_SHORTCUT}' on {owner.path} or a "
            f"parent, or give it the Global OP Shortcut '{ASYNCIO_SHORTCUT}'"
        )

    def run_async_task(self, coroutines: Any, description: str | None = None,
                       completion_callback: Callable[[Any], Any] | None = None, info: Any = None,
                       timeout: float | None = None) -> int | list[int]:
        """Submit coroutines to the TDAsyncIO component (``Run``); returns the task id(s).

        Fires: completion_callback (through TDAsyncIO, once per task).
        """
        return self.asyncio_comp.Run(coroutines, description=description, info=info, timeout=timeout,
                                     completion_callback=completion_callback)
