"""TD's ``TDFunctions`` utility module, as far as mock_td models it.

Written from the documented behaviour (the TDFunctions page), not from Derivative's source.
Modelled: ``createProperty``, ``makeDeepDependable``, ``clamp``, ``parentLevel``, ``sharedParent``
(None when the nearest shared parent is root, as the page says), ``getCustomPage``, ``getMenuLabel``,
``setMenuLabel``, ``listToParString``, ``parStringToIntList`` and ``multiMatch``. The other members
the page lists (and ``errorDialog``, ``extensionOPFromPar``, ``validChannelName``, which Derivative's
module defines without a page entry) raise NotImplementedError naming the symbol. Helper names this
module imports are private, so ``TDFunctions.<name>`` exists only for TD's names.

* ``multiMatch(patterns, inputList, caseSensitive=True, useMinus=True)``: the items matching any of the
  space-separated patterns, minus those matching a ``-pattern`` (UNCONFIRMED: with only ``-patterns``
  nothing matches; the result keeps ``inputList``'s order).
* ``makeDeepDependable`` turns dict/list/set into DependDict/DependList/DependSet and any other value
  into a ``tdu.Dependency`` holding it.
"""

import fnmatch as _fnmatch
import typing as _t

from mock_td import messages as _msg
from mock_td.libraries.dependency import Dependency as _Dependency
from mock_td.libraries.TDStoreTools import DependMixin as _DependMixin
from mock_td.libraries.TDStoreTools import _deep
from mock_td.unsupported import not_modelled as _not_modelled

__all__ = [
    "makeDeepDependable", "createProperty", "clamp", "parentLevel", "sharedParent", "getCustomPage", "getMenuLabel",
    "setMenuLabel", "listToParString", "parStringToIntList", "multiMatch",
]

_NOT_MODELLED = (
    "arrangeNode", "bindChain", "errorDialog", "extensionOPFromPar", "findNetworkEdges", "forceCookNonDatOps",
    "getParInfo", "applyParInfo", "getShortcutPath", "incrementStringDigits", "parMenu", "replaceOp",
    "showInPane", "tScript", "unbindReferences", "validChannelName", "applyParDefaults", "changeParStyle",
    "formatString", "messageDialog", "panelParentShortcut", "setParDefaultsToCurrent",
)
__td_not_modelled__ = {name: f"TDFunctions.{name}" for name in _NOT_MODELLED}
__td_source__ = "TDFunctions page"
__td_member_sources__ = {
    name: "Derivative's TDFunctions.py (defined there; not on the TDFunctions page)"
    for name in ("errorDialog", "extensionOPFromPar", "validChannelName")
}


def __getattr__(name: str) -> _t.NoReturn:
    if name in _NOT_MODELLED:
        _not_modelled(f"TDFunctions.{name}")
    raise AttributeError(_msg.MODULE_NO_ATTRIBUTE.format(module="TDFunctions", name=name))


def makeDeepDependable(value: _t.Any) -> _t.Any:  # noqa: N802 - TD's name
    """dict/list/set (recursively) as DependDict/DependList/DependSet; any other value in a Dependency."""
    if isinstance(value, dict | list | set | _DependMixin):
        return _deep(value)
    return _Dependency(value)


def createProperty(classInstance: _t.Any, name: str, value: _t.Any = None,  # noqa: N802, N803
                   attributeName: str | None = None, readOnly: bool = False,  # noqa: N803
                   dependable: _t.Any = True) -> None:
    """Add property ``name`` to ``classInstance``'s CLASS, storing its value in ``attributeName``.

    ``attributeName`` defaults to ``'_' + name``. With ``dependable=True`` the value is kept in a
    ``tdu.Dependency`` (the getter returns its ``.val``); ``'deep'``/``'Deep'`` also makes containers
    deeply dependable; False stores the plain value. ``readOnly=True`` makes the property read-only
    (write through ``instance._Name.val = x``).
    """
    attribute = attributeName if attributeName is not None else "_" + name
    deep = isinstance(dependable, str) and dependable.lower() == "deep"
    wrap = bool(dependable)

    def prepare(new: _t.Any) -> _t.Any:
        return _deep(new) if deep else new

    if wrap:
        setattr(classInstance, attribute, _Dependency(prepare(value)))
    else:
        setattr(classInstance, attribute, value)

    def getter(instance: _t.Any) -> _t.Any:
        stored = getattr(instance, attribute)
        return stored.val if wrap else stored

    def setter(instance: _t.Any, new: _t.Any) -> None:
        if wrap:
            getattr(instance, attribute).val = prepare(new)
        else:
            setattr(instance, attribute, new)

    setattr(type(classInstance), name, property(getter, None if readOnly else setter,
                                                doc=f"Property {name!r} created by TDFunctions.createProperty."))


def clamp(value: _t.Any, inMin: _t.Any, inMax: _t.Any) -> _t.Any:  # noqa: N803 - TD's names
    """``value`` limited to [inMin, inMax]."""
    return max(inMin, min(inMax, value))


def parentLevel(parentOp: _t.Any, childOp: _t.Any) -> int | None:  # noqa: N802, N803 - TD's names
    """How many levels ``parentOp`` is above ``childOp`` (0 if the same OP), or None if not an ancestor."""
    level = 0
    current = childOp
    while current is not None:
        if current is parentOp:
            return level
        current = current.parent()
        level += 1
    return None


def sharedParent(op1: _t.Any, op2: _t.Any) -> _t.Any:  # noqa: N802 - TD's name
    """The nearest COMP containing both OPs; None when that is root (TDFunctions page)."""
    ancestors = []
    current = op1
    while current is not None:
        ancestors.append(current)
        current = current.parent()
    current = op2
    while current is not None:
        if any(current is a for a in ancestors) and current.isCOMP:
            return None if current.parent() is None else current
        current = current.parent()
    return None


def getCustomPage(comp: _t.Any, name: str) -> _t.Any:  # noqa: N802 - TD's name
    """The custom page of ``comp`` named ``name``, or None."""
    return next((page for page in comp.customPages if page.name == name), None)


def getMenuLabel(menuPar: _t.Any) -> str:  # noqa: N802, N803 - TD's names
    """The label of ``menuPar``'s selected menu item."""
    index = menuPar.menuIndex
    if index is None:
        raise ValueError(_msg.TDF_NO_MENU_ITEM.format(par=menuPar.name))
    return str(menuPar.menuLabels[index])


def setMenuLabel(menuPar: _t.Any, label: str) -> None:  # noqa: N802, N803 - TD's names
    """Select the item of ``menuPar`` whose label is ``label`` (ValueError if none has it)."""
    labels = list(menuPar.menuLabels or [])
    if label not in labels:
        raise ValueError(_msg.TDF_NO_MENU_LABEL.format(label=label, par=menuPar.name, labels=labels))
    menuPar.menuIndex = labels.index(label)


def listToParString(l: _t.Iterable[_t.Any]) -> str:  # noqa: N802, E741 - TD's names
    """``[1, 'a', 2]`` -> ``'1 a 2'`` (a space-delimited string)."""
    return " ".join(str(item) for item in l)


def parStringToIntList(parString: str) -> list[int]:  # noqa: N802, N803 - TD's names
    """``'1 2 3'`` -> ``[1, 2, 3]``."""
    return [int(item) for item in str(parString).split()]


def multiMatch(patterns: str, inputList: _t.Iterable[str], caseSensitive: bool = True,  # noqa: N802, N803
               useMinus: bool = True) -> list[str]:  # noqa: N803
    """The items of ``inputList`` matching the space-separated ``patterns`` (``-pattern`` excludes)."""
    words = str(patterns).split()
    include = [w for w in words if not w.startswith("-")]
    exclude = [w[1:] for w in words if w.startswith("-")] if useMinus else []

    def hit(item: str, pats: list[str]) -> bool:
        if caseSensitive:
            return any(_fnmatch.fnmatchcase(item, p) for p in pats)
        return any(_fnmatch.fnmatchcase(item.lower(), p.lower()) for p in pats)

    return [item for item in inputList if hit(str(item), include) and not hit(str(item), exclude)]
