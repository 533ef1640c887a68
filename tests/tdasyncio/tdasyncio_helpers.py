"""Test helpers for TDAsyncIO's pure modules: a manual clock and a table with TD's tableDAT API."""

from __future__ import annotations

import time
from typing import Any

import async_runtime


class ManualClock:
    """A clock that moves only when told (stands in for TD time)."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeTable:
    """The subset of TD's tableDAT API the table sync uses, with TD's semantics; counts writes."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.writes = 0

    def clear(self) -> None:
        self.rows = []
        self.writes += 1

    def appendRow(self, vals: list[Any]) -> int:  # noqa: N802
        self.rows.append([str(v) for v in vals])
        self.writes += 1
        return len(self.rows) - 1

    def appendRows(self, listOfLists: list[list[Any]]) -> int:  # noqa: N802, N803
        """Counts one write per row appended."""
        for vals in listOfLists:
            self.appendRow(vals)
        return len(self.rows) - 1

    def insertRow(self, vals: list[Any], nameOrIndex: int) -> int:  # noqa: N802, N803
        self.rows.insert(nameOrIndex, [str(v) for v in vals])
        self.writes += 1
        return nameOrIndex

    def replaceRow(self, nameOrIndex: int, vals: list[Any]) -> int:  # noqa: N802, N803
        self.rows[nameOrIndex] = [str(v) for v in vals]
        self.writes += 1
        return nameOrIndex

    def deleteRow(self, nameOrIndex: int) -> None:  # noqa: N802, N803
        del self.rows[nameOrIndex]
        self.writes += 1

    def deleteRows(self, vals: list[int]) -> None:  # noqa: N802
        """One row after another, in the order given (so callers must pass indexes highest first)."""
        for index in vals:
            self.deleteRow(index)

    def __setitem__(self, key: tuple[int, int], value: Any) -> None:
        row, col = key
        self.rows[row][col] = str(value)
        self.writes += 1

    def as_dicts(self) -> list[dict[str, str]]:
        header = self.rows[0]
        return [dict(zip(header, row, strict=True)) for row in self.rows[1:]]


class Harness:
    """An AsyncRuntime on a manual clock, with a fake table, stepped like TD frames (60 fps).

    The frame budget is measured with ``time.perf_counter`` and defaults to 10 s, so that what
    these functional tests expect within one frame never depends on the machine's speed or load;
    the budget itself is tested with a fake budget clock (``test_tdasyncio_budget``).
    """

    FRAME = 1.0 / 60.0

    def __init__(self, budget_s: float = 10.0) -> None:
        self.clock = ManualClock()
        self.errors: list[str] = []
        self.runtime = async_runtime.AsyncRuntime(
            self.clock, time.perf_counter, report_error=lambda message, exc: self.errors.append(message))
        self.runtime.settings.frame_budget_s = budget_s
        self.table = FakeTable()
        self.frames = 0

    def frame(self, seconds: float | None = None) -> None:
        """One TD frame: time moves, frame start step, frame end step."""
        self.clock.advance(self.FRAME if seconds is None else seconds)
        self.frames += 1
        self.runtime.frame_step(lambda: self.table)
        self.runtime.frame_step(lambda: self.table, end_of_frame=True)

    def frames_until(self, predicate: Any, limit: int = 600, real_sleep: float = 0.0) -> int:
        """Run frames until ``predicate()``; return how many (fails after ``limit``)."""
        for count in range(limit):
            if predicate():
                return count
            if real_sleep:
                time.sleep(real_sleep)
            self.frame()
        raise AssertionError(f"condition not reached within {limit} frames")
