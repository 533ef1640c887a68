"""Callbacks of walk-through 2: timed steps.

Every step has a duration, so the flow advances on its own: nobody calls ``NextStep()``. The
callbacks only say what each step means, by setting the ``opacity`` the show should fade to and
remembering when (TD seconds) each step began.
"""

OPACITY = {"fade_in": 1.0, "hold": 1.0, "fade_out": 0.0}


def onStepEnter(info):
    flow = info["ownerComp"]
    flow.Set("opacity", OPACITY[info["step_name"]])
    flow.Set(f"entered_{info['step_name']}", round(absTime.seconds, 3))
