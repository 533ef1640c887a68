"""Callbacks of FlowController's ``flow_channels`` Script CHOP.

One sample per channel, values from the FlowController extension (``channelValues``): event pulses
(``on_start``, ``on_finish``, ``on_update``, ``on_next_step``, 1 for exactly one cook after the event),
``current_step``, ``max_steps``, ``waiting_for_continue``, one ``status_*`` channel at 1, ``flow_active``,
``progress`` and the optional channels switched on by the Chan* toggles.
"""


def onSetupParameters(scriptOp):
    """No custom parameters: the channels follow FlowController's own parameters."""
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
