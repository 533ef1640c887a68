"""FlowDashboard's Web Server DAT callbacks: each one goes to FlowDashboardExt (TD's main thread, frame time)."""


def onHTTPRequest(webServerDAT, request, response):
    return parent().ext.FlowDashboardExt.onHTTPRequest(request, response)


def onWebSocketOpen(webServerDAT, client, uri=None):
    parent().ext.FlowDashboardExt.onWebSocketOpen(client, uri)


def onWebSocketClose(webServerDAT, client):
    parent().ext.FlowDashboardExt.onWebSocketClose(client)


def onWebSocketReceiveText(webServerDAT, client, data):
    parent().ext.FlowDashboardExt.onWebSocketReceiveText(client, data)


def onWebSocketReceiveBinary(webServerDAT, client, data):
    parent().ext.FlowDashboardExt.onWebSocketReceiveBinary(client, data)


def onWebSocketReceivePing(webServerDAT, client, data):
    parent().ext.FlowDashboardExt.onWebSocketReceivePing(client, data)


def onWebSocketReceivePong(webServerDAT, client, data):
    return


def onServerStart(webServerDAT):
    parent().ext.FlowDashboardExt.onServerStart()


def onServerStop(webServerDAT):
    parent().ext.FlowDashboardExt.onServerStop()
