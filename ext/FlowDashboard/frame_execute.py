"""FlowDashboard's Execute DAT: at the end of a frame in which something is due, push it (code in FlowDashboardExt)."""


def onFrameEnd(frame):
    parent().ext.FlowDashboardExt.onFrameEnd(frame)
