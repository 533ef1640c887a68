"""FlowHistory: a bounded ring buffer, resizable at run time."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flow_history import FlowHistory


def fill(history: FlowHistory, count: int) -> None:
    for i in range(count):
        history.record(i, i / 60, "p1", "step_enter", i, f"s{i}", "api", {"i": i})


def test_keeps_only_the_newest_events() -> None:
    history = FlowHistory(3)
    fill(history, 5)
    assert len(history) == 3 and history.total == 5 and history.dropped == 2
    assert [e["data"]["i"] for e in history.snapshot()] == [2, 3, 4]
    assert [e.seq for e in history] == [3, 4, 5]


def test_resizing_keeps_the_newest() -> None:
    history = FlowHistory(10)
    fill(history, 8)
    history.size = 2
    assert [e["frame"] for e in history.snapshot()] == [6, 7]
    history.size = 5
    fill(history, 4)
    assert len(history) == 5


def test_snapshot_has_every_field_and_is_json() -> None:
    history = FlowHistory()
    history.record(12, 0.2, "p9", "update", 1, "b", "pulse", {"data": object()})
    (event,) = history.snapshot()
    assert set(event) == {"seq", "frame", "time", "process_id", "event", "step_index", "step_name", "source", "data"}
    json.dumps(event)
    assert history.snapshot(last=0) == [] and len(history.snapshot(last=5)) == 1
    assert history.events("update")[0].step_name == "b" and history.events("other") == []


@pytest.mark.parametrize("size", [0, -1, 2.5, True])
def test_bad_sizes_are_refused(size: Any) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FlowHistory(size)


def test_clear_keeps_counting() -> None:
    history = FlowHistory()
    fill(history, 2)
    history.clear()
    fill(history, 1)
    assert len(history) == 1 and history.total == 3
