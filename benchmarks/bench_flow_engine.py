"""Benchmark: the pure FlowEngine against `transitions` and `python-statemachine`, and its own scaling.

Every figure is the median of interleaved rounds (each round runs every variant once, so a busy
machine slows them alike), timed in this thread's CPU time (``time.thread_time``: time spent waiting
for a core on a shared machine is left out); targets compare figures measured in the same run.
Printed, each with its measured ratio and met / missed:

- a chain of 1,000 steps, each step's enter callback counting: LOPflow's instant (duration-0) steps
  with no callback defined, with only the enter callback, and with every callback defined (four fire
  per step change: onRoute, onStepExit, onNextStep, onStepEnter); LOPflow's
  wait steps advanced by NextStep; `transitions` and `python-statemachine` advancing the same chain
  with one trigger per step;
- the cost per transition for 10 and 10,000 steps, and for 10 to 10,000 steps entered in one frame;
- the runaway guard: the longest frame of an instant loop, also with slow callbacks, and that the
  runaway is still recorded in every frame;
- ``Set()`` of a 200,000-entry dict and of a 50 MB string, with an onContextChange callback defined;
- the run journal: the cost per transition of writing the engine's records with a real
  ``flow_journal.Journal`` to a file in a temporary folder (as the extension does, wall clock added),
  without and with fsync; judged on wall time, since waiting for the disk is what a frame pays.

The peers are benchmark-only extras: ``pip install -e '.[bench]'``. A missing peer is reported and
its targets are skipped.

    python benchmarks/bench_flow_engine.py [--rounds 7] [--steps 1000]
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ext" / "FlowController"))

import flow_callbacks  # noqa: E402
import flow_engine  # noqa: E402
import flow_journal  # noqa: E402
import flow_spec  # noqa: E402
import flow_steps  # noqa: E402

Timed = Callable[[], float]  # runs once, returns microseconds per transition (or per call)


# ------------------------------------------------------------------------------------------ LOPflow
class Counter:
    """A callbacks 'DAT': onStepEnter counts; with ``every``, every other callback is a no-op too."""

    def __init__(self, every: bool) -> None:
        self.entered = 0
        self.every = every

    def on_enter(self, info: dict[str, Any]) -> None:
        self.entered += 1

    def noop(self, info: dict[str, Any]) -> None:
        return None

    def lookup(self, name: str) -> Callable[[dict[str, Any]], None] | None:
        if name == "onStepEnter":
            return self.on_enter
        return self.noop if self.every else None


def lop_engine(rows: list[tuple[Any, ...]], callbacks: str,
               **settings: Any) -> tuple[flow_engine.FlowEngine, Counter, dict[str, int]]:
    """An engine on a frozen TD clock; ``callbacks``: 'none', 'enter' or 'every'."""
    counter = Counter(every=callbacks == "every")
    dispatcher = flow_callbacks.CallbackDispatcher(lookup=None if callbacks == "none" else counter.lookup)
    settings = {"max_transitions_per_frame": 10**9, "frame_budget_ms": None, **settings}
    clock = {"frame": 1}
    engine = flow_engine.FlowEngine(flow_steps.FlowDefinition.from_rows(rows), now=lambda: clock["frame"] / 60,
                                    frame=lambda: clock["frame"], dispatcher=dispatcher, **settings)
    return engine, counter, clock


def chain(steps: int, duration: float) -> list[tuple[Any, ...]]:
    return [(f"S{i}", duration) for i in range(steps)]


def lop_instant(steps: int, callbacks: str) -> Timed:
    def run() -> float:
        engine, counter, _ = lop_engine(chain(steps, 0), callbacks)
        started = _start_clock()
        engine.start()
        elapsed = time.thread_time() - started
        assert engine.state.status is flow_engine.FlowStatus.COMPLETED
        assert callbacks == "none" or counter.entered == steps
        return elapsed / steps * 1e6
    return run


def lop_wait(steps: int) -> Timed:
    """Wait steps advanced by NextStep from outside callbacks, one GO per frame (the GO guard's rule)."""
    def run() -> float:
        engine, counter, clock = lop_engine(chain(steps, -1), "enter")
        engine.start()
        started = _start_clock()
        for _ in range(steps - 1):
            clock["frame"] += 1
            engine.next_step()
        elapsed = time.thread_time() - started
        assert counter.entered == steps and engine.current_step_index == steps - 1
        return elapsed / (steps - 1) * 1e6
    return run


def lop_loop(steps: int, transitions: int, per_frame: int, callbacks: str = "none") -> Timed:
    """Instant steps looping (the last goes back to the first): ``transitions`` steps entered,
    ``per_frame`` per frame; microseconds per transition, frames included."""
    def run() -> float:
        rows = [*chain(steps - 1, 0), (f"S{steps - 1}", 0, "s0")]
        engine, _, clock = lop_engine(rows, callbacks, max_transitions_per_frame=per_frame)
        started = _start_clock()
        engine.start()
        for _ in range(transitions // per_frame - 1):
            clock["frame"] += 1
            engine.tick()
        elapsed = time.thread_time() - started
        assert engine.runaways == transitions // per_frame
        return elapsed / transitions * 1e6
    return run


# -------------------------------------------------------------------------------------------- peers
def peer_transitions(steps: int, count: bool) -> Timed | None:
    try:
        from transitions import Machine
    except ImportError:
        return None

    def run() -> float:
        entered = [0]

        def on_enter() -> None:
            entered[0] += 1

        class Model:
            pass

        model = Model()
        names = [f"s{i}" for i in range(steps)]
        machine = Machine(model=model, states=names, initial=names[0], auto_transitions=False)
        for i in range(steps - 1):
            machine.add_transition("next", names[i], names[i + 1])
        if count:
            for name in names[1:]:
                machine.get_state(name).add_callback("enter", on_enter)
        trigger = model.next  # type: ignore[attr-defined]
        started = _start_clock()
        for _ in range(steps - 1):
            trigger()
        elapsed = time.thread_time() - started
        assert not count or entered[0] == steps - 1
        return elapsed / (steps - 1) * 1e6
    return run


def peer_statemachine(steps: int) -> Timed | None:
    try:
        from statemachine import State, StateMachine
    except ImportError:
        return None
    states = [State(f"s{i}", value=f"s{i}", initial=i == 0, final=i == steps - 1) for i in range(steps)]
    attrs: dict[str, Any] = {f"s{i}": state for i, state in enumerate(states)}
    event = states[0].to(states[1])
    for i in range(1, steps - 1):
        event = event | states[i].to(states[i + 1])
    attrs["next"] = event
    attrs["on_enter_state"] = lambda self: self.__dict__.__setitem__("entered", self.__dict__.get("entered", 0) + 1)
    machine_class = type("Chain", (StateMachine,), attrs)

    def run() -> float:
        machine = machine_class()
        started = _start_clock()
        for _ in range(steps - 1):
            machine.send("next")
        elapsed = time.thread_time() - started
        assert machine.__dict__["entered"] == steps
        return elapsed / (steps - 1) * 1e6
    return run


# ---------------------------------------------------------------------------------- frames and Set
def runaway_frames(frames: int, callback_us: float) -> tuple[float, float, float, int]:
    """An instant loop with every callback defined, each costing ``callback_us``; default settings except
    an unlimited step count, so only the time budget stops it. Returns the longest frame in CPU time
    (ms), the median and longest frame in wall time (ms), and how many frames recorded a runaway."""
    def slow(info: dict[str, Any]) -> None:
        end = time.perf_counter() + callback_us / 1e6
        while time.perf_counter() < end:
            pass

    dispatcher = flow_callbacks.CallbackDispatcher(lookup=lambda name: slow)
    clock = {"frame": 1}
    engine = flow_engine.FlowEngine(
        flow_steps.FlowDefinition.from_rows([("A", 0), ("B", 0, "a")]), now=lambda: clock["frame"] / 60,
        frame=lambda: clock["frame"], dispatcher=dispatcher, max_transitions_per_frame=10**9)
    engine.add_event_listener(lambda event: runaways.add(event.frame) if event.event == "runaway" else None)
    runaways: set[int] = set()
    cpu: list[float] = []
    wall: list[float] = []
    _start_clock()
    for frame in range(frames):
        clock["frame"] += 1
        started, started_cpu = time.perf_counter(), time.thread_time()
        engine.start() if frame == 0 else engine.tick()
        cpu.append(time.thread_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return max(cpu) * 1000, statistics.median(wall) * 1000, max(wall) * 1000, len(runaways)


def set_value(value: Any) -> Timed:
    def run() -> float:
        engine, _, _ = lop_engine(chain(3, -1), "every")
        engine.start()
        started = _start_clock()
        engine.set("big", value)
        elapsed = time.thread_time() - started
        assert engine.history.events("context_set")[-1].data.get("truncated") == ["value"]
        return elapsed * 1e6
    return run


def journal_run(steps: int, mode: str) -> tuple[float, float]:
    """Wait steps advanced by NextStep (one per frame), each step change journaled: ``mode`` 'off' (no
    listener), 'on' or 'fsync'. Returns (wall, CPU) microseconds per transition."""
    engine, counter, clock = lop_engine(chain(steps, -1), "enter")
    folder = tempfile.mkdtemp(prefix="lopflow_bench_journal_")
    try:
        if mode != "off":
            journal = flow_journal.Journal(os.path.join(folder, "flow.jsonl"), lambda: engine.journal_state(time.time()),
                                           lambda message, exc: None, fsync=mode == "fsync")
            engine.on_record = lambda record: journal.append({**record, "wall": time.time()})
        engine.start()
        _start_clock()
        started, started_cpu = time.perf_counter(), time.thread_time()
        for _ in range(steps - 1):
            clock["frame"] += 1
            engine.next_step()
        wall, cpu = time.perf_counter() - started, time.thread_time() - started_cpu
        assert counter.entered == steps
        if mode != "off":
            state, notes = flow_journal.read_state(journal.path)
            assert notes == [] and state is not None and state["index"] == steps - 1 and journal.failures == 0
        return wall / (steps - 1) * 1e6, cpu / (steps - 1) * 1e6
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------------------------------ running
def _start_clock() -> float:
    """Collect garbage, then read the clock that times a run: this thread's CPU time."""
    gc.collect()
    return time.thread_time()


def medians(variants: dict[str, Timed | None], rounds: int) -> dict[str, float]:
    """Median of ``rounds`` interleaved runs of every variant (None: peer not installed)."""
    samples: dict[str, list[float]] = {name: [] for name, run in variants.items() if run is not None}
    for _ in range(rounds):
        for name in samples:
            run = variants[name]
            assert run is not None
            samples[name].append(run())
    return {name: statistics.median(values) for name, values in samples.items()}


class Report:
    """Prints figures and targets; remembers whether every target was met."""

    def __init__(self) -> None:
        self.missed: list[str] = []

    def figure(self, label: str, value: float, unit: str) -> None:
        print(f"  {label:58s} {value:10.2f} {unit}")

    def target(self, label: str, ratio: float | None, limit: float, detail: str) -> None:
        """Met when ``ratio <= limit`` (None: not measurable here, reported as skipped)."""
        if ratio is None:
            print(f"  TARGET {label}: skipped ({detail})")
            return
        met = ratio <= limit
        if not met:
            self.missed.append(label)
        print(f"  TARGET {label}: ratio {ratio:.2f} (needs <= {limit:g}; {detail}) -> {'met' if met else 'MISSED'}")


def compare_peers(report: Report, steps: int, rounds: int) -> None:
    print(f"\nChain of {steps} steps, enter callback counting (us per transition, median of {rounds} rounds)")
    figures = medians({
        "LOPflow instant, no callback defined": lop_instant(steps, "none"),
        "LOPflow instant, enter callback": lop_instant(steps, "enter"),
        "LOPflow instant, every callback defined": lop_instant(steps, "every"),
        "LOPflow wait steps advanced by NextStep": lop_wait(steps),
        "transitions, enter callback": peer_transitions(steps, count=True),
        "transitions, no callback": peer_transitions(steps, count=False),
        "python-statemachine, enter callback": peer_statemachine(steps),
    }, rounds)
    for label, value in figures.items():
        report.figure(label, value, "us")
    peer = figures.get("transitions, enter callback")
    bare = figures.get("transitions, no callback")
    missing = "transitions is not installed: pip install -e '.[bench]'"
    report.target("instant, no callback, >= 2x faster than transitions (both without callbacks)",
                  None if bare is None else 2 * figures["LOPflow instant, no callback defined"] / bare, 1.0,
                  "2 x LOPflow / transitions" if bare else missing)
    report.target("instant, every callback defined, at least as fast as transitions",
                  None if peer is None else figures["LOPflow instant, every callback defined"] / peer, 1.0,
                  "LOPflow / transitions" if peer else missing)
    report.target("wait steps advanced by NextStep, at least as fast as transitions",
                  None if peer is None else figures["LOPflow wait steps advanced by NextStep"] / peer, 1.0,
                  "LOPflow / transitions" if peer else missing)
    psm = figures.get("python-statemachine, enter callback")
    if psm is not None:
        print(f"  (python-statemachine / LOPflow instant with enter callback: "
              f"{psm / figures['LOPflow instant, enter callback']:.1f}x)")


def scaling(report: Report, rounds: int) -> None:
    total = 10_000
    print(f"\nScaling: {total} instant transitions in a loop of steps (us per transition, frames included)")
    figures = medians({
        "10 steps, 10,000 per frame": lop_loop(10, total, total),
        "10,000 steps, 10,000 per frame": lop_loop(10_000, total, total),
        "10,000 steps, 10 per frame": lop_loop(10_000, total, 10),
        "10,000 steps, 1,000 per frame": lop_loop(10_000, total, 1_000),
        "10 steps, 10,000 per frame, enter callback": lop_loop(10, total, total, "enter"),
        "10,000 steps, 10,000 per frame, enter callback": lop_loop(10_000, total, total, "enter"),
    }, rounds)
    for label, value in figures.items():
        report.figure(label, value, "us")
    report.target("flat from 10 to 10,000 steps", figures["10,000 steps, 10,000 per frame"]
                  / figures["10 steps, 10,000 per frame"], 1.25, "10,000 steps / 10 steps, no callbacks")
    report.target("flat from 10 to 10,000 steps, enter callback",
                  figures["10,000 steps, 10,000 per frame, enter callback"]
                  / figures["10 steps, 10,000 per frame, enter callback"], 1.25, "10,000 steps / 10 steps")
    per_frame = [figures[f"10,000 steps, {k} per frame"] for k in ("10", "1,000", "10,000")]
    report.target("independent of the steps entered per frame", max(per_frame) / min(per_frame), 1.25,
                  "slowest / fastest of 10, 1,000 and 10,000 per frame")


def guard(report: Report, rounds: int) -> None:
    budget = flow_spec.DEFAULT_FRAME_BUDGET_MS
    frames = 60
    print(f"\nRunaway guard: instant loop, every callback defined, default frame budget ({budget:g} ms), no "
          f"step-count limit; {frames} frames, median of {rounds} rounds\n  (judged on CPU time: a frame's wall "
          "time also holds the time this process waited for a core on a busy machine)")
    for callback_us in (0.0, 50.0, 200.0):
        runs = [runaway_frames(frames, callback_us) for _ in range(rounds)]
        longest_cpu = statistics.median(run[0] for run in runs)
        median_wall = statistics.median(run[1] for run in runs)
        worst_wall = max(run[2] for run in runs)
        runaways = min(run[3] for run in runs)
        label = f"callbacks costing {callback_us:g} us each"
        report.figure(f"{label}: longest frame, CPU time", longest_cpu, "ms")
        report.figure(f"{label}: median frame, wall time", median_wall, f"ms (worst {worst_wall:.2f} ms)")
        report.target(f"instant loop <= 2 ms of any frame ({label})", longest_cpu / 2.0, 1.0,
                      "longest frame's CPU time / 2 ms")
        report.target(f"runaway recorded in every frame ({label})", 0.0 if runaways == frames else 2.0, 1.0,
                      f"{runaways} of {frames} frames")


def set_cost(report: Report, rounds: int) -> None:
    print(f"\nSet() with an onContextChange callback defined (us per call, median of {rounds} rounds)")
    big_dict = {f"key{i}": i for i in range(200_000)}
    big_text = "x" * 50_000_000
    figures = medians({"Set of a 200,000-entry dict": set_value(big_dict),
                       "Set of a 50 MB string": set_value(big_text)}, rounds)
    for label, value in figures.items():
        report.figure(label, value, "us")
    report.target("Set of a 200k-entry dict <= 5 ms", figures["Set of a 200,000-entry dict"] / 5000.0, 1.0,
                  "time / 5 ms")
    report.target("Set of a 50 MB string <= 5 ms", figures["Set of a 50 MB string"] / 5000.0, 1.0, "time / 5 ms")


def journal_cost(report: Report, rounds: int, steps: int) -> None:
    print(f"\nRun journal: {steps} wait steps advanced by NextStep (one per frame), each step change journaled to "
          f"a real file\n  (us per transition, median of {rounds} interleaved rounds; wall time, CPU time in "
          "brackets; the journal's cost is the difference from no journal)")
    samples: dict[str, list[tuple[float, float]]] = {"off": [], "on": [], "fsync": []}
    for _ in range(rounds):
        for mode in samples:
            samples[mode].append(journal_run(steps, mode))
    wall = {mode: statistics.median(w for w, _ in runs) for mode, runs in samples.items()}
    cpu = {mode: statistics.median(c for _, c in runs) for mode, runs in samples.items()}
    labels = {"off": "no journal", "on": "journal", "fsync": "journal with fsync"}
    for mode, label in labels.items():
        report.figure(label, wall[mode], f"us ({cpu[mode]:.2f} us CPU)")
    cost = wall["on"] - wall["off"]
    report.figure("journal cost per transition", cost, "us")
    report.figure("journal cost per transition with fsync (no target)", wall["fsync"] - wall["off"], "us")
    report.target("journal <= 50 us per transition", cost / 50.0, 1.0, "journal cost (wall) / 50 us")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}; pure FlowEngine, no TouchDesigner (CPython figures; in TD the "
          "engine runs on the same CPython, so these are its in-TD costs before the adapter's TD calls)")
    report = Report()
    compare_peers(report, args.steps, args.rounds)
    scaling(report, args.rounds)
    guard(report, args.rounds)
    set_cost(report, args.rounds)
    journal_cost(report, args.rounds, args.steps)
    print(f"\n{'every target met' if not report.missed else 'missed: ' + '; '.join(report.missed)}")


if __name__ == "__main__":
    main()
