"""The FlowDashboard component on mock_td: built by the builder, serving real sockets, pushing exposed flows'
state on change, steering them through their promoted methods with a token, and shrugging off bad pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import build_toxes
import flow_spec
import flowdashboard_spec
import pytest
from dashboard_helpers import Page, build_dashboard, free_port, http, pump

from lopflow.headless import build_tdasyncio, load_flow
from lopflow.repo import REPO_ROOT

SHOW = """name = "{name}"
[[steps]]
label = "Intro"
duration = -1
[[steps]]
label = "Review"
duration = -1
[[steps]]
label = "Outro"
duration = -1
"""


def make_flow(session: Any, tmp_path: Path, name: str = "Show", exposed: bool = True, details: bool = True) -> Any:
    path = tmp_path / f"{name.lower()}.toml"
    path.write_text(SHOW.format(name=name), encoding="utf-8")
    flow = load_flow(session, path, mode="embedded")
    flow.par.Exposeprocess = exposed
    flow.par.Exposeflowdetails = details
    return flow


def flows_of(page: Page, key: str) -> list[dict[str, Any]]:
    return [m for m in page.seen if isinstance(m, dict) and m.get("type") == "flow" and m["key"] == key]


def control(token: str, flow: Any, action: str = "next", ident: int = 1, **args: Any) -> dict[str, Any]:
    return {"type": "control", "id": ident, "token": token, "flow": flow.path, "action": action, "args": args}


def idle(session: Any, frames: int = 5) -> None:
    """Let worker threads deliver what is in flight (frames paced like real time, 2 ms apart)."""
    import time

    for _ in range(frames):
        session.advance(1)
        time.sleep(0.002)


@pytest.fixture
def port() -> int:
    return free_port()


def test_the_built_component(td_session) -> None:
    dash = build_toxes.build_flow_dashboard(td_session.root.op("project1"), repo_folder=str(REPO_ROOT))
    children = {child.name: child.OPType for child in dash.children}
    assert children["webserver"] == "webserverDAT" and children["dashboard_page"] == "textDAT"
    assert children["frame_execute"] == "executeDAT" and children["webserver_callbacks"] == "textDAT"
    assert "webserver_callbacks1" not in children and not dash.op("webserver").docked  # TD's own template DAT removed
    server = dash.op("webserver")
    assert server.par.callbacks.eval() is dash.op("webserver_callbacks")
    assert server.par.port.expr == "parent().par.Port" and server.par.active.eval() is False
    html = (REPO_ROOT / "ext" / "FlowDashboard" / "dashboard_page.html").read_text(encoding="utf-8")
    assert dash.op("dashboard_page").text == html
    td_session.advance(1)
    assert dash.par.Status.eval().startswith("Off") and dash.op("frame_execute").par.active.eval() is False
    assert flowdashboard_spec.DASHBOARD_KEY == flow_spec.DASHBOARD_KEY


def test_it_serves_the_page_and_the_exposed_flows_only(td_session, tmp_path, port) -> None:
    shown = make_flow(td_session, tmp_path, "Show")
    make_flow(td_session, tmp_path, "Hidden", exposed=False)
    dash = build_dashboard(td_session, port)
    status, headers, body = http(td_session, f"http://127.0.0.1:{port}/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"LOPflow" in body
    status, _, body = http(td_session, f"http://127.0.0.1:{port}/flows.json")
    data = json.loads(body)
    assert data["machine"] == "stage" and list(data["flows"]) == [shown.path]
    assert data["flows"][shown.path]["name"] == "Show"
    assert http(td_session, f"http://127.0.0.1:{port}/etc/passwd")[0] == 404
    assert http(td_session, f"http://127.0.0.1:{port}/", method="POST", body=b"x")[0] == 405
    dash.par.Address = "10.9.8.7"  # one interface of the machine: requests to 127.0.0.1 are not answered
    status, _, body = http(td_session, f"http://127.0.0.1:{port}/")
    assert status == 403 and b"10.9.8.7" in body and dash.par.Rejected.eval() == 1
    assert dash.par.Status.eval().startswith(f"Serving http://10.9.8.7:{port}/")


def test_state_is_pushed_on_change_once_per_flow_per_frame_and_never_when_idle(td_session, tmp_path, port) -> None:
    flow = make_flow(td_session, tmp_path)
    dash = build_dashboard(td_session, port, token="t0k")
    page = Page(port)
    hello = page.wait_for(td_session, lambda m: m["type"] == "hello")
    assert hello["machine"] == "stage" and hello["control"] is True
    first = page.wait_for(td_session, lambda m: m["type"] == "flow")
    assert first["key"] == flow.path and first["flow"]["status"] == "Ready" and "graph" in first["flow"]
    flow.Start()
    flow.GoToStep("review")
    flow.GoToStep("outro")  # three changes in one frame ...
    shown = page.wait_for(td_session, lambda m: m["type"] == "flow" and m["flow"]["status"] == "Running")
    idle(td_session)
    page.drain()
    assert shown["flow"]["step"]["name"] == "outro" and len(flows_of(page, flow.path)) == 2  # ... one message
    idle(td_session, 30)
    assert page.drain() == []  # nothing changed: nothing sent
    page.close()
    pump(td_session, lambda: dash.par.Pages.eval() == 0)
    td_session.advance(2)
    assert dash.op("frame_execute").par.active.eval() is False  # no page, nothing due: no frame work


def test_go_with_the_token_advances_once_and_the_history_names_the_page(td_session, tmp_path, port) -> None:
    flow = make_flow(td_session, tmp_path)
    build_dashboard(td_session, port, token="t0k")
    alice, bob = Page(port), Page(port)
    for page in (alice, bob):
        page.wait_for(td_session, lambda m: m["type"] == "flow")
    flow.Start()
    assert flow.CurrentStepName == "intro"
    alice.send(control("t0k", flow, expect="intro"))
    bob.send(control("t0k", flow, expect="intro", ident=2))
    answers = [page.wait_for(td_session, lambda m: m["type"] == "reply") for page in (alice, bob)]
    assert sorted(a["ok"] for a in answers) == [False, True]
    refused = next(a for a in answers if not a["ok"])
    assert "not 'intro'" in refused["error"] or "ignored" in refused["error"]
    assert flow.CurrentStepName == "review"
    (moved,) = [e for e in flow.History if e["event"] == "next_step"]
    assert moved["source"] in (f"dashboard:{alice.address}", f"dashboard:{bob.address}")
    alice.send(control("t0k", flow, "goto", step="outro"))
    assert alice.wait_for(td_session, lambda m: m["type"] == "reply")["ok"]
    assert flow.CurrentStepName == "outro"
    alice.send(control("t0k", flow, "stop"))
    assert alice.wait_for(td_session, lambda m: m["type"] == "reply")["ok"] and not flow.IsRunning
    alice.send(control("t0k", flow, "start"))
    assert alice.wait_for(td_session, lambda m: m["type"] == "reply")["ok"] and flow.CurrentStepName == "intro"
    sources = {e["event"]: e["source"] for e in flow.History if e["event"] in ("flow_start", "flow_finish")}
    jumped = [e["source"] for e in flow.History if e["event"] == "next_step" and e["data"]["transition"] == "goto"]
    assert sources == {"flow_start": f"dashboard:{alice.address}", "flow_finish": f"dashboard:{alice.address}"}
    assert jumped == [f"dashboard:{alice.address}"]


def test_control_without_the_right_token_is_refused(td_session, tmp_path, port) -> None:
    flow = make_flow(td_session, tmp_path)
    dash = build_dashboard(td_session, port, token="t0k")
    flow.Start()
    page = Page(port)
    for token in ("", "T0K", "t0k "):
        page.send(control(token, flow, expect="intro"))
    errors = [page.wait_for(td_session, lambda m: m["type"] == "reply")["error"] for _ in range(3)]
    assert errors == ["refused: wrong token"] * 3
    dash.par.Token = ""  # read-only: even the old token is refused now
    assert page.wait_for(td_session, lambda m: m["type"] == "hello")["control"] is False
    page.send(control("t0k", flow, expect="intro"))
    assert "read-only" in page.wait_for(td_session, lambda m: m["type"] == "reply")["error"]
    assert flow.CurrentStepName == "intro" and dash.par.Rejected.eval() == 4
    assert not [e for e in flow.History if e["event"] == "next_step"]


def test_bad_input_is_answered_counted_and_never_touches_the_flow_or_the_frame(td_session, tmp_path, port) -> None:
    flow = make_flow(td_session, tmp_path)
    dash = build_dashboard(td_session, port, token="t0k", Ratelimit=20.0)
    flow.Start()
    page = Page(port)
    page.wait_for(td_session, lambda m: m["type"] == "flow")
    bad = ["{oops", "[]", json.dumps({"type": "control", "action": "selfdestruct", "flow": flow.path}),
           json.dumps(control("t0k", flow, "goto")), json.dumps(control("t0k", flow, "next") | {"flow": "/elsewhere"}),
           "z" * 100_000, b"\x00binary"]
    for message in bad:
        page.send(message)
    reasons = []
    for _ in bad:
        answer = page.wait_for(td_session, lambda m: m["type"] in ("error", "reply"))
        reasons.append(answer.get("reason") or answer.get("error"))
    assert reasons[0].startswith("not JSON") and reasons[1] == "not a JSON object"
    assert "unknown action 'selfdestruct'" in reasons[2] and "goto needs args.step" in reasons[3]
    assert "no exposed flow '/elsewhere'" in reasons[4] and "message too large (100000 bytes" in reasons[5]
    assert "binary messages are not understood" in reasons[6]
    assert dash.par.Rejected.eval() == len(bad)
    for _ in range(flowdashboard_spec.FLOOD_LIMIT + 30):  # a flood: cut off, the flow untouched
        page.send(json.dumps(control("t0k", flow, "stop")))
    pump(td_session, page.closed.is_set)
    page.drain()
    notes = [m["text"] for m in page.seen if m.get("type") == "note"]
    assert notes and "over the rate limit" in notes[0] and dash.par.Dropped.eval() == 1
    assert flow.IsRunning or flow.par.Status.eval() == "Ready"
    assert td_session.take_script_exceptions() == []


def test_a_page_that_stops_reading_is_dropped_and_costs_no_sends(td_session, tmp_path, port) -> None:
    flow = make_flow(td_session, tmp_path)
    dash = build_dashboard(td_session, port, Sendwindow=8, Clienttimeout=1.0)
    reader = Page(port, ack=True)
    sleeper = Page(port, reading=False)
    pump(td_session, lambda: dash.par.Pages.eval() == 2)
    flow.Start()
    for _ in range(40):  # 40 frames, each with a change
        flow.GoToStep("review" if flow.CurrentStepName == "intro" else "intro")
        idle(td_session, 1)

    def read_by_reader() -> int:
        reader.drain()
        return max(m["seq"] for m in reader.seen)

    # Every message carries its connection's number: what the reader did not get went to the sleeper.
    pump(td_session, lambda: dash.Stats["sent"] - read_by_reader() <= 8)
    assert dash.Stats["sent"] - read_by_reader() == 8  # the sleeper's window, then nothing: it never acknowledged
    pump(td_session, lambda: dash.par.Dropped.eval() == 1, timeout=10)
    assert "last note: dropped page" in dash.par.Status.eval() and "read nothing" in dash.par.Status.eval()
    assert dash.Connections == [reader.address] and sleeper.address not in dash.Connections


def test_unexposing_a_flow_removes_it_from_the_page(td_session, tmp_path, port) -> None:
    flow = make_flow(td_session, tmp_path)
    build_dashboard(td_session, port)
    page = Page(port)
    page.wait_for(td_session, lambda m: m["type"] == "flow")
    flow.par.Exposeprocess = False
    removed = page.wait_for(td_session, lambda m: m["type"] == "removed")
    assert removed == {"seq": removed["seq"], "type": "removed", "machine": "stage", "key": flow.path}


def test_re_initialising_the_extension_greets_connected_pages_again(td_session, tmp_path, port) -> None:
    flow = make_flow(td_session, tmp_path)
    dash = build_dashboard(td_session, port, token="t0k")
    page = Page(port)
    page.wait_for(td_session, lambda m: m["type"] == "flow")
    dash.par.reinitextensions.pulse()
    assert page.wait_for(td_session, lambda m: m["type"] == "hello")
    assert page.wait_for(td_session, lambda m: m["type"] == "flow")["key"] == flow.path
    flow.Start()
    page.send(control("t0k", flow, expect="intro"))
    assert page.wait_for(td_session, lambda m: m["type"] == "reply")["ok"] and flow.CurrentStepName == "review"


def test_a_dashboard_built_before_any_flow_finds_the_flows_later(td_session, tmp_path, port) -> None:
    dash = build_dashboard(td_session, port)
    td_session.advance(1)
    assert "no FlowController has Expose Process on yet" in dash.par.Status.eval()
    page = Page(port)
    page.wait_for(td_session, lambda m: m["type"] == "hello")
    flow = make_flow(td_session, tmp_path)
    assert page.wait_for(td_session, lambda m: m["type"] == "flow")["key"] == flow.path


def test_the_page_shows_tdasyncio_tasks(td_session, tmp_path, port) -> None:
    import asyncio

    tasks = build_tdasyncio(td_session.root.op("project1"), mode="embedded")
    make_flow(td_session, tmp_path)
    build_dashboard(td_session, port)
    page = Page(port)
    page.wait_for(td_session, lambda m: m["type"] == "flow")

    async def fetch() -> str:
        await asyncio.sleep(0)
        return "ok"

    task_id = tasks.Run(fetch(), description="fetch poems")
    row = page.wait_for(td_session, lambda m: m["type"] == "tasks" and m["tasks"])["tasks"][0]
    assert row["id"] == task_id and row["description"] == "fetch poems" and row["comp"] == tasks.path
