"""Dashboard payloads and the process-wide DashboardRegistry."""

from __future__ import annotations

import json
from typing import Any

import flow_dashboard
import pytest
from flow_dashboard import DashboardRegistry


def test_payload_is_json_with_the_basic_fields(harness: Any) -> None:
    h = harness([("One", -1), ("Two", -1)])
    h.engine.start()
    h.engine.set("obj", object())
    payload = flow_dashboard.build_payload(h.engine, "proc")
    json.dumps(payload)
    assert payload["name"] == "proc" and payload["status"] == "Running" and payload["waiting"] is True
    assert payload["step"] == {"index": 0, "name": "one", "label": "One"}
    assert payload["progress"] == 0.5 and payload["process_id"] == h.engine.process_id
    assert "context" not in payload


def test_details_add_context_history_and_graph(harness: Any) -> None:
    h = harness([("One", -1), ("Two", -1)])
    h.engine.start()
    h.engine.set("odd", {("a", 1): float("nan"), "o": object()})
    h.engine.set("score", 3)
    payload = flow_dashboard.build_payload(h.engine, "proc", details=True, history_last=2)
    assert json.loads(json.dumps(payload, allow_nan=False)) == payload  # strict JSON, no live objects
    assert payload["context"]["score"] == 3 and payload["context"]["odd"]["('a', 1)"] == "nan"
    assert len(payload["history"]) == 2 and payload["history"][-1]["event"] == "context_set"
    assert [n["id"] for n in payload["graph"]["nodes"]] == ["__start__", "one", "two", "__end__"]


def test_registry_publishes_to_subscribers_and_isolates_failures() -> None:
    errors: list[str] = []
    registry = DashboardRegistry(on_exception=lambda key, exc: errors.append(f"{key}: {exc}"))
    got: list[tuple[str, Any]] = []
    registry.subscribe(lambda key, payload: None if 1 / 0 else None)
    unsubscribe = registry.subscribe(lambda key, payload: got.append((key, payload)))
    registry.register("/project1/flow", lambda: {"status": "Ready"})
    registry.publish("/project1/flow", {"status": "Running"})
    assert got == [("/project1/flow", {"status": "Running"})]
    assert errors == ["/project1/flow: division by zero"]
    assert registry.latest("/project1/flow") == {"status": "Running"}
    assert registry.snapshot() == {"/project1/flow": {"status": "Ready"}}
    assert registry.keys() == ["/project1/flow"] and registry.is_registered("/project1/flow")
    assert registry.unregister("/project1/flow")
    assert got[-1] == ("/project1/flow", None) and not registry.unregister("/project1/flow")
    unsubscribe()
    registry.register("/b")
    registry.publish("/b", {})
    assert len(got) == 2


def test_publishing_an_unregistered_key_says_what_to_do() -> None:
    with pytest.raises(KeyError, match="call register"):
        DashboardRegistry().publish("/x", {})
    with pytest.raises(ValueError, match="non-empty string"):
        DashboardRegistry().register("")


def test_engine_listener_drives_the_registry(harness: Any) -> None:
    h = harness([("One", -1), ("Two", -1)])
    registry = DashboardRegistry()
    registry.register("/flow", lambda: flow_dashboard.build_payload(h.engine, "flow"))
    h.engine.add_listener(lambda change: registry.publish("/flow", flow_dashboard.build_payload(h.engine, "flow")))
    seen: list[str] = []
    registry.subscribe(lambda key, payload: seen.append(payload["step"]["name"] if payload else ""))
    h.engine.start()
    h.engine.next_step()
    h.engine.stop()
    assert seen == ["one", "two", ""]
