"""``Session``: the handle ``mock_td.install()`` returns: the clock, reload, and the textport.

Order of one frame (``Session.advance``):

1. ``absTime.frame`` += 1 and ``absTime.seconds`` = frame / cookRate (``step`` = 1);
2. Text DATs with ``syncfile`` on reload files that changed on disk;
3. due ``run()`` scripts, in submission order (delayed ones whose countdown reached 0);
4. Execute DAT ``onFrameStart(frame)``, in DAT creation order;
5. Web Server DATs: each follows its parameters (start / stop / restart) and delivers the network
   events that arrived since the last frame to its callbacks (UNCONFIRMED: where TD cooks them);
6. end-of-frame work: ``run(..., endFrame=True)`` scripts that are due, then ``onInitTD()`` of every
   extension initialised since the previous end of frame, then Parameter Execute
   ``onValuesChanged(changes)``, one batch per DAT with every change made during the frame (Parameter
   Execute DAT: it "executes at end of frame with complete list of individual parameter changes";
   UNCONFIRMED: its place among the other end-of-frame work);
7. Execute DAT ``onFrameEnd(frame)``.

Before the first ``advance()``, ``absTime.frame`` is 0 (no frame has been played yet).
* ``Session.advance_until(condition, max_frames=600, timeout=10.0)`` plays frames one at a time until
  ``condition()`` is true and returns how many it played (0 when it was already true). Between frames
  the main thread yields to other threads, so work a worker thread (``asyncio.to_thread``,
  ``threading``) does completes while frames play: while any other Python thread is alive, frames are
  paced to one per millisecond of wall time (``THREAD_PACE_S``), else they play back to back. A
  condition that depends only on TD time is reached after the same number of frames every run; thread
  work takes as many frames as it needs wall time. ``max_frames`` bounds TD time and ``timeout`` bounds
  wall time (None: no bound); reaching either raises ``AdvanceLimitError`` naming the limit, so a test
  never hangs and never sleeps for a guessed time.
* ``Session.reload()`` keeps the clock running (absTime is process time, as when a project is
  reopened in the same TD process), the textport and the recorded script exceptions; pending runs
  are dropped with the old project's Python objects (UNCONFIRMED: reopening vs restarting TD).
* On reload, Execute DATs fire ``onExit`` before the save; old extension instances get no
  ``onDestroyTD`` (the process is treated as exiting); after opening, extensions initialise before
  ``onStart`` fires (UNCONFIRMED: TD's order of the two).
* ``project.save()`` keeps the project as saved (``Session.reload()`` saves too). ``Session.crash()``
  (mock-only) is a TD process that dies and is restarted on that save: no ``onExit``, no
  ``onDestroyTD``, no save; storage and parameter changes since the save are lost, files on disk stay,
  ``absTime`` starts again at 0 and pending runs are gone; the textport and the script exceptions are
  kept. With no save since ``install()`` TD starts on a new project, with a textport warning (a project
  never saved has no file to reopen; a warning rather than an error, because that is what TD does).
* ``Session.share_modules(resolver)`` (mock-only, opt-in) lets a headless tool hand over modules it
  already imported for text DATs whose text they are (see ``dat_modules``); it stays on across
  ``reload()`` and ``crash()`` (the tool's process goes on) and a new ``install()`` starts with it off.
* Script exceptions (mock-only): ``script_exceptions`` lists what script code raised and TD caught,
  and every script error a component added with ``addScriptError``; ``take_script_exceptions()``
  returns them and clears the list, which is how a test acknowledges them (the ``td_session``
  fixture fails a test that leaves any).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from mock_td import messages as msg
from mock_td.operators import chop, dat_modules, execute_dats, extensions, tree_state, webserver_dat
from mock_td.operators.comp import COMP, baseCOMP, containerCOMP
from mock_td.process import world as _world
from mock_td.process.world import ScriptException, World
from mock_td.td_module import install_modules, namespace_for

#: Wall seconds ``advance_until`` waits between frames while other Python threads are alive.
THREAD_PACE_S = 0.001


class AdvanceLimitError(AssertionError):
    """``Session.advance_until`` reached ``max_frames`` or ``timeout`` before its condition was true."""


class Session:
    """One emulated TouchDesigner process with its project (see the module docstring)."""

    def __init__(self, world: World) -> None:
        self._world = world

    # ---- public session API --------------------------------------------------------------------
    @property
    def root(self) -> COMP:
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
            raise ValueError(msg.ADVANCE_NEGATIVE.format(frames=frames))
        self._check_current()
        for _ in range(int(frames)):
            self._run_frame()

    def advance_seconds(self, seconds: float) -> None:
        """Run ``round(seconds * cookRate)`` frames."""
        if seconds < 0:
            raise ValueError(msg.ADVANCE_SECONDS_NEGATIVE.format(seconds=seconds))
        self.advance(round(seconds * self._world.cook_rate))

    def advance_until(self, condition: Callable[[], object], max_frames: int | None = 600,
                      timeout: float | None = 10.0) -> int:
        """Play frames one at a time until ``condition()`` is true; return how many frames were played.

        ``condition`` is checked before the first frame (0 frames when it is already true) and after
        each frame. Between frames the main thread yields to worker threads, so their work completes
        while frames play (paced to one frame per ``THREAD_PACE_S`` wall seconds while another thread
        is alive). Raises :class:`AdvanceLimitError` naming the limit when ``max_frames``
        frames were played (TD time) or ``timeout`` wall seconds passed, with the condition still
        false; None means no such limit (give at least one). Exceptions from ``condition`` propagate.
        Mock-only.
        """
        for name, value in (("max_frames", max_frames), ("timeout", timeout)):
            if value is not None and not value > 0:
                raise ValueError(msg.ADVANCE_UNTIL_BAD_LIMIT.format(name=name, value=value))
        if max_frames is None and timeout is None:
            raise ValueError(msg.ADVANCE_UNTIL_BAD_LIMIT.format(name="max_frames or timeout", value=None))
        self._check_current()
        deadline = None if timeout is None else time.monotonic() + timeout
        played = 0
        while not condition():
            if max_frames is not None and played >= max_frames:
                raise AdvanceLimitError(msg.ADVANCE_UNTIL_FRAMES.format(
                    max_frames=max_frames, seconds=max_frames / self._world.cook_rate, frame=self._world.frame))
            if deadline is not None and time.monotonic() >= deadline:
                raise AdvanceLimitError(msg.ADVANCE_UNTIL_TIMEOUT.format(
                    timeout=timeout, frames=played, frame=self._world.frame))
            if played:
                # Let worker threads run between frames; while any is alive, pace the frames so its work
                # takes a plausible number of frames instead of thousands.
                time.sleep(THREAD_PACE_S if threading.active_count() > 1 else 0)
            self._run_frame()
            played += 1
        return played

    def reload(self) -> None:
        """Save the project and open it again: network, par values and storage survive; Python objects do not.

        Execute DATs fire ``onExit`` before the save; after opening, synced Text DATs reload their
        files, COMPs with ``initextonstart`` re-initialise their extensions (parents first) and
        Execute DATs fire ``onStart``.
        """
        self._check_current()
        w = self._world
        execute_dats.fire_all(w, "exit", "onExit")
        self._reopen(tree_state.save_project(w))

    def crash(self) -> None:
        """Mock-only: the TD process dies and is started again on the project's last save.

        Nothing runs as it dies: no ``onExit``, no ``onDestroyTD``, no save. The new process reopens
        the project as it was last saved (``project.save()`` or ``Session.reload()``): storage and
        parameter changes since that save are lost, files on disk stay. With no save since
        ``install()``, TD starts on a new project (``/project1`` and ``/local``), with a textport warning.
        ``absTime`` starts again at frame 0 (a new process) and pending runs are gone. Then, as on any
        open, synced Text DATs reload their files, COMPs with ``initextonstart`` re-initialise their
        extensions (their ``onInitTD`` follows at the end of the next frame) and Execute DATs fire
        ``onStart``. The textport and the recorded script exceptions are kept (they are the test's record).
        """
        self._check_current()
        w = self._world
        if w.last_save is None:
            w.print(msg.CRASH_WITHOUT_SAVE)
        w.frame = 0
        w.step = 0.0
        self._reopen(w.last_save)

    def share_modules(self, resolver: Callable[[Any], Any] | None) -> None:
        """Mock-only, opt-in: let already-loaded Python modules stand for DAT modules (None turns it off).

        ``resolver(dat)`` is asked for a text DAT whose module is needed (``dat.module``, ``mod.name``,
        ``import name`` from DAT code, callbacks); it returns a module to use as that DAT's module, or
        None to build the DAT's own module as TD does. It is asked again whenever the DAT's text changed.
        Return a module only when that module is what the DAT's text would build and needs none of
        TD's per-DAT globals (``me``, ``op``, ``parent``, ...): e.g. the DAT's text equals a file that is
        already imported, or its ``file`` is that file with ``syncfile`` on. Then one class exists once
        per process. Off by default: in TD every DAT has its own module.
        """
        self._world.module_resolver = resolver

    def _reopen(self, data: dict[str, Any] | None) -> None:
        """Replace the open project by ``data`` (a save) or a new project (None), then open it."""
        w = self._world
        old_ops = [(o, o._path_unchecked()) for o in w.ops_by_id.values()]  # paths before any parent dies
        for o, dead_path in old_ops:
            o._invalidate(dead_path)
        w.reset_project()
        if data is None:
            build_default_project(w)
        else:
            tree_state.build_root(w, data)
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
        """Exceptions script code raised that TD caught, and script errors components added. Mock-only."""
        return list(self._world.script_exceptions)

    def take_script_exceptions(self) -> list[ScriptException]:
        """Return the recorded script exceptions and clear them (acknowledges them for td_session). Mock-only."""
        out = list(self._world.script_exceptions)
        self._world.script_exceptions.clear()
        return out

    # ---- internals -----------------------------------------------------------------------------
    def _check_current(self) -> None:
        if not self._world.valid:
            raise RuntimeError(msg.SESSION_REPLACED)

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
        webserver_dat.deliver(w)
        w.run_queue.end_of_frame()
        extensions.run_init_td(w)
        execute_dats.fire_values_changed(w)
        execute_dats.fire_frame(w, "frameend", "onFrameEnd", w.frame)

    def __repr__(self) -> str:
        return f"<mock_td.Session frame={self.frame}>"


def wire(world: World) -> None:
    """Connect ``world`` to the families above it: the ``td`` namespace, ``run()`` scripts and the listeners."""
    hooks = world.hooks
    hooks.namespace = namespace_for
    hooks.run_script = dat_modules.exec_script
    hooks.par_changed = [execute_dats.dispatch_value_change]
    hooks.par_pulsed = [execute_dats.dispatch_pulse]
    hooks.dat_text_changed = [chop.callbacks_dat_changed, extensions.dat_text_changed]
    hooks.ops_pasted = [execute_dats.fire_created]


def build_default_project(world: World) -> None:
    """A new TD project: ``/`` (baseCOMP), ``/project1`` (containerCOMP) and ``/local`` (baseCOMP), plus
    TD's system components (``/sys``, see ``tree_state.add_system``)."""
    root = baseCOMP(world, None, "")
    world.root = root
    root._newChild(containerCOMP, "project1")
    root._newChild(baseCOMP, "local")
    tree_state.add_system(world)


def install(project_folder: str | None = None, cook_rate: float = 60) -> Session:
    """Reset the emulated world to a new TD project and make ``import td`` (and tdu, TDStoreTools, TDFunctions) work."""
    if cook_rate <= 0:
        raise ValueError(msg.INSTALL_COOK_RATE.format(cook_rate=cook_rate))
    folder = os.path.abspath(project_folder if project_folder is not None else os.getcwd())
    w = World(folder, cook_rate)
    wire(w)
    _world.set_current(w)
    build_default_project(w)
    install_modules()
    return Session(w)
