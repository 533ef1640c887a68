"""``lopflow check`` and ``lopflow graph``, end to end: the installed command in a subprocess."""

from __future__ import annotations

import io
import stat
import sys
from pathlib import Path

import pytest
from delivery_helpers import EXAMPLES, run_lopflow

from lopflow.cli import main

EXAMPLE_FLOWS = sorted(EXAMPLES.glob("*/flow.toml"))

BROKEN_FLOW = """
name = "broken"

[[steps]]
label = "Start Here"
duration = -1
then = "nowhere"

[[steps]]
label = "Twice"
duration = 0

[[steps]]
label = "twice"
duration = 2
then = "end"

[[steps]]
label = "Island"
duration = 0
then = "loop b"

[[steps]]
label = "Loop B"
duration = 0
then = "island"
"""


def write_flow(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "flow.toml"
    path.write_text(text, encoding="utf-8")
    return path


def call(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_examples_exist_and_check_clean() -> None:
    assert {path.parent.name for path in EXAMPLE_FLOWS} >= {"walkthrough_process", "timed_steps", "review_retry"}
    for flow in EXAMPLE_FLOWS:
        code, out, _ = call("check", str(flow))
        assert code == 0, out
        assert out.strip().endswith("no problems found"), out


def test_check_reports_every_problem_naming_the_steps(tmp_path: Path) -> None:
    flow = write_flow(tmp_path, BROKEN_FLOW)
    result = run_lopflow(["check", str(flow)])
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "error: Step 'start_here' (block 0) has then 'nowhere', but no step has that name" in out
    assert "[unknown_then]" in out
    assert "named 'twice'" in out and "[duplicate_name]" in out
    assert "[unreachable]" in out and "'island'" in out and "'loop_b'" in out
    assert "island -> loop_b -> island" in out and "[instant_loop]" in out
    assert "the flow cannot run" in out.splitlines()[-1]


def test_check_warnings_alone_exit_zero(tmp_path: Path) -> None:
    flow = write_flow(tmp_path, '[[steps]]\nlabel = "A"\nthen = "end"\n[[steps]]\nlabel = "Orphan"\n')
    code, out, _ = call("check", str(flow))
    assert code == 0
    assert "warning: No path from the first step reaches step 'orphan'" in out
    assert "OK with 1 warning(s)" in out


WATCHDOG_FLOW = """
[[steps]]
label = "Attract"
duration = 10
then = "attract"
[[steps]]
label = "Visitor"
entry = true
timeout = 60
ontimeout = "Atract"
[[steps]]
label = "Goodbye"
duration = 0
then = "attract"
"""


def test_check_knows_timeouts_and_their_routes(tmp_path: Path) -> None:
    code, out, _ = call("check", str(write_flow(tmp_path, WATCHDOG_FLOW)))
    assert code == 1
    assert "error: Step 'visitor' (block 1) has ontimeout 'Atract', but no step has that name" in out
    assert "[unknown_ontimeout]" in out
    fixed = write_flow(tmp_path, WATCHDOG_FLOW.replace('"Atract"', '"Goodbye"'))
    code, out, _ = call("check", str(fixed))
    assert code == 0 and "unreachable" not in out  # 'goodbye' is reached by visitor's watchdog
    code, out, _ = call("graph", str(fixed))
    assert code == 0 and "    s2 ==>|timeout 60s| s3" in out.splitlines()


INSTALLATION_FLOW = """
[[steps]]
label = "Attract"
until = "signal"
signal = "visitor"
[[steps]]
label = "Load"
duration = 0
until = "tasks"
onerror = "Sorry"
[[steps]]
label = "Show"
duration = 10
then = "='attract' if ctx.get('signal.visitor') else 'end'"
[[steps]]
label = "Sorry"
duration = 3
then = "attract"
"""


def test_check_and_graph_know_signals_tasks_error_routes_and_conditional_routes(tmp_path: Path) -> None:
    code, out, _ = call("check", str(write_flow(tmp_path, INSTALLATION_FLOW)))
    assert code == 0, out
    assert "unreachable" not in out  # 'sorry' is reached by load's error route
    assert ("note: Step 'show' then is conditional, worked out when the step is left: ='attract' if "
            "ctx.get('signal.visitor') else 'end' (it can lead to 'attract', 'end') [conditional_route]") in out
    code, out, _ = call("graph", str(tmp_path / "flow.toml"))
    lines = out.splitlines()
    assert code == 0 and "    s2 -->|error| s4" in lines and "    s3 -.->|then?| s1" in lines
    assert "    s3 -.->|then?| finish" in lines
    broken = write_flow(tmp_path, INSTALLATION_FLOW.replace('signal = "visitor"', "").replace(
        "then = \"='attract'", "then = \"='attract' if"))
    code, out, _ = call("check", str(broken))
    assert code == 1
    assert "error: Step 'attract' (block 0) waits for a signal (until 'signal') but names none" in out
    assert "[no_signal]" in out and "[invalid_route]" in out and "Step 'show' then expression" in out


def test_bad_flow_file_exits_2_with_the_reason(tmp_path: Path) -> None:
    flow = write_flow(tmp_path, '[[steps]]\nlabel = "A"\nduraton = 1\n')
    for command in ("check", "graph", "run"):
        code, out, err = call(command, str(flow))
        assert code == 2 and out == ""
        assert f"lopflow {command}: {flow}: step 1 ('A'): unknown key 'duraton'" in err


def test_graph_mermaid_and_dot_show_next_jump_and_end_edges(tmp_path: Path) -> None:
    flow = write_flow(tmp_path, """
[[steps]]
label = "Draft"
duration = 0.5
[[steps]]
label = "Review"
then = "draft"
[[steps]]
label = "Publish"
duration = 0
then = "end"
""")
    mermaid = run_lopflow(["graph", str(flow)])
    assert mermaid.returncode == 0, mermaid.stderr
    lines = mermaid.stdout.splitlines()
    assert lines[0] == "flowchart TD"
    assert '    s1("Draft (0.5s)")' in lines and '    s2{{"Review (wait)"}}' in lines
    assert "    start --> s1" in lines and "    s2 -.->|jump| s1" in lines and "    s3 --> finish" in lines

    code, dot, _ = call("graph", str(flow), "--format", "dot")
    assert code == 0
    assert dot.startswith('digraph "flow" {')
    assert '"review" -> "draft" [style=dashed, label="jump"];' in dot
    assert '"publish" -> "__end__";' in dot


def test_graph_svg_without_graphviz_says_how_to_install(tmp_path: Path) -> None:
    empty = tmp_path / "empty_path"
    empty.mkdir()
    result = run_lopflow(["graph", str(EXAMPLE_FLOWS[0]), "--format", "svg", "-o", str(tmp_path / "g.svg")],
                         path_dirs=[empty])
    assert result.returncode == 2
    assert "Graphviz's 'dot' program is not installed" in result.stderr
    assert "sudo apt install graphviz" in result.stderr and "brew install graphviz" in result.stderr
    assert not (tmp_path / "g.svg").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="the fake dot is a POSIX shell script")
def test_graph_svg_pipes_dot_text_through_graphviz(tmp_path: Path) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    dot = fake_bin / "dot"
    # A stand-in for Graphviz: checks its arguments, wraps the DOT text from stdin in an <svg> element.
    dot.write_text(
        "#!/bin/sh\n"
        '[ "$1" = "-Tsvg" ] && [ "$2" = "-o" ] || { echo "bad args: $*" >&2; exit 3; }\n'
        '{ echo "<svg>"; cat; echo "</svg>"; } > "$3"\n',
        encoding="utf-8",
    )
    dot.chmod(dot.stat().st_mode | stat.S_IXUSR)
    flow = EXAMPLES / "review_retry" / "flow.toml"
    target = tmp_path / "out" / "review.svg"
    result = run_lopflow(["graph", str(flow), "--format", "svg", "--output", str(target)],
                         path_dirs=[fake_bin, Path("/bin"), Path("/usr/bin")])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {target}"
    svg = target.read_text(encoding="utf-8")
    assert svg.startswith("<svg>") and '"draft" -> "review";' in svg

    dot.write_text("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 1\n", encoding="utf-8")
    failed = run_lopflow(["graph", str(flow), "--format", "svg", "--output", str(target)],
                         path_dirs=[fake_bin, Path("/bin"), Path("/usr/bin")])
    assert failed.returncode == 2
    assert "Graphviz 'dot'" in failed.stderr and "failed: syntax error in line 1" in failed.stderr
