"""Callbacks of the installation example: attract loop -> visitor -> load content -> show -> attract.

The flow moves by itself (see flow.toml): the ``visitor`` signal (payload: the visitor id) ends the
attract loop, the loading task ends Load Content, the timer ends Show. The callbacks only say what
each step means for the outputs, through the flow context:

- ``scene``: what the screen shows (``attract``, ``loading`` or ``show``), ``visitor``: who for;
- ``attract_loops``: how often the attract clip started (the watchdog restarts it every 8 s);
- ``content`` / ``loaded_for``: the content last loaded and for which visitor; ``onRoute`` routes on
  them: a visitor whose content is still loaded (the same one, back again) goes from Attract straight
  to Show;
- ``preload``: set by the Show step's end alert, so the attract clip is ready when the show ends.

Loading is simulated with ``asyncio.sleep`` (a real installation would download or read files, e.g.
with ``asyncio.to_thread``); ``load_seconds`` in the context (default ``LOAD_SECONDS``) stands for the
network's speed. A visitor id not in ``CONTENT`` makes the task fail: Load Content's error route goes
back to the attract loop. Loading longer than Load Content's watchdog (5 s) goes back there too, and
leaving the step cancels the task.
"""

import asyncio

#: What each known visitor sees (a real installation would fetch it from a content server).
CONTENT = {"v001": "Welcome back, Ada", "v002": "Hello, Grace", "v003": "Good to see you, Alan"}
#: Seconds the simulated download takes, unless the context says otherwise (``load_seconds``).
LOAD_SECONDS = 1.0


async def load_content(visitor, seconds):
    """Fetch ``visitor``'s content without blocking TouchDesigner's frame (simulated: a sleep)."""
    await asyncio.sleep(seconds)
    if visitor not in CONTENT:
        raise KeyError(f"no content for visitor {visitor!r}")
    return CONTENT[visitor]


def onFlowStart(info):
    info["ownerComp"].Set("attract_loops", 0)


def onStepEnter(info):
    flow = info["ownerComp"]
    step = info["step_name"]
    if step == "attract":
        flow.Set("scene", "attract")
        flow.Set("attract_loops", flow.Get("attract_loops", 0) + 1)
    elif step == "load_content":
        visitor = flow.Get("signal.visitor")
        flow.Set("scene", "loading")
        flow.Set("visitor", visitor)
        flow.RunTask(load_content(visitor, flow.Get("load_seconds", LOAD_SECONDS)),
                     description=f"load content for {visitor}")
    elif step == "show":
        flow.Set("scene", "show")
        flow.Set("visitor", flow.Get("signal.visitor"))
        flow.Set("preload", None)


def onRoute(info):
    context = info["context"]
    if info["step_name"] == "attract" and info["field"] == "then":
        if context.get("loaded_for") == context.get("signal.visitor"):
            return "show"
    return None


def onTaskDone(info):
    if info["status"] == "completed":
        flow = info["ownerComp"]
        flow.Set("content", info["result"])
        flow.Set("loaded_for", flow.Get("visitor"))


def onStepEndAlert(info):
    info["ownerComp"].Set("preload", "attract")
