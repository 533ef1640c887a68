"""FlowController's Execute DAT: one engine tick per frame (code in FlowControllerExt)."""


def onFrameStart(frame):
    parent().ext.FlowControllerExt.onFrameStart(frame)
