"""The ``td`` namespace: the module installed as ``sys.modules['td']`` and the globals of DAT code.

``namespace_for(op)`` builds the globals TD gives code running as ``op``: every public ``td`` name,
with ``me``, ``op``, ``ops``, ``parent``, ``iop``, ``ipar``, ``ext``, ``mod`` and ``run`` bound to
``op``. Through ``import td`` the same names follow the context stack instead (the OP whose code or
expression is running; root when none).
"""

from __future__ import annotations

import sys
import threading
import types
from typing import Any

from . import world as _world
from .clock import absTime
from .errors import tdAttributeError, tdError
from .runqueue import Run, Runs
from .shortcuts import MOD, ExtSearcher, IOPShortcut, IPARShortcut, OpFinder, OpsFinder, ParentShortcut
from .unsupported import not_modelled

runs = Runs()


def _run(caller: Any, script: Any, args: tuple[Any, ...], endFrame: bool, fromOP: Any, asParameter: bool,  # noqa: N803
         group: str | None, delayFrames: int, delayMilliSeconds: float, delayRef: Any) -> Run:  # noqa: N803
    w = _world.current()
    if not isinstance(script, str):
        raise TypeError(f"run(): script must be a string of Python code, not {type(script).__name__}")
    if delayRef is not None and not getattr(delayRef, "isCOMP", False) and not hasattr(delayRef, "_world"):
        raise TypeError("run(): delayRef must be an OP")
    if fromOP is not None:
        fromOP._checkValid()
    frames = int(delayFrames) + round(float(delayMilliSeconds) / 1000.0 * w.cook_rate)
    if frames < 0:
        raise tdError("run(): delays cannot be negative")
    me = fromOP if fromOP is not None else caller
    r = Run(w, script, tuple(args), me, bool(asParameter), group, frames, bool(endFrame))
    return w.run_queue.submit(r)


def make_run(anchor: Any) -> Any:
    """``run`` as seen by code running as ``anchor`` (None: follow the context)."""

    def run(script: str, *args: Any, endFrame: bool = False, fromOP: Any = None, asParameter: bool = False,  # noqa: N803
            group: str | None = None, delayFrames: int = 0, delayMilliSeconds: float = 0,  # noqa: N803
            delayRef: Any = None) -> Run:  # noqa: N803
        """Run a script now, at the end of the frame, or after a delay in frames/milliseconds (TD time)."""
        caller = anchor if anchor is not None else _world.current().me
        return _run(caller, script, args, endFrame, fromOP, asParameter, group, delayFrames, delayMilliSeconds,
                    delayRef)

    return run


def debug(*args: Any) -> None:
    """Print the args and where they came from (DAT and line) to the textport."""
    frame = sys._getframe(1)
    text = " ".join(str(a) for a in args)
    _world.current().print(f"{text} ({frame.f_code.co_filename} line {frame.f_lineno})")


def isMainThread() -> bool:  # noqa: N802
    """True on the thread TD runs Python on."""
    return threading.current_thread() is threading.main_thread()


def fetchStamp(key: str, default: Any) -> Any:  # noqa: N802
    """Not modelled (stamping belongs to Clone/Replicator COMPs)."""
    not_modelled("td.fetchStamp")


class Project:
    """TD's ``project``: the open project. mock_td runs in non-real-time mode (``realTime`` is False)."""

    __slots__ = ()

    @property
    def folder(self) -> str:
        """The project folder (read-only)."""
        return _world.current().project_folder

    @property
    def cookRate(self) -> float:  # noqa: N802
        """Frames per second of the project."""
        return _world.current().cook_rate

    @cookRate.setter
    def cookRate(self, value: float) -> None:  # noqa: N802
        value = float(value)
        if value <= 0:
            raise tdError("project.cookRate must be positive")
        _world.current().cook_rate = value

    @property
    def realTime(self) -> bool:  # noqa: N802
        """False: frames advance only when the session says so (TD's non-real-time mode)."""
        return False

    @realTime.setter
    def realTime(self, value: bool) -> None:  # noqa: N802
        if value:
            not_modelled("project.realTime", "mock_td only runs frames when Session.advance() is called")

    def __getattr__(self, name: str) -> Any:
        if name in ("name", "saveVersion", "saveBuild", "saveTime", "saveOSName", "saveOSVersion", "paths",
                    "performMode", "save", "load", "quit", "windowOnTop", "windowStartMode", "cookRate2"):
            not_modelled(f"project.{name}")
        raise tdAttributeError(f"'td.Project' object has no attribute '{name}'")

    def __repr__(self) -> str:
        return f"project(folder={self.folder!r})"


class _NotModelledObject:
    """A TD global object (``app``, ``ui``, ...) whose every member raises NotImplementedError."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_n", name)

    def __getattr__(self, member: str) -> Any:
        if member.startswith("__"):
            raise AttributeError(member)
        not_modelled(f"{self._n}.{member}")

    def __setattr__(self, member: str, value: Any) -> None:
        not_modelled(f"{self._n}.{member}")

    def __repr__(self) -> str:
        return f"<td.{self._n} (not modelled)>"


project = Project()

_STATIC: dict[str, Any] | None = None


def static_names() -> dict[str, Any]:
    """Every ``td`` name that does not depend on the running OP."""
    global _STATIC
    if _STATIC is None:
        from . import chop, comp, dat, execute_dats  # noqa: F401 - register the operator types
        from .registry import OP_TYPES

        names: dict[str, Any] = {
            "tdError": tdError, "tdAttributeError": tdAttributeError, "absTime": absTime, "runs": runs,
            "project": project, "debug": debug, "isMainThread": isMainThread, "fetchStamp": fetchStamp,
        }
        try:
            from .par import ParMode

            names["ParMode"] = ParMode
        except ImportError:  # pragma: no cover - PARS's module missing
            pass
        from .op import OP

        names["OP"] = OP
        names["COMP"] = comp.COMP
        names["DAT"] = dat.DAT
        names["CHOP"] = chop.CHOP
        for cls_name in ("Par", "ParCollection", "ParGroup", "Page", "Sequence", "Cell", "Channel"):
            for modname in ("par", "pargroup", "page", "sequence", "table_data", "chop_data"):
                mod = sys.modules.get(f"mock_td.{modname}")
                if mod is not None and hasattr(mod, cls_name):
                    names[cls_name] = getattr(mod, cls_name)
        names["Run"] = Run
        names.update(OP_TYPES)
        families: dict[str, list[str]] = {}
        for t, cls in OP_TYPES.items():
            families.setdefault(getattr(cls, "family", "OP"), []).append(t)
        names["families"] = families
        for obj in ("app", "ui", "monitors", "sysinfo", "licenses"):
            names[obj] = _NotModelledObject(obj)
        tdu = _optional_module("tdu")
        if tdu is not None:
            names["tdu"] = tdu
        _STATIC = names
    return _STATIC


def _optional_module(name: str) -> types.ModuleType | None:
    try:
        return __import__(f"mock_td.{name}", fromlist=["_"])
    except ImportError:
        return None


def namespace_for(op: Any, as_parameter: bool = False) -> dict[str, Any]:
    """The globals of code running as ``op`` (``me`` = op; ``op()`` relative to it)."""
    ns = dict(static_names())
    ns["me"] = op
    ns["op"] = OpFinder(op, as_parameter)
    ns["ops"] = OpsFinder(op, as_parameter)
    ns["parent"] = ParentShortcut(op)
    ns["iop"] = IOPShortcut(op)
    ns["ipar"] = IPARShortcut(op)
    ns["ext"] = ExtSearcher(op)
    ns["mod"] = MOD(op)
    ns["run"] = make_run(op)
    ns["root"] = op._world.root
    return ns


_TD_MODULE: types.ModuleType | None = None


def td_module() -> types.ModuleType:
    """The ``td`` module (built once; its context-dependent names follow the current world)."""
    global _TD_MODULE
    if _TD_MODULE is None:
        m = types.ModuleType("td", "TouchDesigner's td module, emulated by mock_td (see mock_td/SUPPORTED.md).")
        m.__dict__.update(static_names())
        m.__dict__.update({
            "op": OpFinder(), "ops": OpsFinder(), "parent": ParentShortcut(), "iop": IOPShortcut(),
            "ipar": IPARShortcut(), "ext": ExtSearcher(), "mod": MOD(), "run": make_run(None),
        })

        def __getattr__(name: str) -> Any:  # noqa: N807
            if name == "me":
                return _world.current().me
            if name == "root":
                return _world.current().root
            raise AttributeError(f"module 'td' has no attribute '{name}'")

        m.__dict__["__getattr__"] = __getattr__
        m.__dict__["__all__"] = sorted([k for k in m.__dict__ if not k.startswith("_")] + ["me", "root"])
        _TD_MODULE = m
    return _TD_MODULE


def install_modules() -> None:
    """Put ``td``, ``tdu``, ``TDStoreTools`` and ``TDFunctions`` into ``sys.modules``."""
    sys.modules["td"] = td_module()
    for name in ("tdu", "TDStoreTools", "TDFunctions"):
        mod = _optional_module(name)
        if mod is not None:
            sys.modules[name] = mod
