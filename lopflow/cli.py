"""The ``lopflow`` command: run a flow headless, draw its graph, check it.

    lopflow run FLOW [--json] [--seconds S | --for S] [--fps F] [--allow-errors] [--dashboard [PORT]]
    lopflow graph FLOW [--format mermaid|dot|svg] [--output FILE]
    lopflow check FLOW
    lopflow dashboard FLOW [FLOW ...] [--port PORT] [--start] [--seconds S]

``--dashboard`` (run) and ``dashboard`` serve the FlowDashboard page for the flows (real-time frames);
its token comes from ``--token`` or the environment variable ``LOPFLOW_DASHBOARD_TOKEN`` (none:
read-only), its address from ``--address`` (default 127.0.0.1: this machine only).

FLOW is a flow file (TOML, see ``lopflow.flowfile``). Exit codes: ``EXIT_CODES`` (the README's table
is generated from it): 0 fine; 1 the flow failed (``check``: it has errors; ``run``: it ended in
Error, did not finish within its time limit, or a callback raised, unless ``--allow-errors``); 2 the
command could not do its job; 141 the output was closed early (``lopflow run --json | head -1``),
which ends the command quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from lopflow.flowfile import FlowFile, FlowFileError, load_flow_file

EXIT_OK = 0
EXIT_FLOW_FAILED = 1
EXIT_USAGE = 2
#: 128 + SIGPIPE, what a Unix tool whose reader went away exits with.
EXIT_OUTPUT_CLOSED = 141

#: Every exit code with its meaning (the README's table says the same).
EXIT_CODES = {
    EXIT_OK: "check: no errors (warnings and notes allowed); run: the flow finished without Error, or was "
             "still running when --for ended, and no callback raised (or --allow-errors); graph: done; "
             "dashboard: stopped by Ctrl+C or at the end of --seconds",
    EXIT_FLOW_FAILED: "check: the flow or its callbacks file has errors; run: the flow ended in Error, did not "
                      "finish within its time limit (--seconds, [run] seconds), or a callback raised",
    EXIT_USAGE: "the command could not do its job: the flow file cannot be read (missing, not UTF-8, not "
                "TOML, wrong keys), bad arguments, Graphviz missing; run: a flow that check finds errors in; "
                "run --dashboard, dashboard: the port cannot be used",
    EXIT_OUTPUT_CLOSED: "the output was closed before the command finished (e.g. piped into head): it stops "
                        "quietly",
}


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
    duration = run.add_mutually_exclusive_group()
    duration.add_argument("--seconds", type=float,
                          help="time limit in TD seconds (overrides [run] seconds); not finished by then: exit 1")
    duration.add_argument("--for", dest="for_seconds", type=float, metavar="SECONDS",
                          help="run a flow meant to keep going (a loop) for this many TD seconds; "
                               "still running then is fine: exit 0")
    run.add_argument("--fps", type=float, help="TD frames per second (overrides [run] fps)")
    run.add_argument("--allow-errors", action="store_true",
                     help="exit 0 even when a callback raised (its errors are still listed)")
    run.add_argument("--dashboard", nargs="?", type=int, const=DEFAULT_DASHBOARD_PORT, metavar="PORT",
                     help=f"serve the dashboard page on PORT (default {DEFAULT_DASHBOARD_PORT}) while the flow runs; "
                          "frames then play in real time")
    _dashboard_options(run)

    graph = commands.add_parser("graph", help="print the flow graph (steps and next/jump/end edges)")
    graph.add_argument("flow", type=Path, help="the flow file (TOML)")
    graph.add_argument("--format", choices=("mermaid", "dot", "svg"), default="mermaid",
                       help="mermaid or dot text on stdout, or an svg picture (needs Graphviz)")
    graph.add_argument("--output", "-o", type=Path,
                       help="where --format svg writes the picture (default: next to the flow file)")

    check = commands.add_parser("check", help="validate a flow and its callbacks file; exit code 1 on errors")
    check.add_argument("flow", type=Path, help="the flow file (TOML)")

    dashboard = commands.add_parser("dashboard", help="serve the dashboard page for flows you start and steer there")
    dashboard.add_argument("flows", type=Path, nargs="+", metavar="FLOW", help="the flow files (TOML)")
    dashboard.add_argument("--port", type=int, default=DEFAULT_DASHBOARD_PORT,
                           help=f"the page's port (default {DEFAULT_DASHBOARD_PORT})")
    dashboard.add_argument("--start", action="store_true", help="start every flow at once (else: from the page)")
    dashboard.add_argument("--seconds", type=float, help="stop after this many seconds (default: at Ctrl+C)")
    _dashboard_options(dashboard)
    return parser


#: The dashboard's default port (FlowDashboard's Port parameter default).
DEFAULT_DASHBOARD_PORT = 9980


def _dashboard_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--token", help="the token pages need to steer (default: $LOPFLOW_DASHBOARD_TOKEN; "
                                         "none: read-only)")
    command.add_argument("--address", default="127.0.0.1",
                         help="whom the dashboard answers: 127.0.0.1 (default, this machine) or 0.0.0.0 (the network)")


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Entry point of the ``lopflow`` console script; returns the exit code (see ``EXIT_CODES``)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    args = build_parser().parse_args(argv)
    try:
        code = _command(args, out, err)
        out.flush()  # inside the try: a reader that went away is noticed here, not at interpreter exit
        return code
    except BrokenPipeError:
        _silence(out)
        return EXIT_OUTPUT_CLOSED


def _silence(out: TextIO) -> None:
    """After the reader of ``out`` went away: point it at the null device, so exiting flushes nothing."""
    try:
        fileno = out.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)


def _command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.command == "dashboard":
        return _dashboard(args, out, err)
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


def _served(err: TextIO) -> Any:
    def tell(dashboard: Any) -> None:
        mode = "control with the token" if dashboard.par.Token.eval() else "read-only (no token)"
        print(f"lopflow: dashboard at {dashboard.Url} ({mode})", file=err, flush=True)
    return tell


def _run(flow: FlowFile, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from lopflow import headless, render

    dashboard = None
    if args.dashboard is not None:
        dashboard = headless.DashboardOptions(args.dashboard, args.token, args.address)
    try:
        settings = headless.run_settings(flow, seconds=args.seconds, fps=args.fps, for_seconds=args.for_seconds)
        if args.json:
            outcome = headless.run_flow(flow, settings, on_frame=None, dashboard=dashboard, on_dashboard=_served(err))
            render.write_json_events(outcome, out)
        else:
            progress = render.Progress(out)
            outcome = headless.run_flow(flow, settings, on_frame=progress.update, dashboard=dashboard,
                                        on_dashboard=_served(err))
            progress.close()
            render.write_summary(outcome, out)
    except headless.HeadlessError as exc:
        print(f"lopflow run: {exc}", file=err)
        return EXIT_USAGE
    if outcome.failed:
        return EXIT_FLOW_FAILED
    if outcome.errors and not args.allow_errors:
        print(f"lopflow run: {len(outcome.errors)} callback error(s) (listed in the summary / the 'error' "
              "events); exit code 1 (--allow-errors to exit 0)", file=err)
        return EXIT_FLOW_FAILED
    return EXIT_OK


def _dashboard(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from lopflow import headless

    try:
        flows = [load_flow_file(path) for path in args.flows]
    except FlowFileError as exc:
        print(f"lopflow dashboard: {exc}", file=err)
        return EXIT_USAGE
    if args.seconds is not None and not args.seconds > 0:
        print("lopflow dashboard: --seconds must be above 0", file=err)
        return EXIT_USAGE
    options = headless.DashboardOptions(args.port, args.token, args.address)
    try:
        frames = headless.serve_flows(flows, options, seconds=args.seconds, start=args.start, on_ready=_served(err))
    except headless.HeadlessError as exc:
        print(f"lopflow dashboard: {exc}", file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("lopflow dashboard: stopped", file=err)
        return EXIT_OK
    print(f"lopflow dashboard: stopped after {frames} frames", file=err)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
