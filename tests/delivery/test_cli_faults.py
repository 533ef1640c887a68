"""The ``lopflow`` command on bad input and awkward runs: every fault a message and a documented exit code.

Covers: a non-UTF-8 flow file, output piped into ``head``, the callbacks file checked by ``check``,
entry-point steps, callback errors failing ``run`` (unless ``--allow-errors``), and long or looping
runs (``--for``, a summary that stays short).
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from delivery_helpers import EXAMPLES, REPO, lopflow_command, run_lopflow
from hypothesis import given
from hypothesis import strategies as st

from lopflow.cli import EXIT_CODES, main
from lopflow.flowfile import RunSettings, load_flow_file
from lopflow.headless import RunOutcome, StepVisit
from lopflow.render import Progress, collapse_repeats, expand, summary_lines

ATTRACT_LOOP = """
name = "attract loop"
callbacks = "callbacks.py"

[[steps]]
label = "Attract"
duration = 0.1

[[steps]]
label = "Idle"
duration = 0.05
then = "attract"

[run]
seconds = 10
fps = 20
"""

COUNTING_CALLBACKS = '''
def onStepEnter(info):
    flow = info["ownerComp"]
    flow.Set("rounds", (flow.Get("rounds") or 0) + 1)
'''


def write(folder: Path, flow: str, callbacks: str | None = None, name: str = "callbacks.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "flow.toml").write_text(flow, encoding="utf-8")
    if callbacks is not None:
        (folder / name).write_text(callbacks, encoding="utf-8")
    return folder / "flow.toml"


def call(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# -- a flow file that is not UTF-8 ------------------------------------------------------------------------
def test_a_non_utf8_flow_file_exits_2_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    flow = tmp_path / "flow.toml"
    flow.write_bytes('name = "Café"\n[[steps]]\nlabel = "Grüß"\n'.encode("cp1252"))
    for command in ("check", "graph", "run"):
        result = run_lopflow([command, str(flow)])
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
        assert result.stderr.strip() == (f"lopflow {command}: {flow}: not UTF-8 text (line 1: byte 0xe9 is not "
                                         "UTF-8); save the file with UTF-8 encoding")
    flow.write_bytes('name = "x"\n'.encode("utf-16"))
    code, _, err = call("check", str(flow))
    assert code == 2 and "not UTF-8 text (it is UTF-16)" in err


def test_a_utf8_flow_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    flow = tmp_path / "flow.toml"
    flow.write_bytes(b"\xef\xbb\xbf" + '[[steps]]\nlabel = "Café"\n'.encode())
    code, out, _ = call("check", str(flow))
    assert code == 0 and "OK: 1 step(s)" in out


# -- output closed early ------------------------------------------------------------------------------------
def test_json_piped_into_head_stops_quietly(tmp_path: Path) -> None:
    flow = write(tmp_path / "loop", ATTRACT_LOOP, COUNTING_CALLBACKS)
    # Far more than a pipe buffer of events, so the command is still writing when the reader goes away.
    process = subprocess.Popen([*lopflow_command(), "run", str(flow), "--json", "--for", "60"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # what `| head -1` does after the first line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert first.startswith(b"{")
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr and "Exception ignored" not in stderr


def test_a_shell_pipe_into_head_shows_one_line_and_no_error(tmp_path: Path) -> None:
    flow = write(tmp_path / "loop", ATTRACT_LOOP, COUNTING_CALLBACKS)
    command = " ".join([*lopflow_command(), "run", str(flow), "--json", "--for", "60", "| head -1"])
    result = subprocess.run(["bash", "-c", command], cwd=REPO, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 1
    assert result.stderr == ""


# -- check validates the callbacks file --------------------------------------------------------------------
def test_check_reports_a_missing_callbacks_file(tmp_path: Path) -> None:
    flow = write(tmp_path / "f", 'callbacks = "gone.py"\n[[steps]]\nlabel = "A"\n')
    code, out, _ = call("check", str(flow))
    assert code == 1
    assert f"{tmp_path / 'f' / 'gone.py'}: error: The callbacks file gone.py does not exist [callbacks_missing]" in out
    assert "the flow cannot run" in out.splitlines()[-1]


def test_check_reports_a_callbacks_file_that_does_not_compile(tmp_path: Path) -> None:
    flow = write(tmp_path / "f", 'callbacks = "callbacks.py"\n[[steps]]\nlabel = "A"\n',
                 "def onStepEnter(info):\n    pass\n\ndef onStepExit(info)\n    pass\n")
    code, out, _ = call("check", str(flow))
    assert code == 1
    assert f"{tmp_path / 'f' / 'callbacks.py'}:4: error: The callbacks file does not compile" in out
    assert "[callbacks_syntax]" in out


def test_check_names_a_misspelt_callback_and_the_right_one(tmp_path: Path) -> None:
    callbacks = ("def onStepEntr(info):\n    pass\n\n"
                 "def onstepexit(info):\n    pass\n\n"
                 "def onFlowFinish(info):\n    pass\n\n"
                 "def on_button(info):\n    pass\n\n"
                 "def helper(x):\n    return x\n")
    flow = write(tmp_path / "f", 'callbacks = "callbacks.py"\n[[steps]]\nlabel = "A"\n', callbacks)
    code, out, _ = call("check", str(flow))
    assert code == 1
    path = tmp_path / "f" / "callbacks.py"
    assert (f"{path}:1: error: 'onStepEntr' is not a FlowController callback, so it never runs; "
            "did you mean 'onStepEnter'? [callback_misspelt]") in out
    assert f"{path}:4: error: 'onstepexit' is not a FlowController callback" in out and "'onStepExit'?" in out
    assert "onFlowFinish" not in out and "on_button" not in out and "helper" not in out
    assert "2 error(s)" in out.splitlines()[-1]


def test_check_reports_a_callback_that_cannot_take_the_info_dict(tmp_path: Path) -> None:
    flow = write(tmp_path / "f", 'callbacks = "callbacks.py"\n[[steps]]\nlabel = "A"\n',
                 "def onStepEnter():\n    pass\n\ndef onStepExit(info, extra=None):\n    pass\n")
    code, out, _ = call("check", str(flow))
    assert code == 1
    assert "onStepEnter takes no argument; callbacks get one, the info dict: def onStepEnter(info)" in out
    assert "onStepExit" not in out


def test_run_refuses_a_misspelt_callback_before_running(tmp_path: Path) -> None:
    flow = write(tmp_path / "f", 'callbacks = "callbacks.py"\n[[steps]]\nlabel = "A"\nduration = 0\n',
                 "def onStepEntr(info):\n    pass\n")
    code, out, err = call("run", str(flow))
    assert code == 2 and out == ""
    assert "the callbacks file is wrong" in err and "did you mean 'onStepEnter'?" in err
    assert "(see lopflow check)" in err


def test_the_examples_callbacks_check_clean() -> None:
    for flow in sorted(EXAMPLES.glob("*/flow.toml")):
        code, out, _ = call("check", str(flow))
        assert code == 0 and out.strip().endswith("no problems found"), out


# -- steps entered from code --------------------------------------------------------------------------------
ENTRY_FLOW = """
[[steps]]
label = "Attract"
duration = -1
then = "end"

[[steps]]
label = "Error Screen"
duration = 2
entry = true

[[steps]]
label = "Reset"
duration = 0
then = "end"

[[steps]]
label = "Forgotten"
"""


def test_steps_marked_as_entry_points_are_a_note_not_an_unreachable_warning(tmp_path: Path) -> None:
    flow = write(tmp_path / "f", ENTRY_FLOW)
    code, out, _ = call("check", str(flow))
    assert code == 0
    lines = out.splitlines()
    warning = [line for line in lines if "[unreachable]" in line]
    assert len(warning) == 1 and "'forgotten'" in warning[0] and "'error_screen'" not in warning[0]
    assert "'reset'" not in warning[0]  # reached from the entry point
    assert "mark it entry = true in the flow file" in warning[0]
    assert any(": note: Entered by GoToStep() from code (entry = true): 'error_screen' [entry_point]" in line
               for line in lines)
    assert lines[-1].endswith("OK with 1 warning(s): 4 step(s)")


def test_entry_must_be_true_or_false(tmp_path: Path) -> None:
    flow = write(tmp_path / "f", '[[steps]]\nlabel = "A"\nentry = "yes"\n')
    code, _, err = call("check", str(flow))
    assert code == 2 and "step 1 ('A'): 'entry' must be true or false, got 'yes'" in err


# -- callback errors fail a run -----------------------------------------------------------------------------
RAISING = "def onStepEnter(info):\n    raise NameError(\"name 'sensor' is not defined\")\n"


def test_run_exits_1_when_a_callback_raised_and_0_with_allow_errors(tmp_path: Path) -> None:
    flow = write(tmp_path / "f", 'callbacks = "callbacks.py"\n[[steps]]\nlabel = "A"\nduration = 0.1\n', RAISING)
    result = run_lopflow(["run", str(flow)])
    assert result.returncode == 1
    assert "Result: Completed (success)" in result.stdout  # the flow went on: only the callback failed
    assert "Callback errors (1):" in result.stdout
    assert "1 callback error(s)" in result.stderr and "--allow-errors" in result.stderr
    allowed = run_lopflow(["run", str(flow), "--allow-errors"])
    assert allowed.returncode == 0 and "Callback errors (1):" in allowed.stdout
    code, out, _ = call("run", str(flow), "--json")
    assert code == 1 and '"event": "error"' in out


# -- long and looping runs ----------------------------------------------------------------------------------
def test_a_looping_flow_runs_for_a_fixed_time_and_exits_0(tmp_path: Path) -> None:
    flow = write(tmp_path / "loop", ATTRACT_LOOP, COUNTING_CALLBACKS)
    code, out, _ = call("run", str(flow), "--for", "120")
    assert code == 0, out
    assert "Result: still running after 120 s of TD time, as asked (status Running" in out
    assert "TD time: 120.000 s, 2400 frames at 20 fps" in out
    code, out, _ = call("run", str(flow), "--seconds", "2")
    assert code == 1 and "did not finish within 2 s" in out  # a time limit is still a failure
    with pytest.raises(SystemExit) as exited:  # argparse: "not allowed with argument --seconds"
        main(["run", str(flow), "--seconds", "2", "--for", "2"])
    assert exited.value.code == 2


def test_the_summary_of_a_long_loop_stays_short_with_loops_collapsed(tmp_path: Path) -> None:
    flow = write(tmp_path / "loop", ATTRACT_LOOP, COUNTING_CALLBACKS)
    code, out, _ = call("run", str(flow), "--for", "600")
    assert code == 0
    summary = out[out.index("Flow: attract loop"):].splitlines()
    visits = int(summary[4].split("(")[1].rstrip("):"))
    assert visits > 5000
    assert len(summary) < 20 and len(out) < 20_000  # one line per visit would be ~200 kB
    assert summary[5].startswith("  path: (attract → idle) × ")
    assert any(line.split()[:2] == ["attract", str(visits // 2 + visits % 2)] for line in summary)
    progress = out[:out.index("Flow: attract loop")].splitlines()
    assert len(progress) < 200  # a log of a long run: the first 100 changes, then one line per 10 s


def _outcome(names: list[str], errors: list[str], tasks: int = 0) -> RunOutcome:
    flow = load_flow_file(EXAMPLES / "timed_steps" / "flow.toml")
    visits = [StepVisit(i, name, i * 0.1, i * 0.1 + 0.1, "next") for i, name in enumerate(names)]
    task_rows = [{"task_id": i, "status": "completed" if i % 7 else "failed", "duration": 0.1,
                  "description": f"job {i}", "error": "" if i % 7 else "boom", "result": i} for i in range(tasks)]
    return RunOutcome(flow=flow, settings=RunSettings(seconds=1e6), status="Running", result=None,
                      result_type=None, finished=False, frames=1, seconds=1.0, visits=visits, tasks=task_rows,
                      errors=errors)


def test_summary_size_does_not_grow_with_the_number_of_visits_tasks_or_errors() -> None:
    small = summary_lines(_outcome(["a", "b", "c"] * 100, ["onStepEnter: KeyError: 'x'"] * 100, tasks=100))
    large = summary_lines(_outcome(["a", "b", "c"] * 20_000, ["onStepEnter: KeyError: 'x'"] * 20_000,
                                   tasks=20_000))
    assert len(large) == len(small) < 40
    assert "  path: (a → b → c) × 20000" in large
    assert "  onStepEnter: KeyError: 'x'  (× 20000)" in large
    assert any("17142 completed, 2858 failed" in line for line in large)
    nested = summary_lines(_outcome((["a", "b"] * 3 + ["c"]) * 500, []))
    assert "  path: ((a → b) × 3 → c) × 500" in nested
    many_errors = summary_lines(_outcome(["a"], [f"onStepEnter: error {i}" for i in range(1000)]))
    assert len(many_errors) < 40 and "… and 975 more different errors" in many_errors[-1]


@given(st.lists(st.sampled_from("abcd"), max_size=80))
def test_collapsing_repeats_loses_nothing(items: list[str]) -> None:
    tokens = collapse_repeats(items)
    assert expand(tokens) == items
    assert len(tokens) <= len(items)


def test_a_log_of_a_long_run_prints_every_change_then_one_line_per_interval() -> None:
    from lopflow.headless import FrameSnapshot

    out = io.StringIO()
    progress = Progress(out, live=False)
    for frame in range(20_000):  # a step change every frame, 0.05 s apart: 1000 s of TD time
        progress.update(FrameSnapshot(frame, frame * 0.05, "Running", "ab"[frame % 2], False))
    lines = out.getvalue().splitlines()
    assert lines[100] == "(a long run: from now on at most one line per 10 s of TD time)"
    assert len(lines) == 101 + 100  # 100 changes, the notice, then one line per 10 s for ~995 s


def test_exit_codes_are_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for code in EXIT_CODES:
        assert f"| {code} |" in readme
