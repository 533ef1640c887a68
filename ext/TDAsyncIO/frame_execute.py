"""TDAsyncIO's Execute DAT: advance the component's asyncio loop once per frame (code in TDAsyncIOExt)."""


def onFrameStart(frame):
    parent().ext.TDAsyncIOExt.onFrameStart(frame)


def onFrameEnd(frame):
    parent().ext.TDAsyncIOExt.onFrameEnd(frame)
