"""The ``lopflow`` command: run a flow headless, draw its graph, check it.

    lopflow run FLOW [--json] [--seconds S] [--fps F]
    lopflow graph FLOW [--format mermaid|dot|svg] [--output FILE]
    lopflow check FLOW

FLOW is a flow file (TOML, see ``lopflow.flowfile``). Exit codes: 0 fine; 1 the flow has errors
(``check``) or ended in Error (``run``); 2 the command could not do its job (bad flow file, missing
Graphviz, bad arguments).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from lopflow.flowfile import FlowFile, FlowFileError, load_flow_file

EXIT_OK = 0
EXIT_FLOW_FAILED = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``lopflow`` command (also used to document it)."""
    parser = argparse.ArgumentParser(
        prog="lopflow",
        description="Run, draw and check LOPflow flows without TouchDesigner (on mock_td).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a flow headless and show its progress")
    run.add_argument("flow", type=Path, help="the flow file (TOML)")
    run.add_argument("--json", action="store_true", help="print the event history as JSON lines instead")
    run.add_argument("--seconds", type=float, help="stop after this much TD time (overrides [run] seconds)")
    run.add_argument("--fps", type=float, help="TD frames per second (overrides [run] fps)")

    graph = commands.add_parser("graph", help="print the flow graph (steps and next/jump/end edges)")
    graph.add_argument("flow", type=Path, help="the flow file (TOML)")
    graph.add_argument("--format", choices=("mermaid", "dot", "svg"), default="mermaid",
                       help="mermaid or dot text on stdout, or an svg picture (needs Graphviz)")
    graph.add_argument("--output", "-o", type=Path,
                       help="where --format svg writes the picture (default: next to the flow file)")

    check = commands.add_parser("check", help="validate a flow; exit code 1 when it has errors")
    check.add_argument("flow", type=Path, help="the flow file (TOML)")
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Entry point of the ``lopflow`` console script; returns the exit code."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    args = build_parser().parse_args(argv)
    try:
        flow = load_flow_file(args.flow)
    except FlowFileError as exc:
        print(f"lopflow {args.command}: {exc}", file=err)
        return EXIT_USAGE
    if args.command == "check":
        return _check(flow, out)
    if args.command == "graph":
        return _graph(flow, args.format, args.output, out, err)
    return _run(flow, args, out, err)


def _check(flow: FlowFile, out: TextIO) -> int:
    from lopflow.flowcheck import check_flow, format_findings

    findings = check_flow(flow)
    print(format_findings(flow, findings), file=out)
    return EXIT_FLOW_FAILED if any(finding.is_error for finding in findings) else EXIT_OK


def _graph(flow: FlowFile, fmt: str, output: Path | None, out: TextIO, err: TextIO) -> int:
    from lopflow import graphs

    try:
        if fmt == "svg":
            target = output if output is not None else flow.path.with_suffix(".svg")
            graphs.write_svg(flow, target)
            print(f"wrote {target}", file=out)
        else:
            print(graphs.render_text(flow, fmt), file=out)
    except graphs.GraphError as exc:
        print(f"lopflow graph: {exc}", file=err)
        return EXIT_USAGE
    return EXIT_OK


def _run(flow: FlowFile, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from lopflow import headless, render

    try:
        settings = headless.run_settings(flow, seconds=args.seconds, fps=args.fps)
        if args.json:
            outcome = headless.run_flow(flow, settings, on_frame=None)
            render.write_json_events(outcome, out)
        else:
            progress = render.Progress(out)
            outcome = headless.run_flow(flow, settings, on_frame=progress.update)
            progress.close()
            render.write_summary(outcome, out)
    except headless.HeadlessError as exc:
        print(f"lopflow run: {exc}", file=err)
        return EXIT_USAGE
    return EXIT_FLOW_FAILED if outcome.failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
