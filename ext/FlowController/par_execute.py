"""FlowController's Parameter Execute DAT: value changes and pulses go to FlowControllerExt."""


def onValueChange(par, prev):
    parent().ext.FlowControllerExt.onParValueChange(par, prev)


def onPulse(par):
    parent().ext.FlowControllerExt.onParPulse(par)
