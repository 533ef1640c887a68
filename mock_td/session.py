"""``Session``: the handle ``mock_td.install()`` returns: the clock, reload, and the textport.

Order of one frame (``Session.advance``):

1. ``absTime.frame`` += 1 and ``absTime.seconds`` = frame / cookRate (``step`` = 1);
2. Text DATs with ``syncfile`` on reload files that changed on disk;
3. due ``run()`` scripts, in submission order (delayed ones whose countdown reached 0);
4. Execute DAT ``onFrameStart(frame)``, in DAT creation order;
5. Parameter Execute ``onValuesChanged(changes)``, one batch per DAT (changes since the last batch);
6. end-of-frame work: ``run(..., endFrame=True)`` scripts that are due, then ``onInitTD()`` of every
   extension initialised since the previous end of frame;
7. Execute DAT ``onFrameEnd(frame)``.

Before the first ``advance()``, ``absTime.frame`` is 0 (no frame has been played yet).
* ``Session.reload()`` keeps the clock running (absTime is process time, as when a project is
  reopened in the same TD process), the textport and the recorded script exceptions; pending runs
  are dropped with the old project's Python objects (UNCONFIRMED: reopening vs restarting TD).
* On reload, Execute DATs fire ``onExit`` before the save; old extension instances get no
  ``onDestroyTD`` (the process is treated as exiting); after opening, extensions initialise before
  ``onStart`` fires (UNCONFIRMED: TD's order of the two).
"""

from __future__ import annotations

from typing import Any

from . import execute_dats, extensions
from .world import ScriptException, World


class Session:
    """One emulated TouchDesigner process with its project (see the module docstring)."""

    def __init__(self, world: World) -> None:
        self._world = world

    # ---- public session API --------------------------------------------------------------------
    @property
    def root(self) -> Any:
        """The root COMP ``/``."""
        return self._world.root

    @property
    def frame(self) -> int:
        """Frames played so far (``absTime.frame``)."""
        return self._world.frame

    @property
    def seconds(self) -> float:
        """Seconds played so far (``absTime.seconds``)."""
        return self._world.seconds

    def advance(self, frames: int = 1) -> None:
        """Run ``frames`` whole frames (see the frame order in the module docstring)."""
        if frames < 0:
            raise ValueError("advance(frames): frames must be >= 0")
        self._check_current()
        for _ in range(int(frames)):
            self._run_frame()

    def advance_seconds(self, seconds: float) -> None:
        """Run ``round(seconds * cookRate)`` frames."""
        if seconds < 0:
            raise ValueError("advance_seconds(seconds): seconds must be >= 0")
        self.advance(round(seconds * self._world.cook_rate))

    def reload(self) -> None:
        """Save the project and open it again: network, par values and storage survive; Python objects do not.

        Execute DATs fire ``onExit`` before the save; after opening, synced Text DATs reload their
        files, COMPs with ``initextonstart`` re-initialise their extensions (parents first) and
        Execute DATs fire ``onStart``.
        """
        from . import tree_state
        from .td_module import install_modules

        self._check_current()
        w = self._world
        execute_dats.fire_all(w, "exit", "onExit")
        data = tree_state.snapshot_op(w.root, w.print)
        old_ops = [(o, o._path_unchecked()) for o in w.ops_by_id.values()]  # paths before any parent dies
        for o, dead_path in old_ops:
            o._invalidate(dead_path)
        w.reset_project()
        build_root(w, data)
        install_modules()
        ops = tree_state.walk(w.root)
        for o in ops:
            if hasattr(o, "_onProjectOpen"):
                o._onProjectOpen()
        for o in ops:
            if o.isCOMP and o._valid and o._parValue("initextonstart", False):
                extensions.init_extensions(o)
        execute_dats.fire_all(w, "start", "onStart")

    # ---- mock-only API -------------------------------------------------------------------------
    @property
    def textport(self) -> list[str]:
        """Lines written to the textport (print/debug in DAT code, tracebacks of script errors). Mock-only."""
        return self._world.textport

    @property
    def script_exceptions(self) -> list[ScriptException]:
        """Exceptions script code raised that TD would have caught and printed. Mock-only."""
        return list(self._world.script_exceptions)

    def take_script_exceptions(self) -> list[ScriptException]:
        """Return the recorded script exceptions and clear them (acknowledges them for td_session). Mock-only."""
        out = list(self._world.script_exceptions)
        self._world.script_exceptions.clear()
        return out

    # ---- internals -----------------------------------------------------------------------------
    def _check_current(self) -> None:
        if not self._world.valid:
            raise RuntimeError("This Session is no longer installed: mock_td.install() was called again")

    def _run_frame(self) -> None:
        w = self._world
        w.frame += 1
        w.step = 1.0
        if w.synced_dats:
            for dat in list(w.synced_dats.values()):
                if dat._valid:
                    dat._checkFile()
        w.run_queue.tick()
        execute_dats.fire_frame(w, "framestart", "onFrameStart", w.frame)
        execute_dats.fire_values_changed(w)
        w.run_queue.end_of_frame()
        extensions.run_init_td(w)
        execute_dats.fire_frame(w, "frameend", "onFrameEnd", w.frame)

    def __repr__(self) -> str:
        return f"<mock_td.Session frame={self.frame}>"


def build_default_project(world: World) -> None:
    """A new TD project: ``/`` (baseCOMP), ``/project1`` (containerCOMP) and ``/local`` (baseCOMP)."""
    from .comp import baseCOMP, containerCOMP

    root = baseCOMP(world, None, "")
    world.root = root
    root._newChild(containerCOMP, "project1")
    root._newChild(baseCOMP, "local")


def build_root(world: World, data: dict[str, Any]) -> None:
    """Rebuild the whole network from :func:`mock_td.tree_state.snapshot_op` data of root."""
    from .comp import baseCOMP
    from .tree_state import _restore

    world.restoring = True
    try:
        root = baseCOMP(world, None, "")
        world.root = root
        _restore(root, data)
    finally:
        world.restoring = False


def install(project_folder: str | None = None, cook_rate: float = 60) -> Session:
    """Reset the emulated world to a new TD project and make ``import td`` (and tdu, TDStoreTools, TDFunctions) work."""
    import os

    from . import world as _w
    from .td_module import install_modules

    if cook_rate <= 0:
        raise ValueError("install(cook_rate): the cook rate must be positive")
    folder = os.path.abspath(project_folder if project_folder is not None else os.getcwd())
    w = World(folder, cook_rate)
    _w.set_current(w)
    build_default_project(w)
    install_modules()
    return Session(w)
