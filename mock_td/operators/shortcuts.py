"""The shortcut objects of the ``td`` namespace: ``op``, ``ops``, ``parent``, ``iop``, ``ipar``, ``ext``, ``mod``.

Each one is anchored at an OP (``me.parent``, the ``op`` a DAT's module sees) or, when reached as
``td.op`` / ``td.parent`` / ..., follows the context: the OP whose code is running (root when none).

* ``op('path')`` -> OP or None; ``op.Name`` -> the COMP whose ``opshortcut`` is Name, raising
  tdAttributeError when none; iterating ``op`` yields the COMPs that have a global shortcut.
* ``parent(n=1)`` -> nth parent or None; ``parent.Name`` -> the nearest ancestor whose
  ``parentshortcut`` is Name, raising tdAttributeError when none.
* ``iop.Name`` -> the OP in the nearest enclosing COMP's internal-OP slot named Name;
  ``ipar.Name`` -> that OP's ``par`` collection. A missing name raises tdAttributeError
  (UNCONFIRMED: TD's exact error for a missing iop/ipar).
* ``ext.Name`` -> the extension named Name in the nearest enclosing COMP (searching up).
* ``opex`` is ``op`` that raises tdError when a call finds nothing (td Module); ``OP.op`` / ``OP.opex``
  are the same finder objects anchored at that OP (``me.op.Shortcut`` works).
* ``mod.name`` / ``mod('path')`` -> a DAT's module (see dat_modules for the search order); ``mod.name``
  is None when no DAT of that name is found (MOD Class).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mock_td import messages as msg
from mock_td.errors import no_attribute_error, tdError
from mock_td.operators.dat_modules import find_module_dat
from mock_td.process import world as _world
from mock_td.unsupported import not_modelled

if TYPE_CHECKING:
    from mock_td.operators.op import OP


def _anchor(anchor: OP | None) -> OP:
    if anchor is not None:
        return anchor
    return _world.current().me


def _strpar(op: Any, name: str) -> str:
    v = op._parValue(name, "")  # a missing par or broken shortcut expression means no shortcut
    return v if isinstance(v, str) else ("" if v is None else str(v))


class _AnchoredShortcut:
    """Base of the ``parent``/``iop``/``ipar``/``ext``/``mod`` objects: anchored at an OP, or following
    the context when reached as ``td.<name>``; ``obj.Name`` goes to :meth:`_lookup`."""

    __slots__ = ("_a",)
    _tdName = ""

    def __init__(self, anchor: OP | None = None) -> None:
        self._a = anchor

    def _lookup(self, anchor: OP, name: str) -> Any:
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._lookup(_anchor(self._a), name)

    def __repr__(self) -> str:
        return f"<td.{self._tdName}>"


def comps_up(start: OP | None) -> Iterator[Any]:
    """``start`` if it is a COMP, then each enclosing COMP up to root."""
    node: Any = start
    if node is not None and not node.isCOMP:
        node = node._parent
    while node is not None:
        yield node
        node = node._parent


#: Global OP Shortcuts of TD's own system components that mock_td does not build (``op.TDResources``
#: exists: see ``session``). ``op.TDModules.mod.TDFunctions`` is the older way to reach TDFunctions.
SYSTEM_SHORTCUTS_NOT_MODELLED = ("TDModules",)


class OpFinder:
    """TD's ``op``: find OPs by path/pattern/id; ``op.Name`` for global OP shortcuts."""

    __slots__ = ("_a", "_asPar")

    def __init__(self, anchor: OP | None = None, as_parameter: bool = False) -> None:
        object.__setattr__(self, "_a", anchor)
        object.__setattr__(self, "_asPar", as_parameter)

    def __call__(self, *patterns: Any, includeUtility: bool = False) -> Any:  # noqa: N803
        """The first OP matching any of the patterns (paths, wildcards or ids), or None."""
        a = _anchor(self._a)
        return a._opSearch(patterns, first=True, as_parameter=self._asPar)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        for comp in _global_shortcut_comps():
            if _strpar(comp, "opshortcut") == name:
                return comp
        if name in SYSTEM_SHORTCUTS_NOT_MODELLED:
            not_modelled(f"op.{name}")
        raise no_attribute_error("OP", name, msg.WHY_NO_GLOBAL_SHORTCUT.format(name=name))

    def __iter__(self) -> Iterator[Any]:
        return iter([c for c in _global_shortcut_comps() if _strpar(c, "opshortcut")])

    def __repr__(self) -> str:
        return "<td.op>"


class OpexFinder(OpFinder):
    """TD's ``opex``: like ``op``, but a call that finds nothing raises tdError instead of returning None."""

    __slots__ = ()

    def __call__(self, *patterns: Any, includeUtility: bool = False) -> Any:  # noqa: N803
        """The first OP matching any of the patterns; raises tdError when none does."""
        a = _anchor(self._a)
        found = a._opSearch(patterns, first=True, as_parameter=self._asPar)
        if found is None:
            raise tdError(msg.OPEX_NO_MATCH.format(patterns=" ".join(map(str, patterns)), path=a.path))
        return found

    def __repr__(self) -> str:
        return "<td.opex>"


def _global_shortcut_comps() -> list[Any]:
    return [o for o in _world.current().ops_by_id.values() if o.isCOMP]


class OpsFinder:
    """TD's ``ops``: every OP matching the patterns, as a list."""

    __slots__ = ("_a", "_asPar")

    def __init__(self, anchor: OP | None = None, as_parameter: bool = False) -> None:
        self._a = anchor
        self._asPar = as_parameter

    def __call__(self, *patterns: Any, includeUtility: bool = False) -> list[Any]:  # noqa: N803
        """Every OP matching the patterns (possibly empty)."""
        return _anchor(self._a)._opSearch(patterns, first=False, as_parameter=self._asPar)


class ParentShortcut(_AnchoredShortcut):
    """TD's ``parent``: ``parent(n)`` and ``parent.Name`` (Parent Shortcut)."""

    __slots__ = ()
    _tdName = "parent"

    def __call__(self, n: int = 1) -> Any:
        """The nth parent, or None past root."""
        node: Any = _anchor(self._a)
        node._checkValid()
        for _ in range(int(n)):
            if node is None:
                return None
            node = node._parent
        return node

    def _lookup(self, anchor: OP, name: str) -> Any:
        anchor._checkValid()
        node = anchor._parent
        while node is not None:
            if _strpar(node, "parentshortcut") == name:
                return node
            node = node._parent
        raise no_attribute_error("ParentShortcut", name, msg.WHY_NO_PARENT_SHORTCUT.format(name=name, path=anchor.path))


def iop_slots(comp: Any) -> Iterator[tuple[str, Any]]:
    """(shortcut, par) for each block of a COMP's ``iop`` sequence."""
    i = 0
    par = comp.par if hasattr(comp, "par") else None
    if par is None:
        return
    while True:
        sp = par[f"iop{i}shortcut"]
        if sp is None:
            return
        yield _strpar(comp, f"iop{i}shortcut"), par[f"iop{i}op"]
        i += 1


def find_iop(anchor: OP, name: str) -> Any:
    """The OP an enclosing COMP's internal-OP slot ``name`` points to; raises tdAttributeError."""
    for comp in comps_up(anchor):
        for shortcut, oppar in iop_slots(comp):
            if shortcut == name and oppar is not None:
                return oppar.eval()
    raise no_attribute_error("IOP", name, msg.WHY_NO_IOP.format(name=name, path=anchor.path))


class IOPShortcut(_AnchoredShortcut):
    """TD's ``iop``: ``iop.Name`` searches up the hierarchy for an internal OP shortcut."""

    __slots__ = ()
    _tdName = "iop"

    def _lookup(self, anchor: OP, name: str) -> Any:
        return find_iop(anchor, name)


class IPARShortcut(_AnchoredShortcut):
    """TD's ``ipar``: ``ipar.Name`` is the ``par`` collection of the OP in iop slot Name."""

    __slots__ = ()
    _tdName = "ipar"

    def _lookup(self, anchor: OP, name: str) -> Any:
        target = find_iop(anchor, name)
        if target is None:
            raise no_attribute_error("IPAR", name, msg.WHY_IOP_UNRESOLVED)
        return target.par


class ExtSearcher(_AnchoredShortcut):
    """TD's ``ext``: ``ext.Name`` finds an extension by name in the nearest enclosing COMP."""

    __slots__ = ()
    _tdName = "ext"

    def _lookup(self, anchor: OP, name: str) -> Any:
        anchor._checkValid()
        for comp in comps_up(anchor):
            found = comp._extensionByName(name)
            if found is not None:
                return found
        raise no_attribute_error("ext", name, msg.WHY_NO_EXTENSION.format(name=name, path=anchor.path))


class MOD(_AnchoredShortcut):
    """TD's ``mod``: ``mod.datName`` imports a DAT as a module; ``mod('path')`` loads one by path."""

    __slots__ = ()
    _tdName = "mod"

    def __call__(self, path: str) -> Any:
        """The module of the DAT at ``path`` (relative to the running OP)."""
        dat = _anchor(self._a).op(path)
        if dat is None or not dat.isDAT:
            raise tdError(msg.MOD_NO_DAT.format(path=path))
        return dat.module

    def _lookup(self, anchor: OP, name: str) -> Any:
        dat = find_module_dat(anchor, name)
        if dat is None:
            return None  # MOD Class: "If the DAT is still not found, None is returned."
        return dat.module
