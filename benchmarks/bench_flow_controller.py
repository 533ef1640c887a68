"""FlowController through the built component on mock_td: transitions per second, parameter writes per
transition, Script CHOP cook time.

Run: ``python3 benchmarks/bench_flow_controller.py``. Prints figures; asserts nothing.

- *instant*: one ``Start()`` runs a chain of duration-0 steps to the end (Maxtransitions raised so the
  whole chain runs in one call) — the engine + one flush per call.
- *NextStep*: a chain of wait (-1) steps advanced by ``NextStep()`` calls — one flush (parameter writes,
  Script CHOP cook) per transition, the realistic per-call cost.
- parameter writes are counted by wrapping mock_td's ``Par.val`` setter for this benchmark only (every
  write to a FlowController parameter, including the ones the cache skips would show up if made).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for folder in (REPO, os.path.join(REPO, "ext", "FlowController"), os.path.join(REPO, "toxes")):
    if folder not in sys.path:
        sys.path.insert(0, folder)

import build_toxes  # noqa: E402

import mock_td  # noqa: E402
from mock_td.parameters import par as mock_par  # noqa: E402


class ParWriteCounter:
    """Counts writes to ``Par.val`` whose owner is ``owner`` (wraps the mock's property while active)."""

    def __init__(self) -> None:
        self.owner: Any = None
        self.count = 0
        self._original = mock_par.Par.val

    def __enter__(self) -> ParWriteCounter:
        original = self._original
        counter = self

        def setter(par: Any, value: Any) -> None:
            if counter.owner is not None and par.owner is counter.owner:
                counter.count += 1
            original.fset(par, value)

        mock_par.Par.val = property(original.fget, setter, doc=original.__doc__)  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        mock_par.Par.val = self._original  # type: ignore[method-assign]


def build(steps: int, duration: float) -> tuple[Any, Any]:
    session = mock_td.install()
    project = session.root.op("project1")
    fc = build_toxes.build_flow_controller(project)
    target = project.create("baseCOMP", "bench_target")
    fc.seq.Step.numBlocks = steps
    for i in range(steps):
        fc.par[f"Step{i}label"].val = f"Step {i}"
        fc.par[f"Step{i}duration"].val = duration
    fc.par.Maxtransitions = 10000
    fc.par.Targetcomp = target
    fc.par.Setup.pulse()
    session.advance()
    return session, fc


def bench_instant(steps: int = 200, runs: int = 20) -> tuple[float, float]:
    session, fc = build(steps, 0.0)
    with ParWriteCounter() as counter:
        counter.owner = fc
        start = time.perf_counter()
        for _ in range(runs):
            fc.Start()
            assert fc.par.Status.eval() == "Completed"
            session.advance()
        elapsed = time.perf_counter() - start
    transitions = steps * runs
    return transitions / elapsed, counter.count / transitions


def bench_next_step(steps: int = 200, runs: int = 5) -> tuple[float, float]:
    session, fc = build(steps, -1.0)
    with ParWriteCounter() as counter:
        counter.owner = fc
        start = time.perf_counter()
        for _ in range(runs):
            fc.Start()
            for _ in range(steps):
                fc.NextStep()
            assert fc.par.Status.eval() == "Completed"
        elapsed = time.perf_counter() - start
    transitions = steps * runs
    return transitions / elapsed, counter.count / transitions


def bench_chop_cook(cooks: int = 2000) -> tuple[float, int]:
    session, fc = build(10, -1.0)
    fc.Start()
    chop = fc.op("flow_channels")
    start = time.perf_counter()
    for _ in range(cooks):
        chop.cook(force=True)
    elapsed = time.perf_counter() - start
    return elapsed / cooks * 1e6, chop.numChans


def bench_idle_frame(frames: int = 2000) -> float:
    session, fc = build(10, -1.0)
    fc.Start()
    start = time.perf_counter()
    session.advance(frames)
    return (time.perf_counter() - start) / frames * 1e6


def main() -> None:
    rate, writes = bench_instant()
    print(f"instant transitions (duration 0, one Start per run): {rate:,.0f} transitions/s, "
          f"{writes:.3f} FlowController par writes per transition")
    rate, writes = bench_next_step()
    print(f"NextStep() transitions (one flush + CHOP cook each):  {rate:,.0f} transitions/s, "
          f"{writes:.2f} FlowController par writes per transition")
    micros, chans = bench_chop_cook()
    print(f"flow_channels Script CHOP cook: {micros:.1f} us per cook ({chans} channels)")
    print(f"idle frame while a step waits (mock_td frame incl. FlowController tick): {bench_idle_frame():.1f} us")


if __name__ == "__main__":
    main()
