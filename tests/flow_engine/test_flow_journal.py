"""The run journal: what a crash leaves on disk can always be read back, and writing never breaks a run."""

from __future__ import annotations

import copy
import json
import os

import flow_journal
from hypothesis import given
from hypothesis import strategies as st


def _journal(tmp_path, state, reports, **kwargs):
    return flow_journal.Journal(str(tmp_path / "flow.jsonl"), lambda: copy.deepcopy(state),
                                lambda message, exc: reports.append(message), **kwargs)


def test_a_run_read_back_is_the_run_written(tmp_path):
    reports: list[str] = []
    journal = _journal(tmp_path, {}, reports)
    journal.append({"k": "start", "pid": "p1", "wall": 1.0})
    journal.append({"k": "step", "step": "attract", "index": 0, "entry": 1, "waiting": False,
                    "timer": {"duration": 10.0, "elapsed": 0.0}, "wall": 2.0})
    journal.append({"k": "ctx", "key": "visitor", "value": {"id": 7}})
    journal.append({"k": "pause", "timer": {"duration": 10.0, "elapsed": 4.0}})
    state, notes = flow_journal.read_state(journal.path)
    assert notes == [] and reports == []
    assert state["status"] == "running" and state["process_id"] == "p1"
    assert (state["step"], state["index"], state["entry"], state["paused"]) == ("attract", 0, 1, True)
    assert state["timer"] == {"duration": 10.0, "elapsed": 4.0}
    assert state["context"] == {"visitor": {"id": 7}} and state["wall"] == 2.0


def test_a_torn_last_line_is_skipped_and_the_state_before_it_restored(tmp_path):
    journal = _journal(tmp_path, {}, [])
    journal.append({"k": "start", "pid": "p1"})
    journal.append({"k": "step", "step": "one", "index": 0, "entry": 1})
    with open(journal.path, "a", encoding="utf-8") as handle:
        handle.write('{"k": "step", "step": "tw')  # TD killed mid-write
    state, notes = flow_journal.read_state(journal.path)
    assert state["step"] == "one"
    assert notes and "torn" in notes[0]


def test_the_journal_stays_bounded_by_compaction(tmp_path):
    state = {"status": "running", "process_id": "p1", "step": "loop", "index": 0, "entry": 0, "context": {}}
    journal = _journal(tmp_path, state, [], compact_after=10)
    sizes = []
    for entry in range(1, 200):
        state["entry"] = entry
        journal.append({"k": "step", "step": "loop", "index": 0, "entry": entry})
        sizes.append(os.path.getsize(journal.path))
    line = len(json.dumps({"k": "step", "step": "loop", "index": 0, "entry": 199}, separators=(",", ":"))) + 1
    snapshot = len(json.dumps({"k": "snapshot", "state": state}, separators=(",", ":"))) + 1
    assert max(sizes) <= snapshot + 10 * line < 199 * line / 4  # a snapshot plus a tail, not every line
    with open(journal.path, encoding="utf-8") as handle:
        assert json.loads(handle.readline())["k"] == "snapshot"
    assert flow_journal.read_state(journal.path)[0]["entry"] == 199


def test_a_failing_write_is_reported_once_never_raised_and_recovers(tmp_path):
    reports: list[str] = []
    target = tmp_path / "flow.jsonl"
    target.mkdir()  # a folder where the file should be: every write fails
    journal = _journal(tmp_path, {}, reports)
    assert journal.append({"k": "start", "pid": "p1"}) is False
    assert journal.append({"k": "step", "step": "a"}) is False
    assert len(reports) == 1 and "cannot write" in reports[0] and journal.failures == 2
    target.rmdir()
    assert journal.append({"k": "step", "step": "a"}) is True
    assert len(reports) == 2 and "works again" in reports[1]


def test_a_value_json_cannot_hold_is_written_as_a_marker(tmp_path):
    journal = _journal(tmp_path, {}, [])
    journal.append({"k": "start", "pid": "p1"})
    journal.append({"k": "ctx", "key": "handle", "value": object()})
    state, _notes = flow_journal.read_state(journal.path)
    assert state["context"]["handle"] == "<unjournaled object>"


def test_lost_values_timers_clears_and_ends_fold_into_the_state():
    state = flow_journal.fold(flow_journal.fold(copy.deepcopy(flow_journal.EMPTY_STATE), {"k": "start", "pid": "p"}),
                              {"k": "step", "step": "show", "index": 2, "entry": 4, "waiting": True, "timer": None})
    for record in ({"k": "ctx", "key": "a", "value": 1}, {"k": "ctx", "key": "obj", "lost": True},
                   {"k": "ctx", "key": "b", "lost": True}, {"k": "ctx", "key": "b", "value": [2]},
                   {"k": "timer", "timer": {"duration": 9.0, "elapsed": 3.0}}):
        flow_journal.fold(state, record)
    assert state["context"] == {"a": 1, "b": [2]} and state["lost_keys"] == ["obj"]
    assert state["timer"] == {"duration": 9.0, "elapsed": 3.0}
    flow_journal.fold(state, {"k": "ctx", "key": "c", "value": 0, "timer": {"duration": 9.0, "elapsed": 4.0}})
    assert state["timer"]["elapsed"] == 4.0
    flow_journal.fold(state, {"k": "ctxclear"})
    assert state["context"] == {} and state["lost_keys"] == []
    flow_journal.fold(state, {"k": "end", "result_type": "stopped"})
    assert (state["status"], state["step"], state["index"], state["entry"], state["timer"]) == ("ended", "", -1, 0,
                                                                                             None)


def test_journalable_values_are_what_json_writes():
    assert all(flow_journal.is_journalable(v) for v in (None, 1, 2.5, "s", True, [1, {"a": (1, 2)}], {"k": None}))
    assert not any(flow_journal.is_journalable(v) for v in (object(), {1, 2}, {"a": object()}, b"bytes"))


def test_no_file_means_no_state(tmp_path):
    assert flow_journal.read_state(str(tmp_path / "missing.jsonl")) == (None, [])


_records = st.one_of(
    st.builds(lambda pid: {"k": "start", "pid": pid}, st.sampled_from(["p1", "p2"])),
    st.builds(lambda name, entry, waiting: {"k": "step", "step": name, "index": 0, "entry": entry, "waiting": waiting},
              st.sampled_from(["a", "b", "c"]), st.integers(0, 50), st.booleans()),
    st.builds(lambda key, value: {"k": "ctx", "key": key, "value": value},
              st.sampled_from(["x", "y"]), st.integers() | st.text(max_size=5) | st.none()),
    st.builds(lambda key: {"k": "ctxdel", "key": key}, st.sampled_from(["x", "y"])),
    st.builds(lambda key: {"k": "ctx", "key": key, "lost": True}, st.sampled_from(["x", "y"])),
    st.builds(lambda elapsed: {"k": "timer", "timer": {"duration": 5.0, "elapsed": elapsed}},
              st.floats(0, 5, allow_nan=False)),
    st.sampled_from([{"k": "pause"}, {"k": "resume"}, {"k": "end", "result_type": "success"}, {"k": "ctxclear"}]),
)


@given(st.lists(_records, max_size=40), st.integers(1, 8), st.text(max_size=12))
def test_reading_back_always_gives_the_state_folded_in_memory(tmp_path_factory, records, compact_after, torn):
    folder = tmp_path_factory.mktemp("journal")
    live = copy.deepcopy(flow_journal.EMPTY_STATE)
    journal = flow_journal.Journal(str(folder / "j.jsonl"), lambda: copy.deepcopy(live),
                                   lambda message, exc: None, compact_after=compact_after)
    for record in records:
        flow_journal.fold(live, record)
        journal.append(record)
    with open(journal.path, "a", encoding="utf-8") as handle:
        handle.write('{"k": "ctx", "key": "x", "value": ' + json.dumps(torn)[:-1])  # a torn last line
    state, _notes = flow_journal.read_state(journal.path)
    assert state == live
