"""FlowDashboard under load on mock_td: 20 exposed flows, 50 connected pages (issue 14).

Target: with 50 pages connected and 20 flows exposed (with details), a frame in which nothing changes
costs TD at most 1 ms. The pages are real WebSocket clients (the ``websockets`` package, each on its own
thread, acknowledging what they read as the page does); the flows are built FlowControllers waiting in a
step. Frames are played one by one and timed with ``time.perf_counter``:

- ``baseline``: the same 20 flows, no dashboard;
- ``idle``: the dashboard serving 50 pages, nothing changing (the target);
- ``one flow per frame`` / ``all flows per frame``: one or all 20 flows change every frame (each change
  is one message per page per frame; shown, no target);
- the dashboard's own part of an idle frame is the difference to the baseline. mock_td is Python where
  TD is C++, so the mock's own frame work (its Web Server DAT looking at an empty inbox, Execute DATs) is
  in both figures.

Timed loops run with the garbage collector off. Run: ``python3 benchmarks/bench_dashboard.py
[--pages 50] [--flows 20] [--frames 600]``. Asserts nothing; prints each figure with the target.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from websockets.sync.client import connect  # noqa: E402

import mock_td  # noqa: E402
from lopflow.headless import DashboardOptions, expose, load_flow, serve_dashboard  # noqa: E402

TARGET_MS = 1.0
FLOW = """name = "Flow {n}"
[[steps]]
label = "Wait A"
duration = -1
[[steps]]
label = "Wait B"
duration = -1
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Page(threading.Thread):
    """A page: reads every message and acknowledges the newest at most every 100 ms, as the page's script does."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.ws = connect(f"ws://127.0.0.1:{port}/", open_timeout=10, ping_interval=None, max_size=None).__enter__()
        self.received = 0

    def run(self) -> None:
        acked_at = 0.0
        try:
            for text in self.ws:
                seq = json.loads(text)["seq"]
                self.received += 1
                if time.monotonic() - acked_at >= 0.1:
                    acked_at = time.monotonic()
                    self.ws.send(json.dumps({"type": "ack", "seq": seq}))
        except Exception:  # noqa: BLE001 - closed at the end
            pass


def frame_times(session: Any, frames: int, each: Any = None) -> list[float]:
    times = []
    gc.disable()
    try:
        for frame in range(frames):
            if each is not None:
                each(frame)
            start = time.perf_counter()
            session.advance(1)
            times.append((time.perf_counter() - start) * 1000.0)
            time.sleep(0.0005)  # let the page threads read (as the network does between TD's frames)
    finally:
        gc.enable()
    return times


def describe(name: str, times: list[float], target: float | None = None) -> str:
    mean = statistics.fmean(times)
    p99 = sorted(times)[int(len(times) * 0.99) - 1]
    text = f"{name:<28} mean {mean:6.3f} ms   median {statistics.median(times):6.3f} ms   p99 {p99:6.3f} ms"
    if target is not None:
        text += f"   target <= {target:g} ms: {'met' if mean <= target else 'MISSED'}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--flows", type=int, default=20)
    parser.add_argument("--frames", type=int, default=600)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_dashboard_"))
    session = mock_td.install(project_folder=str(folder))
    controllers = []
    for n in range(args.flows):
        path = folder / f"flow{n}.toml"
        path.write_text(FLOW.format(n=n), encoding="utf-8")
        controllers.append(expose(load_flow(session, path, mode="embedded")))
    for controller in controllers:
        controller.Start()
    session.advance(10)
    print(f"{args.flows} flows exposed (with details), each waiting in a step; {args.frames} frames per figure")
    baseline = frame_times(session, args.frames)
    port = free_port()
    dashboard = serve_dashboard(session, DashboardOptions(port), mode="embedded")
    pages = []
    for _ in range(args.pages):
        page = Page(port)
        page.start()
        pages.append(page)
    deadline = time.monotonic() + 30
    while (len(dashboard.Connections) < args.pages or min(p.received for p in pages) < args.flows + 1) \
            and time.monotonic() < deadline:
        session.advance(1)
        time.sleep(0.002)
    print(f"{len(dashboard.Connections)} pages connected, each sent {args.flows + 1} messages (hello, flows)")
    sent_before = dashboard.Stats["sent"]
    idle = frame_times(session, args.frames) + frame_times(session, args.frames)
    idle_sent = dashboard.Stats["sent"] - sent_before
    frame_work = dashboard.op("frame_execute").par.active.eval()
    one = frame_times(session, args.frames, lambda f: controllers[f % len(controllers)].GoToStep(
        "wait_b" if f % 2 == 0 else "wait_a"))
    every = frame_times(session, min(args.frames, 200), lambda f: [c.GoToStep("wait_b" if f % 2 == 0 else "wait_a")
                                                                   for c in controllers])
    print(describe("baseline (no dashboard)", baseline))
    print(describe(f"idle, {args.pages} pages", idle, TARGET_MS))
    print(f"{'':<28} difference to the baseline: {statistics.fmean(idle) - statistics.fmean(baseline):+.3f} ms a frame; "
          f"messages sent while idle: {idle_sent}; dashboard frame callback on: {frame_work}")
    print(describe("one flow changes per frame", one))
    print(describe(f"all {args.flows} flows change per frame", every))
    print(f"{'':<28} (each changing flow: one message per page per frame; "
          f"{dashboard.Stats['sent']} messages in all, {dashboard.Stats['dropped']} pages dropped)")
    dashboard.par.Active = False
    session.advance(1)


if __name__ == "__main__":
    main()
