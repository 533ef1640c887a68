"""One flush per outer call: the batching context manager of the FlowController adapter, and its clock.

Every entry point (a promoted method, a pulse, a parameter change, the frame callback, the watcher)
runs its work inside ``with batch:``. Nested entries (a callback calling ``iop.LOPflow.NextStep()``,
a parameter the adapter writes firing its Parameter Execute DAT) join the outer one; when the outer one
ends, ``flush()`` runs once (nested entries made while flushing join the flush, which loops while it
finds more to do).

TD time does not move during a frame, so the outer call reads ``absTime`` at most once, when first
asked (``now()`` / ``frame()`` return that reading), instead of once per engine event. ``serial`` counts outer calls (the callbacks-DAT
lookup reads the DAT's module once per call). Never imports ``td``: the clock reader is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType


class Batch:
    """``with batch:`` groups work into one flush; ``now()`` / ``frame()`` read the clock once per outer call."""

    def __init__(self, read_clock: Callable[[], tuple[float, int]], flush: Callable[[], None]) -> None:
        self._read_clock = read_clock
        self._flush = flush
        self.depth = 0
        self.serial = 0
        self._seconds = 0.0
        self._frame = 0
        self._clock_serial = -1

    def __enter__(self) -> Batch:
        if self.depth == 0:
            self.serial += 1
        self.depth += 1
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.depth > 1:
            self.depth -= 1
            return
        try:
            self._flush()  # depth stays 1: entries made while flushing join this flush
        finally:
            self.depth = 0

    def _clock(self) -> None:
        if not self.depth:
            self._seconds, self._frame = self._read_clock()
            self._clock_serial = -1
        elif self._clock_serial != self.serial:
            self._seconds, self._frame = self._read_clock()
            self._clock_serial = self.serial

    def now(self) -> float:
        """TD seconds (read at most once per outer call)."""
        if not self.depth or self._clock_serial != self.serial:
            self._clock()
        return self._seconds

    def frame(self) -> int:
        """TD frame number (read at most once per outer call)."""
        if not self.depth or self._clock_serial != self.serial:
            self._clock()
        return self._frame

    def current_serial(self) -> int:
        """The number of the current outer call."""
        return self.serial
