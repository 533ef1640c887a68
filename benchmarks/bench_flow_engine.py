"""Benchmark: instant (duration-0) step transitions per second on the pure FlowEngine.

A loop of duration-0 steps runs with a large frame budget; each frame ``tick()`` continues the loop
until the budget is spent. Prints transitions per second with no callbacks, and with a callbacks DAT
whose every function is a no-op (closer to a real FlowController).

    python benchmarks/bench_flow_engine.py [--frames 20] [--per-frame 5000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ext" / "FlowController"))

import flow_callbacks  # noqa: E402
import flow_engine  # noqa: E402
import flow_steps  # noqa: E402


def run(frames: int, per_frame: int, with_callbacks: bool) -> tuple[int, float]:
    """Run ``frames`` frames of an instant loop; returns (steps entered, seconds)."""
    clock = {"frame": 0}
    rows = [("A", 0), ("B", 0), ("C", 0), ("D", 0, "a")]

    def noop(info: dict[str, Any]) -> None:
        return None

    dispatcher = flow_callbacks.CallbackDispatcher(lookup=(lambda name: noop) if with_callbacks else None)
    engine = flow_engine.FlowEngine(
        flow_steps.FlowDefinition.from_rows(rows), now=lambda: clock["frame"] / 60.0, frame=lambda: clock["frame"],
        dispatcher=dispatcher, max_transitions_per_frame=per_frame, history_size=500)
    started = time.perf_counter()
    engine.start()
    for _ in range(frames):
        clock["frame"] += 1
        engine.tick()
    elapsed = time.perf_counter() - started
    entered = per_frame * (frames + 1)
    assert engine.is_running and engine.runaways == frames + 1
    return entered, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--per-frame", type=int, default=5000)
    args = parser.parse_args()
    for label, with_callbacks in (("no callbacks", False), ("no-op callbacks DAT", True)):
        entered, seconds = run(args.frames, args.per_frame, with_callbacks)
        print(f"flow engine, {label:20s}: {entered / seconds:12,.0f} instant transitions/s "
              f"({entered} transitions in {seconds:.3f} s)")


if __name__ == "__main__":
    main()
