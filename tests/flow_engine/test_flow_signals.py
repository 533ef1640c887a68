"""SignalMailbox: queued signals, one signal per wait, latest payload wins, names, journal, costs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import flow_signals
import hypothesis.strategies as st
import pytest
from flow_signals import SignalMailbox, context_key, parse_names, validate_name
from hypothesis import given, settings
from line_counter import lines_run


def test_a_signal_nobody_waits_for_is_queued_and_a_waiting_step_consumes_one_at_once() -> None:
    mailbox = SignalMailbox()
    assert mailbox.on_enter("approved") is None and mailbox.waiting == ("approved",)
    assert mailbox.send("visitor", {"id": 7}) is False
    assert mailbox.queued() == {"visitor": {"id": 7}}
    assert mailbox.send("approved", "yes", source="osc") is True
    consumed = mailbox.last_consumed
    assert consumed is not None and (consumed.name, consumed.payload, consumed.source) == ("approved", "yes", "osc")
    assert consumed.info() == {"signal": "approved", "signal_payload": "yes"}
    assert mailbox.waiting == () and mailbox.queued() == {"visitor": {"id": 7}}


def test_a_signal_sent_before_its_step_is_reached_is_delivered_on_entry() -> None:
    mailbox = SignalMailbox()
    assert mailbox.send("go", 1) is False
    signal = mailbox.on_enter("go")
    assert signal is not None and signal.payload == 1
    assert mailbox.waiting == () and len(mailbox) == 0  # consumed at once: the step does not wait


def test_the_latest_payload_wins_and_keeps_the_first_place_in_the_queue() -> None:
    mailbox = SignalMailbox()
    mailbox.send("a", 1)
    mailbox.send("b", 2)
    mailbox.send("a", 3)
    assert list(mailbox.queued().items()) == [("a", 3), ("b", 2)]
    signal = mailbox.on_enter("b a")  # several match: the one queued first
    assert signal is not None and (signal.name, signal.payload) == ("a", 3)
    assert mailbox.queued() == {"b": 2}


def test_a_flood_of_one_signal_advances_one_wait_and_queues_the_latest_payload() -> None:
    mailbox = SignalMailbox()
    mailbox.on_enter("go")
    assert [mailbox.send("go", n) for n in range(5)] == [True, False, False, False, False]
    assert mailbox.last_consumed is not None and mailbox.last_consumed.payload == 0
    assert mailbox.queued() == {"go": 4}
    following = mailbox.on_enter("go")  # the next step waiting for it takes the latest payload
    assert following is not None and following.payload == 4 and len(mailbox) == 0


def test_leaving_a_waiting_step_some_other_way_stops_the_wait() -> None:
    mailbox = SignalMailbox()
    mailbox.on_enter("approved")
    mailbox.on_leave()
    assert mailbox.waiting == ()
    assert mailbox.send("approved") is False and "approved" in mailbox


def test_clear_forgets_the_queue_and_the_waiter() -> None:
    mailbox = SignalMailbox()
    mailbox.send("a")
    mailbox.on_enter("b")
    mailbox.clear()
    assert len(mailbox) == 0 and mailbox.waiting == () and mailbox.last_consumed is None
    assert mailbox.send("b") is False  # nobody waits after a clear


@pytest.mark.parametrize("name, message", [
    ("", "must not be empty"), ("two words", "must not contain spaces"), ("tab\tname", "must not contain spaces"),
    (3, "must be a string, got int 3"), (None, "must be a string"),
])
def test_an_invalid_signal_name_is_a_clear_value_error_and_changes_nothing(name: Any, message: str) -> None:
    mailbox = SignalMailbox()
    mailbox.on_enter("go")
    with pytest.raises(ValueError, match=message):
        mailbox.send(name)
    assert mailbox.waiting == ("go",) and len(mailbox) == 0


def test_a_step_signal_field_is_space_separated_names() -> None:
    assert parse_names("approved  rejected approved") == ("approved", "rejected")
    assert parse_names(["a", "b"]) == ("a", "b")
    assert validate_name("Visitor.Detected") == "Visitor.Detected"
    with pytest.raises(ValueError, match="waits for no signal"):
        parse_names("   ")
    with pytest.raises(ValueError, match="must not contain spaces"):
        parse_names(["a b"])
    with pytest.raises(ValueError, match="waits for no signal"):
        SignalMailbox().on_enter("")


def test_names_are_case_sensitive_and_the_context_key_is_documented() -> None:
    mailbox = SignalMailbox()
    mailbox.on_enter("Go")
    assert mailbox.send("go") is False
    assert context_key("approved") == "signal.approved"


def test_the_queue_survives_export_and_restore_as_json() -> None:
    mailbox = SignalMailbox()
    mailbox.send("a", {"x": [1, 2]}, source="osc")
    mailbox.send("b", object())
    mailbox.send("c", 3)
    mailbox.on_enter("zzz")
    records = json.loads(json.dumps(mailbox.export()))
    assert records[1] == {"name": "b", "payload": None, "source": "api", "lost": True}
    restored = SignalMailbox()
    assert restored.restore(records) == ["b"]
    assert list(restored.queued().items()) == [("a", {"x": [1, 2]}), ("b", None), ("c", 3)]
    assert restored.waiting == ()  # the engine enters the restored step again
    first = restored.on_enter("c a")
    assert first is not None and (first.name, first.source) == ("a", "osc")  # the queue order survives


def test_a_bad_record_leaves_the_mailbox_unchanged() -> None:
    mailbox = SignalMailbox()
    mailbox.send("keep", 1)
    with pytest.raises(ValueError, match="must not contain spaces"):
        mailbox.restore([{"name": "ok"}, {"name": "not ok"}])
    assert mailbox.queued() == {"keep": 1}


def test_the_queue_is_bounded_and_drops_the_name_queued_first() -> None:
    mailbox = SignalMailbox(max_queued=3)
    for name in "abcd":
        mailbox.send(name)
    assert list(mailbox.queued()) == ["b", "c", "d"] and mailbox.dropped == 1
    mailbox.send("b", "again")  # a name already queued takes no new place
    assert len(mailbox) == 3 and mailbox.dropped == 1
    with pytest.raises(ValueError, match="at least 1"):
        SignalMailbox(max_queued=0)


def _lines_run(action: Callable[[], object]) -> int:
    return lines_run(flow_signals, action)


def _cost_with_queued(size: int) -> list[int]:
    mailbox = SignalMailbox(max_queued=size + 10)
    for i in range(size):
        mailbox.send(f"queued{i}", i)
    mailbox.send("late", 1)
    return [
        _lines_run(lambda: mailbox.send("queued0", "again")),  # replace a payload
        _lines_run(lambda: mailbox.send("new", 1)),  # queue a new name
        _lines_run(lambda: mailbox.on_enter("late other")),  # consume on entry
        _lines_run(lambda: mailbox.on_enter("nothing")),  # wait
        _lines_run(lambda: mailbox.send("nothing", 1)),  # consumed by the waiter
    ]


def test_send_and_consume_cost_the_same_however_many_names_are_queued() -> None:
    assert _cost_with_queued(5) == _cost_with_queued(5000)


class _Model:
    """The rules written as plainly as possible: a list of [name, payload] in queue order."""

    def __init__(self) -> None:
        self.queue: list[list[Any]] = []
        self.waiting: set[str] = set()

    def send(self, name: str, payload: int) -> bool:
        if name in self.waiting:
            self.waiting = set()
            return True
        for item in self.queue:
            if item[0] == name:
                item[1] = payload
                return False
        self.queue.append([name, payload])
        return False

    def enter(self, names: list[str]) -> Any:
        for item in self.queue:
            if item[0] in names:
                self.queue.remove(item)
                self.waiting = set()
                return tuple(item)
        self.waiting = set(names)
        return None


_NAMES = st.sampled_from(["a", "b", "c", "d"])
_OPS = st.lists(st.one_of(
    st.tuples(st.just("send"), _NAMES, st.integers(0, 99)),
    st.tuples(st.just("enter"), st.lists(_NAMES, min_size=1, max_size=3)),
    st.tuples(st.just("leave")),
    st.tuples(st.just("restore")),
), max_size=40)


@settings(max_examples=200, deadline=None)
@given(_OPS)
def test_random_sends_and_waits_follow_the_rules(ops: list[tuple[Any, ...]]) -> None:
    mailbox, model = SignalMailbox(), _Model()
    for op in ops:
        if op[0] == "send":
            assert mailbox.send(op[1], op[2]) == model.send(op[1], op[2])
        elif op[0] == "enter":
            got = mailbox.on_enter(" ".join(op[1]))
            assert (None if got is None else (got.name, got.payload)) == model.enter(op[1])
        elif op[0] == "leave":
            mailbox.on_leave()
            model.waiting = set()
        else:  # a restore from the journal: the queue comes back, nobody waits until a step is entered
            mailbox.restore(json.loads(json.dumps(mailbox.export())))
            model.waiting = set()
        assert list(mailbox.queued().items()) == [tuple(item) for item in model.queue]
        assert set(mailbox.waiting) == model.waiting
        assert not set(mailbox.waiting) & set(mailbox.queued())  # a waited-for name is never left queued
