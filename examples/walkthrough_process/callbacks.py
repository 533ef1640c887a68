"""Callbacks of walk-through 1: Initialize -> Process -> Complete.

FlowController calls each function with one ``info`` dict (keys in the README's callback table);
``info['ownerComp']`` is the FlowController, whose promoted methods drive the flow.

- Initialize notes where the input file is (``poems.txt`` in the project folder: next to your .toe in
  TouchDesigner, next to flow.toml in ``lopflow run``) in the flow context.
- Process starts a step task with ``RunTask``: ``asyncio.to_thread`` reads the file in a worker thread
  while TouchDesigner keeps cooking frames. The step has ``until = "tasks"``, so it leaves by itself when
  the task has completed; ``onTaskDone`` only keeps the count. A missing file makes the task fail, and
  the step's error route (``onerror = "end"``) ends the run with result_type 'error' and the task's error
  as the result. If the step were left some other way (Stop, GoToStep), the task would be cancelled.
- Complete reports the count as the flow's result.
"""

import asyncio
import os

INPUT_FILE = "poems.txt"


def _count_lines(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())
    except FileNotFoundError:
        raise FileNotFoundError(f"Input file {path} is missing") from None


async def count_lines(path):
    """Count the non-empty lines of ``path`` without blocking TouchDesigner's frame."""
    return await asyncio.to_thread(_count_lines, path)


def onStepEnter(info):
    flow = info["ownerComp"]
    step = info["step_name"]
    if step == "initialize":
        flow.Set("input_path", os.path.join(project.folder, INPUT_FILE))
    elif step == "process":
        flow.RunTask(count_lines(flow.Get("input_path")), description=f"count lines of {INPUT_FILE}")
    elif step == "complete":
        flow.Set("summary", f"{flow.Get('line_count')} lines in {INPUT_FILE}")


def onTaskDone(info):
    if info["status"] == "completed":
        info["ownerComp"].Set("line_count", info["result"])


def onFlowFinish(info):
    if info["result_type"] == "success":
        return info["ownerComp"].Get("summary")
    return None
