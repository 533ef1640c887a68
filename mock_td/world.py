"""The emulated world: one TouchDesigner process with one open project.

``install()`` replaces the current :class:`World`; everything that TD keeps per process lives here
(the OP tree and id table, the clock, the run queue, registries of execute DATs, the context stack
of the OP whose code is running, the textport and the uncaught script exceptions). Code holds the
world it was created in, so OPs from a previous ``install()`` never leak into the new one.

Time and ids belong here: nothing in mock_td reads the wall clock.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .comp import COMP
    from .op import OP
    from .runqueue import RunQueue


@dataclass
class ScriptException:
    """An exception raised by script code (a callback, a run() script, an extension) that TD caught.

    TD prints the traceback to the textport and marks the DAT with a script error instead of letting
    it escape the frame; mock_td records it here as well (mock-only API, see Session).
    """

    op_path: str
    where: str
    exception: BaseException
    traceback: str = field(repr=False, default="")


class World:
    """All state of one emulated TD process (mock-internal)."""

    def __init__(self, project_folder: str, cook_rate: float) -> None:
        from .runqueue import RunQueue

        self.project_folder = project_folder
        self.cook_rate = float(cook_rate)
        self.frame = 0
        self.step = 0.0
        self._next_id = 1
        self.ops_by_id: dict[int, OP] = {}
        self.root: COMP = None  # type: ignore[assignment]  # set by build_default_project
        self.context: list[OP] = []
        self.textport: list[str] = []
        self.script_exceptions: list[ScriptException] = []
        self.run_queue: RunQueue = RunQueue(self)
        self.execute_dats: dict[int, Any] = {}
        self.parexec_dats: dict[int, Any] = {}
        self.synced_dats: dict[int, Any] = {}
        self.pending_value_changes: dict[int, list[Any]] = {}
        self.pending_init_td: list[tuple[Any, Any]] = []
        self.ext_tracking: list[set[int]] = []
        self.ext_comps: dict[int, Any] = {}
        self.script_chops: dict[int, Any] = {}
        self.restoring = False

    def reset_project(self) -> None:
        """Forget the network and everything tied to its Python objects (keeps clock and textport)."""
        from .runqueue import RunQueue

        self.ops_by_id = {}
        self.root = None  # type: ignore[assignment]
        self.context = []
        self.run_queue = RunQueue(self)
        self.execute_dats = {}
        self.parexec_dats = {}
        self.synced_dats = {}
        self.pending_value_changes = {}
        self.pending_init_td = []
        self.ext_tracking = []
        self.ext_comps = {}
        self.script_chops = {}

    # ---- ids -----------------------------------------------------------------------------------
    def new_id(self, op: OP) -> int:
        """A fresh OP id, registered so ``op(id)`` finds it."""
        i = self._next_id
        self._next_id += 1
        self.ops_by_id[i] = op
        return i

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

    # ---- textport and script errors ------------------------------------------------------------
    def print(self, text: str) -> None:
        """Write one line (or block) to the textport; it is also echoed to stdout."""
        self.textport.append(text)
        sys.stdout.write(text + "\n")

    def record_exception(self, op: OP | None, where: str, exc: BaseException) -> None:
        """Record an exception script code raised, the way TD reports it (textport + script error)."""
        tb = format_script_traceback(exc)
        path = op._path_unchecked() if op is not None else ""
        self.print(f"Traceback in {path} ({where}):\n{tb.rstrip()}")
        self.script_exceptions.append(ScriptException(path, where, exc, tb))
        if op is not None and op._valid:
            op._scriptErrorList.append(f"{type(exc).__name__}: {exc}")

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



_MOCK_DIR = os.path.dirname(os.path.abspath(__file__))


def format_script_traceback(exc: BaseException) -> str:
    """The traceback of a script exception without mock_td's own frames (what TD's textport shows)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(_MOCK_DIR + os.sep)]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames),
             *traceback.format_exception_only(type(exc), exc)]
    return "".join(lines)


_current: World | None = None


def current() -> World:
    """The world of the latest ``mock_td.install()``; raises if install() was never called."""
    if _current is None:
        raise RuntimeError("mock_td is not installed: call mock_td.install() first")
    return _current


def set_current(world: World) -> None:
    """Make ``world`` the current one (used by install())."""
    global _current
    _current = world
