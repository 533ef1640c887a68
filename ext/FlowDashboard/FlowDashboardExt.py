"""FlowDashboardExt: the TouchDesigner face of the dashboard, translation only.

The Web Server DAT ``webserver`` (its ``active`` and ``port`` follow the Active and Port parameters)
calls ``webserver_callbacks``, which forwards every callback here; this class turns them into calls of
the pure ``dashboard_hub.DashboardHub`` and gives the hub TD's side:

- the flows: the process-wide registry every FlowController with Expose Process on publishes to (root
  storage, ``flowdashboard_spec.DASHBOARD_KEY``); the hub is told of each change and pushes it at the
  end of the frame (``frame_execute``, an Execute DAT that is on only while something is due);
- the pages: ``webSocketSendText`` / ``webSocketClose`` of the Web Server DAT;
- control: ``dashboard_control.perform`` on the exposed FlowController the page names;
- HTTP: ``dashboard_web`` (the page from the ``dashboard_page`` DAT, ``/flows.json``, the Address rule);
- the TDAsyncIO task tables, looked at every Taskinterval seconds while a page is open (a delayed
  ``run()``, so a frame in which nothing is due costs the dashboard nothing at all).

Everything a page sends is handled inside ``try``: a bad message is counted (Rejected) and answered,
never raised into TD's frame. Nothing touches TD at import time; re-initialising the extension (editing
its code) greets the pages still connected again, so they keep working.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import dashboard_control
import dashboard_hub
import dashboard_protocol
import dashboard_web
import flowdashboard_spec as spec

LOGGER = logging.getLogger(spec.LOGGER_NAME)


class FlowDashboardExt:
    """Promoted extension of the FlowDashboard COMP."""

    def __init__(self, ownerComp: Any) -> None:
        """Read the parameters and make the hub; writes nothing to TD (``onInitTD`` does)."""
        self.ownerComp = ownerComp
        self._alive = True
        self._registry: Any = None
        self._unsubscribe: Any = None
        self._retryScheduled = False
        self._written: dict[str, Any] = {}
        self._frameActive: bool | None = None
        self._lastNote = ""
        self._tasksScheduled = False
        self._tasksSeen: str | None = None
        self._shown: tuple[Any, ...] = ()
        self._hub = dashboard_hub.DashboardHub(self._send, self._closeClient, self._perform, self._now,
                                               self._readSettings(), note=self._noted)

    # ================================================================== TD hooks
    def onInitTD(self) -> None:
        """End of the frame the extension initialised in: find the flows, greet connected pages, show Status."""
        self._connectRegistry()
        server = self._webserver()
        if server is not None:
            for client in list(server.webSocketConnections):
                self.onWebSocketOpen(client, "")
        self._refresh()

    def onDestroyTD(self) -> None:
        """The extension is replaced or the COMP destroyed: stop listening to the flows."""
        self._alive = False
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # ================================================================== forwarded from DATs (not promoted)
    def onHTTPRequest(self, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        """Web Server DAT: an HTTP request (the page, /flows.json); returns TD's response dict."""
        try:
            permitted = dashboard_web.allowed(self._address, request.get("clientAddress"),
                                              request.get("serverAddress"))
            if not permitted[0]:
                self._hub.rejected += 1
                self._refresh()
            return dashboard_web.respond(request, response, self._pageText, self._flowsJson, permitted)
        except Exception as exc:  # noqa: BLE001 - never an exception in TD's frame
            LOGGER.exception("dashboard: HTTP request failed")
            response.update({"statusCode": 500, "statusReason": "Internal Server Error", "data": str(exc)})
            return response

    def onWebSocketOpen(self, client: str, uri: str | None = None) -> None:
        """Web Server DAT: a page connected (refused when the Address parameter does not allow it)."""
        try:
            ok, why = dashboard_web.allowed(self._address, client)
            if not ok:
                self._hub.rejected += 1
                self._send(client, dashboard_protocol.with_seq(1, dashboard_protocol.note_body(why)))
                self._closeClient(client)
                return
            if self._registry is None:
                self._connectRegistry()
            self._hub.open(client)
            self._scheduleTasks(0)
        except Exception:  # noqa: BLE001
            LOGGER.exception("dashboard: opening %s failed", client)
        self._afterEvent()

    def onWebSocketClose(self, client: str) -> None:
        """Web Server DAT: a page's connection closed."""
        self._hub.close(client)
        self._afterEvent()

    def onWebSocketReceiveText(self, client: str, data: Any) -> None:
        """Web Server DAT: a page sent a message (an acknowledgement or a control)."""
        try:
            self._hub.receive(client, data)
        except Exception:  # noqa: BLE001 - the hub does not raise; this is the last guard
            LOGGER.exception("dashboard: a message from %s failed", client)
        self._afterEvent()

    def onWebSocketReceiveBinary(self, client: str, data: Any) -> None:
        """Web Server DAT: binary data, which the dashboard does not read (counted and answered)."""
        self._hub.refuse(client, "binary messages are not understood; send JSON text")
        self._afterEvent()

    def onWebSocketReceivePing(self, client: str, data: Any) -> None:
        """Web Server DAT: answer a ping with a pong."""
        server = self._webserver()
        if server is not None:
            try:
                server.webSocketSendPong(client, data=data)
            except Exception:  # noqa: BLE001
                LOGGER.debug("dashboard: pong to %s failed", client)

    def onServerStart(self) -> None:
        """Web Server DAT: the server listens."""
        self._written["_server"] = "started"
        self._refresh()

    def onServerStop(self) -> None:
        """Web Server DAT: the server stopped."""
        self._written["_server"] = "stopped"
        self._refresh()

    def onFrameEnd(self, frame: int) -> None:
        """Execute DAT, on only while something is due: push what changed since the last frame."""
        try:
            self._hub.flush()
        except Exception:  # noqa: BLE001
            LOGGER.exception("dashboard: frame work failed")
        self._refresh()
        self._updateFrameActive()

    def onParValueChange(self, par: Any, prev: Any) -> None:
        """Parameter Execute DAT: a setting changed."""
        if par.name in ("Active", "Port", "Address"):
            self._shown = ()
        if par.name in ("Active", "Port"):
            self._refresh()
            return
        self._hub.settings = self._readSettings()
        self._tasksSeen = None
        self._refresh()
        self._updateFrameActive()

    # ================================================================== promoted API
    @property
    def Url(self) -> str:
        """The page's address (what to open in a browser), e.g. http://127.0.0.1:9980/."""
        address = str(self.ownerComp.par.Address.eval()).strip()
        host = address if address not in ("", "0.0.0.0", "*", "::") else socket.gethostname()
        return f"http://{host}:{int(self.ownerComp.par.Port.eval())}/"

    @property
    def Connections(self) -> list[str]:
        """The connected pages' client addresses (host:port), oldest first."""
        return self._hub.clients

    @property
    def Stats(self) -> dict[str, int]:
        """Counters: pages, flows, messages sent, controls carried out, messages rejected, pages dropped."""
        hub = self._hub
        return {"pages": len(hub.clients), "flows": len(hub.flows), "sent": hub.messages_sent,
                "controls": hub.controls, "rejected": hub.rejected, "dropped": hub.dropped}

    # ================================================================== translation helpers
    def _readSettings(self) -> dashboard_hub.Settings:
        par = self.ownerComp.par
        machine = str(par.Machinename.eval()).strip() or socket.gethostname()
        machines = tuple(str(par.Machines.eval()).replace(",", " ").split())
        settings = dashboard_hub.Settings(
            machine=machine, machines=machines, token=str(par.Token.eval()).strip(),
            max_message=int(par.Maxmessage.eval()), rate=float(par.Ratelimit.eval()),
            window=int(par.Sendwindow.eval()), client_timeout=float(par.Clienttimeout.eval()),
            history_tail=int(par.Historytail.eval()))
        self._address = str(par.Address.eval()).strip()
        return settings

    def _now(self) -> float:
        return float(absTime.seconds)

    def _webserver(self) -> Any:
        return self.ownerComp.op(spec.WEBSERVER_DAT)

    def _send(self, client: str, text: str) -> None:
        server = self._webserver()
        if server is None:
            return
        try:
            server.webSocketSendText(client, text)
        except Exception:  # noqa: BLE001 - a client that just went away
            LOGGER.debug("dashboard: sending to %s failed", client)

    def _closeClient(self, client: str) -> None:
        server = self._webserver()
        if server is None:
            return
        try:
            server.webSocketClose(client)
        except Exception:  # noqa: BLE001
            LOGGER.debug("dashboard: closing %s failed", client)

    def _perform(self, key: str, action: str, args: dict[str, Any], source: str) -> tuple[bool, Any]:
        registry = self._registry
        if registry is None or not registry.is_registered(key):
            return False, f"no exposed flow {key!r}"
        controller = op(key)
        if controller is None:
            return False, f"no FlowController at {key}"
        return dashboard_control.perform(controller, action, args, source)

    def _noted(self, text: str) -> None:
        self._lastNote = text

    # ------------------------------------------------------------------ flows
    def _connectRegistry(self) -> None:
        if self._unsubscribe is not None or not self._alive:
            return
        registry = root.fetch(spec.DASHBOARD_KEY, None, search=False)
        if registry is None:
            self._scheduleRetry()
            return
        self._registry = registry
        self._unsubscribe = registry.subscribe(self._onFlow)
        for key, payload in registry.snapshot().items():
            self._hub.flow_changed(key, payload)
        self._updateFrameActive()

    def _scheduleRetry(self) -> None:
        if self._retryScheduled:
            return
        self._retryScheduled = True
        run("args[0]()", self._retryRegistry, delayFrames=spec.REGISTRY_RETRY_FRAMES, fromOP=self.ownerComp)

    def _retryRegistry(self) -> None:
        self._retryScheduled = False
        if self._alive and self.ownerComp.valid:
            self._connectRegistry()

    def _onFlow(self, key: str, payload: dict[str, Any] | None) -> None:
        self._hub.flow_changed(key, payload)
        if not self._frameActive:
            self._updateFrameActive()

    # ------------------------------------------------------------------ outputs
    def _afterEvent(self) -> None:
        self._refresh()
        self._updateFrameActive()

    def _due(self) -> bool:
        return self._hub.due

    def _updateFrameActive(self) -> None:
        active = self._due()
        if active == self._frameActive:
            return
        dat = self.ownerComp.op(spec.FRAME_EXECUTE_DAT)
        if dat is not None:
            dat.par.active = active
            self._frameActive = active

    def _write(self, name: str, value: Any) -> None:
        if self._written.get(name) == value:
            return
        par = self.ownerComp.par[name]
        if par is not None and par.eval() != value:
            par.val = value
        self._written[name] = value

    def _refresh(self) -> None:
        hub = self._hub
        shown = (len(hub.clients), len(hub.flows), hub.rejected, hub.dropped, self._lastNote, hub.settings.token != "",
                 self._registry is not None, self._written.get("_server"))
        if shown == self._shown:
            return
        self._shown = shown
        self._write("Status", self._status())
        self._write("Pages", len(hub.clients))
        self._write("Rejected", hub.rejected)
        self._write("Dropped", hub.dropped)

    def _status(self) -> str:
        par = self.ownerComp.par
        if not par.Active.eval():
            return "Off: turn Active on to serve the dashboard"
        server = self._webserver()
        error = server.errors() if server is not None else "the webserver DAT is missing; rebuild the component"
        if error:
            return f"Not serving: {error.splitlines()[0]}"
        hub = self._hub
        control = "control on" if hub.settings.token else "read-only (set Token to steer)"
        text = f"Serving {self.Url} to {len(hub.clients)} page(s), {len(hub.flows)} flow(s), {control}"
        if self._registry is None:
            text += "; no FlowController has Expose Process on yet"
        if self._lastNote:
            text += f"; last note: {self._lastNote}"
        return text

    # ------------------------------------------------------------------ HTTP
    def _pageText(self) -> str:
        page = self.ownerComp.op(spec.PAGE_DAT)
        return page.text if page is not None else "<p>The dashboard page DAT is missing; rebuild FlowDashboard.</p>"

    def _flowsJson(self) -> str:
        flows = self._registry.snapshot() if self._registry is not None else {}
        return dashboard_protocol.encode({"machine": self._hub.settings.machine, "flows": flows})

    # ------------------------------------------------------------------ tasks
    def _taskComps(self) -> list[Any]:
        par = self.ownerComp.par.Asynciocomps
        comps = [comp for comp in par.evalOPs() if comp is not None] if par.eval() else []
        if comps:
            return comps
        try:
            found = op.TDAsyncIO
        except Exception:  # noqa: BLE001 - TD raises when no Global OP Shortcut TDAsyncIO exists
            return []
        return [found] if found is not None else []

    def _scheduleTasks(self, frames: int | None = None) -> None:
        """Look at the task tables now (``frames`` 0) or in Taskinterval seconds, while pages are open."""
        if self._tasksScheduled:
            return
        self._tasksScheduled = True
        delay = frames if frames is not None else max(1, round(float(self.ownerComp.par.Taskinterval.eval())
                                                                * float(project.cookRate)))
        run("args[0]()", self._tasksTick, delayFrames=delay, fromOP=self.ownerComp)

    def _tasksTick(self) -> None:
        self._tasksScheduled = False
        if not (self._alive and self.ownerComp.valid and self._hub.clients):
            return
        try:
            self._sampleTasks()
        except Exception:  # noqa: BLE001
            LOGGER.exception("dashboard: reading the task tables failed")
        self._updateFrameActive()
        self._scheduleTasks()

    def _sampleTasks(self) -> None:
        hub = self._hub
        rows: list[dict[str, Any]] = []
        for comp in self._taskComps():
            tasks = dashboard_control.member(comp, "GetAllTasksInfo")
            if not callable(tasks):
                continue
            for info in tasks():
                rows.append({"comp": comp.path, "id": info.get("task_id"), "status": str(info.get("status")),
                             "description": str(info.get("description") or ""),
                             "duration": round(float(info.get("duration") or 0.0), 1),
                             "error": str(info.get("error") or "")})
        seen = dashboard_protocol.encode(rows)
        if seen != self._tasksSeen:
            self._tasksSeen = seen
            hub.tasks_changed(rows)
