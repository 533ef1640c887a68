"""TDAsyncIO's Parameter Execute DAT: value changes and pulses go to TDAsyncIOExt."""


def onValueChange(par, prev):
    parent().ext.TDAsyncIOExt.onParValueChange(par, prev)


def onPulse(par):
    parent().ext.TDAsyncIOExt.onParPulse(par)
