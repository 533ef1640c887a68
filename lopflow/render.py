"""What ``lopflow run`` prints: live progress while the flow runs, then a summary; or JSON lines.

Progress is one line rewritten in place when the output is a terminal, and plain lines (one per
change of status, step or running tasks) when it is a file or a pipe, so logs stay readable.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
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


#: In a log, every change is printed for this many lines; after that, at most one line per ``LOG_INTERVAL_S``.
LOG_LINES_IN_FULL = 100
LOG_INTERVAL_S = 10.0


class Progress:
    """Shows FrameSnapshots as they come (``update``); ``close`` ends the progress display.

    On a terminal one line is rewritten in place. In a log (a file or a pipe) a line is printed when
    the status, step, waiting or tasks change; after ``LOG_LINES_IN_FULL`` lines (a long or looping
    run) only the first change in each ``LOG_INTERVAL_S`` of TD time is printed, so logs stay short.
    """

    def __init__(self, out: TextIO, live: bool | None = None) -> None:
        self._out = out
        self._live = live if live is not None else _is_terminal(out)
        self._last_key: tuple[Any, ...] | None = None
        self._shown = False
        self._printed = 0
        self._next_time = 0.0

    def update(self, snapshot: FrameSnapshot) -> None:
        """Show ``snapshot``: rewrite the line on a terminal, else print a line when something changed."""
        if self._live:
            self._out.write(_CLEAR_LINE + describe_frame(snapshot))
            self._out.flush()
            self._shown = True
            return
        key = (snapshot.status, snapshot.step, snapshot.waiting, snapshot.active_tasks)
        if key == self._last_key:
            return
        self._last_key = key
        if self._printed >= LOG_LINES_IN_FULL:
            if snapshot.seconds < self._next_time:
                return
            if self._printed == LOG_LINES_IN_FULL:
                print(f"(a long run: from now on at most one line per {LOG_INTERVAL_S:g} s of TD time)",
                      file=self._out)
            self._next_time = snapshot.seconds + LOG_INTERVAL_S
        print(describe_frame(snapshot), file=self._out)
        self._printed += 1

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


@dataclass(frozen=True)
class Repeat:
    """A run of ``count`` consecutive copies of ``body`` in a collapsed sequence."""

    body: tuple[Any, ...]
    count: int

    def __str__(self) -> str:
        inner = " → ".join(str(item) for item in self.body)
        return f"({inner}) × {self.count}" if len(self.body) > 1 else f"{inner} × {self.count}"


def _collapse_once(items: Sequence[Any], max_period: int) -> list[Any]:
    """One pass: at each position, the period whose consecutive repeats cover the most items becomes a Repeat.

    For each position and period, matching stops at the first mismatch, and the position then moves
    past everything the best period covered, so a pass costs O(len(items) * max_period) comparisons.
    """
    out: list[Any] = []
    i, n = 0, len(items)
    while i < n:
        best_period, best_count = 1, 1
        for period in range(1, min(max_period, (n - i) // 2) + 1):
            matched = 0
            while i + period + matched < n and items[i + period + matched] == items[i + matched]:
                matched += 1
            count = 1 + matched // period
            if count >= 2 and period * count > best_period * best_count:
                best_period, best_count = period, count
        if best_count >= 2:
            out.append(Repeat(tuple(collapse_repeats(items[i:i + best_period], max_period)), best_count))
            i += best_period * best_count
        else:
            out.append(items[i])
            i += 1
    return out


def collapse_repeats(items: Sequence[Any], max_period: int = 16) -> list[Any]:
    """``items`` with consecutive repeats folded into ``Repeat`` tokens, nested loops too.

    ``a b c b c b c d`` becomes ``[a, Repeat((b, c), 3), d]``; passes repeat until nothing folds, so a
    loop inside a loop becomes a Repeat inside a Repeat. ``expand(collapse_repeats(x)) == list(x)``.
    """
    current = list(items)
    while True:
        folded = _collapse_once(current, max_period)
        if len(folded) == len(current):
            return folded
        current = folded


def expand(tokens: Sequence[Any]) -> list[Any]:
    """The sequence a collapsed token list stands for (the inverse of ``collapse_repeats``)."""
    out: list[Any] = []
    for token in tokens:
        if isinstance(token, Repeat):
            body = expand(token.body)
            for _ in range(token.count):
                out.extend(body)
        else:
            out.append(token)
    return out


#: Up to this many step visits, tasks or distinct errors the summary lists every one.
FULL_LIST_LIMIT = 25
#: In a longer run: how many of the last visits / tasks are listed, and how many path tokens shown.
TAIL_ROWS = 5
PATH_TOKENS = 40


def _visit_lines(outcome: RunOutcome) -> list[str]:
    visits = outcome.visits
    lines = [f"Steps visited ({len(visits)}):"]
    if not visits:
        return [*lines, "  (none)"]
    rows = [[str(n), visit.name, _seconds(visit.entered), _seconds(visit.seconds), visit.reason or "-"]
            for n, visit in enumerate(visits, 1)]
    headers = ["#", "step", "entered", "stayed", "left by"]
    if len(visits) <= FULL_LIST_LIMIT:
        return lines + _table(headers, rows)
    tokens = collapse_repeats([visit.name for visit in visits])
    shown = " → ".join(str(token) for token in tokens[:PATH_TOKENS])
    if len(tokens) > PATH_TOKENS:
        shown += f" → … ({len(tokens) - PATH_TOKENS} more parts)"
    lines.append(f"  path: {shown}")
    per_step: dict[str, list[float]] = {}
    for visit in visits:
        per_step.setdefault(visit.name, []).append(visit.seconds or 0.0)
    lines += _table(["step", "visits", "total stay", "mean stay"],
                    [[name, str(len(stays)), f"{sum(stays):.3f} s", f"{sum(stays) / len(stays):.3f} s"]
                     for name, stays in per_step.items()])
    lines.append(f"  last {TAIL_ROWS} visits:")
    return lines + _table(headers, rows[-TAIL_ROWS:])


def _task_row(task: dict[str, Any]) -> list[str]:
    return [str(task["task_id"]), str(task["status"]), _seconds(task.get("duration")),
            str(task.get("description") or ""),
            str(task["error"]) if task.get("error") else repr(task.get("result"))]


def _task_lines(tasks: list[dict[str, Any]]) -> list[str]:
    lines = [f"Tasks ({len(tasks)}):"]
    if not tasks:
        return [*lines, "  (none)"]
    headers = ["id", "status", "duration", "description", "result / error"]
    if len(tasks) <= FULL_LIST_LIMIT:
        return lines + _table(headers, [_task_row(task) for task in tasks])
    statuses = Counter(str(task["status"]) for task in tasks)
    lines.append("  " + ", ".join(f"{count} {status}" for status, count in statuses.most_common()))
    failed = [task for task in tasks if task.get("error")][-TAIL_ROWS:]
    shown = failed + [task for task in tasks[-TAIL_ROWS:] if task not in failed]
    lines.append(f"  last {len(shown)} (failed ones first):")
    return lines + _table(headers, [_task_row(task) for task in shown])


def _error_lines(errors: list[str]) -> list[str]:
    counts = Counter(errors)
    lines = [f"Callback errors ({len(errors)}):"]
    for text, count in list(counts.items())[:FULL_LIST_LIMIT]:
        lines.append(f"  {text}" + (f"  (× {count})" if count > 1 else ""))
    if len(counts) > FULL_LIST_LIMIT:
        lines.append(f"  … and {len(counts) - FULL_LIST_LIMIT} more different errors")
    return lines


def _verdict(outcome: RunOutcome) -> str:
    last = outcome.visits[-1].name if outcome.visits else "-"
    if outcome.finished:
        verdict = f"{outcome.status} ({outcome.result_type})"
        return verdict + (f": {outcome.result}" if outcome.result is not None else "")
    if outcome.settings.fixed_time:
        return (f"still running after {outcome.settings.seconds:g} s of TD time, as asked "
                f"(status {outcome.status}, step {last})")
    return (f"did not finish within {outcome.settings.seconds:g} s of TD time "
            f"(status {outcome.status}, step {last})")


def summary_lines(outcome: RunOutcome) -> list[str]:
    """The end-of-run summary: result, timings, steps visited, tasks and callback errors.

    A long run stays readable: past ``FULL_LIST_LIMIT`` visits the steps are shown as a path with
    loops collapsed (``(idle → attract) × 1800``), counts per step and the last visits; tasks and
    errors are counted, identical errors listed once with how often they happened.
    """
    flow = outcome.flow
    lines = [
        f"Flow: {flow.name} ({flow.path})",
        f"Result: {_verdict(outcome)}",
        f"TD time: {outcome.seconds:.3f} s, {outcome.frames} frames at {outcome.settings.fps:g} fps",
        "",
        *_visit_lines(outcome),
    ]
    if outcome.settings.asyncio or outcome.tasks:
        lines += ["", *_task_lines(outcome.tasks)]
    if outcome.errors:
        lines += ["", *_error_lines(outcome.errors)]
    return lines


def write_summary(outcome: RunOutcome, out: TextIO) -> None:
    """Print the end-of-run summary."""
    print("\n".join(summary_lines(outcome)), file=out)


def write_json_events(outcome: RunOutcome, out: TextIO) -> None:
    """Print the run's event history, one JSON object per line, oldest first."""
    for event in outcome.events:
        print(json.dumps(event, default=repr, sort_keys=True), file=out)
