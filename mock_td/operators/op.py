"""TD's ``OP`` class: identity, hierarchy, paths, destroy, cooking and errors.

Storage (``storage``) and the network-editor members (``node``: tags, layout, flags, docking) are
mixed in.

The parameter members (``par``, ``pars()``, ``pages``, ``seq``, ...) come from the parameters
family's ``ParOwnerMixin``; this module provides what the mixin calls back (``_checkValid``,
``_parValueChanged``, ``_parPulsed``, ``_evalParExpression``, ``op``, ``_sequenceChanged``).
A value change or pulse is passed up to the OP's world (``world.par_changed`` / ``par_pulsed``),
which tells the Parameter Execute DATs; expressions run in the namespace the world gives.

Choices (listed in SUPPORTED.md):
* A destroyed OP keeps its Python object, but every public member except ``valid`` raises
  ``tdError('Invalid OP object: <path>')``; ``destroy()`` on it raises the same.
* Destroying an OP destroys the OPs docked to it (UNCONFIRMED).
* Renaming to a name a sibling already has raises tdError (UNCONFIRMED); invalid names raise tdError.
* ``str(op)`` / ``repr(op)`` is ``'<OPType>:<path>'`` (UNCONFIRMED).
* Setting an attribute an OP does not have raises tdAttributeError (TD OPs take no new attributes),
  except promoted extension members on COMPs.
* ``addScriptError(msg)`` shows the error on the OP (``scriptErrors()``) and also records it as a
  script exception of the session (mock-only: a ``td_session`` test fails unless it takes it with
  ``take_script_exceptions()``). ``clearScriptErrors()`` clears what the OP shows; an error already
  reported stays recorded until taken.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from mock_td import messages as msg
from mock_td.errors import invalid_op_error, no_attribute_error, tdError
from mock_td.operators import paths
from mock_td.operators.node import NodeMixin
from mock_td.operators.shortcuts import (
    MOD,
    ExtSearcher,
    IOPShortcut,
    IPARShortcut,
    OpexFinder,
    OpFinder,
    ParentShortcut,
)
from mock_td.operators.storage import StorageMixin
from mock_td.parameters.par_owner import ParOwnerMixin
from mock_td.process import world as _world
from mock_td.unsupported import not_modelled_members
from mock_td.values import name_base, name_digits

if TYPE_CHECKING:
    from mock_td.process.world import World

_DESTROYED_CLASSES: dict[type, type] = {}


def _destroyed_class(cls: type) -> type:
    """A subclass whose public members raise tdError: the class a destroyed OP switches to."""
    dcls = _DESTROYED_CLASSES.get(cls)
    if dcls is None:

        def __getattribute__(self: Any, name: str) -> Any:  # noqa: N807
            if name[0] != "_" and name != "valid":
                raise invalid_op_error(object.__getattribute__(self, "_deadPath"))
            return object.__getattribute__(self, name)

        def __setattr__(self: Any, name: str, value: Any) -> None:  # noqa: N807
            if name[0] != "_":
                raise invalid_op_error(object.__getattribute__(self, "_deadPath"))
            object.__setattr__(self, name, value)

        dcls = type(cls.__name__, (cls,), {"__getattribute__": __getattribute__, "__setattr__": __setattr__,
                                            "__module__": cls.__module__})
        _DESTROYED_CLASSES[cls] = dcls
    return dcls


def op_at_path(path: str) -> Any:
    """The OP at absolute ``path`` in the current world, or None (how a pickled OP comes back)."""
    w = _world.current()
    return next(paths.resolve(w.root, path, w.root), None) if w.root is not None else None


def _not_cooking(member: str) -> tdError:
    """The error of ``addError``/``addWarning`` outside a cook (their parameter ``msg`` hides the messages module)."""
    return tdError(msg.NOT_COOKING.format(member=member))


@not_modelled_members(
    "OP", "inputs", "outputs", "inputConnectors", "outputConnectors", "setInputs", "shortcutPath",
    "changeType", "time", "replicator", "fileFolder", "filePath", "var", "dependenciesTo",
    "openParameters", "openViewer", "closeViewer", "cpuCookTime", "gpuCookTime", "childrenCPUCookTime",
    "childrenGPUCookTime", "cpuMemory", "gpuMemory", "minInputs", "maxInputs", "isFilter", "isMultiInputs",
    "resetViewer", "viewer", "activeViewer", "curPar", "curBlock", "curSeq", "warnings", "currentPage",
    "passive", "icon", "licenseType", "visibleLevel", "openMenu", "resetNodeSize", "cookTime", "cookAbsFrame",
    "cookStartTime", "cookEndTime", "cookedPreviousFrame", "childrenCookTime", "childrenCookAbsFrame",
    "childrenCPUCookAbsFrame", "childrenGPUCookAbsFrame", "childrenCPUMemory", "childrenGPUMemory",
)
class OP(ParOwnerMixin, StorageMixin, NodeMixin):
    """TD's OP class: the base of every operator (mock: see the module docstring)."""

    __td_source__ = "OP_Class"
    __td_member_sources__ = {
        "opType": "td_api_facts §2 (current OP Class page; the 2023 page has only OPType)",
        "isPOP": "td_api_facts §2 (current OP Class page: POPs are newer than the 2023 page)",
        "isCustom": "td_api_facts §2 (current OP Class page)",
    }

    family = "OP"
    _tdSavedByPath = True  # a save keeps an OP as its path (see values.dumps and __reduce__)
    _label = "OP"
    isCOMP = False
    isDAT = False
    isCHOP = False
    isTOP = False
    isSOP = False
    isMAT = False
    isPOP = False
    isObject = False
    isPanel = False
    isBase = False
    isCustom = False
    _defaultName = "op1"

    def __init__(self, world: World, parent: Any, name: str) -> None:
        object.__setattr__(self, "_world", world)
        self._parent = parent
        self._name = name
        self._valid = True
        self._system = False  # TD's own components (/sys): never saved with the project
        self._id = world.new_id(self)
        self._storage = {}
        self._startup = {}
        self._tags: set[str] = set()
        self._nodeX = 0
        self._nodeY = 0
        self._nodeWidth = 200 if self.isCOMP else 130
        self._nodeHeight = 100 if self.isCOMP else 90
        self._color = (0.55, 0.55, 0.55)
        self._comment = ""
        self._dock = None
        self._flags: dict[str, bool] = {
            "bypass": False, "lock": False, "display": False, "render": False, "allowCooking": True,
            "cloneImmune": False, "current": False, "expose": True, "selected": False,
            "showCustomOnly": False, "showDocked": True, "python": True,
        }
        self._scriptErrorList: list[str] = []
        self._cookErrors: list[str] = []
        self._cooking = False
        self._totalCooks = 0
        self._cookFrame = 0
        self._initPars()

    # ---- attribute discipline ------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if name[0] == "_" or hasattr(type(self), name):
            object.__setattr__(self, name, value)
            return
        self._setUnknownAttr(name, value)

    def _setUnknownAttr(self, name: str, value: Any) -> None:
        raise no_attribute_error(type(self).__name__, name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        err = self.__dict__.pop("_propertyError", None)
        if err is not None and err[0] == name:
            raise err[1]  # an AttributeError raised inside a property (e.g. module code): not a missing member
        raise no_attribute_error(type(self).__name__, name)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """OPs pickle as their path and unpickle as the OP now at that path (None if there is none).

        OP Class: ``__getstate__``/``__setstate__`` give "persistent data about the object suitable for
        pickling and deep copies"; what that data is is UNCONFIRMED, the mock keeps the path. So an OP in
        storage comes back after ``Session.reload()`` as the OP at its path, and ``copy.deepcopy`` of a
        structure holding OPs keeps the same OPs.
        """
        return (op_at_path, (self._path_unchecked(),))

    def __repr__(self) -> str:
        if not self._valid:
            return f"{type(self).__name__}:<destroyed {self._deadPath}>"
        return f"{type(self).__name__}:{self.path}"

    __str__ = __repr__

    # ---- contract used by the parameters family------------------------------------------------------------
    def _checkValid(self) -> None:  # noqa: N802
        """Raise tdError if this OP was destroyed."""
        if not self._valid:
            raise invalid_op_error(self._deadPath)

    def _parValue(self, name: str, default: Any = None) -> Any:
        """The evaluated value of par ``name``; ``default`` when there is no such par or it fails to evaluate."""
        p = self._parDict.get(name)
        if p is None:
            return default
        try:
            return p.eval()
        except Exception:  # noqa: BLE001 - a broken expression counts as unset
            return default

    def _path_unchecked(self) -> str:
        if not self._valid:
            return str(self._deadPath)
        return self.path

    def _parValueChanged(self, par: Any, prev: Any) -> None:  # noqa: N802
        """A par's value changed: built-in side effects, then the world's listeners (Parameter Execute DATs)."""
        if not self._valid or self._world.restoring:
            return
        self._onParChanged(par, prev)
        self._world.par_changed(self, par, prev)

    def _parPulsed(self, par: Any) -> None:  # noqa: N802
        """``Par.pulse()`` of a pulse par: built-in pulse actions, then the world's listeners (``onPulse``)."""
        if not self._valid or self._world.restoring:
            return
        self._onParPulsed(par)
        self._world.par_pulsed(self, par)

    def _dataChanged(self) -> None:  # noqa: N802
        """The data mixins call this after table/channel data changed (nothing depends on it here)."""

    def _onParChanged(self, par: Any, prev: Any) -> None:  # noqa: N802
        """Built-in side effects of a value change (overridden by COMP, DAT, scriptCHOP)."""

    def _onParPulsed(self, par: Any) -> None:  # noqa: N802
        """Built-in action of a pulse par (overridden by COMP, scriptCHOP)."""

    def _sequenceChanged(self, seq: Any) -> None:  # noqa: N802
        """A sequence's blocks changed (nothing depends on it here)."""

    def _parOP(self, path: str) -> Any:  # noqa: N802
        """The OP an OP-type parameter's text names, by the parameter rule: a bare name is a sibling
        even on a COMP (ParCollection Class: ``op('geo1').par.lookat = 'null1'``), ``./x`` is inside."""
        return self._opSearch((path,), first=True, as_parameter=True)

    def _evalParExpression(self, expr: str, par: Any = None) -> Any:  # noqa: N802
        """Evaluate a parameter expression with this OP as ``me`` (``op()`` looks at siblings)."""
        w = self._world
        ns = w.namespace(self, as_parameter=True)
        w.context.append(self)
        try:
            return eval(compile(expr, "<expression>", "eval", dont_inherit=True), ns)  # noqa: S307
        finally:
            w.context.pop()

    # ---- identity ------------------------------------------------------------------------------
    @property
    def valid(self) -> bool:
        """False once the OP was destroyed."""
        return bool(self._valid)

    @property
    def id(self) -> int:
        """Unique id in this project (not stable across reloads or copies); ``op(id)`` finds it."""
        return int(self._id)

    @property
    def name(self) -> str:
        """The OP's name (settable)."""
        return str(self._name)

    @name.setter
    def name(self, value: str) -> None:
        value = str(value)
        if value == self._name:
            return
        parent = self._parent
        if parent is None:
            raise tdError(msg.ROOT_RENAME)
        if not paths.VALID_NAME.match(value):
            raise tdError(msg.OP_NAME_INVALID.format(name=value))
        if value in parent._children:
            raise tdError(msg.OP_NAME_TAKEN.format(name=value, path=parent.path))
        parent._children = {(value if k == self._name else k): v for k, v in parent._children.items()}
        self._name = value

    @property
    def path(self) -> str:
        """Absolute path, e.g. ``/project1/text1``."""
        parent = self._parent
        if parent is None:
            return "/"
        pp = parent.path
        return ("/" if pp == "/" else pp + "/") + self._name

    @property
    def digits(self) -> int | None:
        """The last run of digits in the name (at the end, else in the middle: ``geo1_a`` -> 1), or None."""
        return name_digits(self._name)

    @property
    def base(self) -> str:
        """The beginning of the name, before any digit (``geo1_a`` -> ``'geo'``)."""
        return name_base(self._name)

    @property
    def OPType(self) -> str:  # noqa: N802
        """The TD type name, e.g. ``'textDAT'``."""
        return type(self).__name__

    @property
    def opType(self) -> str:  # noqa: N802
        """Alias of OPType (the spelling of the current OP Class page)."""
        return type(self).__name__

    @property
    def type(self) -> str:
        """The type without the family, e.g. ``'text'``."""
        t = type(self).__name__
        return t[: -len(self.family)] if t.endswith(self.family) else t

    @property
    def subType(self) -> str:  # noqa: N802
        """The sub-type ('' for every modelled type)."""
        return ""

    @property
    def label(self) -> str:
        """The type's label as TD shows it, e.g. ``'Text'``."""
        return self._label

    # ---- hierarchy -----------------------------------------------------------------------------
    @property
    def parent(self) -> ParentShortcut:
        """``parent(n=1)`` -> nth parent; ``parent.Name`` -> Parent Shortcut search."""
        return ParentShortcut(self)

    def _opSearch(self, patterns: tuple[Any, ...], first: bool, as_parameter: bool = False) -> Any:
        self._checkValid()
        w = self._world
        found: list[OP] = []
        for p in paths.split_patterns(patterns):
            if isinstance(p, bool):
                raise TypeError(msg.OP_PATTERN_INVALID.format(pattern=p))
            if isinstance(p, int):
                hit = w.ops_by_id.get(p)
                candidates = [hit] if hit is not None else []
            elif isinstance(p, OP):
                candidates = [p] if p._valid else []
            elif isinstance(p, str):
                candidates = list(paths.resolve(self, p, w.root, as_parameter))
            else:
                raise TypeError(msg.OP_PATTERN_TYPE.format(type=type(p).__name__))
            for c in candidates:
                if first:
                    return c
                if c not in found:
                    found.append(c)
        return None if first else found

    @property
    def op(self) -> OpFinder:
        """The operator finder anchored here: ``n.op('path')`` (inside a COMP, else siblings) -> OP or None;
        ``n.op.Shortcut`` -> the COMP with that Global OP Shortcut; ``for x in n.op`` lists them."""
        return OpFinder(self)

    @property
    def opex(self) -> OpexFinder:
        """Like :attr:`op`, but ``n.opex('path')`` raises tdError when nothing matches."""
        return OpexFinder(self)

    def ops(self, *patterns: Any, includeUtility: bool = False) -> list[Any]:  # noqa: N803
        """Every OP matching the patterns (possibly empty)."""
        return self._opSearch(patterns, first=False)

    @property
    def children(self) -> list[Any]:
        """The OPs inside (empty for non-COMPs)."""
        return []

    @property
    def numChildren(self) -> int:  # noqa: N802
        """Number of children."""
        return 0

    @property
    def numChildrenRecursive(self) -> int:  # noqa: N802
        """Number of OPs inside, at any depth."""
        return 0

    def relativePath(self, other: OP) -> str:  # noqa: N802
        """The relative path from this OP's network to ``other``."""
        other._checkValid()
        base = self if self.isCOMP else self._parent
        return paths.relative_path(base if base is not None else self, other)

    # ---- shortcuts anchored here ---------------------------------------------------------------
    @property
    def ext(self) -> ExtSearcher:
        """``op.ext.Name``: the extension named Name here or above."""
        return ExtSearcher(self)

    @property
    def mod(self) -> MOD:
        """``op.mod.name``: DAT modules searched from this OP."""
        return MOD(self)

    @property
    def iop(self) -> IOPShortcut:
        """``op.iop.Name``: internal OP shortcut searched from here up."""
        return IOPShortcut(self)

    @property
    def ipar(self) -> IPARShortcut:
        """``op.ipar.Name``: the par collection of an internal OP searched from here up."""
        return IPARShortcut(self)

    # ---- destroy -------------------------------------------------------------------------------
    def destroy(self) -> None:
        """Delete the OP (and, for a COMP, everything inside; OPs docked to it go too)."""
        self._checkValid()
        if self._parent is None:
            raise tdError(msg.ROOT_DESTROY)
        self._destroyTree()

    def _beforeDestroy(self) -> None:
        """Hook run while the OP and its children are still intact (COMP: onDestroyTD)."""

    def _destroyTree(self) -> None:
        if not self._valid:
            return
        self._beforeDestroy()
        for docked in [o for o in self._dockedOps()]:
            docked._destroyTree()
        for child in list(self.children):
            child._destroyTree()
        self._world.forget(self._id)
        parent = self._parent
        if parent is not None and parent._children.get(self._name) is self:
            del parent._children[self._name]
        self._invalidate(self.path)

    def _invalidate(self, dead_path: str) -> None:
        """Turn this object into a destroyed OP: ``valid`` is False, every other public member raises."""
        self._deadPath = dead_path
        self._valid = False
        object.__setattr__(self, "__class__", _destroyed_class(type(self)))

    # ---- cooking and errors --------------------------------------------------------------------
    def cook(self, force: bool = False, recurse: bool = False, includeUtility: bool = False) -> None:  # noqa: N803
        """Cook the OP (a Script CHOP runs its ``onCook``; other types only count the cook)."""
        self._checkValid()
        self._doCook(force)
        if recurse:
            for c in self.children:
                c.cook(force=force, recurse=True)

    def _doCook(self, force: bool) -> None:
        self._totalCooks += 1
        self._cookFrame = self._world.frame

    @property
    def cookFrame(self) -> float:  # noqa: N802
        """The absTime frame of the last cook."""
        return float(self._cookFrame)

    @property
    def totalCooks(self) -> int:  # noqa: N802
        """Number of cooks so far."""
        return int(self._totalCooks)

    @property
    def cookedThisFrame(self) -> bool:  # noqa: N802
        """True if the OP cooked in the current frame."""
        return self._totalCooks > 0 and self._cookFrame == self._world.frame

    def addScriptError(self, msg: str) -> None:  # noqa: N802
        """Add a script error to this OP; mock_td also records it as a script exception of the session."""
        text = str(msg)
        self._scriptErrorList.append(text)
        self._world.record_reported_error(self, text)

    def scriptErrors(self, recurse: bool = False) -> str:  # noqa: N802
        """The script errors of this OP (and its children with ``recurse``), one per line."""
        lines = list(self._scriptErrorList)
        if recurse:
            for c in self.children:
                e = c.scriptErrors(recurse=True)
                if e:
                    lines.append(e)
        return "\n".join(lines)

    def clearScriptErrors(self, recurse: bool = False, error: str = "*") -> None:  # noqa: N802
        """Remove the shown script errors matching ``error`` (wildcards); reported ones stay recorded in the session."""
        self._scriptErrorList = [e for e in self._scriptErrorList if not fnmatchcase(e, error)]
        if recurse:
            for c in self.children:
                c.clearScriptErrors(recurse=True, error=error)

    def addError(self, msg: str) -> None:  # noqa: N802
        """Add a cook error; only valid while the OP is cooking."""
        if not self._cooking:
            raise _not_cooking("addError")
        self._cookErrors.append(str(msg))

    def addWarning(self, msg: str) -> None:  # noqa: N802
        """Add a cook warning; only valid while the OP is cooking (mock: warnings are not kept)."""
        if not self._cooking:
            raise _not_cooking("addWarning")

    def errors(self, recurse: bool = False) -> str:
        """Cook errors of the last cook, one per line."""
        lines = list(self._cookErrors)
        if recurse:
            lines += [e for c in self.children if (e := c.errors(recurse=True))]
        return "\n".join(lines)

    def evalExpression(self, expr: str) -> Any:  # noqa: N802
        """Evaluate a Python expression in this OP's context."""
        self._checkValid()
        return self._evalParExpression(expr, None)
