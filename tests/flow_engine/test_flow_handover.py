"""Handing a run over: ``export_run`` / ``import_run`` (re-initialised code, restore after a crash), the
journal records the engine emits, and what cannot be journaled."""

from __future__ import annotations

import copy
from typing import Any

import flow_engine
import flow_journal
import flow_transitions
import pytest
from flow_engine import FlowError, FlowStatus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SHOW = [("Attract", 5.0, "next"), ("Visitor", -1, "next", 60.0, "attract"), ("Thanks", 3.0, "attract")]
#: SHOW with a visitor that arrives as a signal.
SIGNAL_SHOW = [SHOW[0], ("Visitor", -1, "next", 60.0, "attract", "signal", "visitor"), SHOW[2]]


def successor(h: Any, rows: list[Any] | None = None) -> Any:
    """A new engine on the same TD clock, as a re-initialised extension makes it."""
    new = type(h)(rows if rows is not None else SHOW)
    new.time, new.frame_no = h.time, h.frame_no
    return new


def journaled(h: Any, path: str, compact_after: int = 200) -> tuple[flow_journal.Journal, list[dict[str, Any]]]:
    """Journal ``h``'s engine to a real file, as the extension does (it adds the wall clock)."""
    records: list[dict[str, Any]] = []
    journal = flow_journal.Journal(path, lambda: h.engine.journal_state(1000.0 + h.time), lambda message, exc: None,
                                   compact_after=compact_after)

    def write(record: dict[str, Any]) -> None:
        records.append(record)
        journal.append({**record, "wall": 1000.0 + h.time})

    h.engine.on_record = write
    return journal, records


# ------------------------------------------------------------------------------------------- re-init
def test_a_reinit_keeps_the_run_exactly_and_fires_nothing(harness: Any) -> None:
    h = harness(SHOW)
    h.engine.start()
    live = object()
    h.engine.set("visitor", {"id": 7})
    h.engine.set("device", live)
    h.advance(2.0, frames=20)
    state = h.engine.export_run()
    before = h.engine.state
    new = successor(h)
    report = new.engine.import_run(state, new.time)
    assert new.calls == [] and report.source == "reinit" and report.lost_keys == ()
    assert (report.step_name, report.step_index, report.remaining) == ("attract", 0, pytest.approx(3.0))
    after = new.engine.state
    for field in ("status", "process_id", "step_index", "step_name", "waiting", "paused", "context_change_id",
                  "progress"):
        assert getattr(after, field) == getattr(before, field), field
    assert new.engine.get("device") is live and new.engine.get("visitor") == {"id": 7}
    old_events = [e.as_dict() for e in h.engine.history.events()]
    new_events = [e.as_dict() for e in new.engine.history.events()]
    assert new_events[:-1] == old_events and new_events[-1]["event"] == "reinit"
    new.advance(2.9, frames=29)
    assert new.engine.current_step_name == "attract"
    new.advance(0.1)
    assert new.engine.current_step_name == "visitor" and new.entered() == ["visitor"]
    assert new.engine.set("k", 1).change_id == before.context_change_id + 1


def test_a_reinit_keeps_waiting_step_data_pause_and_back(harness: Any) -> None:
    h = harness(SHOW)
    h.engine.start()
    h.engine.go_to_step("visitor")
    h.engine.wait_for_continue({"held": True})
    h.engine.pause()
    h.advance(30.0, frames=30)
    new = successor(h)
    report = new.engine.import_run(h.engine.export_run())
    assert report.waiting and report.paused and new.engine.step_data == {"held": True}
    assert new.engine.state.status_label == "Paused"
    new.engine.resume()
    new.advance(59.0, frames=59)
    assert new.engine.current_step_name == "visitor"  # the watchdog still has its second
    assert new.engine.back() and new.engine.current_step_name == "attract"


def test_a_reinit_takes_over_the_queued_actions(harness: Any) -> None:
    h = harness([("A", 0), ("B", 0, "a")], max_transitions_per_frame=10)
    h.engine.start()
    assert h.engine.runaways == 1 and h.engine.next_due == 0.0  # the loop goes on next frame
    new = harness([("A", 0), ("B", 0, "a")], max_transitions_per_frame=10)
    new.time, new.frame_no = h.time, h.frame_no
    new.engine.import_run(h.engine.export_run())
    assert new.calls == [] and new.engine.next_due == 0.0
    new.advance()
    assert len(new.entered()) == 10
    tokens = [e.data["entry"] for e in new.engine.history.events("step_enter")]
    assert tokens == sorted(set(tokens)) and tokens[-1] == 20  # the entries continue where the old engine stopped


def test_a_reinit_of_an_ended_run_keeps_its_outcome(harness: Any) -> None:
    h = harness(SHOW)
    h.engine.start()
    h.engine.finish("done", "error")
    new = successor(h)
    report = new.engine.import_run(h.engine.export_run())
    assert report.status is FlowStatus.ERROR and report.step_index == -1
    assert (new.engine.last_result, new.engine.last_result_type, new.engine.process_id) == (
        "done", "error", h.engine.process_id)
    assert new.engine.state.progress == h.engine.state.progress


def test_a_reinit_finds_a_renamed_step_and_moves_on_from_a_deleted_one(harness: Any) -> None:
    h = harness(SHOW)
    h.engine.start()
    h.engine.go_to_step("visitor")
    state = h.engine.export_run()
    renamed = successor(h)
    renamed.engine.load_rows([("Attract", 5.0), ("Guest", -1, "next", 60.0, "attract"), ("Thanks", 3.0, "attract")])
    renamed.engine.load_rows([("Attract", 5.0), ("Guest", -1, "next", 60.0, "attract"), ("Thanks", 3.0, "attract")])
    report = renamed.engine.import_run(copy.copy(state))
    assert (report.step_name, report.renamed_from) == ("guest", "visitor")
    deleted = successor(h, [("Attract", 5.0), ("Thanks", 3.0, "attract")])
    report = deleted.engine.import_run(copy.copy(state))
    assert report.removed_step == "visitor" and deleted.names() == []
    deleted.advance()
    assert deleted.engine.current_step_name == "thanks"
    assert [i["reason"] for n, i in deleted.calls if n == "onStepExit"] == ["removed"]
    gone = successor(h, [("Attract", 5.0)])
    gone.engine.import_run(copy.copy(state))
    gone.advance()
    assert gone.engine.state.status is FlowStatus.COMPLETED


# ------------------------------------------------------------------------------------------- restore
def test_a_crash_and_a_restore_bring_the_run_back_from_the_journal(harness: Any, tmp_path: Any) -> None:
    h = harness(SHOW)
    journal, _ = journaled(h, str(tmp_path / "flow.jsonl"))
    h.engine.start()
    h.engine.set("visitor", {"name": "Ann", "tags": ["vip"]})
    h.advance(3.5, frames=35)  # the engine journals the timer about once a second
    del h  # TD dies: no export, nothing but the file
    state, notes = flow_journal.read_state(journal.path)
    assert notes == [] and state is not None and state["status"] == "running"
    after_restart = harness(SHOW)  # a new TD process: its clock starts again
    report = after_restart.engine.import_run(state, 0.0, source="restore")
    assert (report.step_name, report.waiting, report.paused, report.lost_keys) == ("attract", False, False, ())
    assert after_restart.engine.get("visitor") == {"name": "Ann", "tags": ["vip"]}
    assert after_restart.calls == [] and report.process_id == state["process_id"]
    assert report.remaining == pytest.approx(1.5, abs=1.0)  # to within the journal's timer interval
    after_restart.advance(report.remaining)
    assert after_restart.entered() == ["visitor"]  # onStepEnter of 'attract' was not fired again
    assert after_restart.engine.history.events("restore")[0].data["timed"] == "remaining"


def test_a_compacted_journal_still_restores_and_knows_when_it_was_written(harness: Any, tmp_path: Any) -> None:
    h = harness(SHOW)
    journal, records = journaled(h, str(tmp_path / "flow.jsonl"), compact_after=3)
    h.engine.start()
    for _ in range(4):
        h.engine.go_to_step("visitor")
        h.engine.set("visits", len(records))
        h.advance(1.0)
        h.engine.go_to_step("thanks")
    with open(journal.path, encoding="utf-8") as handle:
        assert len(handle.read().splitlines()) <= 4
    state, _ = flow_journal.read_state(journal.path)
    assert state is not None and state["wall"] == 1000.0 + h.time
    assert (state["step"], state["context"]) == ("thanks", {"visits": h.engine.get("visits")})


@pytest.mark.parametrize(("timed", "left_after"), [("restart", 5.0), ("advance", 0.0)])
def test_restoretimed_restart_and_advance(harness: Any, tmp_path: Any, timed: str, left_after: float) -> None:
    h = harness(SHOW)
    journal, _ = journaled(h, str(tmp_path / "flow.jsonl"))
    h.engine.start()
    h.advance(3.0, frames=3)
    state, _ = flow_journal.read_state(journal.path)
    new = harness(SHOW)
    report = new.engine.import_run(state, 0.0, timed=timed, source="restore")
    assert report.remaining == pytest.approx(left_after)
    new.advance(max(left_after - 0.1, 0.0))
    assert new.engine.current_step_name == ("attract" if left_after else "visitor")


def test_a_restore_is_refused_with_a_reason(harness: Any, tmp_path: Any) -> None:
    h = harness(SHOW)
    journal, _ = journaled(h, str(tmp_path / "flow.jsonl"))
    h.engine.start()
    state, _ = flow_journal.read_state(journal.path)
    with pytest.raises(FlowError, match="Can't restore the run: a run is going on \\(step 'attract'\\); Stop it"):
        h.engine.import_run(state, source="restore")
    with pytest.raises(FlowError, match="the steps have errors"):
        harness([("A", -1), ("a", -1)]).engine.import_run(state, source="restore")
    with pytest.raises(FlowError, match="its step 'attract' no longer exists and the state does not say where"):
        harness([("Other", -1)]).engine.import_run({**state, "index": None}, source="restore")
    with pytest.raises(ValueError, match="timed must be one of remaining, restart, advance"):
        harness(SHOW).engine.import_run(state, timed="later")
    h.engine.stop()
    ended, _ = flow_journal.read_state(journal.path)
    with pytest.raises(FlowError, match="the journal holds no run to restore \\(its run ended\\)"):
        harness(SHOW).engine.import_run(ended, source="restore")
    inside = harness(SHOW)
    errors: list[BaseException] = []
    inside.dat["onFlowStart"] = lambda info: errors.append(
        pytest.raises(FlowError, inside.engine.import_run, state).value)
    inside.engine.start()
    assert "inside a callback" in str(errors[0])


def test_unjournalable_values_are_reported_once_per_key_and_listed_as_lost(harness: Any, tmp_path: Any) -> None:
    h = harness(SHOW)
    warnings: list[str] = []
    h.engine.on_warning = warnings.append
    journal, records = journaled(h, str(tmp_path / "flow.jsonl"))
    h.engine.start()
    h.engine.set("device", object())
    h.engine.set("device", {1, 2})
    h.engine.set("ok", (1, "two"))
    assert len(warnings) == 1 and "'device'" in warnings[0] and "cannot be journaled" in warnings[0]
    assert [e.data["key"] for e in h.engine.history.events("warning")] == ["device"]
    assert {"k": "ctx", "key": "device", "lost": True} in [{k: r[k] for k in ("k", "key", "lost") if k in r}
                                                           for r in records]
    assert h.engine.journal_state()["lost_keys"] == ["device"] and "device" not in h.engine.journal_state()["context"]
    state, _ = flow_journal.read_state(journal.path)
    report = harness(SHOW).engine.import_run(state, source="restore")
    assert report.lost_keys == ("device",) and report.context_keys == ("ok",)


def test_without_a_listener_nothing_is_built_for_the_journal(harness: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"journalable": 0, "timer": 0}
    journalable, timer_of = flow_journal.is_journalable, flow_transitions.Transitions.timer_of

    def count_journalable(value: Any) -> bool:
        calls["journalable"] += 1
        return journalable(value)

    def count_timer(self: Any, entry: Any, now: float) -> Any:
        calls["timer"] += 1
        return timer_of(self, entry, now)

    monkeypatch.setattr(flow_journal, "is_journalable", count_journalable)
    monkeypatch.setattr(flow_transitions.Transitions, "timer_of", count_timer)
    h = harness(SHOW)
    h.engine.start()
    h.engine.set("device", object())
    h.advance(9.0, frames=90)
    h.engine.pause()
    h.engine.resume()
    h.engine.stop()
    assert calls == {"journalable": 0, "timer": 0}
    h.engine.on_record = lambda record: None
    h.engine.start()
    h.engine.set("device", object())
    assert calls["journalable"] == 1 and calls["timer"] >= 1


def test_the_records_of_a_run(harness: Any) -> None:
    h = harness(SHOW)
    records: list[dict[str, Any]] = []
    h.engine.on_record = records.append
    h.engine.start()
    h.engine.set("k", 1)
    h.engine.pause()
    h.engine.resume()
    h.engine.go_to_step("visitor")
    h.engine.clear_context()
    h.engine.finish()
    assert [r["k"] for r in records] == ["start", "step", "ctx", "pause", "resume", "step", "ctxclear", "end"]
    assert records[1] == {"k": "step", "step": "attract", "index": 0, "entry": 1, "waiting": False,
                          "timer": {"duration": 5.0, "elapsed": 0.0}}
    assert records[5]["timer"] == {"duration": -1.0, "elapsed": 0.0, "timeout": 60.0} and records[5]["waiting"]
    assert records[-1] == {"k": "end", "result_type": "success", "status": "completed", "reason": "finish"}


def test_the_journal_hears_when_the_current_step_moves_or_is_renamed(harness: Any) -> None:
    h = harness(SHOW)
    records: list[dict[str, Any]] = []
    h.engine.on_record = records.append
    h.engine.start()
    h.engine.go_to_step("visitor")
    h.engine.load_rows([("Intro", -1), *SHOW])
    assert {k: records[-1][k] for k in ("k", "step", "index")} == {"k": "step", "step": "visitor", "index": 2}
    h.engine.load_rows([("Intro", -1), ("Attract", 5.0), ("Guest", -1, "next", 60.0, "attract"), SHOW[2]])
    assert {k: records[-1][k] for k in ("k", "step", "index")} == {"k": "step", "step": "guest", "index": 2}
    count = len(records)
    h.engine.load_rows([("Intro", -1), ("Attract", 9.0), ("Guest", -1, "next", 60.0, "attract"), SHOW[2]])
    assert len(records) == count  # the current step did not move: nothing to journal


def test_a_failing_listener_is_reported_and_the_run_goes_on(harness: Any) -> None:
    h = harness(SHOW)

    def broken(record: dict[str, Any]) -> None:
        raise OSError("disk full")

    h.engine.on_record = broken
    h.engine.start()
    h.engine.go_to_step("visitor")
    assert h.engine.current_step_name == "visitor"
    assert [(name, source) for name, source, _ in h.script_errors][:1] == [("journal", "listener")]


OPS = st.sampled_from(["start", "go", "goto", "set", "set_object", "clear", "pause", "resume", "back", "finish",
                       "stop", "tick", "wait", "rename", "signal", "other_signal", "task", "task_done"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, max_size=25))
def test_folding_the_records_gives_the_engines_journal_state(harness: Any, ops: list[str]) -> None:
    """Whatever happens, replaying the records the engine emitted (as a restore reads them) gives the run
    position the engine reports, and a run imported from it reports that position again. (``harness``
    is the Harness class: nothing in it is shared between examples.)"""
    h = harness(SIGNAL_SHOW)
    records: list[dict[str, Any]] = []
    h.engine.on_record = records.append
    for op in ops:
        engine, running = h.engine, h.engine.is_running
        if op == "start":
            engine.start()
        elif op == "tick":
            h.advance(2.5, frames=5)
        elif op == "set":
            engine.set("key", len(records))
        elif op == "set_object":
            engine.set("obj", object())
        elif op == "clear":
            engine.clear_context()
        elif op == "rename":
            engine.load_rows([("Intro", 0)] + SIGNAL_SHOW if len(engine.definition) == 3 else SIGNAL_SHOW)
        elif not running:
            continue
        elif op in ("signal", "other_signal"):
            engine.signal("visitor" if op == "signal" else "other", len(records))
        elif op == "task":
            engine.task_started(len(records) + 1000 * len(ops))
        elif op == "task_done":
            if engine.running_tasks:
                engine.task_done(engine.running_tasks[0], "completed")
        elif op == "go":
            h.go()
        elif op == "goto":
            engine.go_to_step("visitor")
        else:
            getattr(engine, {"wait": "wait_for_continue"}.get(op, op))()
    folded = flow_journal._new_state()
    for record in copy.deepcopy(records):
        flow_journal.fold(folded, record)
    expected = h.engine.journal_state()
    for key in ("status", "process_id", "step", "index", "entry", "waiting", "paused", "context", "signals", "tasks"):
        assert folded[key] == expected[key], key
    assert set(folded["lost_keys"]) == set(expected["lost_keys"])
    assert (folded["timer"] is None) == (expected["timer"] is None)
    if expected["status"] == "running":
        new = successor(h, list(h.engine.definition.rows()))
        report = new.engine.import_run(folded, source="restore")
        position = new.engine.journal_state()
        for key in ("status", "process_id", "step", "index", "entry", "waiting", "paused", "context", "signals"):
            assert position[key] == expected[key], key
        assert report.lost_keys == tuple(folded["lost_keys"])


def test_import_refuses_bad_arguments(harness: Any) -> None:
    engine = harness(SHOW).engine
    with pytest.raises(ValueError, match="source must be one of reinit, restore"):
        engine.import_run({}, source="disk")
    with pytest.raises(FlowError, match="the state is a list, not a dict"):
        engine.import_run([])  # type: ignore[arg-type]
    assert isinstance(flow_engine.RestoreReport, type)
