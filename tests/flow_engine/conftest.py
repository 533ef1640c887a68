"""A harness for the pure flow engine: a fake TD clock, a recording callbacks 'DAT' and script errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import flow_callbacks
import flow_engine
import flow_steps
import pytest


class Harness:
    """A FlowEngine on a frozen clock with every callback recorded in order.

    ``dat[name] = fn`` plays the callbacks DAT; ``calls`` is ``[(callbackName, info copy), ...]``;
    ``script_errors`` what the adapter would show with addScriptError. Every callback is recorded, except
    those in ``quiet`` (onRoute by default) until ``dat`` defines them.
    """

    def __init__(self, rows: Iterable[Any], quiet: Iterable[str] = ("onRoute",), **engine_args: Any) -> None:
        #: Callbacks handled only when ``dat`` defines them (onRoute fires on every route leave it handles).
        self.quiet = frozenset(quiet)
        self.time = 0.0
        self.frame_no = 1
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.dat: dict[str, Callable[[dict[str, Any]], Any]] = {}
        self.script_errors: list[tuple[str, str, BaseException]] = []
        self.dispatcher = flow_callbacks.CallbackDispatcher(
            owner_comp="OWNER", target_comp="TARGET", lookup=self._lookup,
            on_exception=lambda name, source, exc: self.script_errors.append((name, source, exc)))
        self.engine = flow_engine.FlowEngine(
            flow_steps.FlowDefinition.from_rows(rows), now=lambda: self.time, frame=lambda: self.frame_no,
            dispatcher=self.dispatcher, **{"budget_clock": lambda: 0.0, **engine_args})

    def _lookup(self, name: str) -> Callable[[dict[str, Any]], Any] | None:
        if name in self.quiet and name not in self.dat:
            return None

        def record(info: dict[str, Any]) -> Any:
            self.calls.append((name, dict(info)))
            user = self.dat.get(name)
            return user(info) if user is not None else None
        return record

    def advance(self, seconds: float = 0.0, frames: int = 1) -> None:
        """Move TD time on by ``seconds`` over ``frames`` frames, ticking the engine every frame."""
        for _ in range(frames):
            self.time += seconds / frames
            self.frame_no += 1
            self.engine.tick()

    def go(self, expect: str | None = None, source: str = "api") -> bool:
        """A NextStep from outside callbacks in a new frame (the GO guard allows one advance per frame)."""
        self.advance()
        return self.engine.next_step(expect, source)

    def names(self, *only: str) -> list[str]:
        """The callback names fired so far (only those in ``only`` when given)."""
        return [name for name, _ in self.calls if not only or name in only]

    def entered(self) -> list[str]:
        """The step names of every onStepEnter so far."""
        return [info["step_name"] for name, info in self.calls if name == "onStepEnter"]

    def clear(self) -> None:
        """Forget the recorded calls."""
        self.calls.clear()


@pytest.fixture
def harness() -> Callable[..., Harness]:
    """``harness(rows, **engine_args)`` -> a new Harness."""
    return Harness
