"""Callbacks of walk-through 1: Initialize -> Process -> Complete.

FlowController calls each function with one ``info`` dict (keys in the README's callback table);
``info['ownerComp']`` is the FlowController, whose promoted methods drive the flow.

- Initialize finds the input file (``poems.txt`` in the project folder: next to your .toe in
  TouchDesigner, next to flow.toml in ``lopflow run``) and keeps its path in the flow context.
- Process hands the slow part (reading the file) to TDAsyncIO: ``asyncio.to_thread`` reads it in a
  worker thread while TouchDesigner keeps cooking frames. The task's completion callback stores the
  line count and calls ``NextStep()``.
- Complete reports the count as the flow's result.
"""

import asyncio
import os

INPUT_FILE = "poems.txt"


def _count_lines(path):
    with open(path, encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


async def count_lines(path):
    """Count the non-empty lines of ``path`` without blocking TouchDesigner's frame."""
    return await asyncio.to_thread(_count_lines, path)


def onStepEnter(info):
    flow = info["ownerComp"]
    step = info["step_name"]
    if step == "initialize":
        path = os.path.join(project.folder, INPUT_FILE)
        if not os.path.isfile(path):
            flow.Finish(f"Input file {path} is missing", "error")
            return
        flow.Set("input_path", path)
        flow.NextStep()
    elif step == "process":
        _start_counting(flow)
    elif step == "complete":
        flow.Set("summary", f"{flow.Get('line_count')} lines in {INPUT_FILE}")


def _start_counting(flow):
    def on_counted(task):
        if task.status == "completed":
            flow.Set("line_count", task.result)
            flow.NextStep()
        else:
            flow.Finish(f"Counting failed: {task.error}", "error")

    op.TDAsyncIO.Run(count_lines(flow.Get("input_path")), description=f"count lines of {INPUT_FILE}",
                     completion_callback=on_counted)


def onFlowFinish(info):
    if info["result_type"] == "success":
        return info["ownerComp"].Get("summary")
    return None
