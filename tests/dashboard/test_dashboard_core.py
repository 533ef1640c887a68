"""The dashboard's pure modules: the protocol, the hub (pages, coalescing, send queues, control), control
through promoted methods, and the HTTP / address rules. No TD, no sockets: plain fakes."""

from __future__ import annotations

import json
from typing import Any

import dashboard_control
import dashboard_hub
import dashboard_protocol as protocol
import dashboard_web
import flowdashboard_spec as spec
import pytest
from hypothesis import given
from hypothesis import strategies as st


class FakeWire:
    """What the hub sends and closes, per client; the clock is set by hand."""

    def __init__(self) -> None:
        self.sent: dict[str, list[dict[str, Any]]] = {}
        self.closed: list[str] = []
        self.now = 0.0
        self.performed: list[tuple[str, str, dict[str, Any], str]] = []

    def send(self, client: str, text: str) -> None:
        self.sent.setdefault(client, []).append(json.loads(text))

    def close(self, client: str) -> None:
        self.closed.append(client)

    def perform(self, flow: str, action: str, args: dict[str, Any], source: str) -> tuple[bool, Any]:
        self.performed.append((flow, action, args, source))
        return True, None

    def of(self, client: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.sent.get(client, []) if kind is None or m["type"] == kind]


def make_hub(wire: FakeWire, **settings: Any) -> dashboard_hub.DashboardHub:
    values = {"machine": "stage", "token": "s3cret", "window": 8, "client_timeout": 5.0, "rate": 1000.0}
    values.update(settings)
    return dashboard_hub.DashboardHub(wire.send, wire.close, wire.perform, lambda: wire.now,
                                      dashboard_hub.Settings(**values))


def payload(step: str, history: int = 0) -> dict[str, Any]:
    return {"name": "show", "status": "Running", "step": {"index": 0, "name": step, "label": step},
            "history": [{"event": "step_enter", "n": i} for i in range(history)]}


# ------------------------------------------------------------------------------------ protocol
@pytest.mark.parametrize(("text", "reason"), [
    ("{not json", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"type": "shout"}', "unknown message type"),
    ('{"type": "ack", "seq": -1}', "whole number seq"),
    ('{"type": "ack", "seq": true}', "whole number seq"),
    ('{"type": "control", "action": "explode", "flow": "/f"}', "unknown action 'explode'"),
    ('{"type": "control", "action": "goto", "flow": "/f"}', "goto needs args.step"),
    ('{"type": "control", "action": "next", "flow": ""}', "flow must name"),
    ('{"type": "control", "action": "next", "flow": "/f", "token": 5}', "token must be text"),
    ('{"type": "control", "action": "next", "flow": "/f", "args": {"expect": 3}}', "args.expect must be"),
    ('{"type": "control", "action": "stop", "flow": "/f", "args": {"force": 1}}', "stop takes no args force"),
    ('{"type": "control", "action": "stop", "flow": "/f", "id": {"a": 1}}', "id must be"),
    (b"bytes", "only text"),
    ("x" * 5000, "message too large (5000 bytes; the limit is 4096)"),
    ("[" * 3000 + "]" * 3000, "message too large"),
])
def test_parse_client_refuses_with_a_reason(text: Any, reason: str) -> None:
    message, why = protocol.parse_client(text, 4096)
    assert message is None and reason in why


def test_parse_client_reads_acks_and_controls() -> None:
    ack, _ = protocol.parse_client('{"type": "ack", "seq": 12}', 4096)
    assert ack is not None and ack.type == "ack" and ack.seq == 12
    text = json.dumps({"type": "control", "id": 7, "token": "t", "flow": "/p/fc", "action": "signal",
                       "args": {"name": "visitor", "payload": {"x": [1, 2]}}})
    control, why = protocol.parse_client(text, 4096)
    assert why == "" and control is not None
    assert (control.action, control.flow, control.token, control.id) == ("signal", "/p/fc", "t", 7)
    assert control.args == {"name": "visitor", "payload": {"x": [1, 2]}}


@given(st.text(max_size=300) | st.binary(max_size=50) | st.integers())
def test_parse_client_never_raises(text: Any) -> None:
    message, why = protocol.parse_client(text, 256)
    assert (message is None) == bool(why)


def test_flow_body_keeps_the_newest_history_events_and_with_seq_puts_seq_first() -> None:
    body = protocol.flow_body("stage", "/p/fc", payload("intro", history=10), history_tail=3)
    decoded = json.loads(protocol.with_seq(5, body))
    assert decoded["seq"] == 5 and decoded["machine"] == "stage" and decoded["key"] == "/p/fc"
    assert [e["n"] for e in decoded["flow"]["history"]] == [7, 8, 9]


# ------------------------------------------------------------------------------------ hub: pushing
def test_a_page_gets_hello_then_every_flow_and_then_only_changes() -> None:
    wire = FakeWire()
    hub = make_hub(wire)
    hub.flow_changed("/p/a", payload("intro"))
    hub.flush()
    hub.open("c1")
    kinds = [m["type"] for m in wire.of("c1")]
    assert kinds == ["hello", "flow"]
    hello = wire.of("c1", "hello")[0]
    assert hello["machine"] == "stage" and hello["control"] is True and hello["seq"] == 1
    hub.flush()
    hub.flush()
    assert len(wire.of("c1")) == 2  # nothing changed: nothing sent
    assert not hub.due


def test_many_changes_in_one_frame_are_one_message_per_flow() -> None:
    wire = FakeWire()
    hub = make_hub(wire)
    hub.open("c1")
    for step in ("a", "b", "c", "d"):
        hub.flow_changed("/p/one", payload(step))
        hub.flow_changed("/p/two", payload(step))
    assert hub.due
    hub.flush()
    flows = wire.of("c1", "flow")
    assert len(flows) == 2
    assert {m["key"]: m["flow"]["step"]["name"] for m in flows} == {"/p/one": "d", "/p/two": "d"}
    assert [m["seq"] for m in wire.of("c1")] == [1, 2, 3]


def test_an_unexposed_flow_is_removed_once() -> None:
    wire = FakeWire()
    hub = make_hub(wire)
    hub.open("c1")
    hub.flow_changed("/p/a", payload("x"))
    hub.flush()
    hub.flow_changed("/p/a", None)
    hub.flush()
    hub.flow_changed("/p/a", None)
    hub.flush()
    assert [m["type"] for m in wire.of("c1")] == ["hello", "flow", "removed"]
    assert hub.flows == []


def test_a_page_that_stops_reading_waits_then_is_dropped_with_a_note() -> None:
    wire = FakeWire()
    hub = make_hub(wire, window=4, client_timeout=5.0)
    hub.open("slow")
    hub.open("fast")
    for frame in range(50):
        wire.now = frame / 60
        for key in ("/p/a", "/p/b", "/p/c"):
            hub.flow_changed(key, payload(f"s{frame}"))
        hub.flush()
        fast = wire.of("fast")
        hub.receive("fast", json.dumps({"type": "ack", "seq": fast[-1]["seq"]}))
    assert len(wire.of("slow")) == 4  # the window: hello + 3 flows, then nothing more
    assert hub.queued("slow") == 3  # one waiting message per flow, never more
    assert wire.of("fast")[-1]["flow"]["step"]["name"] == "s49"
    wire.now = 6.0
    hub.flush()
    assert "slow" in wire.closed and "fast" not in wire.closed
    assert wire.of("slow")[-1]["type"] == "note" and "read nothing" in wire.of("slow")[-1]["text"]
    assert hub.dropped == 1 and hub.clients == ["fast"]


def test_acknowledging_releases_the_waiting_messages_newest_state_only() -> None:
    wire = FakeWire()
    hub = make_hub(wire, window=2)
    hub.open("c1")  # hello: 1 unacknowledged
    for step in ("a", "b", "c"):
        hub.flow_changed("/p/x", payload(step))
        hub.flow_changed("/p/y", payload(step))
        hub.flush()
    assert [m["type"] for m in wire.of("c1")] == ["hello", "flow"]
    hub.receive("c1", json.dumps({"type": "ack", "seq": 2}))
    last = wire.of("c1", "flow")
    assert [(m["key"], m["flow"]["step"]["name"]) for m in last] == [("/p/x", "a"), ("/p/y", "c"), ("/p/x", "c")]
    assert not hub.due


@given(st.lists(st.tuples(st.sampled_from(["change", "ack", "flush", "tick"]), st.integers(0, 5)), max_size=80),
       st.integers(2, 6))
def test_send_queues_stay_bounded_and_end_with_the_newest_state(ops: list[tuple[str, int]], window: int) -> None:
    wire = FakeWire()
    hub = make_hub(wire, window=window, client_timeout=1e9)
    hub.open("c1")
    keys = [f"/p/{i}" for i in range(4)]
    latest: dict[str, str] = {}
    counter = 0
    acked = 0
    for op, arg in ops:
        if op == "change":
            counter += 1
            key = keys[arg % len(keys)]
            latest[key] = f"s{counter}"
            hub.flow_changed(key, payload(latest[key]))
        elif op == "ack":
            acked = wire.of("c1")[-1]["seq"]
            hub.receive("c1", json.dumps({"type": "ack", "seq": acked}))
        elif op == "flush":
            before = len(wire.of("c1"))
            hub.flush()
            assert len(wire.of("c1")) - before <= len(keys)
        else:
            wire.now += 0.1
        assert hub.queued("c1") <= len(keys)  # one waiting message per flow at most
        assert wire.of("c1")[-1]["seq"] - acked <= window  # never more unacknowledged than the window
    hub.flush()
    for _ in range(len(keys) + 2):
        seen = wire.of("c1")
        hub.receive("c1", json.dumps({"type": "ack", "seq": seen[-1]["seq"]}))
    shown = {m["key"]: m["flow"]["step"]["name"] for m in wire.of("c1", "flow")}
    assert shown == latest


# ------------------------------------------------------------------------------------ hub: control
def control(flow: str = "/p/a", token: str = "s3cret", action: str = "next", **args: Any) -> str:
    return json.dumps({"type": "control", "id": 1, "token": token, "flow": flow, "action": action, "args": args})


def test_control_needs_the_token_and_an_exposed_flow() -> None:
    wire = FakeWire()
    hub = make_hub(wire)
    hub.flow_changed("/p/a", payload("x"))
    hub.flush()
    hub.open("c1")
    hub.receive("c1", control(token="guess"))
    hub.receive("c1", control(token=""))
    hub.receive("c1", control(flow="/p/other"))
    hub.receive("c1", control(expect="x"))
    replies = wire.of("c1", "reply")
    assert [r["ok"] for r in replies] == [False, False, False, True]
    assert replies[0]["error"] == "refused: wrong token" and "no exposed flow '/p/other'" in replies[2]["error"]
    assert wire.performed == [("/p/a", "next", {"expect": "x"}, "dashboard:c1")]
    assert hub.rejected == 3 and hub.controls == 1


def test_an_empty_token_makes_the_dashboard_read_only() -> None:
    wire = FakeWire()
    hub = make_hub(wire, token="")
    hub.flow_changed("/p/a", payload("x"))
    hub.flush()
    hub.open("c1")
    assert wire.of("c1", "hello")[0]["control"] is False
    hub.receive("c1", control(token=""))
    assert "read-only" in wire.of("c1", "reply")[0]["error"] and wire.performed == []


def test_bad_messages_are_answered_and_counted_and_a_flood_is_cut_off() -> None:
    wire = FakeWire()
    hub = make_hub(wire, rate=10.0)
    hub.open("c1")
    for text in ("nope", '{"type": "control", "action": "x", "flow": "/f"}', "y" * 10_000):
        hub.receive("c1", text)
    errors = [m["reason"] for m in wire.of("c1", "error")]
    assert errors[0].startswith("not JSON") and "unknown action" in errors[1] and "too large" in errors[2]
    for _ in range(spec.FLOOD_LIMIT + 20):
        hub.receive("c1", '{"type": "ack", "seq": 0}')
    errors = [m["reason"] for m in wire.of("c1", "error")]
    assert sum("too many messages" in e for e in errors) == 1  # said once, not once per message
    assert wire.closed == ["c1"] and "more than" in wire.of("c1")[-1]["text"]
    assert hub.rejected >= spec.FLOOD_LIMIT and hub.dropped == 1


def test_a_page_that_reads_no_replies_is_dropped() -> None:
    wire = FakeWire()
    hub = make_hub(wire, window=4)
    hub.open("c1")
    for _ in range(20):
        hub.receive("c1", "junk")
    assert wire.closed == ["c1"] and len(wire.of("c1")) <= 4 * 4 + 2


def test_a_perform_that_raises_is_a_refusing_reply() -> None:
    wire = FakeWire()

    def boom(*args: Any) -> tuple[bool, Any]:
        raise RuntimeError("kaput")

    hub = dashboard_hub.DashboardHub(wire.send, wire.close, boom, lambda: 0.0, dashboard_hub.Settings(token="t"))
    hub.flow_changed("/p/a", payload("x"))
    hub.flush()
    hub.open("c1")
    hub.receive("c1", control(token="t"))
    assert wire.of("c1", "reply")[0]["error"] == "failed: RuntimeError: kaput"


# ------------------------------------------------------------------------------------ control
class Controller:
    """A FlowController stand-in with the promoted methods the test gives it."""

    def __init__(self, step: str = "intro") -> None:
        self.CurrentStepName = step
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def NextStep(self, source: str = "api") -> None:  # noqa: N802
        self.calls.append(("NextStep", (), {"source": source}))
        self.CurrentStepName = "after"

    def Start(self) -> None:  # noqa: N802
        self.calls.append(("Start", (), {}))

    def GoToStep(self, name: str) -> None:  # noqa: N802
        if name == "nowhere":
            raise type("FlowError", (RuntimeError,), {})("Can't GoToStep: no step named 'nowhere'")
        self.calls.append(("GoToStep", (name,), {}))


def test_next_with_expect_advances_once_when_two_operators_press_go() -> None:
    controller = Controller("intro")
    first = dashboard_control.perform(controller, "next", {"expect": "intro"}, "dashboard:a")
    second = dashboard_control.perform(controller, "next", {"expect": "intro"}, "dashboard:b")
    assert first == (True, None)
    assert second[0] is False and "at 'after', not 'intro'" in second[1]
    assert controller.calls == [("NextStep", (), {"source": "dashboard:a"})]


def test_next_uses_the_controllers_own_expect_guard_when_it_has_one() -> None:
    class Guarded(Controller):
        def NextStep(self, expect: str | None = None, source: str = "api") -> bool:  # noqa: N802
            self.calls.append(("NextStep", (), {"expect": expect, "source": source}))
            return expect == self.CurrentStepName

    controller = Guarded("review")
    assert dashboard_control.perform(controller, "next", {"expect": "review"}, "dashboard:a") == (True, True)
    ok, why = dashboard_control.perform(controller, "next", {"expect": "draft"}, "dashboard:a")
    assert not ok and "ignored" in why
    assert controller.calls[0] == ("NextStep", (), {"expect": "review", "source": "dashboard:a"})


def test_missing_methods_are_not_supported_and_errors_are_reasons() -> None:
    controller = Controller()
    for action in ("pause", "resume", "back", "signal"):
        ok, why = dashboard_control.perform(controller, action, {"name": "x"}, "dashboard:a")
        assert not ok and why.startswith(f"{action} is not supported by this FlowController")
    assert dashboard_control.perform(controller, "goto", {"step": "nowhere"}, "s") == (
        False, "Can't GoToStep: no step named 'nowhere'")
    assert dashboard_control.perform(controller, "start", {}, "s") == (True, None)
    assert controller.calls == [("Start", (), {})]  # Start() takes no source: none is passed


# ------------------------------------------------------------------------------------ web
@pytest.mark.parametrize(("setting", "client", "server", "ok"), [
    ("127.0.0.1", "127.0.0.1:5000", "127.0.0.1:9980", True),
    ("127.0.0.1", "[::1]:5000", None, True),
    ("127.0.0.1", "192.168.1.20:5000", "192.168.1.5:9980", False),
    ("localhost", "10.0.0.2:1", None, False),
    ("0.0.0.0", "192.168.1.20:5000", "192.168.1.5:9980", True),
    ("", "8.8.8.8:1", None, True),
    ("192.168.1.5", "192.168.1.20:5000", "192.168.1.5:9980", True),
    ("192.168.1.5", "10.0.0.7:5000", "10.0.0.3:9980", False),
    ("192.168.1.5", "10.0.0.7:5000", None, True),
])
def test_the_address_rule(setting: str, client: str, server: str | None, ok: bool) -> None:
    assert dashboard_web.allowed(setting, client, server)[0] is ok


def test_http_routes() -> None:
    def respond(uri: str, method: str = "GET", permitted: tuple[bool, str] = (True, "")) -> dict[str, Any]:
        response = {"statusCode": 404, "statusReason": "Not Found", "data": ""}
        return dashboard_web.respond({"method": method, "uri": uri}, response, lambda: "<html>page</html>",
                                     lambda: '{"flows": {}}', permitted)

    page = respond("/")
    assert page["statusCode"] == 200 and page["data"] == "<html>page</html>"
    assert page["Content-Type"].startswith("text/html")
    assert respond("/flows.json")["data"] == '{"flows": {}}'
    assert respond("/secret")["statusCode"] == 404
    assert respond("/", "POST")["statusCode"] == 405
    refused = respond("/", permitted=(False, "only this machine"))
    assert refused["statusCode"] == 403 and refused["data"] == "only this machine"
