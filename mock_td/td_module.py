"""The ``td`` namespace: the module installed as ``sys.modules['td']`` and the globals of DAT code.

``namespace_for(op)`` builds the globals TD gives code running as ``op``: every public ``td`` name,
with ``me``, ``op``, ``ops``, ``parent``, ``iop``, ``ipar``, ``ext``, ``mod`` and ``run`` bound to
``op``. Through ``import td`` the same names follow the context stack instead (the OP whose code or
expression is running; root when none). ``install()`` gives every world ``namespace_for`` as its
``namespace`` hook, so operators reach it without importing this module.

As the td Module page says, the namespace also holds the standard modules ``collections``, ``enum``,
``inspect``, ``math``, ``re``, ``sys``, ``traceback`` and ``warnings`` (so ``math.pi`` works in an
expression without an import), ``opex`` (``op`` that raises tdError when it finds nothing),
``passive(OP)`` and ``clear()`` (empties the textport); ``var``/``varExists``/``varOwner`` are not
modelled. ``project.save()`` keeps the saved project in the session (no file is written; see
``session`` for ``Session.crash()``); it does not fire the Execute DAT's ``onProjectPreSave`` /
``onProjectPostSave``: the toggles enabling them are named on no page read (UNCONFIRMED). A new
project is named ``NewProject.toe`` (UNCONFIRMED).
"""

from __future__ import annotations

import collections
import enum
import inspect
import math
import os
import re
import sys
import threading
import traceback
import types
import warnings
from collections.abc import Iterator
from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdAttributeError, tdError
from mock_td.libraries import TDFunctions, TDStoreTools, tdu
from mock_td.operators import execute_dats, webserver_dat  # noqa: F401 - register executeDAT, parameterexecuteDAT, webserverDAT
from mock_td.operators.chop import CHOP, scriptCHOP
from mock_td.operators.chop_data import Channel
from mock_td.operators.comp import COMP
from mock_td.operators.dat import DAT
from mock_td.operators.op import OP
from mock_td.operators.registry import registered_types
from mock_td.operators.shortcuts import (
    MOD,
    ExtSearcher,
    IOPShortcut,
    IPARShortcut,
    OpexFinder,
    OpFinder,
    OpsFinder,
    ParentShortcut,
)
from mock_td.operators.table_data import Cell
from mock_td.operators.tree_state import save_project
from mock_td.parameters.page import Page
from mock_td.parameters.par import Par
from mock_td.parameters.par_collection import ParCollection
from mock_td.parameters.pargroup import ParGroup, ParGroupCollection
from mock_td.parameters.sequence import Sequence, SequenceCollection
from mock_td.parameters.sequence_block import SequenceBlock
from mock_td.parameters.styles import ParMode
from mock_td.process import world as _world
from mock_td.process.clock import absTime
from mock_td.process.runqueue import Run
from mock_td.unsupported import not_modelled


class Runs:
    """TD's ``runs``: the pending Run objects of the current project, list-like."""

    __slots__ = ()
    __td_source__ = "Runs_Class"

    def _list(self) -> list[Run]:
        return list(_world.current().run_queue.pending)

    def __len__(self) -> int:
        return len(self._list())

    def __getitem__(self, index: int) -> Run:
        return self._list()[index]

    def __iter__(self) -> Iterator[Run]:
        return iter(self._list())

    def __repr__(self) -> str:
        return f"runs({len(self)} pending)"


runs = Runs()


def _run(caller: Any, script: Any, args: tuple[Any, ...], endFrame: bool, fromOP: Any, asParameter: bool,  # noqa: N803
         group: str | None, delayFrames: int, delayMilliSeconds: float, delayRef: Any) -> Run:  # noqa: N803
    w = _world.current()
    if not isinstance(script, str):
        raise TypeError(msg.RUN_SCRIPT_TYPE.format(type=type(script).__name__))
    if delayRef is not None and not getattr(delayRef, "isCOMP", False) and not hasattr(delayRef, "_world"):
        raise TypeError(msg.RUN_DELAY_REF)
    if fromOP is not None:
        fromOP._checkValid()
    frames = int(delayFrames) + round(float(delayMilliSeconds) / 1000.0 * w.cook_rate)
    if frames < 0:
        raise tdError(msg.RUN_NEGATIVE_DELAY)
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
    _world.current().print(msg.TEXTPORT_DEBUG.format(text=text, file=frame.f_code.co_filename, line=frame.f_lineno))


def isMainThread() -> bool:  # noqa: N802
    """True on the thread TD runs Python on."""
    return threading.current_thread() is threading.main_thread()


def fetchStamp(key: str, default: Any) -> Any:  # noqa: N802
    """Not modelled (stamping belongs to Clone/Replicator COMPs)."""
    not_modelled("td.fetchStamp")


def passive(OP: Any) -> Any:  # noqa: N803 - TD's name
    """A passive version of ``OP`` (one that does not cook before its members are read). Only a Script
    CHOP cooks on access in mock_td, so every other OP is its own passive version; a Script CHOP is not
    modelled."""
    if isinstance(OP, scriptCHOP):
        not_modelled("td.passive(scriptCHOP)", msg.HINT_PASSIVE)
    return OP


def clear() -> None:
    """Clear the textport of all text (``Session.textport`` becomes empty)."""
    _world.current().textport.clear()


def var(varName: str) -> Any:  # noqa: N803
    """Not modelled (TD variables)."""
    not_modelled("td.var")


def varExists(varName: str) -> Any:  # noqa: N802, N803
    """Not modelled (TD variables)."""
    not_modelled("td.varExists")


def varOwner(varName: str) -> Any:  # noqa: N802, N803
    """Not modelled (TD variables)."""
    not_modelled("td.varOwner")


#: Project Class members that exist in TD but not in mock_td.
_PROJECT_NOT_MODELLED = (
    "saveVersion", "saveBuild", "saveTime", "saveOSName", "saveOSVersion", "paths", "load", "quit",
    "windowOnTop", "windowStartMode", "isPrivate", "isPrivateKey", "cacheParameters", "externalToxModifiedInProject",
    "externalToxModifiedOnDisk", "windowDraw", "windowStartCustomWidth", "windowStartCustomHeight",
    "windowStartCustomX", "windowStartCustomY", "performOnStart", "performWindowPath", "resetAudioOnDeviceChange",
    "addPrivacy", "removePrivacy", "accessPrivateContents", "applyWindowSettings", "stack", "pythonStack",
)

_TOE_VERSION = re.compile(r"^(?P<base>.*?)(?:\.(?P<n>\d+))?\.toe$")


def increment_toe_name(name: str) -> str:
    """The name ``project.save()`` uses when given no path: ``X.toe`` -> ``X.1.toe``, ``X.4.toe`` -> ``X.5.toe``."""
    found = _TOE_VERSION.match(name)
    if found is None:
        return f"{name}.1.toe"
    number = int(found.group("n") or 0) + 1
    return f"{found.group('base')}.{number}.toe"


class Project:
    """TD's ``project``: the open project. mock_td runs in non-real-time mode (``realTime`` is False)."""

    __slots__ = ()
    __td_source__ = "Project_Class"
    __td_not_modelled__ = {name: f"project.{name}" for name in _PROJECT_NOT_MODELLED}

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
            raise tdError(msg.COOK_RATE_POSITIVE)
        _world.current().cook_rate = value

    @property
    def realTime(self) -> bool:  # noqa: N802
        """False: frames advance only when the session says so (TD's non-real-time mode)."""
        return False

    @realTime.setter
    def realTime(self, value: bool) -> None:  # noqa: N802
        if value:
            not_modelled("project.realTime", msg.HINT_FRAMES_ON_ADVANCE)

    @property
    def name(self) -> str:
        """The file name the project is saved under (read-only; ``save(path)`` changes it)."""
        return _world.current().project_name

    def save(self, path: str | None = None, saveExternalToxs: bool = False) -> bool:  # noqa: N803
        """Save the project; returns True (a file was saved). With no ``path`` the current file name is
        incremented (``NewProject.toe`` -> ``NewProject.1.toe`` -> ``NewProject.2.toe``); a relative
        ``path`` is under ``project.folder``. mock_td keeps the saved project in the session (no .toe
        file is written): ``Session.crash()`` reopens it. DATs with Write on Toe Save (``write``) write
        their file. Fires no callback (see the module docstring)."""
        if saveExternalToxs:
            not_modelled("project.save(saveExternalToxs=True)")
        w = _world.current()
        if path is None:
            target = os.path.join(w.project_folder, increment_toe_name(w.project_name))
        else:
            target = os.path.join(w.project_folder, os.fspath(path))
        save_project(w)
        w.project_folder, w.project_name = os.path.split(os.path.abspath(target))
        return True

    def __getattr__(self, name: str) -> Any:
        if name in _PROJECT_NOT_MODELLED:
            not_modelled(f"project.{name}")
        raise tdAttributeError(msg.NO_ATTRIBUTE.format(cls="Project", name=name))

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


def _static_names() -> dict[str, Any]:
    names: dict[str, Any] = {
        "tdError": tdError, "tdAttributeError": tdAttributeError, "absTime": absTime, "runs": runs,
        "project": project, "debug": debug, "isMainThread": isMainThread, "fetchStamp": fetchStamp,
        "passive": passive, "clear": clear, "var": var, "varExists": varExists, "varOwner": varOwner,
        "ParMode": ParMode, "OP": OP, "COMP": COMP, "DAT": DAT, "CHOP": CHOP, "Par": Par,
        "ParCollection": ParCollection, "ParGroup": ParGroup, "ParGroupCollection": ParGroupCollection,
        "Page": Page, "Sequence": Sequence, "SequenceBlock": SequenceBlock, "SequenceCollection": SequenceCollection,
        "Cell": Cell, "Channel": Channel, "Run": Run,
        # td Module, "Standard Python Modules": imported for expressions (``math.cos(math.pi)``).
        "collections": collections, "enum": enum, "inspect": inspect, "math": math, "re": re, "sys": sys,
        "traceback": traceback, "warnings": warnings,
    }
    types = registered_types()
    names.update(types)
    families: dict[str, list[str]] = {}
    for t, cls in types.items():
        families.setdefault(cls.family, []).append(t)  # type: ignore[attr-defined]
    names["families"] = families
    for obj in ("app", "ui", "monitors", "sysinfo", "licenses"):
        names[obj] = _NotModelledObject(obj)
    names["tdu"] = tdu
    return names


#: Every ``td`` name that does not depend on the running OP.
STATIC_NAMES: dict[str, Any] = _static_names()


def namespace_for(op: Any, as_parameter: bool = False) -> dict[str, Any]:
    """The globals of code running as ``op`` (``me`` = op; ``op()`` relative to it)."""
    ns = dict(STATIC_NAMES)
    ns["me"] = op
    ns["op"] = OpFinder(op, as_parameter)
    ns["opex"] = OpexFinder(op, as_parameter)
    ns["ops"] = OpsFinder(op, as_parameter)
    ns["parent"] = ParentShortcut(op)
    ns["iop"] = IOPShortcut(op)
    ns["ipar"] = IPARShortcut(op)
    ns["ext"] = ExtSearcher(op)
    ns["mod"] = MOD(op)
    ns["run"] = make_run(op)
    ns["root"] = op._world.root
    return ns


def _build_td_module() -> types.ModuleType:
    m = types.ModuleType("td", "TouchDesigner's td module, emulated by mock_td (see mock_td/SUPPORTED.md).")
    m.__dict__.update(STATIC_NAMES)
    m.__dict__.update({
        "op": OpFinder(), "opex": OpexFinder(), "ops": OpsFinder(), "parent": ParentShortcut(), "iop": IOPShortcut(),
        "ipar": IPARShortcut(), "ext": ExtSearcher(), "mod": MOD(), "run": make_run(None),
    })

    def __getattr__(name: str) -> Any:  # noqa: N807
        if name == "me":
            return _world.current().me
        if name == "root":
            return _world.current().root
        raise AttributeError(msg.MODULE_NO_ATTRIBUTE.format(module="td", name=name))

    m.__dict__["__getattr__"] = __getattr__
    m.__dict__["__all__"] = sorted([k for k in m.__dict__ if not k.startswith("_")] + ["me", "root"])
    return m


_TD_MODULE = _build_td_module()

_TD_PAGE = "Td_Module"
_TD_CLASSES = "Td_Module (\"These classes are found in the td module\")"

#: Where TD documents each public name of ``td`` (SUPPORTED.md's source column).
TD_NAME_SOURCES: dict[str, str] = {
    **{name: _TD_PAGE for name in (
        "absTime", "app", "debug", "ext", "families", "fetchStamp", "iop", "ipar", "isMainThread", "licenses",
        "me", "mod", "monitors", "op", "opex", "ops", "parent", "project", "root", "run", "runs", "sysinfo",
        "tdu", "ui", "passive", "clear", "var", "varExists", "varOwner")},
    **{name: _TD_CLASSES for name in (
        "OP", "COMP", "DAT", "CHOP", "Par", "ParCollection", "ParGroup", "ParGroupCollection", "Page",
        "Sequence", "SequenceBlock", "SequenceCollection", "Cell", "Channel", "Run")},
    **{name: "Td_Module (\"Standard Python Modules\")" for name in (
        "collections", "enum", "inspect", "math", "re", "sys", "traceback", "warnings")},
    **{name: "Td_Module (\"Individual operator classes ... do exist in the td module\")"
       for name in registered_types()},
    "ParMode": "Par_Class (mode: ParMode.CONSTANT, EXPRESSION, EXPORT, BIND)",
    "tdError": "Run_Command_Examples (\"use a try/except clause testing for tdError\")",
    "tdAttributeError": "td_api_facts §2 (community: Derivative's CallbacksExt relies on it)",
}


def td_module() -> types.ModuleType:
    """The ``td`` module (built once; its context-dependent names follow the current world)."""
    return _TD_MODULE


def install_modules() -> None:
    """Put ``td``, ``tdu``, ``TDStoreTools`` and ``TDFunctions`` into ``sys.modules``."""
    sys.modules["td"] = _TD_MODULE
    sys.modules["tdu"] = tdu
    sys.modules["TDStoreTools"] = TDStoreTools
    sys.modules["TDFunctions"] = TDFunctions
