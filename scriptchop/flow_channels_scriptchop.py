"""Callbacks of FlowController's ``flow_channels`` Script CHOP.

One sample per channel, values from the FlowController extension (``channelValues``): event pulses
(``on_start``, ``on_finish``, ``on_update``, ``on_next_step``, 1 for exactly one cook after the event),
``current_step``, ``max_steps``, ``waiting_for_continue``, one ``status_*`` channel at 1, ``flow_active``,
``progress`` and the optional channels switched on by the Chan* toggles.

The CHOP cooks when something reads it after the FlowController bumped its ``Revision`` parameter
(made here, in ``onSetupParameters``; the extension pulses Setup Parameters when it is missing): many
step changes in one frame cost one cook, and nothing cooks while nothing changes.
"""


def onSetupParameters(scriptOp):
    """The ``Revision`` parameter the FlowController bumps when a channel changed (read-only, page Flow)."""
    if scriptOp.par["Revision"] is not None:
        return
    page = scriptOp.appendCustomPage("Flow")
    page.appendInt("Revision", label="Revision")
    scriptOp.par.Revision.readOnly = True
    return


def onPulse(par):
    """No pulse parameters on this Script CHOP."""
    return


def onCook(scriptOp):
    """Rebuild the channels from the FlowController's current state."""
    controller = scriptOp.parent()
    values = controller.ext.FlowControllerExt.channelValues()
    scriptOp.clear()
    scriptOp.numSamples = 1
    for name, value in values:
        scriptOp.appendChan(name)[0] = value
    return
