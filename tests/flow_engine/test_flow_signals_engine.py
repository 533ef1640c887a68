"""Signals in the engine: steps with until = signal, queued signals, payloads in the info and the context,
one signal per wait and one signal-driven step per frame, pause, journal and restore."""

from __future__ import annotations

import copy
from typing import Any

import flow_journal
import pytest
from flow_engine import FlowError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def wait_for(label: str, names: str, then: str = "next") -> tuple[Any, ...]:
    """A step row waiting for the signals ``names``."""
    return (label, -1, then, 0, "next", "signal", names)


INSTALLATION = [wait_for("Attract", "visitor"), ("Welcome", 5.0), wait_for("Approve", "approved rejected"),
                ("Publish", -1)]


def test_a_waiting_step_leaves_with_the_signal_and_its_payload(harness: Any) -> None:
    h = harness(INSTALLATION)
    h.engine.start()
    assert h.engine.waiting_signals == ("visitor",) and not h.engine.state.waiting
    assert h.engine.signal("visitor", {"id": 7}) is True
    assert h.engine.current_step_name == "welcome"
    assert h.engine.get("signal.visitor") == {"id": 7}
    exit_info = [i for n, i in h.calls if n == "onStepExit"][0]
    next_info = [i for n, i in h.calls if n == "onNextStep"][0]
    assert (exit_info["signal"], exit_info["signal_payload"], exit_info["source"]) == ("visitor", {"id": 7}, "signal")
    assert (next_info["signal"], next_info["signal_payload"]) == ("visitor", {"id": 7})
    signal_info = [i for n, i in h.calls if n == "onSignal"][0]
    assert {k: signal_info[k] for k in ("name", "payload", "consumed", "step_name")} == {
        "name": "visitor", "payload": {"id": 7}, "consumed": True, "step_name": "attract"}
    welcome = [i for n, i in h.calls if n == "onStepEnter"][-1]
    assert welcome["step_type"] == "auto" and welcome["previous_step_name"] == "attract"


def test_a_signal_sent_before_its_step_is_queued_and_taken_on_entering(harness: Any) -> None:
    h = harness(INSTALLATION)
    h.engine.start()
    h.engine.signal("visitor")
    h.advance()
    assert h.engine.signal("approved", "by Ann") is False  # nobody waits for it yet: queued
    assert h.engine.queued_signals == {"approved": "by Ann"}
    queued = [i for n, i in h.calls if n == "onSignal"][-1]
    assert queued["consumed"] is False and queued["step_name"] == "welcome"
    h.advance(5.0)  # Welcome ends; Approve takes the queued signal at once
    assert h.engine.current_step_name == "publish" and h.engine.queued_signals == {}
    assert h.engine.get("signal.approved") == "by Ann"
    assert [e.data["name"] for e in h.engine.history.events("signal_taken")] == ["approved"]


def test_the_latest_payload_per_name_wins_and_the_first_queued_name_is_taken_first(harness: Any) -> None:
    h = harness([("Intro", -1), wait_for("Decide", "approved rejected"), ("Done", -1)])
    h.engine.start()
    h.engine.signal("rejected", 1)
    h.engine.signal("approved", 2)
    h.engine.signal("rejected", 3)
    assert h.engine.queued_signals == {"rejected": 3, "approved": 2}
    h.go()
    assert h.engine.current_step_name == "done" and h.engine.get("signal.rejected") == 3
    assert h.engine.queued_signals == {"approved": 2}


def test_a_flood_in_one_frame_advances_one_step_and_keeps_the_latest_payload(harness: Any) -> None:
    h = harness([wait_for("A", "go"), wait_for("B", "go"), wait_for("C", "go"), ("D", -1)])
    h.engine.start()
    h.advance()
    assert [h.engine.signal("go", n) for n in range(5)] == [True, False, False, False, False]
    assert h.engine.current_step_name == "b" and h.engine.queued_signals == {"go": 4}
    assert h.engine.next_due == 0.0  # B starts waiting at the next frame
    h.advance()
    assert h.engine.current_step_name == "c" and h.engine.get("signal.go") == 4
    h.advance()
    assert h.engine.current_step_name == "c" and h.engine.queued_signals == {}


def test_leaving_a_waiting_step_another_way_stops_the_wait(harness: Any) -> None:
    h = harness(INSTALLATION)
    h.engine.start()
    h.go()  # NextStep still moves a step that waits for a signal
    assert h.engine.current_step_name == "welcome" and h.engine.waiting_signals == ()
    assert h.engine.signal("visitor") is False and h.engine.queued_signals == {"visitor": None}


def test_signals_are_dropped_outside_a_run_and_the_queue_is_cleared_at_start_and_end(harness: Any) -> None:
    h = harness(INSTALLATION)
    assert h.engine.signal("visitor") is False and h.engine.queued_signals == {}
    h.engine.start()
    h.engine.signal("approved")
    h.engine.stop()
    assert h.engine.queued_signals == {}
    h.engine.start()
    h.engine.signal("approved")
    h.engine.start()  # a restart starts with an empty queue
    assert h.engine.queued_signals == {}


def test_bad_signal_names_are_refused(harness: Any) -> None:
    h = harness(INSTALLATION)
    h.engine.start()
    with pytest.raises(FlowError, match="Can't Signal: A signal name must not contain spaces"):
        h.engine.signal("two words")
    with pytest.raises(FlowError, match="must not be empty"):
        h.engine.signal("")


def test_a_pause_holds_a_consumed_signal_until_resume(harness: Any) -> None:
    h = harness(INSTALLATION)
    h.engine.start()
    h.engine.pause()
    assert h.engine.signal("visitor", 1) is True
    assert h.engine.current_step_name == "attract"
    h.engine.resume()
    assert h.engine.current_step_name == "welcome"


def test_the_journal_and_a_restore_bring_the_queue_and_the_wait_back(harness: Any, tmp_path: Any) -> None:
    h = harness(INSTALLATION)
    records: list[dict[str, Any]] = []
    h.engine.on_record = records.append
    h.engine.start()
    h.engine.signal("visitor", "ann")
    h.advance(5.0)
    h.engine.signal("other", {"n": 1})
    assert h.engine.current_step_name == "approve" and h.engine.waiting_signals == ("approved", "rejected")
    folded = flow_journal._new_state()
    for record in copy.deepcopy(records):
        flow_journal.fold(folded, record)
    assert folded["signals"] == [{"name": "other", "payload": {"n": 1}, "source": "api"}]
    assert folded["signals"] == h.engine.journal_state()["signals"]
    new = harness(INSTALLATION)
    report = new.engine.import_run(folded, source="restore")
    assert report.signals == ("other",) and new.engine.waiting_signals == ("approved", "rejected")
    assert new.engine.signal("rejected", "no") is True
    assert new.engine.current_step_name == "publish" and new.engine.queued_signals == {"other": {"n": 1}}


def test_a_restored_signal_step_takes_a_matching_queued_signal(harness: Any) -> None:
    h = harness(INSTALLATION)
    h.engine.start()
    state = h.engine.journal_state()
    state["signals"] = [{"name": "visitor", "payload": 5, "source": "osc"}]
    new = harness(INSTALLATION)
    new.engine.import_run(state, source="restore")
    assert new.calls == [] and new.engine.get("signal.visitor") is None  # an import changes nothing by itself
    new.advance()
    assert new.engine.current_step_name == "welcome" and new.engine.get("signal.visitor") == 5


def test_a_reinit_keeps_payloads_json_cannot_hold(harness: Any) -> None:
    h = harness(INSTALLATION)
    h.engine.start()
    live = object()
    h.engine.signal("approved", live)
    new = harness(INSTALLATION)
    new.engine.import_run(h.engine.export_run())
    assert new.engine.queued_signals == {"approved": live}
    assert h.engine.journal_state()["signals"] == [{"name": "approved", "payload": None, "source": "api",
                                                    "lost": True}]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(floods=st.lists(st.integers(0, 6), min_size=1, max_size=8))
def test_a_signal_flood_is_consumed_one_per_wait(harness: Any, floods: list[int]) -> None:
    """Frames of 0 to 6 sends of one signal through a chain of steps that all wait for it: each wait
    consumes exactly one signal, at most one step is left per frame, every wait takes a later send than
    the wait before it, and the rest of a frame's flood waits in the queue as one signal."""
    steps = [wait_for(f"W{i}", "go") for i in range(12)] + [("Done", -1)]
    h = harness(steps, history_size=2000)
    h.engine.start()
    sent: list[int] = []
    for frame, count in enumerate([*floods, 0, 0, 0]):
        left_before = len(h.engine.history.events("step_exit"))
        h.advance()
        for n in range(count):
            h.engine.signal("go", (frame, n))
            sent.append(n)
        assert len(h.engine.history.events("step_exit")) - left_before <= 1  # one step per frame
    exits = [i for n, i in h.calls if n == "onStepExit"]
    assert all(i["signal"] == "go" for i in exits)
    waits_left = len(exits)
    assert waits_left == len({e.data["entry"] for e in h.engine.history.events("step_exit")})
    # A frame's flood is consumed by at most two waits: the one waiting then, and the next one (the rest,
    # queued as one signal with the latest payload).
    assert waits_left <= min(sum(min(count, 2) for count in floods), 12)
    payloads = [i["signal_payload"] for i in exits]
    assert all(isinstance(p, tuple) for p in payloads) and payloads == sorted(set(payloads))
