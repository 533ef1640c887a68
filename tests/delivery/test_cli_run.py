"""``lopflow run``: a flow file played headless on mock_td, end to end."""

from __future__ import annotations

import io
import json
from pathlib import Path

from delivery_helpers import EXAMPLES, run_lopflow

from lopflow.cli import main
from lopflow.flowfile import load_flow_file
from lopflow.headless import FrameSnapshot, run_flow
from lopflow.render import Progress

LOOPING_FLOW = """
name = "loop three times"
callbacks = "callbacks.py"

[[steps]]
label = "Work"
duration = 0.1

[[steps]]
label = "Again"
duration = 0
then = "work"

[run]
seconds = 2
fps = 30
"""

LOOPING_CALLBACKS = '''
def onStepEnter(info):
    flow = info["ownerComp"]
    if info["step_name"] == "work":
        rounds = flow.Get("rounds", 0) + 1
        flow.Set("rounds", rounds)
        if rounds == 3:
            flow.Finish(f"done after {rounds} rounds")
'''


def write_flow(folder: Path, flow: str, callbacks: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "flow.toml").write_text(flow, encoding="utf-8")
    if callbacks is not None:
        (folder / "callbacks.py").write_text(callbacks, encoding="utf-8")
    return folder / "flow.toml"


def call(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_readme_main_job_runs_the_process_example_to_completion() -> None:
    result = run_lopflow(["run", "examples/walkthrough_process/flow.toml"])
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout.splitlines()
    assert "Result: Completed (success): 8 lines in poems.txt" in out
    progress = [line for line in out if line.startswith("[")]
    assert any("step: process  tasks: #1 count lines of poems.txt" in line for line in progress)
    assert "Completed" in progress[-1]
    steps = out[out.index("Steps visited (3):") + 2:][:3]
    assert [line.split()[1] for line in steps] == ["initialize", "process", "complete"]
    tasks = out[out.index("Tasks (1):") + 2]
    assert tasks.split()[:2] == ["1", "completed"] and tasks.rstrip().endswith("8")


def test_json_prints_only_the_event_history() -> None:
    result = run_lopflow(["run", str(EXAMPLES / "review_retry" / "flow.toml"), "--json"])
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    names = [event["event"] for event in events]
    assert names[0] in ("context_clear", "flow_start") and names[-1] == "flow_finish"
    entered = [event["step_name"] for event in events if event["event"] == "step_enter"]
    assert entered == ["draft", "review", "draft", "review", "draft", "review", "publish"]
    assert events[-1]["data"]["status"] == "Completed"
    assert [event["seq"] for event in events] == sorted(event["seq"] for event in events)


def test_a_then_jump_loops_and_finish_ends_the_run(tmp_path: Path) -> None:
    flow = write_flow(tmp_path / "loop", LOOPING_FLOW, LOOPING_CALLBACKS)
    code, out, _ = call("run", str(flow))
    assert code == 0, out
    assert "Result: Completed (success): done after 3 rounds" in out
    assert "TD time: 0.200 s, 6 frames at 30 fps" in out  # two 0.1 s visits of Work, then Finish at once
    assert "Tasks" not in out  # no [run] asyncio: no task table


def test_error_result_exits_1_and_callback_errors_are_listed(tmp_path: Path) -> None:
    flow = write_flow(tmp_path / "bad", LOOPING_FLOW.replace("callbacks.py", "cb.py"), None)
    (tmp_path / "bad" / "cb.py").write_text(
        "def onStepEnter(info):\n"
        "    if info['step_name'] == 'again':\n"
        "        raise KeyError('no such sensor')\n"
        "    if info['ownerComp'].Get('seen'):\n"
        "        info['ownerComp'].Finish('sensor lost', 'error')\n"
        "    info['ownerComp'].Set('seen', True)\n",
        encoding="utf-8",
    )
    result = run_lopflow(["run", str(flow)])
    assert result.returncode == 1
    assert "Result: Error (error): sensor lost" in result.stdout
    assert "Callback errors (1):" in result.stdout
    assert "onStepEnter: KeyError: 'no such sensor'" in result.stdout
    # What TD would print to the textport (the traceback) goes to stderr, never into the summary.
    assert "Traceback" in result.stderr and "Traceback" not in result.stdout


def test_a_flow_still_running_when_time_is_up_exits_1(tmp_path: Path) -> None:
    flow = write_flow(tmp_path / "stuck", '[[steps]]\nlabel = "Wait Forever"\nduration = -1\n[run]\nseconds = 0.5\n')
    code, out, _ = call("run", str(flow), "--fps", "20")
    assert code == 1
    assert "Result: did not finish within 0.5 s of TD time (status Running, step wait_forever)" in out
    assert "TD time: 0.500 s, 10 frames at 20 fps" in out
    code, out, _ = call("run", str(flow), "--seconds", "1", "--fps", "10")
    assert "did not finish within 1 s" in out and "10 frames at 10 fps" in out


def test_a_flow_with_errors_is_not_run(tmp_path: Path) -> None:
    flow = write_flow(tmp_path / "broken", '[[steps]]\nlabel = "A"\nthen = "b"\n')
    code, out, err = call("run", str(flow))
    assert code == 2 and out == ""
    assert "the flow cannot run: Step 'a' (block 0) has then 'b'" in err and "(see lopflow check)" in err
    code, _, err = call("run", str(EXAMPLES / "timed_steps" / "flow.toml"), "--fps", "0")
    assert code == 2 and "--fps must be above 0" in err


def test_missing_callbacks_file_is_reported(tmp_path: Path) -> None:
    flow = write_flow(tmp_path / "nocb", 'callbacks = "gone.py"\n[[steps]]\nlabel = "A"\n')
    code, _, err = call("run", str(flow))
    assert code == 2 and "the callbacks file" in err and "gone.py does not exist" in err


def test_progress_rewrites_one_line_on_a_terminal_and_prints_changes_otherwise() -> None:
    snapshots = [
        FrameSnapshot(1, 1 / 60, "Running", "one", False),
        FrameSnapshot(2, 2 / 60, "Running", "one", False),
        FrameSnapshot(3, 3 / 60, "Running", "two", True, ("#1 fetch",)),
        FrameSnapshot(4, 4 / 60, "Completed", "", False),
    ]
    plain = io.StringIO()
    progress = Progress(plain)  # a StringIO is not a terminal
    for snapshot in snapshots:
        progress.update(snapshot)
    progress.close()
    lines = plain.getvalue().splitlines()
    assert len(lines) == 3  # frame 2 changed nothing visible
    assert lines[1] == "[  0.050 s  frame     3]  Running    step: two (waiting)  tasks: #1 fetch"

    live = io.StringIO()
    progress = Progress(live, live=True)
    for snapshot in snapshots:
        progress.update(snapshot)
    progress.close()
    text = live.getvalue()
    assert text.count("\r\x1b[K") == 4 and text.count("\n") == 1 and text.endswith("Completed  step: -\n")


def test_run_flow_is_usable_from_python(tmp_path: Path) -> None:
    flow = load_flow_file(EXAMPLES / "timed_steps" / "flow.toml")
    seen: list[str] = []
    outcome = run_flow(flow, on_frame=lambda snapshot: seen.append(snapshot.step), textport=io.StringIO())
    assert not outcome.failed and outcome.status == "Completed"
    assert [visit.name for visit in outcome.visits] == ["fade_in", "hold", "fade_out"]
    assert [visit.seconds for visit in outcome.visits] == [0.5, 1.5, 0.5]
    assert seen[0] == "fade_in" and "hold" in seen and seen[-1] == ""
