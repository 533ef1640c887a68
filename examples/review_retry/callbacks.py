"""Callbacks of walk-through 3: a review/retry loop.

Draft takes half a second of TD time (a timed step), then Review decides at once: a draft that is
not good enough sends the flow back to Draft with ``GoToStep('draft')``; a good one moves on with
``NextStep()`` to Publish, which ends the flow. After ``MAX_ATTEMPTS`` rejected drafts the flow gives
up with ``Finish(..., 'error')``. The context keeps the attempt count and the current draft.
"""

#: The review accepts a draft once its quality reaches this.
GOOD_ENOUGH = 3
MAX_ATTEMPTS = 5


def onFlowStart(info):
    info["ownerComp"].Set("attempt", 0)


def onStepEnter(info):
    flow = info["ownerComp"]
    step = info["step_name"]
    if step == "draft":
        attempt = flow.Get("attempt", 0) + 1
        flow.Set("attempt", attempt)
        flow.Set("draft", {"version": attempt, "quality": attempt})
    elif step == "review":
        draft = flow.Get("draft")
        if draft["quality"] >= GOOD_ENOUGH:
            flow.NextStep()
        elif draft["version"] >= MAX_ATTEMPTS:
            flow.Finish(f"Gave up after {draft['version']} drafts", "error")
        else:
            flow.GoToStep("draft")


def onFlowFinish(info):
    if info["result_type"] == "success":
        return f"Published draft {info['ownerComp'].Get('draft')['version']}"
    return None
