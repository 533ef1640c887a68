"""TD's ``TDFunctions`` utility module, as far as mock_td models it.

Written from the documented behaviour (td_api_facts.md §10), not from Derivative's source.
Modelled: ``createProperty``, ``makeDeepDependable``, ``clamp``, ``parentLevel``, ``sharedParent``,
``getCustomPage``. Other TDFunctions members raise NotImplementedError naming the symbol.
"""

from __future__ import annotations

from typing import Any, NoReturn

from mock_td import messages as msg
from mock_td.libraries.dependency import Dependency
from mock_td.libraries.TDStoreTools import _deep
from mock_td.unsupported import not_modelled

_NOT_MODELLED = (
    "arrangeNode", "bindChain", "editFile", "errorDialog", "extensionOPFromPar", "findNetworkEdges",
    "forceCookNonDatOps", "getParInfo", "applyParInfo", "getShortcutPath", "incrementStringDigits",
    "layoutChildren", "panelParent", "parMenu", "replaceOp", "showInPane", "tScript", "unbindReferences",
    "validChannelName",
)
__td_not_modelled__ = {name: f"TDFunctions.{name}" for name in _NOT_MODELLED}


def __getattr__(name: str) -> NoReturn:
    if name in _NOT_MODELLED:
        not_modelled(f"TDFunctions.{name}")
    raise AttributeError(msg.MODULE_NO_ATTRIBUTE.format(module="TDFunctions", name=name))


def makeDeepDependable(value: Any) -> Any:  # noqa: N802 - TD's name
    """dict/list/set (recursively) as DependDict/DependList/DependSet; other values unchanged."""
    return _deep(value)


def createProperty(classInstance: Any, name: str, value: Any = None, attributeName: str | None = None,  # noqa: N802, N803
                   readOnly: bool = False, dependable: Any = True) -> None:  # noqa: N803
    """Add property ``name`` to ``classInstance``'s CLASS, storing its value in ``attributeName``.

    ``attributeName`` defaults to ``'_' + name``. With ``dependable=True`` the value is kept in a
    ``tdu.Dependency`` (the getter returns its ``.val``); ``'deep'``/``'Deep'`` also makes containers
    deeply dependable; False stores the plain value. ``readOnly=True`` makes the property read-only
    (write through ``instance._Name.val = x``).
    """
    attribute = attributeName if attributeName is not None else "_" + name
    deep = isinstance(dependable, str) and dependable.lower() == "deep"
    wrap = bool(dependable)

    def prepare(new: Any) -> Any:
        return makeDeepDependable(new) if deep else new

    if wrap:
        setattr(classInstance, attribute, Dependency(prepare(value)))
    else:
        setattr(classInstance, attribute, value)

    def getter(instance: Any) -> Any:
        stored = getattr(instance, attribute)
        return stored.val if wrap else stored

    def setter(instance: Any, new: Any) -> None:
        if wrap:
            getattr(instance, attribute).val = prepare(new)
        else:
            setattr(instance, attribute, new)

    setattr(type(classInstance), name, property(getter, None if readOnly else setter,
                                                doc=f"Property {name!r} created by TDFunctions.createProperty."))


def clamp(value: Any, inMin: Any, inMax: Any) -> Any:  # noqa: N803 - TD's names
    """``value`` limited to [inMin, inMax]."""
    return max(inMin, min(inMax, value))


def parentLevel(parentOp: Any, childOp: Any) -> int | None:  # noqa: N802, N803 - TD's names
    """How many levels ``parentOp`` is above ``childOp`` (0 if the same OP), or None if not an ancestor."""
    level = 0
    current = childOp
    while current is not None:
        if current is parentOp:
            return level
        current = current.parent()
        level += 1
    return None


def sharedParent(op1: Any, op2: Any) -> Any:  # noqa: N802 - TD's name
    """The closest COMP that contains both OPs, or None."""
    ancestors = []
    current = op1
    while current is not None:
        ancestors.append(current)
        current = current.parent()
    current = op2
    while current is not None:
        if any(current is a for a in ancestors) and current.isCOMP:
            return current
        current = current.parent()
    return None


def getCustomPage(comp: Any, name: str) -> Any:  # noqa: N802 - TD's name
    """The custom page of ``comp`` named ``name``, or None."""
    return next((page for page in comp.customPages if page.name == name), None)
