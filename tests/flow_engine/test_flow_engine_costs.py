"""What the engine's work grows with, counted in operations (never timed): steps per frame, value sizes,
callbacks nobody handles; and the runaway guard's time budget, on an injected clock."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import flow_callbacks
import flow_engine
import flow_payloads
import flow_steps
import pytest
from flow_engine import FlowStatus


class CountingName(str):
    """A step name that counts how often it is compared or hashed (a list scan compares every item)."""

    operations = 0

    def __eq__(self, other: object) -> bool:
        CountingName.operations += 1
        return str.__eq__(self, other)

    def __hash__(self) -> int:
        CountingName.operations += 1
        return str.__hash__(self)


def name_operations_per_transition(monkeypatch: pytest.MonkeyPatch, steps: int) -> float:
    """Name comparisons and hashes per step change while ``steps`` distinct instant steps run in one frame."""
    plain = flow_steps.step_name
    monkeypatch.setattr(flow_steps, "step_name", lambda label: CountingName(plain(label)))
    definition = flow_steps.FlowDefinition.from_rows([(f"S{i}", 0) for i in range(steps)])
    engine = flow_engine.FlowEngine(definition, now=lambda: 0.0, frame=lambda: 1,
                                    max_transitions_per_frame=10 * steps, frame_budget_ms=None)
    CountingName.operations = 0
    engine.start()
    assert engine.state.status is FlowStatus.COMPLETED and engine.history.events("runaway") == []
    return CountingName.operations / steps


def test_a_step_change_costs_the_same_however_many_steps_ran_in_the_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    few = name_operations_per_transition(monkeypatch, 10)
    many = name_operations_per_transition(monkeypatch, 2000)
    assert many <= few + 0.5


class CountingMapping(Mapping[str, int]):
    """A large read-only mapping that counts the keys and values read from it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.reads = 0

    def __getitem__(self, key: str) -> int:
        self.reads += 1
        return int(key[1:])

    def __iter__(self) -> Iterator[str]:
        for i in range(self.size):
            self.reads += 1
            yield f"k{i}"

    def __len__(self) -> int:
        return self.size


class CountingList(list[int]):
    """A large list that counts the items iterated."""

    reads = 0

    def __iter__(self) -> Iterator[int]:
        for item in super().__iter__():
            CountingList.reads += 1
            yield item


def test_set_of_a_huge_value_reads_a_bounded_part_of_it(harness: Any) -> None:
    h = harness([("A", -1)])
    h.engine.start()
    mapping = CountingMapping(200_000)
    h.engine.set("big", mapping)
    assert mapping.reads <= 100
    CountingList.reads = 0
    h.engine.set("list", CountingList(range(200_000)))
    assert CountingList.reads <= 100
    assert [info["value"] for name, info in h.calls if name == "onContextChange"][0] is mapping
    assert h.engine.get("big") is mapping


def test_history_keeps_a_bounded_summary_of_a_big_value_and_says_so(harness: Any) -> None:
    h = harness([("A", -1)])
    h.engine.start()
    h.engine.set("big", {f"key{i}": i for i in range(200_000)})
    h.engine.set("text", "x" * 1_000_000)
    big, text = h.engine.history.events("context_set")[-2:]
    assert big.data["truncated"] == ["value"] and text.data["truncated"] == ["value"]
    assert big.data["value"].startswith("{'key0': 0, 'key1': 1") and big.data["value"].endswith("...")
    assert len(big.data["value"]) <= 200 and len(text.data["value"]) <= 200
    h.engine.update(list(range(1000)))
    h.engine.finish("y" * 5000)
    update, finish = h.engine.history.events("update")[-1], h.engine.history.events("flow_finish")[-1]
    assert update.data["truncated"] == ["step_data"] and finish.data["truncated"] == ["result"]
    assert h.engine.last_result == "y" * 5000


def test_history_shows_a_small_value_as_it_was_when_set(harness: Any) -> None:
    h = harness([("A", -1)])
    h.engine.start()
    value = {"score": [1, 2], "name": "ann"}
    h.engine.set("player", value)
    value["score"].append(3)
    event = h.engine.history.events("context_set")[-1]
    assert event.data["value"] == {"score": [1, 2], "name": "ann"} and "truncated" not in event.data


def test_no_payload_is_built_for_a_callback_nobody_handles(monkeypatch: pytest.MonkeyPatch, harness: Any) -> None:
    built: list[str] = []
    for name in ("step_enter", "step_exit", "next_step", "wait", "route", "step_end_alert"):
        original = getattr(flow_payloads, name)
        monkeypatch.setattr(flow_payloads, name,
                            lambda *args, _name=name, _original=original: built.append(_name) or _original(*args))
    dispatcher = flow_callbacks.CallbackDispatcher(lookup=lambda name: None)
    engine = flow_engine.FlowEngine(flow_steps.FlowDefinition.from_rows(
        [("A", 0), ("B", 0, "='c'"), ("C", -1)]), now=lambda: 0.0, frame=lambda: 1, dispatcher=dispatcher)
    engine.start()
    assert engine.current_step_name == "c" and built == []
    dispatcher.assign("onStepEnter", lambda info: None)
    engine.start()
    assert built == ["step_enter"] * 3


def test_fire_builds_the_payload_only_for_a_handled_callback() -> None:
    calls: list[str] = []

    def build(tag: str) -> dict[str, Any]:
        calls.append(tag)
        return {"tag": tag}

    dispatcher = flow_callbacks.CallbackDispatcher(lookup=lambda name: (lambda info: 7) if name == "onStepExit" else None)
    assert dispatcher.fire("onStepEnter", build, "enter") is None and calls == []
    assert not dispatcher.handles("onStepEnter") and dispatcher.handles("onStepExit")
    info = dispatcher.fire("onStepExit", build, "exit")
    assert info is not None and info["tag"] == "exit" and info["returnValue"] == 7 and calls == ["exit"]
    dispatcher.assign("onStepEnter", lambda info: "assigned")
    assert dispatcher.handles("onStepEnter")
    assert (dispatcher.fire("onStepEnter", build, "enter") or {})["returnValue"] == "assigned"


class SlowClock:
    """A budget clock that moves ``step_ms`` every time it is read."""

    def __init__(self, step_ms: float) -> None:
        self.now = 0.0
        self.step = step_ms / 1000

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_an_instant_loop_stops_at_the_time_budget_and_records_the_runaway(harness: Any) -> None:
    h = harness([("A", 0), ("B", 0, "a")], max_transitions_per_frame=10**6, frame_budget_ms=1.0,
                budget_clock=SlowClock(0.1))
    h.engine.start()
    first = len(h.entered())
    assert 3 <= first <= 12  # about 1 ms of budget-clock reads 0.1 ms apart
    (runaway,) = h.engine.history.events("runaway")
    assert runaway.data["reason"] == "time" and runaway.data["budget_ms"] == 1.0
    assert runaway.data["steps"] == ["a", "b"] and "budget 1 ms" in runaway.data["message"]
    h.advance(frames=1)
    second = len(h.entered()) - first
    assert 1 <= second <= 12 and h.engine.runaways == 2
    assert h.engine.state.status is FlowStatus.RUNNING


def test_an_instant_loop_is_held_to_the_time_budget_before_it_goes_round_once(harness: Any) -> None:
    rows = [*[(f"S{i}", 0) for i in range(29)], ("S29", 0, "s0")]
    h = harness(rows, max_transitions_per_frame=10**6, frame_budget_ms=1.0, budget_clock=SlowClock(0.1))
    h.engine.start()
    assert len(h.entered()) <= 12 and h.engine.runaways == 1


def test_a_loop_driven_by_callbacks_is_held_to_the_time_budget_too(harness: Any) -> None:
    h = harness([("A", -1), ("B", -1, "a")], max_transitions_per_frame=10**6, frame_budget_ms=1.0,
                budget_clock=SlowClock(0.1))
    h.dat["onStepEnter"] = lambda info: h.engine.next_step()
    h.engine.start()
    assert 3 <= len(h.entered()) <= 14  # a, b, then a again: a loop; then about 1 ms of budget
    assert h.engine.history.events("runaway")[0].data["reason"] == "time"


def test_a_flow_that_does_not_loop_never_depends_on_the_clock(harness: Any) -> None:
    rows = [(f"S{i}", 0) for i in range(50)]
    h = harness(rows, frame_budget_ms=1.0, budget_clock=SlowClock(5.0))  # every read: 5 ms later
    h.engine.start()
    assert h.engine.state.status is FlowStatus.COMPLETED and len(h.entered()) == 50
    assert h.engine.runaways == 0


def test_separate_calls_in_one_frame_do_not_share_the_time_budget(harness: Any) -> None:
    h = harness([("A", -1, "a")], frame_budget_ms=1.0, budget_clock=SlowClock(0.4), go_debounce=None)
    h.engine.start()
    for _ in range(20):  # one frame, twenty NextStep calls (no GO guard): each re-enters 'a' once
        h.engine.next_step()
    assert len(h.entered()) == 21 and h.engine.runaways == 0


@pytest.mark.parametrize("value", [0, -1.0, True, "soon"])
def test_a_bad_frame_budget_is_refused(value: Any) -> None:
    with pytest.raises(ValueError, match="frame_budget_ms"):
        flow_engine.FlowEngine(now=lambda: 0.0, frame=lambda: 0, frame_budget_ms=value)
