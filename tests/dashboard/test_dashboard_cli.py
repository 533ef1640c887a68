"""``lopflow run FLOW --dashboard [PORT]`` and ``lopflow dashboard FLOW``: the same component serves the page
while frames play in real time; the token comes from ``--token`` or ``LOPFLOW_DASHBOARD_TOKEN``."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from dashboard_helpers import free_port
from websockets.sync.client import connect

from lopflow.cli import EXIT_OK, EXIT_USAGE, main
from lopflow.repo import EXAMPLES_DIR

WAITING = """name = "Gallery"
[[steps]]
label = "Attract"
duration = -1
[[steps]]
label = "Visit"
duration = -1
"""


def poll_flows(port: int, seen: list[dict[str, Any]], stop: threading.Event) -> None:
    """Read /flows.json every 50 ms (from a thread, as a monitor would) until ``stop``."""
    while not stop.is_set():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/flows.json", timeout=2) as answer:
                seen.append(json.loads(answer.read()))
        except OSError:
            pass
        time.sleep(0.05)


def test_run_with_a_dashboard_serves_the_run_in_real_time() -> None:
    port = free_port()
    seen: list[dict[str, Any]] = []
    stop = threading.Event()
    watcher = threading.Thread(target=poll_flows, args=(port, seen, stop), daemon=True)
    watcher.start()
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    code = main(["run", str(EXAMPLES_DIR / "timed_steps" / "flow.toml"), "--dashboard", str(port)], out, err)
    wall = time.monotonic() - started
    stop.set()
    watcher.join(5)
    assert code == EXIT_OK, err.getvalue()
    assert f"dashboard at http://127.0.0.1:{port}/ (read-only" in err.getvalue()
    assert wall >= 2.4  # 2.5 s of TD time took (at least) 2.5 s: the frames played in real time
    steps = {flow["step"]["name"] for snapshot in seen for flow in snapshot["flows"].values()}
    assert {"fade_in", "hold", "fade_out"} <= steps  # a watcher saw each step while it ran
    with pytest.raises(OSError):  # the run is over: so is the dashboard
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_lopflow_dashboard_serves_flows_a_person_starts_and_steers(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    flow_file = tmp_path / "gallery.toml"
    flow_file.write_text(WAITING, encoding="utf-8")
    monkeypatch.setenv("LOPFLOW_DASHBOARD_TOKEN", "from-env")
    port = free_port()
    answers: list[Any] = []

    def operator() -> None:
        for _ in range(100):
            try:
                page = connect(f"ws://127.0.0.1:{port}/", open_timeout=2, ping_interval=None).__enter__()
                break
            except OSError:
                time.sleep(0.05)
        with page:
            hello = json.loads(page.recv(timeout=5))
            flow = json.loads(page.recv(timeout=5))
            answers.extend([hello, flow])
            for action in ("start", "next"):
                page.send(json.dumps({"type": "control", "id": action, "token": "from-env", "flow": flow["key"],
                                      "action": action}))
                while True:
                    message = json.loads(page.recv(timeout=5))
                    if message["type"] == "reply":
                        answers.append(message)
                        break
                    if message["type"] == "flow":
                        answers.append(message)
            while answers[-1]["type"] != "flow" or answers[-1]["flow"]["step"]["name"] != "visit":
                answers.append(json.loads(page.recv(timeout=5)))  # the state after the GO follows its reply

    person = threading.Thread(target=operator, daemon=True)
    person.start()
    err = io.StringIO()
    code = main(["dashboard", str(flow_file), "--port", str(port), "--seconds", "2"], io.StringIO(), err)
    person.join(5)
    assert code == EXIT_OK, err.getvalue()
    assert "(control with the token)" in err.getvalue() and "stopped after" in err.getvalue()
    hello, first = answers[0], answers[1]
    assert hello["control"] is True and first["flow"]["status"] == "Ready"
    replies = [m for m in answers if m["type"] == "reply"]
    assert [(r["id"], r["ok"]) for r in replies] == [("start", True), ("next", True)]
    shown = [m["flow"]["step"]["name"] for m in answers if m["type"] == "flow"]
    assert shown[-1] == "visit"


def test_a_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    flow_file = tmp_path / "gallery.toml"
    flow_file.write_text(WAITING, encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = io.StringIO()
        code = main(["dashboard", str(flow_file), "--port", str(port), "--seconds", "1"], io.StringIO(), err)
    assert code == EXIT_USAGE and f"cannot serve on port {port}" in err.getvalue()
