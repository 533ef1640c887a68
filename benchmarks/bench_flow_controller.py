"""FlowController through the built component on mock_td, against its targets (issue 11).

Every target is printed with its measured figure, the limit, and met / missed. mock_td is Python where
TD is C++, so each wall-clock figure is split into the part spent inside mock_td's own functions
(measured with cProfile: time inside mock_td functions called from the component's code) and the rest,
and an in-TD estimate replaces mock_td's part by ``TD_CALL_US`` per TD API call.

- NextStep: a chain of wait steps advanced by ``NextStep()`` calls, ``--per-frame`` calls per frame (1:
  the GO guard lets one outside call per frame advance; the pure engine runs without the guard), a
  reader reading the ``flow_channels`` CHOP once per frame (as an export would). TD API calls (calls
  from the component's code into mock_td, counted with a profile hook), FlowController parameter
  writes and Script CHOP cooks are counted; the pure engine runs the same chain in the same run with
  every callback defined (the built component's callbacks DAT holds the template: every callback).
- Idle: N controllers each waiting in a step; per controller and frame, LOPflow's own cost (its frame
  callbacks are off; the shared watcher's check every ``WATCH_FRAMES`` frames, amortised) and what a
  frame costs in mock_td per controller (its Execute DAT loop visits inactive DATs); memory per
  controller (tracemalloc, all of it, and the part allocated by LOPflow's code).
- GO flood and journal (issue 12): the cost of a NextStep() the GO guard ignores (1,000 calls in one
  frame, one advances); the journal's cost per transition (the same chain with Journal on and off, and
  with Journalfsync), and the size the journal file stays at.
- Step edits: filling 1,000 steps by parameters (labels, then durations and thens) until the frame
  end; editing one label of a 10,000-step flow (with the engine's reload shown on its own); TD calls
  per label edit at 100 and 10,000 steps; the memory one edit allocates.

Timed loops run with the garbage collector off (as ``timeit`` does): with a thousand components in
one process a collection costs milliseconds whenever it happens to fall.

Run: ``python3 benchmarks/bench_flow_controller.py [--rounds 3] [--controllers 1,10,100,1000]``.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for folder in (REPO, os.path.join(REPO, "ext", "FlowController"), os.path.join(REPO, "toxes"),
               os.path.join(REPO, "tests", "flow_controller")):
    if folder not in sys.path:
        sys.path.insert(0, folder)

import build_toxes  # noqa: E402
import flow_callbacks  # noqa: E402
import flow_engine  # noqa: E402
import flow_spec  # noqa: E402
import flow_steps  # noqa: E402
from flow_controller_helpers import TDCallCounter, make_flow  # noqa: E402

import mock_td  # noqa: E402

#: Where the benchmark's sessions keep their project folder (journal files go there, not into the repo).
BENCH_FOLDER = tempfile.mkdtemp(prefix="lopflow_bench_")

#: Assumed cost of one TD Python API call inside TouchDesigner (a C++ call behind a Python binding).
TD_CALL_US = 0.5
MOCK_DIR = os.path.dirname(os.path.abspath(mock_td.__file__)) + os.sep


class Report:
    """Collects target lines: what, measured, limit, met / missed, note."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.missed = 0

    def target(self, what: str, measured: str, limit: str, met: bool, note: str = "") -> None:
        self.missed += not met
        line = f"[{'met' if met else 'MISSED'}] {what}: {measured} (target {limit})"
        self.lines.append(line + (f"\n        {note}" if note else ""))
        print(self.lines[-1], flush=True)

    def info(self, text: str) -> None:
        print(f"        {text}", flush=True)


def chain(steps: int, duration: float) -> list[tuple[str, float, str]]:
    return [(f"Step {i}", duration, "next") for i in range(steps)]


def mock_share(calls: list[Callable[[], Any]], between: Callable[[], Any], prefix: str) -> float:
    """The fraction of the time of ``calls`` (profiled; ``between`` runs unprofiled after each) spent
    inside mock_td functions called by the code under ``prefix`` (the component's DATs)."""
    profile = cProfile.Profile()
    total = 0.0
    for call in calls:
        profile.enable()
        start = time.perf_counter()
        call()
        total += time.perf_counter() - start
        profile.disable()
        between()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    inside = 0.0
    for (filename, _line, _name), (_cc, _nc, _tt, _ct, callers) in stats.items():
        if not filename.startswith(MOCK_DIR):
            continue
        for (caller_file, _l, _n), (_ccc, _ncc, _ttc, ct_from_caller) in callers.items():
            if caller_file.startswith(prefix):
                inside += ct_from_caller
    return min(1.0, inside / total) if total else 0.0


# ------------------------------------------------------------------------------------------ NextStep
def controller_next_steps(steps: int, per_frame: int, journal: bool = True, fsync: bool = False) -> dict[str, float]:
    session = mock_td.install(project_folder=tempfile.mkdtemp(dir=BENCH_FOLDER))
    flow = make_flow(session, chain(steps, -1.0))
    fc, chop = flow.fc, flow.fc.op(flow_spec.CHANNELS_CHOP)
    fc.par.Journal = journal
    fc.par.Journalfsync = fsync
    ext = fc.ext.FlowControllerExt
    fc.Start()
    session.advance()
    chop.chans()
    cooks, writes, frames, elapsed, done = chop.totalCooks, ext._pars.writes, 0, 0.0, 0
    gc.collect()
    gc.disable()
    while fc.CurrentStepIndex < steps - 1:
        before = fc.CurrentStepIndex
        batch = min(per_frame, steps - 1 - before)
        start = time.perf_counter()
        for _ in range(batch):
            fc.NextStep()
        elapsed += time.perf_counter() - start
        done += fc.CurrentStepIndex - before  # transitions made (a call the frame budget deferred makes none)
        chop.chans()  # one reader per frame
        session.advance()
        frames += 1
    gc.enable()
    assert fc.CurrentStepIndex == steps - 1
    journal_file = ext._recovery.path()
    size = os.path.getsize(journal_file) if os.path.exists(journal_file) else 0
    return {"us": elapsed / done * 1e6, "cooks_per_frame": (chop.totalCooks - cooks) / frames,
            "writes": (ext._pars.writes - writes) / done, "journal_bytes": size}


def go_flood(calls: int) -> tuple[float, int]:
    """Microseconds per NextStep() in a flood of ``calls`` in one frame, and how many steps it advanced."""
    session = mock_td.install(project_folder=tempfile.mkdtemp(dir=BENCH_FOLDER))
    flow = make_flow(session, chain(10, -1.0))
    fc = flow.fc
    fc.Start()
    session.advance()
    gc.collect()
    gc.disable()
    start = time.perf_counter()
    for _ in range(calls):
        fc.NextStep()
    elapsed = time.perf_counter() - start
    gc.enable()
    return elapsed / calls * 1e6, fc.CurrentStepIndex


def journal_targets(report: Report, rounds: int, steps: int) -> None:
    on, off, synced = [], [], []
    for _ in range(rounds):  # interleaved, so a busy machine slows all alike
        on.append(controller_next_steps(steps, 1, journal=True))
        off.append(controller_next_steps(steps, 1, journal=False))
        synced.append(controller_next_steps(steps, 1, journal=True, fsync=True))
    us_on = statistics.median(c["us"] for c in on)
    us_off = statistics.median(c["us"] for c in off)
    us_sync = statistics.median(c["us"] for c in synced)
    cost = us_on - us_off
    print(f"Journal: the NextStep chain of {steps} steps with Journal on and off")
    report.target("Journal cost per transition", f"{cost:.1f} us ({us_on:.1f} on vs {us_off:.1f} off)", "<= 50 us",
                  cost <= 50, f"with Journalfsync: {us_sync - us_off:.1f} us (the disk's flush, opt-in)")
    size = max(c["journal_bytes"] for c in on)
    report.target(f"Journal file after {steps} transitions", f"{size / 1024:.1f} KiB", "bounded (compacted)",
                  size < 64 * 1024)
    us, index = go_flood(1000)
    print("GO flood: 1,000 NextStep() calls in one frame")
    report.target("Steps a flood of 1,000 NextStep() advances", str(index), "1", index == 1)
    report.target("NextStep() ignored by the GO guard", f"{us:.1f} us per call", "<= 20 us", us <= 20)


def controller_calls_and_share(steps: int) -> tuple[float, dict[str, int], float]:
    session = mock_td.install(project_folder=BENCH_FOLDER)
    flow = make_flow(session, chain(steps, -1.0))
    fc = flow.fc
    fc.Start()
    session.advance()
    calls: dict[str, int] = {}
    for _ in range(20):
        with TDCallCounter(fc) as counter:
            fc.NextStep()
        for name, count in counter.by_name.items():
            calls[name] = calls.get(name, 0) + count
        session.advance()

    share = mock_share([fc.NextStep] * 100, session.advance, fc.path + "/")
    return sum(calls.values()) / 20, calls, share


def engine_next_steps(steps: int, per_frame: int) -> float:
    def noop(info: dict[str, Any]) -> None:
        return None

    frame = [0]
    engine = flow_engine.FlowEngine(
        flow_steps.FlowDefinition.from_rows(chain(steps, -1.0)), now=lambda: frame[0] / 60.0,
        frame=lambda: frame[0], dispatcher=flow_callbacks.CallbackDispatcher(lookup=lambda name: noop),
        go_debounce=None)  # as on a component without a Godebounce parameter: every NextStep advances
    engine.add_listener(lambda change: None)
    engine.start()
    gc.collect()
    gc.disable()
    elapsed, done = 0.0, 0
    while engine.current_step_index < steps - 1:
        before = engine.current_step_index
        batch = min(per_frame, steps - 1 - before)
        start = time.perf_counter()
        for _ in range(batch):
            engine.next_step()
        elapsed += time.perf_counter() - start
        done += engine.current_step_index - before
        frame[0] += 1
        engine.tick()
    gc.enable()
    return elapsed / done * 1e6


def next_step_targets(report: Report, rounds: int, steps: int, per_frame: int) -> None:
    controller, engine = [], []
    for _ in range(rounds):  # interleaved, so a busy machine slows both alike
        controller.append(controller_next_steps(steps, per_frame, journal=False))  # the journal: its own target
        engine.append(engine_next_steps(steps, per_frame))
    us = statistics.median(c["us"] for c in controller)
    engine_us = statistics.median(engine)
    cooks = max(c["cooks_per_frame"] for c in controller)
    writes = statistics.median(c["writes"] for c in controller)
    calls, by_name, share = controller_calls_and_share(steps)
    print(f"NextStep: a chain of {steps} wait steps, {per_frame} NextStep() per frame, the CHOP read once a frame")
    report.target("TD API calls per NextStep transition", f"{calls:.1f}", "<= 20", calls <= 20,
                  "; ".join(f"{name} {count / 20:g}" for name, count in sorted(by_name.items(), key=lambda i: -i[1])))
    report.target("Script CHOP cooks per frame", f"{cooks:.2f}", "<= 1", cooks <= 1)
    report.target("FlowController parameter writes per transition", f"{writes:.2f}", "about 1",
                  0.5 <= writes <= 1.5, "Current Step changes on every transition; the CHOP's Revision once a frame")
    ratio = us / engine_us
    estimate = us * (1 - share) + calls * TD_CALL_US
    report.target("NextStep end to end vs the pure engine", f"{us:.1f} us vs {engine_us:.1f} us = {ratio:.2f}x",
                  "<= 4x", ratio <= 4,
                  f"mock_td's own share {share:.0%} ({us * share:.1f} us); in TD about {estimate:.1f} us "
                  f"= {estimate / engine_us:.2f}x ({calls:.0f} calls x {TD_CALL_US} us assumed)")


# ------------------------------------------------------------------------------------------ idle
def build_waiting(project: Any, index: int) -> Any:
    fc = build_toxes.build_flow_controller(project, name=f"FC{index}")
    target = project.create("baseCOMP", f"target{index}")
    fc.seq.Step.numBlocks = 2
    fc.par.Step0label, fc.par.Step1label = "Wait", "Done"
    fc.par.Step0duration = fc.par.Step1duration = -1
    fc.par.Targetcomp = target
    fc.par.Setup.pulse()
    return fc


def idle_targets(report: Report, counts: list[int], frames: int) -> None:
    print("Idle: N controllers each waiting in a step (frame callbacks off, one shared watcher)")
    per_controller: dict[int, float] = {}
    for count in counts:
        session = mock_td.install(project_folder=BENCH_FOLDER)
        project = session.root.op("project1")
        fcs = []
        for i in range(count):
            fc = build_waiting(project, i)
            session.advance()
            fc.Start()
            # mock_td hands every parameter write to every active Parameter Execute DAT, evaluating its
            # OP expression (O(controllers) per write, where TD indexes them): built controllers stop
            # listening, so building 1,000 takes minutes, not an hour. The idle frames write nothing.
            fc.op("par_execute").par.active = False
            fcs.append(fc)
        session.advance(2)
        active = sum(bool(fc.op(flow_spec.FRAME_EXECUTE_DAT).par.active.eval()) for fc in fcs)
        watcher = session.root.fetch(flow_spec.WATCH_KEY, None, search=False)
        for _ in range(100):  # a project runs for long: each controller's own code objects are warm
            watcher.tick()
        gc.collect()
        gc.disable()
        ticks = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(10):
                watcher.tick()
            ticks.append((time.perf_counter() - start) / 10)
        lopflow_us = statistics.median(ticks) / count / watcher.frames * 1e6
        start = time.perf_counter()
        session.advance(frames)
        frame_us = (time.perf_counter() - start) / frames / count * 1e6
        gc.enable()
        per_controller[count] = lopflow_us
        report.info(f"{count:5d} controllers: {active} with frame callbacks on; LOPflow {lopflow_us:.3f} us per "
                    f"controller-frame (watcher check / {watcher.frames} frames); a mock_td frame costs "
                    f"{frame_us:.2f} us per controller (its Execute DAT loop visits every inactive DAT; "
                    "TD skips them in C++)")
        del fcs, session, project
        gc.collect()
    worst = max(per_controller.values())
    flat = worst <= 3 * min(per_controller.values()) + 0.02
    report.target("A waiting controller's cost per frame", f"{worst:.3f} us (worst of N = "
                  f"{', '.join(map(str, counts))})", "<= 0.2 us, flat", worst <= 0.2 and flat,
                  "LOPflow's own work; in TD the watcher's few API calls cost about the same, the inactive "
                  "Execute DATs nothing")


def memory_per_controller(report: Report, count: int) -> None:
    gc.collect()
    tracemalloc.start(8)
    session = mock_td.install(project_folder=BENCH_FOLDER)
    project = session.root.op("project1")
    before = tracemalloc.take_snapshot()
    fcs = [build_waiting(project, i) for i in range(count)]
    session.advance()
    for fc in fcs:
        fc.Start()
    session.advance(2)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    stats = after.compare_to(before, "traceback")
    total = sum(stat.size_diff for stat in stats)
    # the innermost frame of each allocation (tracemalloc lists frames oldest first) in the components' DATs
    lopflow = sum(stat.size_diff for stat in stats if stat.traceback[-1].filename.startswith("/project1/FC"))
    report.info(f"memory per controller ({count} built): {total / count / 1024:.0f} KiB in all (mock_td's "
                f"operators, parameters and compiled DAT modules), of which {lopflow / count / 1024:.1f} KiB "
                "allocated by LOPflow's own code lines (its module objects and its state)")


# ------------------------------------------------------------------------------------------ step edits
def fill_seconds(steps: int) -> float:
    session = mock_td.install(project_folder=BENCH_FOLDER)
    flow = make_flow(session, None)
    gc.collect()
    start = time.perf_counter()
    flow.set_steps(chain(steps, -1.0))
    session.advance()
    elapsed = time.perf_counter() - start
    assert flow.fc.ext.FlowControllerExt.engine.definition.names[-1] == f"step_{steps - 1}"
    return elapsed


def label_edit(steps: int) -> dict[str, float]:
    session = mock_td.install(project_folder=BENCH_FOLDER)
    flow = make_flow(session, chain(steps, -1.0))
    fc = flow.fc
    engine = fc.ext.FlowControllerExt.engine
    session.advance()
    middle = steps // 2
    with TDCallCounter(fc) as counter:
        fc.par[f"Step{middle}label"] = "Renamed Once"
    session.advance()
    gc.collect()
    start = time.perf_counter()
    fc.par[f"Step{middle + 1}label"] = "Renamed Twice"
    elapsed = time.perf_counter() - start
    session.advance()
    rows = list(fc.ext.FlowControllerExt._steps.rows)  # the rows as the adapter loads them (every field)
    rows[middle + 2] = ("Renamed Thrice", *rows[middle + 2][1:])
    start = time.perf_counter()
    engine.load_rows(rows)
    engine_s = time.perf_counter() - start
    session.advance()
    tracemalloc.start()
    fc.par[f"Step{middle + 3}label"] = "Renamed Again"
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"ms": elapsed * 1e3, "engine_ms": engine_s * 1e3, "calls": counter.calls, "peak": peak}


def edit_targets(report: Report) -> None:
    print("Step edits")
    seconds = fill_seconds(1000)
    report.target("Filling 1,000 steps (3,000 parameter writes, until the frame ends)", f"{seconds:.2f} s",
                  "<= 1 s", seconds <= 1.0, "most of it is mock_td's parameter machinery and the engine's reloads")
    small, big = label_edit(100), label_edit(10_000)
    adapter_ms = big["ms"] - big["engine_ms"]
    report.target("Editing one label of a 10,000-step flow", f"{big['ms']:.0f} ms", "<= 20 ms", big["ms"] <= 20,
                  f"the engine's load_rows of the 10,000 rows (one changed: FlowDefinition.with_row) is "
                  f"{big['engine_ms']:.1f} ms of it; the adapter's part {max(adapter_ms, 0):.1f} ms ({big['calls']} TD calls)")
    report.target("TD calls per label edit, 100 vs 10,000 steps", f"{small['calls']} vs {big['calls']}",
                  "does not grow", big["calls"] <= small["calls"])
    ratio = big["peak"] / max(small["peak"], 1)
    report.target("Memory one label edit allocates, 100 vs 10,000 steps",
                  f"{small['peak'] / 1024:.0f} KiB vs {big['peak'] / 2**20:.1f} MiB ({ratio:.0f}x for 100x steps)",
                  "linear in the steps", ratio <= 200, "one shared Then menu: no per-step copy of every name")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--per-frame", type=int, default=1)
    parser.add_argument("--controllers", default="1,10,100,1000")
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args()
    report = Report()
    next_step_targets(report, args.rounds, args.steps, args.per_frame)
    journal_targets(report, args.rounds, args.steps)
    counts = [int(n) for n in args.controllers.split(",") if n]
    idle_targets(report, counts, args.frames)
    memory_per_controller(report, min(50, max(counts)))
    edit_targets(report)
    print(f"{len(report.lines) - report.missed} targets met, {report.missed} missed")


if __name__ == "__main__":
    main()
