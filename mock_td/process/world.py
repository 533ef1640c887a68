"""The emulated world: one TouchDesigner process with one open project.

``install()`` replaces the current :class:`World`; everything that TD keeps per process lives here
(the OP tree and id table, the clock, the run queue, registries of execute DATs, the context stack
of the OP whose code is running, the textport and the script exceptions). Code holds the
world it was created in, so OPs from a previous ``install()`` never leak into the new one.

Time and ids belong here: nothing in mock_td reads the wall clock.

The world is also how the families of mock_td talk upwards. An OP, a parameter or the run queue
never imports the modules that react to it; it calls its world, and ``install()`` has filled the
world's :class:`WorldHooks` with the listeners (Parameter Execute DATs, Script CHOPs, extensions,
Execute DATs) and with the two services only the top of the package can give (the ``td`` namespace
code runs in, and running a ``run()`` script).

Script exceptions (mock-only API, see ``Session.take_script_exceptions``) are of two kinds, both
recorded in ``World.script_exceptions`` until a test takes them:

* an exception script code raised and TD caught (a callback, a ``run()`` script, an extension):
  printed to the textport as a traceback and shown as a script error on the OP;
* a script error a component added itself with ``OP.addScriptError(msg)`` (typically an exception
  it caught and reported): recorded as a :class:`ReportedScriptError`, so a test cannot pass while a
  component shows an error. ``OP.clearScriptErrors()`` only changes what the OP shows, as in TD: an
  error that was reported stays recorded until it is taken.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mock_td import messages as msg
from mock_td.process.runqueue import RunQueue

if TYPE_CHECKING:
    from mock_td.operators.comp import COMP
    from mock_td.operators.op import OP

#: The mock_td package folder: frames from files inside it are left out of script tracebacks.
_MOCK_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class ScriptException:
    """A script exception of the session (mock-only; see the module docstring).

    ``op_path`` is the OP it belongs to, ``where`` the callback or member that raised (or
    ``'addScriptError'``), ``exception`` the exception (a :class:`ReportedScriptError` for an error a
    component added) and ``traceback`` the text TD's textport would show.
    """

    op_path: str
    where: str
    exception: BaseException
    traceback: str = field(repr=False, default="")


class ReportedScriptError(Exception):
    """Mock-only: stands for a script error a component added with ``OP.addScriptError(msg)``."""


def _not_wired(*args: Any) -> Any:
    raise RuntimeError(msg.WORLD_NOT_WIRED)


class WorldHooks:
    """What ``install()`` plugs into a world so the lower families can reach the upper ones.

    Services (one function each):

    * ``namespace(op, as_parameter)`` -> the globals of code running as ``op`` (the ``td`` namespace);
    * ``run_script(world, source, args, from_op, as_parameter)`` runs a ``run()`` script.

    Listeners (called in order; a list each):

    * ``par_changed(owner, par, prev)`` after a parameter's value changed (not while restoring);
    * ``par_pulsed(owner, par)`` after a pulse parameter was pulsed;
    * ``dat_text_changed(dat)`` after a text DAT's text changed;
    * ``ops_pasted(ops)`` after ``COMP.copy`` pasted OPs (every OP of the copy, parents first),
      once their extensions are initialised.
    """

    def __init__(self) -> None:
        self.namespace: Callable[[Any, bool], dict[str, Any]] = _not_wired
        self.run_script: Callable[[World, Any, tuple[Any, ...], Any, bool], None] = _not_wired
        self.par_changed: list[Callable[[Any, Any, Any], None]] = []
        self.par_pulsed: list[Callable[[Any, Any], None]] = []
        self.dat_text_changed: list[Callable[[Any], None]] = []
        self.ops_pasted: list[Callable[[list[Any]], None]] = []


class World:
    """All state of one emulated TD process (mock-internal)."""

    def __init__(self, project_folder: str, cook_rate: float) -> None:
        self.project_folder = project_folder
        self.cook_rate = float(cook_rate)
        self.frame = 0
        self.step = 0.0
        self._next_id = 1
        self.hooks = WorldHooks()
        self.textport: list[str] = []
        self.script_exceptions: list[ScriptException] = []
        self.restoring = False
        #: The project as last saved (``project.save()``, ``Session.reload()``): what ``Session.crash()`` reopens.
        self.last_save: dict[str, Any] | None = None
        #: ``project.name``: the file name the project is saved under (UNCONFIRMED default).
        self.project_name = "NewProject.toe"
        #: ``Session.share_modules``: ``resolver(dat) -> module | None`` (None: every DAT builds its own module).
        self.module_resolver: Callable[[Any], Any] | None = None
        self.reset_project()

    def reset_project(self) -> None:
        """Forget the network and everything tied to its Python objects (keeps clock, hooks and textport)."""
        self.ops_by_id: dict[int, OP] = {}
        self.root: COMP = None  # type: ignore[assignment]  # set by the session when it builds the project
        self.context: list[OP] = []
        self.run_queue = RunQueue(self)
        self.execute_dats: dict[int, Any] = {}
        self.parexec_dats: dict[int, Any] = {}
        self.synced_dats: dict[int, Any] = {}
        self.pending_value_changes: dict[int, list[Any]] = {}
        self.pending_init_td: list[tuple[Any, Any]] = []
        self.ext_tracking: list[set[int]] = []
        self.ext_comps: dict[int, Any] = {}
        self.script_chops: dict[int, Any] = {}
        self.webserver_dats: dict[int, Any] = {}

    # ---- ids -----------------------------------------------------------------------------------
    def new_id(self, op: OP) -> int:
        """A fresh OP id, registered so ``op(id)`` finds it."""
        i = self._next_id
        self._next_id += 1
        self.ops_by_id[i] = op
        return i

    def forget(self, op_id: int) -> None:
        """A destroyed OP leaves every per-OP registry of the world."""
        self.ops_by_id.pop(op_id, None)
        for registry in (self.execute_dats, self.parexec_dats, self.synced_dats, self.pending_value_changes,
                         self.ext_comps, self.script_chops, self.webserver_dats):
            registry.pop(op_id, None)

    @property
    def valid(self) -> bool:
        """False once another ``install()`` replaced this world."""
        return _current is self

    # ---- time ----------------------------------------------------------------------------------
    @property
    def seconds(self) -> float:
        """Absolute seconds: frames played divided by the cook rate."""
        return self.frame / self.cook_rate

    # ---- context -------------------------------------------------------------------------------
    @property
    def me(self) -> OP:
        """The OP whose code is running (root when none)."""
        return self.context[-1] if self.context else self.root

    def namespace(self, op: OP, as_parameter: bool = False) -> dict[str, Any]:
        """The globals of code running as ``op`` (through the hook ``install()`` set)."""
        return self.hooks.namespace(op, as_parameter)

    # ---- upward notifications ------------------------------------------------------------------
    def par_changed(self, owner: OP, par: Any, prev: Any) -> None:
        """Tell the listeners that ``owner``'s parameter ``par`` changed from ``prev``."""
        for listener in self.hooks.par_changed:
            listener(owner, par, prev)

    def par_pulsed(self, owner: OP, par: Any) -> None:
        """Tell the listeners that ``owner``'s pulse parameter ``par`` was pulsed."""
        for listener in self.hooks.par_pulsed:
            listener(owner, par)

    def dat_text_changed(self, dat: OP) -> None:
        """Tell the listeners that ``dat``'s text changed."""
        for listener in self.hooks.dat_text_changed:
            listener(dat)

    def ops_pasted(self, ops: list[OP]) -> None:
        """Tell the listeners that ``ops`` arrived by a paste (``COMP.copy``)."""
        for listener in self.hooks.ops_pasted:
            listener(ops)

    # ---- textport and script errors ------------------------------------------------------------
    def print(self, text: str) -> None:
        """Write one line (or block) to the textport; it is also echoed to stdout."""
        self.textport.append(text)
        sys.stdout.write(text + "\n")

    def record_exception(self, op: OP | None, where: str, exc: BaseException) -> None:
        """Record an exception script code raised, the way TD reports it (textport + script error)."""
        tb = format_script_traceback(exc)
        path = op._path_unchecked() if op is not None else ""
        self.print(msg.TEXTPORT_TRACEBACK.format(path=path, where=where, traceback=tb.rstrip()))
        self.script_exceptions.append(ScriptException(path, where, exc, tb))
        if op is not None and op._valid:
            op._scriptErrorList.append(msg.SCRIPT_ERROR_LINE.format(type=type(exc).__name__, error=exc))

    def record_reported_error(self, op: OP, message: str) -> None:
        """Record a script error ``op`` added itself (``addScriptError``) as a script exception."""
        stack = format_script_stack()
        text = msg.REPORTED_SCRIPT_ERROR.format(message=message, stack=stack.rstrip())
        self.script_exceptions.append(
            ScriptException(op._path_unchecked(), "addScriptError", ReportedScriptError(message), text))

    def call_guarded(self, op: OP | None, where: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Call ``fn(*args)`` with ``op`` as context; an exception is recorded, never propagated."""
        if op is not None:
            self.context.append(op)
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - TD catches everything script code raises
            self.record_exception(op, where, exc)
            return None
        finally:
            if op is not None:
                self.context.pop()


def _outside_mock(frames: list[traceback.FrameSummary]) -> list[traceback.FrameSummary]:
    return [f for f in frames if not os.path.abspath(f.filename).startswith(_MOCK_DIR + os.sep)]


def format_script_traceback(exc: BaseException) -> str:
    """The traceback of a script exception without mock_td's own frames (what TD's textport shows)."""
    frames = _outside_mock(traceback.extract_tb(exc.__traceback__))
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames),
             *traceback.format_exception_only(type(exc), exc)]
    return "".join(lines)


def format_script_stack(depth: int = 4) -> str:
    """The innermost ``depth`` frames of the calling code outside mock_td (where a component reported an error)."""
    return "".join(traceback.format_list(_outside_mock(traceback.extract_stack())[-depth:]))


_current: World | None = None


def current() -> World:
    """The world of the latest ``mock_td.install()``; raises if install() was never called."""
    if _current is None:
        raise RuntimeError(msg.NOT_INSTALLED)
    return _current


def set_current(world: World) -> None:
    """Make ``world`` the current one (used by install())."""
    global _current
    _current = world
