"""Counting the lines of one module that an action runs: big-O guards by operations, not time."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType, ModuleType
from typing import Any


def lines_run(module: ModuleType, action: Callable[[], object]) -> int:
    """How many lines of ``module`` run during ``action`` (a loop over a growing collection would show)."""
    count = 0
    target = module.__file__

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if frame.f_code.co_filename != target:
            return None
        if event == "line":
            count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        action()
    finally:
        sys.settrace(previous)
    return count
