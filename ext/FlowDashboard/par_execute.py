"""FlowDashboard's Parameter Execute DAT: setting changes go to FlowDashboardExt."""


def onValueChange(par, prev):
    parent().ext.FlowDashboardExt.onParValueChange(par, prev)
