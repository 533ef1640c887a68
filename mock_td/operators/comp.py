"""TD's ``COMP`` class and the modelled COMP types (``baseCOMP``, ``containerCOMP``).

* ``create(OPtype, name=None, initialize=True)``: OPtype is a td type class or its name. The default
  name is the type's usual first name (``base1``, ``text1``, ``table1``, ...). When a name is taken,
  the next number is used (``text1`` -> ``text2``; a name without digits gets ``1`` appended, UNCONFIRMED).
* ``copy(OP, name=None, includeDocked=True)`` copies through the same plain-data snapshot as
  ``Session.reload()`` (parameters, table/text data, storage via pickle, tags, layout); the copy gets
  new ids, its Execute DATs fire ``onCreate`` and its COMPs re-initialise their extensions (a paste;
  UNCONFIRMED: whether TD copies unpicklable storage values by reference).
* ``findChildren``: ``depth``/``maxDepth`` count children as depth 1; name/path/text/comment/tags/
  parName/parValue/parExpr accept wildcards; with no depth arguments the search is recursive. ``type``
  may be an operator type (``textDAT``, ``'textDAT'``) or a family class (``CHOP``, ``COMP``, ``OP``, as
  in the COMP Class examples), matched with ``isinstance``.
* ``initializeExtensions()`` with no index returns the list of extensions (UNCONFIRMED); with an index
  it re-initialises that block only and returns its new instance (COMP Class).
* A slot whose Extension Object fails leaves None in ``extensions``; a blank slot is skipped.
* Promoted extension members (Capitalized) are reachable on the COMP, for reading and assigning.
* Saving/loading .tox files is not modelled (``save``, ``saveByteArray``, ``loadTox``, ...).

DOCS DISAGREE: COMP Class calls ``create``'s first argument ``opType``, the td-stubs ``OPtype``; the mock
uses ``OPtype`` (positional use, the documented examples' way, works with either).

DOCS DISAGREE: the 2023 Extensions page calls ``extensions`` "a simple Python list containing a
Component's four extension objects" (blank slots included); the current pages have an ``ext`` sequence
of any length. The mock follows the sequence and leaves blank blocks out of ``extensions``
(UNCONFIRMED which the current build does).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase
from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError
from mock_td.operators import paths, tree_state
from mock_td.operators.extensions import destroy_extensions, init_extension_slot, init_extensions
from mock_td.operators.op import OP
from mock_td.operators.registry import register, resolve_type
from mock_td.operators.shortcuts import iop_slots
from mock_td.parameters.par_owner import CustomParsMixin
from mock_td.unsupported import not_modelled_members


@not_modelled_members(
    "COMP", "save", "saveByteArray", "loadByteArray", "loadTox", "reload", "saveExternalTox", "copyOPs",
    "setVar", "unsetVar", "vars", "resetNetworkView", "collapseSelected", "layout", "clones",
    "componentCloneImmune", "vfs", "dirty", "currentChild", "selectedChildren", "isPrivate", "isPrivacyActive",
    "isPrivacyLicensed", "addPrivacy", "removePrivacy", "blockPrivateContents", "accessPrivateContents",
    "pickable", "utility", "inputCOMPs", "outputCOMPs", "inputCOMPConnectors", "outputCOMPConnectors",
    "privacyFirmCode", "privacyProductCode", "privacyDeveloperName", "privacyDeveloperEmail",
)
class COMP(CustomParsMixin, OP):
    """TD's COMP class: an OP that holds a network."""

    __td_source__ = "COMP_Class"
    __td_member_sources__ = {"layout": "td_api_facts §3 (current COMP Class page; not on the 2023 page)"}

    family = "COMP"
    isCOMP = True
    isObject = False

    def __init__(self, world: Any, parent: Any, name: str) -> None:
        self._children: dict[str, OP] = {}
        self._extEntries: list[tuple[str, Any, bool]] = []
        self._extSlots: list[int] = []  # the ext block index of each entry
        self._extState = "ready"
        self._extSources: set[int] = set()
        super().__init__(world, parent, name)

    # ---- children ------------------------------------------------------------------------------
    @property
    def children(self) -> list[Any]:
        """The OPs directly inside, in creation order."""
        return list(self._children.values())

    @property
    def numChildren(self) -> int:  # noqa: N802
        """Number of OPs directly inside."""
        return len(self._children)

    @property
    def numChildrenRecursive(self) -> int:  # noqa: N802
        """Number of OPs inside at any depth."""
        return sum(1 + c.numChildrenRecursive for c in self._children.values())

    def _newChild(self, cls: type, name: str) -> Any:
        child = cls(self._world, self, name)
        self._children[name] = child
        return child

    def create(self, OPtype: Any, name: str | None = None, initialize: bool = True) -> Any:  # noqa: N803
        """Create an OP of ``OPtype`` (class or type name) inside; a taken name gets the next number."""
        self._checkValid()
        cls = resolve_type(OPtype)
        wanted = cls._defaultName if name is None else str(name)  # type: ignore[attr-defined]
        if not paths.VALID_NAME.match(wanted):
            raise tdError(msg.OP_NAME_INVALID.format(name=wanted))
        return self._newChild(cls, paths.next_free_name(wanted, self._children))

    def copy(self, OP: Any, name: str | None = None, includeDocked: bool = True) -> Any:  # noqa: N803
        """Copy ``OP`` (with everything inside it) into this COMP; a taken name gets the next number."""
        self._checkValid()
        OP._checkValid()
        if self is OP or self.path.startswith(OP.path.rstrip("/") + "/"):
            raise tdError(msg.COPY_INTO_ITSELF.format(path=OP.path))
        main = tree_state.snapshot_op(OP, self._world.print)
        if name is not None:
            main["name"] = str(name)
        docked = [tree_state.snapshot_op(d, self._world.print) for d in OP.docked] if includeDocked else []
        new = tree_state.build_op(self, main, pasted=True)
        for d in docked:
            d["dock"] = None
            copy_ = tree_state.build_op(self, d, pasted=True)
            copy_._dock = new
        tree_state.after_paste([new])
        return new

    def findChildren(self, type: Any = None, name: str | None = None, path: str | None = None,  # noqa: A002, N802
                     depth: int | None = None, maxDepth: int | None = None, text: str | None = None,  # noqa: N803
                     comment: str | None = None, tags: list[str] | None = None, allTags: bool = False,  # noqa: N803
                     parValue: str | None = None, parExpr: str | None = None, parName: str | None = None,  # noqa: N803
                     onlyNonDefaults: bool = False, includeUtility: bool = False,  # noqa: N803
                     key: Callable[[Any], bool] | None = None) -> list[Any]:
        """Every OP inside (any depth unless limited) that passes all the given filters."""
        self._checkValid()
        tcls: Any = None
        if isinstance(type, builtins.type) and issubclass(type, OP):
            tcls = type  # a family or base class (``type=CHOP``, ``type=COMP``, ``type=OP``) matches by isinstance
        elif type is not None:
            tcls = resolve_type(type)
        out = []
        for child, d in self._walk(1):
            if depth is not None and d != depth:
                continue
            if maxDepth is not None and d > maxDepth:
                continue
            if tcls is not None and not isinstance(child, tcls):
                continue
            if name is not None and not paths.match_name(name, child.name):
                continue
            if path is not None and not fnmatchcase(child.path, path):
                continue
            if text is not None and not fnmatchcase(getattr(child, "_textValue", lambda: "")(), text):
                continue
            if comment is not None and not fnmatchcase(child.comment, comment):
                continue
            if tags:
                hits = [any(fnmatchcase(t, pat) for t in child.tags) for pat in tags]
                if not (all(hits) if allTags else any(hits)):
                    continue
            if (parName or parValue or parExpr or onlyNonDefaults) and not _par_filter(
                    child, parName, parValue, parExpr, onlyNonDefaults):
                continue
            if key is not None and not key(child):
                continue
            out.append(child)
        return out

    def _walk(self, d: int) -> Iterator[tuple[Any, int]]:
        for c in list(self._children.values()):
            yield c, d
            if c.isCOMP:
                yield from c._walk(d + 1)

    # ---- extensions ----------------------------------------------------------------------------
    @property
    def extensions(self) -> list[Any]:
        """The extension objects, in slot order (None for a slot whose object failed)."""
        self._checkExtUsable()
        return [inst for _, inst, _ in self._extEntries]

    @property
    def extensionsReady(self) -> bool:  # noqa: N802
        """False while the extensions are being initialised."""
        return self._extState == "ready"

    def initializeExtensions(self, index: int | None = None) -> Any:  # noqa: N802
        """Re-initialise every extension (returns the list), or only block ``index`` (returns its new
        instance). Each new instance's ``onInitTD`` follows at the end of the frame."""
        self._checkValid()
        if index is not None:
            return init_extension_slot(self, int(index))
        init_extensions(self)
        return self.extensions

    def _checkExtUsable(self) -> None:
        if self._extState != "ready":
            raise tdError(msg.EXTENSION_INITIALIZING)

    def _extensionByName(self, name: str) -> Any:
        self._checkExtUsable()
        return next((inst for ename, inst, _ in self._extEntries if ename == name), None)

    def _promoted(self, name: str) -> tuple[bool, Any]:
        for _, inst, promote in self._extEntries:
            if promote and inst is not None and (hasattr(type(inst), name) or name in getattr(inst, "__dict__", {})):
                return True, inst
        return False, None

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        if name[:1].isupper() and (d.get("_extEntries") or d.get("_extState") == "init"):
            if self._extState != "ready":
                raise tdError(msg.EXTENSION_INITIALIZING)
            found, inst = self._promoted(name)
            if found:
                return getattr(inst, name)
        return super().__getattr__(name)

    def _setUnknownAttr(self, name: str, value: Any) -> None:
        if name[:1].isupper() and self._extEntries:
            self._checkExtUsable()
            found, inst = self._promoted(name)
            if found:
                setattr(inst, name, value)
                return
        super()._setUnknownAttr(name, value)

    def _beforeDestroy(self) -> None:
        destroy_extensions(self)

    # ---- internal OPs --------------------------------------------------------------------------
    @property
    def internalOPs(self) -> dict[str, Any]:  # noqa: N802
        """Internal OP shortcut name -> OP, for this COMP's ``iop`` slots."""
        out = {}
        for shortcut, oppar in iop_slots(self):
            if shortcut and oppar is not None:
                out[shortcut] = oppar.eval()
        return out

    @property
    def internalPars(self) -> dict[str, Any]:  # noqa: N802
        """Internal parameter shortcut name -> the ``par`` collection of its OP (what ``ipar.Name`` gives)."""
        return {name: target.par for name, target in self.internalOPs.items() if target is not None}

    # ---- built-in parameter side effects -------------------------------------------------------
    def _onParChanged(self, par: Any, prev: Any) -> None:  # noqa: N802
        n = par.name
        if n.startswith("ext") and n[3:4].isdigit() and n.rstrip("0123456789") != "ext":
            init_extensions(self)

    def _onParPulsed(self, par: Any) -> None:  # noqa: N802
        if par.name == "reinitextensions":
            init_extensions(self)


def _par_filter(child: Any, parName: str | None, parValue: str | None, parExpr: str | None,  # noqa: N803
                onlyNonDefaults: bool) -> bool:  # noqa: N803
    pars = child.pars() if hasattr(child, "pars") else []
    for p in pars:
        if parName is not None and not fnmatchcase(p.name, parName):
            continue
        if onlyNonDefaults and p.isDefault:
            continue
        if parValue is not None:
            try:
                v = p.eval()
            except Exception:  # noqa: BLE001 - a failing expression never matches
                continue
            if not fnmatchcase(str(v), parValue):
                continue
        if parExpr is not None and not fnmatchcase(p.expr or "", parExpr):
            continue
        return True
    return False


@register
class baseCOMP(COMP):  # noqa: N801 - TD type name
    """TD's Base COMP."""

    __td_source__ = "OP_Class"  # the isBase flag
    _label = "Base"
    isBase = True
    _defaultName = "base1"


@register
class containerCOMP(COMP):  # noqa: N801 - TD type name
    """TD's Container COMP (a panel COMP)."""

    __td_source__ = "OP_Class"  # the isPanel flag
    _label = "Container"
    isPanel = True
    _defaultName = "container1"
