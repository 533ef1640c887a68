"""The TDAsyncIO component built by ``build_toxes.build_tdasyncio`` on mock_td, driven by TD frames."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
import tomllib

import async_table
import build_toxes
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


async def sleeper(seconds: float, value: object = None) -> object:
    await asyncio.sleep(seconds)
    return value


async def chain(n: int, value: object = "done") -> object:
    for _ in range(n):
        await asyncio.sleep(0)
    return value


#: Frame budget (ms) for functional tests: what they expect within one frame must not depend on the
#: machine's speed or load (the default 5 ms is real time); budget behaviour is tested with a fake clock.
GENEROUS_BUDGET_MS = 10_000


@pytest.fixture
def comp(td_session):
    component = build_toxes.build_tdasyncio(td_session.root)
    component.par.Framebudget = GENEROUS_BUDGET_MS
    yield component
    if component.valid:
        component.destroy()
        td_session.advance(2)


def td_module():
    """The ``td`` module of the installed mock_td session (it exists only after install)."""
    import td

    return td


def table_rows(comp) -> list[dict[str, str]]:
    table = comp.op("task_table")
    header = [table[0, c].val for c in range(table.numCols)]
    return [{header[c]: table[r, c].val for c in range(table.numCols)} for r in range(1, table.numRows)]


# -- the builder ---------------------------------------------------------------------------------------

def test_version_constant_equals_pyproject() -> None:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        assert build_toxes.LOPFLOW_VERSION == tomllib.load(handle)["project"]["version"]


def test_update_table_help_states_the_refresh_budget_the_table_sync_uses(comp) -> None:
    rate = async_table.TaskTableSync().max_refresh_rate
    assert f"at most {rate:g} cells a second" in comp.par.Updatetable.help


def test_builder_creates_the_component_network_and_parameters(td_session) -> None:
    comp = build_toxes.build_tdasyncio(td_session.root)
    names = {child.name for child in comp.children}
    assert names == {"TDAsyncIOExt", "async_runtime", "async_loop", "async_tasks", "async_table", "DotLOPUtils",
                     "tdasyncio_spec", "task_table", "frame_execute", "par_execute"}
    assert comp.par.ext0object.val == "op('./TDAsyncIOExt').module.TDAsyncIOExt(me)"
    assert comp.par.ext0promote.eval() is True
    assert comp.par.Clearafter.eval() == 60.0 and comp.par.Updatetable.eval() is True
    assert comp.par.Framebudget.eval() == 5.0
    assert comp.par.Clearfinished.isPulse and comp.par.Cancelactive.isPulse and comp.par.Clearall.isPulse
    assert comp.par.Version.eval() == build_toxes.LOPFLOW_VERSION and comp.par.Version.readOnly
    assert [page.name for page in comp.customPages] == ["TDAsyncIO", "About"]
    assert comp.op("frame_execute").par.framestart.eval() and comp.op("frame_execute").par.frameend.eval()
    assert [comp.op("task_table")[0, c].val for c in range(8)] == list(async_table.COLUMNS)
    with open(os.path.join(ROOT, "ext", "TDAsyncIO", "async_loop.py"), encoding="utf-8") as handle:
        assert comp.op("async_loop").text == handle.read()
    comp.destroy()
    td_session.advance(2)


def test_linked_mode_points_the_code_dats_at_the_repository(td_session) -> None:
    linked = build_toxes.build_tdasyncio(td_session.root, name="Linked", mode="linked", repo_folder=ROOT)
    linked.par.Framebudget = GENEROUS_BUDGET_MS
    dat = linked.op("TDAsyncIOExt")
    assert dat.par.file.eval() == os.path.join(ROOT, "ext", "TDAsyncIO", "TDAsyncIOExt.py").replace("\\", "/")
    assert dat.par.syncfile.eval() is True
    task_id = linked.Run(chain(1, "ok"))
    td_session.advance()
    assert linked.GetTaskResult(task_id) == "ok"
    linked.destroy()
    td_session.advance(2)


def test_builder_rejects_a_bad_mode_and_a_wrong_repo_folder(td_session, tmp_path) -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        build_toxes.build_tdasyncio(td_session.root, mode="copy")
    with pytest.raises(FileNotFoundError, match="repo_folder must be the LOPflow repository"):
        build_toxes.build_tdasyncio(td_session.root, repo_folder=str(tmp_path))


# -- tasks driven by TD frames ---------------------------------------------------------------------

def test_sleep_ends_after_advance_seconds_on_td_time(comp, td_session) -> None:
    seen: list = []
    task_id = comp.Run(sleeper(1.0, "woke"), completion_callback=lambda t: seen.append((t.status, t.result)))
    td_session.advance()
    assert comp.GetTaskInfo(task_id)["status"] == "running"
    td_session.advance_seconds(0.95)
    assert comp.GetTaskInfo(task_id)["status"] == "running" and seen == []
    td_session.advance_seconds(0.05)
    assert comp.GetTaskInfo(task_id)["status"] == "completed" and seen == [("completed", "woke")]
    assert comp.GetTaskResult(task_id) == "woke"
    assert comp.GetTaskInfo(task_id)["duration"] == pytest.approx(1.0 + 1 / 60, abs=1e-6)


def test_timeout_counts_td_time(comp, td_session) -> None:
    task_id = comp.Run(sleeper(10.0), timeout=2.0)
    td_session.advance()
    td_session.advance_seconds(1.9)
    assert comp.GetTaskInfo(task_id)["status"] == "running"
    td_session.advance_seconds(0.2)
    info = comp.GetTaskInfo(task_id)
    assert info["status"] == "timeout" and info["error"] == "Timed out after 2 s"


def test_every_status_path_through_the_component(comp, td_session) -> None:
    seen: dict = {}

    def on_done(task) -> None:
        assert task.task_id not in seen
        seen[task.task_id] = task.status

    async def fails() -> None:
        raise KeyError("missing")

    ids = comp.Run([chain(2, 1), fails(), sleeper(9), sleeper(9), sleeper(9)], completion_callback=on_done,
                   description="batch", info={"job": 7})
    assert comp.GetTaskInfo(ids[0])["status"] == "pending"
    td_session.advance()
    comp.CancelTask(ids[2])
    comp.Run(sleeper(9), timeout=0.1, completion_callback=on_done)
    td_session.advance_seconds(0.2)
    assert comp.GetActiveTasksCount() == 2
    assert comp.Cancelactive() == 2
    td_session.advance()
    assert [seen[i] for i in ids] == ["completed", "failed", "cancelled", "cancelled", "cancelled"]
    assert sorted(seen.values()).count("timeout") == 1
    assert comp.GetTaskInfo(ids[1])["error"] == "KeyError: 'missing'"
    assert {i["description"] for i in comp.GetAllTasksInfo()} == {"batch", "sleeper"}
    assert comp.GetTaskInfo(ids[0])["info"] == {"job": 7}
    assert comp.GetActiveTasksCount() == 0


def test_run_rejects_non_coroutines(comp) -> None:
    with pytest.raises(TypeError, match="got the coroutine function sleeper itself"):
        comp.Run(sleeper)
    assert comp.GetAllTasksInfo() == []


def test_callbacks_run_on_the_main_thread_inside_the_frame_step(comp, td_session) -> None:
    seen: list = []
    runtime = comp.ext.TDAsyncIOExt.runtime

    release = threading.Event()

    def blocking() -> int:
        release.wait(5)
        return threading.get_ident()

    async def via_thread() -> int:
        return await asyncio.to_thread(blocking)

    def on_done(task) -> None:
        seen.append((threading.get_ident(), runtime.loop.stepping, td_module().absTime.frame, task.result))

    comp.Run(via_thread(), completion_callback=on_done)
    td_session.advance(2)
    assert seen == []
    release.set()
    for _ in range(500):
        td_session.advance()
        if seen:
            break
        threading.Event().wait(0.002)
    thread_id, stepping, frame, worker_thread = seen[0]
    assert thread_id == threading.get_ident() and stepping is True
    assert worker_thread != threading.get_ident() and frame >= 3


def test_a_raising_callback_becomes_a_script_error_and_is_logged(comp, td_session, caplog) -> None:
    def bad(task) -> None:
        raise RuntimeError("oops in callback")

    task_id = comp.Run(chain(1), completion_callback=bad)
    with caplog.at_level(logging.ERROR, logger="lopflow.tdasyncio"):
        td_session.advance()
    assert comp.GetTaskInfo(task_id)["status"] == "completed"
    assert "oops in callback" in comp.scriptErrors()
    assert any("oops in callback" in record.getMessage() for record in caplog.records)
    td_session.take_script_exceptions()  # acknowledged: the script error is what this test expects


def test_submitted_during_a_frame_starts_in_that_frame(comp, td_session) -> None:
    started: list = []

    async def note_frame() -> None:
        started.append(td_module().absTime.frame)

    submitted: list = []

    def submit() -> None:
        submitted.append(td_module().absTime.frame)
        comp.Run(note_frame())

    td_module().run("args[0]()", submit, delayFrames=1)
    td_session.advance(2)
    assert started == submitted and len(started) == 1


def test_framebudget_parameter_limits_passes_per_frame(comp, td_session) -> None:
    comp.par.Framebudget = 0
    task_id = comp.Run(chain(4))
    frames = 0
    while comp.GetTaskInfo(task_id)["status"] != "completed":
        td_session.advance()
        frames += 1
    assert frames == 5  # one task step per frame with no budget
    comp.par.Framebudget = GENEROUS_BUDGET_MS
    task_id = comp.Run(chain(4))
    td_session.advance()
    assert comp.GetTaskInfo(task_id)["status"] == "completed"


# -- the task table ------------------------------------------------------------------------------

def test_table_rows_follow_the_tasks(comp, td_session) -> None:
    long_id = comp.Run(sleeper(3.0), description="long", info="i")
    short_id = comp.Run(chain(1, 3), description="short")
    td_session.advance()
    rows = {row["task_id"]: row for row in table_rows(comp)}
    assert rows[str(short_id)]["status"] == "completed" and rows[str(long_id)]["status"] == "running"
    assert rows[str(long_id)]["description"] == "long" and rows[str(long_id)]["info"] == "i"
    td_session.advance_seconds(1.5)
    running_duration = float({r["task_id"]: r for r in table_rows(comp)}[str(long_id)]["duration"])
    assert running_duration > 1.0  # refreshed while running (each running row at least once a second)
    td_session.advance_seconds(1.5)
    row = {r["task_id"]: r for r in table_rows(comp)}[str(long_id)]
    assert row["status"] == "completed" and float(row["duration"]) == pytest.approx(3.0 + 1 / 60, abs=1e-3)
    assert row["completed_at"] != ""


def test_table_is_updated_incrementally_not_rewritten(comp, td_session) -> None:
    first = comp.Run(chain(1))
    td_session.advance()
    table = comp.op("task_table")
    table[1, "description"] = "edited by hand"  # a full rewrite would undo this
    comp.Run(sleeper(0.5))
    td_session.advance_seconds(1.0)
    rows = table_rows(comp)
    assert rows[0]["task_id"] == str(first) and rows[0]["description"] == "edited by hand"
    assert rows[1]["status"] == "completed"


def test_updatetable_off_leaves_the_table_alone(comp, td_session) -> None:
    comp.Run(chain(1))
    td_session.advance()
    comp.par.Updatetable = False
    before = comp.op("task_table").text
    comp.Run([chain(1), sleeper(0.2)])
    td_session.advance_seconds(0.5)
    assert comp.op("task_table").text == before
    comp.par.Updatetable = True
    td_session.advance()
    assert [row["status"] for row in table_rows(comp)] == ["completed"] * 3


def test_finished_tasks_disappear_after_clearafter(comp, td_session) -> None:
    comp.par.Clearafter = 1.0
    done_id = comp.Run(chain(1))
    waiting_id = comp.Run(sleeper(100))
    td_session.advance()
    td_session.advance_seconds(0.9)
    assert comp.GetTaskInfo(done_id) is not None
    td_session.advance_seconds(0.2)
    assert comp.GetTaskInfo(done_id) is None and comp.GetTaskInfo(waiting_id)["status"] == "running"
    assert [row["task_id"] for row in table_rows(comp)] == [str(waiting_id)]


def test_pulse_parameters_clear_and_cancel(comp, td_session) -> None:
    seen: list = []
    finished = comp.Run(chain(1), completion_callback=lambda t: seen.append(t.status))
    running = comp.Run(sleeper(100), completion_callback=lambda t: seen.append(t.status))
    td_session.advance()
    comp.par.Clearfinished.pulse()
    td_session.advance()
    assert comp.GetTaskInfo(finished) is None and comp.GetTaskInfo(running)["status"] == "running"
    comp.par.Cancelactive.pulse()
    td_session.advance()
    assert comp.GetTaskInfo(running)["status"] == "cancelled"
    comp.Run(sleeper(100), completion_callback=lambda t: seen.append(t.status))
    td_session.advance()
    comp.par.Clearall.pulse()
    td_session.advance()
    assert comp.GetAllTasksInfo() == [] and table_rows(comp) == []
    assert seen == ["completed", "cancelled", "cancelled"]


# -- re-initialisation and destruction ----------------------------------------------------------

def test_reinitialisation_keeps_tasks_running_and_reporting(comp, td_session) -> None:
    seen: list = []
    old_ext = comp.ext.TDAsyncIOExt
    task_id = comp.Run(sleeper(1.0, "survived"), completion_callback=lambda t: seen.append(t.result))
    td_session.advance()
    comp.par.reinitextensions.pulse()
    td_session.advance(3)  # past the deferred destroy check
    new_ext = comp.ext.TDAsyncIOExt
    assert new_ext is not old_ext and new_ext.runtime is old_ext.runtime
    assert not new_ext.loop.is_closed()
    td_session.advance_seconds(1.0)
    assert seen == ["survived"] and comp.GetTaskResult(task_id) == "survived"
    assert [row["status"] for row in table_rows(comp)] == ["completed"]


def test_editing_the_extension_code_reinitialises_without_losing_tasks(comp, td_session) -> None:
    task_id = comp.Run(sleeper(0.5, 1))
    td_session.advance()
    old_ext = comp.ext.TDAsyncIOExt
    dat = comp.op("TDAsyncIOExt")
    dat.text = dat.text + "\n# edited\n"
    td_session.advance(2)
    assert comp.ext.TDAsyncIOExt is not old_ext
    td_session.advance_seconds(0.5)
    assert comp.GetTaskResult(task_id) == 1


def test_destroying_the_component_cancels_tasks_and_closes_the_loop(comp, td_session, caplog) -> None:
    seen: list = []
    runtime = comp.ext.TDAsyncIOExt.runtime
    comp.Run([sleeper(100), sleeper(100)], completion_callback=lambda t: seen.append(t.status))
    comp.Run(chain(0))  # still pending when destroyed
    td_session.advance()
    with caplog.at_level(logging.ERROR):
        comp.destroy()
        td_session.advance(2)
        gc.collect()
    assert runtime.loop.is_closed() and runtime.closed
    assert seen == ["cancelled", "cancelled"]
    assert not any("destroyed but it is pending" in record.getMessage() for record in caplog.records)


def test_a_new_component_gets_its_own_loop(comp, td_session) -> None:
    other = build_toxes.build_tdasyncio(td_session.root, name="Second")
    assert other.ext.TDAsyncIOExt.loop is not comp.ext.TDAsyncIOExt.loop
    other.destroy()
    td_session.advance(2)
    assert not comp.ext.TDAsyncIOExt.loop.is_closed()


def test_a_reopened_project_starts_with_a_fresh_runtime(comp, td_session) -> None:
    comp.Run(sleeper(100))
    td_session.advance()
    old_runtime = comp.ext.TDAsyncIOExt.runtime
    td_session.reload()  # the storage entry has startup value None: nothing of the old session comes back
    reopened = td_module().op("/TDAsyncIO")
    assert reopened.GetAllTasksInfo() == [] and reopened.ext.TDAsyncIOExt.runtime is not old_runtime
    old_runtime.shutdown()  # in TD the old process is gone; here its loop is closed by hand
    reopened.destroy()
    td_session.advance(2)
