"""``run()`` and ``Run`` objects (``td.runs`` lists the pending ones): scripts delayed by frames, all counted in TD time.

* ``delayMilliSeconds`` is rounded to the nearest frame at the project's cook rate and added to
  ``delayFrames``. With no delay and ``endFrame=False`` the script runs at once.
* A script delayed by N frames runs in the "due runs" phase of the N-th next frame (see
  Session.advance for the frame order); ``endFrame=True`` runs it in the end-of-frame phase of the
  frame it is due in (the current frame when called during one, else the next frame).
* A Run whose ``active`` is False does not count down and does not run until re-activated.
* ``delayRef`` is accepted (an OP); mock_td has no paused timelines, so delays always count down.
* Reading a member of a Run that has executed or was killed raises tdError, as in TD.
* The script runs with ``me`` = ``fromOP`` (default: the OP whose code called run(), root when
  none; UNCONFIRMED default) and the positional extra arguments as the tuple ``args``. An exception in the script is
  printed to the textport and recorded (it never escapes the frame).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_td import messages as msg
from mock_td.errors import tdError

if TYPE_CHECKING:
    from mock_td.operators.op import OP
    from mock_td.process.world import World


class Run:
    """A pending script (TD's ``Run`` class)."""

    __td_source__ = "Run_Class"

    def __init__(self, world: World, source: Any, args: tuple[Any, ...], from_op: OP | None,
                 as_parameter: bool, group: str | None, frames: int, end_frame: bool) -> None:
        self._world = world
        self._source = source
        self._args = args
        self._from_op = from_op
        self._as_parameter = as_parameter
        self._group = group
        self._frames = frames
        self._end_frame = end_frame
        self._active = True
        self._done = False

    def _check(self) -> None:
        if self._done:
            raise tdError(msg.RUN_GONE)

    @property
    def active(self) -> bool:
        """Whether the run counts down and executes; set False to hold it."""
        self._check()
        return self._active

    @active.setter
    def active(self, value: bool) -> None:
        self._check()
        self._active = bool(value)

    @property
    def group(self) -> str | None:
        """The group name given to run()."""
        self._check()
        return self._group

    @group.setter
    def group(self, value: str | None) -> None:
        self._check()
        self._group = value

    @property
    def isCell(self) -> bool:  # noqa: N802
        """True when the source is a table Cell."""
        self._check()
        return type(self._source).__name__ == "Cell"

    @property
    def isDAT(self) -> bool:  # noqa: N802
        """True when the source is a DAT."""
        self._check()
        return bool(getattr(self._source, "isDAT", False)) and not isinstance(self._source, str)

    @property
    def isString(self) -> bool:  # noqa: N802
        """True when the source is a script string."""
        self._check()
        return isinstance(self._source, str)

    @property
    def path(self) -> OP | None:
        """The OP the script runs from (``fromOP``, else the caller; for ``DAT.run()`` the DAT)."""
        self._check()
        return self._from_op

    @property
    def source(self) -> Any:
        """The script: a str, DAT or Cell."""
        self._check()
        return self._source

    @property
    def remainingFrames(self) -> int:  # noqa: N802
        """Frames left before the run executes."""
        self._check()
        return self._frames

    @remainingFrames.setter
    def remainingFrames(self, value: int) -> None:  # noqa: N802
        self._check()
        self._frames = max(0, int(value))

    @property
    def remainingMilliseconds(self) -> int:  # noqa: N802
        """Time left before the run executes, in whole milliseconds of TD time (Run Class: an int)."""
        self._check()
        return round(self._frames * 1000.0 / self._world.cook_rate)

    @remainingMilliseconds.setter
    def remainingMilliseconds(self, value: float) -> None:  # noqa: N802
        self._check()
        self._frames = max(0, round(float(value) / 1000.0 * self._world.cook_rate))

    def kill(self) -> None:
        """Remove the run from ``runs``; it will not execute."""
        self._check()
        self._world.run_queue.remove(self)
        self._done = True

    def __repr__(self) -> str:
        if self._done:
            return "<td.Run (executed)>"
        return f"<td.Run remainingFrames={self._frames} source={self._source!r}>"


class RunQueue:
    """Pending runs of one world, in submission order (mock-internal)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.pending: list[Run] = []

    def submit(self, run: Run) -> Run:
        """Execute now when due at once, else queue."""
        if run._frames == 0 and not run._end_frame:
            self.execute(run)
        else:
            self.pending.append(run)
        return run

    def remove(self, run: Run) -> None:
        """Take ``run`` out of the queue (kill)."""
        try:
            self.pending.remove(run)
        except ValueError:
            pass

    def tick(self) -> None:
        """Start-of-frame phase: count down and execute the runs due this frame (submission order)."""
        if not self.pending:
            return
        due: list[Run] = []
        for run in list(self.pending):
            if not run._active:
                continue
            if run._frames > 0:
                run._frames -= 1
            if run._frames == 0 and not run._end_frame:
                due.append(run)
        for run in due:
            if run in self.pending and run._active:
                self.pending.remove(run)
                self.execute(run)

    def end_of_frame(self) -> None:
        """End-of-frame phase: execute ``endFrame`` runs that are due."""
        due = [r for r in self.pending if r._end_frame and r._active and r._frames == 0]
        for run in due:
            if run in self.pending:
                self.pending.remove(run)
                self.execute(run)

    def execute(self, run: Run) -> None:
        """Run the script with its context (the world's ``run_script`` hook); an exception is recorded, never propagated."""
        run._done = True
        self.world.hooks.run_script(self.world, run._source, run._args, run._from_op, run._as_parameter)
