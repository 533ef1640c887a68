"""Flow files: TOML read into steps and run settings; every mistake names the file, step and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from lopflow.flowfile import (
    DURATION_WAIT,
    FlowFileError,
    RunSettings,
    StepRow,
    load_flow_file,
    parse_flow_text,
)


def write(tmp_path: Path, text: str, name: str = "flow.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_steps_callbacks_and_run_settings(tmp_path: Path) -> None:
    path = write(tmp_path, """
name = "Demo"
callbacks = "cb/callbacks.py"

[[steps]]
label = "Initialize"
duration = 0

[[steps]]
label = "Wait"
duration = 2.5
then = "initialize"

[[steps]]
label = "Done"
then = "end"

[run]
seconds = 5
fps = 30
asyncio = true
""")
    flow = load_flow_file(path)
    assert flow.name == "Demo"
    assert flow.callbacks == (tmp_path / "cb" / "callbacks.py").resolve()
    assert flow.steps == (
        StepRow("Initialize", 0.0, "next"),
        StepRow("Wait", 2.5, "initialize"),
        StepRow("Done", DURATION_WAIT, "end"),
    )
    assert flow.rows()[1][:5] == ("Wait", 2.5, "initialize", 0.0, "next")
    assert flow.run == RunSettings(seconds=5.0, fps=30.0, asyncio=True)


def test_defaults_name_from_folder_and_run_settings(tmp_path: Path) -> None:
    folder = tmp_path / "my_flow"
    folder.mkdir()
    flow = load_flow_file(write(folder, '[[steps]]\nlabel = "Only"\n'))
    assert flow.name == "my_flow"
    assert flow.callbacks is None
    assert flow.run == RunSettings()
    assert flow.steps == (StepRow("Only", -1.0, "next"),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[steps]]\nlabel = "A"\ndurration = 2\n', r"step 1 \('A'\): unknown key 'durration'"),
        ('[[steps]]\nlabel = "A"\n[[steps]]\nlabel = ""\n', r"step 2 \(''\): 'label' must be a non-empty string"),
        ('[[steps]]\nduration = 1\n', r"step 1: 'label' must be a non-empty string, got None"),
        ('[[steps]]\nlabel = "A"\nduration = "2s"\n', r"step 1 \('A'\): 'duration' must be a number: -1"),
        ('[[steps]]\nlabel = "A"\nthen = 3\n', r"'then' must be \"next\", \"end\" or the label of a step"),
        ('name = "x"\n', r"no steps; add at least one \[\[steps\]\]"),
        ('steps = 3\n', r"'steps' must be an array of tables"),
        ('colour = "red"\n[[steps]]\nlabel = "A"\n', r"the top level: unknown key 'colour'"),
        ('callbacks = "cb.txt"\n[[steps]]\nlabel = "A"\n', r"'callbacks' must name a \.py file"),
        ('[[steps]]\nlabel = "A"\n[run]\nfps = 0\n', r"\[run\] 'fps' must be a number above 0, got 0"),
        ('[[steps]]\nlabel = "A"\n[run]\nasyncio = "yes"\n', r"\[run\] 'asyncio' must be true or false"),
        ('[[steps]]\nlabel = "A"\n[run]\nspeed = 2\n', r"\[run\]: unknown key 'speed'"),
        ('[[steps]\nlabel = "A"\n', r"not valid TOML"),
        ('[[steps]]\nlabel = "A"\ntimeout = -5\n', r"'timeout' must be a number of seconds, 0 \(no watchdog\) or above"),
        ('[[steps]]\nlabel = "A"\ntimeout = "1m"\n', r"'timeout' must be a number of seconds.*got '1m'"),
        ('[[steps]]\nlabel = "A"\ntimeout = 5\nontimeout = ""\n', r"'ontimeout' must be \"next\", \"end\" or the label"),
        ('[[steps]]\nlabel = "A"\ntimeot = 5\n', r"unknown key 'timeot'; the keys allowed here are label, duration, "
                                                  r"then, timeout, ontimeout, entry"),
    ],
)
def test_mistakes_name_file_step_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FlowFileError, match=expected) as caught:
        load_flow_file(path)
    assert str(caught.value).startswith(str(path))


def test_reads_watchdog_timeouts(tmp_path: Path) -> None:
    flow = load_flow_file(write(tmp_path, """
[[steps]]
label = "Attract"
duration = 10
then = "attract"
[[steps]]
label = "Visitor"
timeout = 60
ontimeout = "Attract"
"""))
    assert flow.steps[1] == StepRow("Visitor", DURATION_WAIT, "next", timeout=60.0, ontimeout="Attract")
    assert [row[:5] for row in flow.rows()] == [("Attract", 10.0, "attract", 0.0, "next"),
                                                ("Visitor", -1.0, "next", 60.0, "Attract")]


def test_missing_file_is_a_flow_file_error(tmp_path: Path) -> None:
    with pytest.raises(FlowFileError, match="no such flow file"):
        load_flow_file(tmp_path / "absent.toml")


def test_semantic_problems_are_left_to_the_engine_check() -> None:
    # Duplicate labels and unknown targets are shape-valid: `lopflow check` reports them with the steps' names.
    flow = parse_flow_text('[[steps]]\nlabel = "A"\nthen = "nowhere"\n[[steps]]\nlabel = "A"\n')
    assert [step.label for step in flow.steps] == ["A", "A"]


def test_reads_until_signal_onerror_alert_and_expression_routes(tmp_path: Path) -> None:
    flow = load_flow_file(write(tmp_path, """
[[steps]]
label = "Attract"
until = "signal"
signal = ["visitor", "operator"]
[[steps]]
label = "Load"
duration = 0
until = "Tasks"
onerror = "Attract"
[[steps]]
label = "Show"
duration = 20
alert = 2.5
then = "='load' if ctx.get('again') else 'end'"
"""))
    assert flow.steps[0] == StepRow("Attract", DURATION_WAIT, "next", until="signal", signal="visitor operator")
    assert (flow.steps[1].until, flow.steps[1].onerror) == ("tasks", "Attract")
    assert flow.steps[2].alert == 2.5 and flow.steps[2].then.startswith("=")
    assert flow.rows()[1] == ("Load", 0.0, "next", 0.0, "next", "tasks", "", "Attract", 0.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[steps]]\nlabel = "A"\nuntil = "forever"\n', r"'until' must be one of 'duration', 'tasks', 'signal', "
                                                         r"got 'forever'"),
        ('[[steps]]\nlabel = "A"\nsignal = 3\n', r"'signal' must be a string of names separated by spaces"),
        ('[[steps]]\nlabel = "A"\nsignal = ["two words"]\n', r"'signal' must be .* an array of names without spaces"),
        ('[[steps]]\nlabel = "A"\nonerror = ""\n', r"'onerror' must be \"continue\", \"end\", \"next\", the label"),
        ('[[steps]]\nlabel = "A"\nalert = -1\n', r"'alert' must be a number of seconds, 0 \(no alert\) or above"),
    ],
)
def test_mistakes_in_the_new_fields_name_the_step_and_field(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(FlowFileError, match=r"step 1 \('A'\): " + expected):
        load_flow_file(write(tmp_path, text))
