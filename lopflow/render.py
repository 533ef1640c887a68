"""What ``lopflow run`` prints: live progress while the flow runs, then a summary; or JSON lines.

Progress is one line rewritten in place when the output is a terminal, and plain lines (one per
change of status, step or running tasks) when it is a file or a pipe, so logs stay readable.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from lopflow.headless import FrameSnapshot, RunOutcome

_CLEAR_LINE = "\r\x1b[K"


def describe_frame(snapshot: FrameSnapshot) -> str:
    """One progress line: TD time and frame, status, current step, running tasks."""
    step = snapshot.step or "-"
    if snapshot.waiting:
        step += " (waiting)"
    line = f"[{snapshot.seconds:7.3f} s  frame {snapshot.frame:>5}]  {snapshot.status:<9}  step: {step}"
    if snapshot.active_tasks:
        line += f"  tasks: {', '.join(snapshot.active_tasks)}"
    return line


class Progress:
    """Shows FrameSnapshots as they come (``update``); ``close`` ends the progress display."""

    def __init__(self, out: TextIO, live: bool | None = None) -> None:
        self._out = out
        self._live = live if live is not None else _is_terminal(out)
        self._last_key: tuple[Any, ...] | None = None
        self._shown = False

    def update(self, snapshot: FrameSnapshot) -> None:
        """Show ``snapshot``: rewrite the line on a terminal, else print a line when something changed."""
        if self._live:
            self._out.write(_CLEAR_LINE + describe_frame(snapshot))
            self._out.flush()
            self._shown = True
            return
        key = (snapshot.status, snapshot.step, snapshot.waiting, snapshot.active_tasks)
        if key != self._last_key:
            self._last_key = key
            print(describe_frame(snapshot), file=self._out)

    def close(self) -> None:
        """Finish the live line (a newline), so what follows starts on a fresh line."""
        if self._live and self._shown:
            self._out.write("\n")
            self._out.flush()


def _is_terminal(out: TextIO) -> bool:
    isatty = getattr(out, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # closed stream
        return False


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f} s"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(len(headers))]
    lines = ["  " + "  ".join(text.ljust(widths[i]) for i, text in enumerate(headers)).rstrip()]
    lines += ["  " + "  ".join(text.ljust(widths[i]) for i, text in enumerate(row)).rstrip() for row in rows]
    return lines


def summary_lines(outcome: RunOutcome) -> list[str]:
    """The end-of-run summary: result, timings, steps visited, tasks and callback errors."""
    flow = outcome.flow
    if outcome.finished:
        verdict = f"{outcome.status} ({outcome.result_type})"
        if outcome.result is not None:
            verdict += f": {outcome.result}"
    else:
        verdict = (f"did not finish within {outcome.settings.seconds:g} s of TD time "
                   f"(status {outcome.status}, step {outcome.visits[-1].name if outcome.visits else '-'})")
    lines = [
        f"Flow: {flow.name} ({flow.path})",
        f"Result: {verdict}",
        f"TD time: {outcome.seconds:.3f} s, {outcome.frames} frames at {outcome.settings.fps:g} fps",
        "",
        f"Steps visited ({len(outcome.visits)}):",
    ]
    if outcome.visits:
        rows = [[str(n), visit.name, _seconds(visit.entered), _seconds(visit.seconds), visit.reason or "-"]
                for n, visit in enumerate(outcome.visits, 1)]
        lines += _table(["#", "step", "entered", "stayed", "left by"], rows)
    else:
        lines.append("  (none)")
    if outcome.settings.asyncio or outcome.tasks:
        lines += ["", f"Tasks ({len(outcome.tasks)}):"]
        if outcome.tasks:
            rows = [[str(task["task_id"]), str(task["status"]), _seconds(task.get("duration")),
                     str(task.get("description") or ""),
                     str(task["error"]) if task.get("error") else repr(task.get("result"))]
                    for task in outcome.tasks]
            lines += _table(["id", "status", "duration", "description", "result / error"], rows)
        else:
            lines.append("  (none)")
    if outcome.errors:
        lines += ["", f"Callback errors ({len(outcome.errors)}):"]
        lines += [f"  {error}" for error in outcome.errors]
    return lines


def write_summary(outcome: RunOutcome, out: TextIO) -> None:
    """Print the end-of-run summary."""
    print("\n".join(summary_lines(outcome)), file=out)


def write_json_events(outcome: RunOutcome, out: TextIO) -> None:
    """Print the run's event history, one JSON object per line, oldest first."""
    for event in outcome.events:
        print(json.dumps(event, default=repr, sort_keys=True), file=out)
