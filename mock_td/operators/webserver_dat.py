"""TD's Web Server DAT (``webserverDAT``): HTTP and WebSockets served on a real local socket.

The network runs on threads (``mock_td.process.webserver_net``); every callback runs on the main
thread at frame time, in the frame phase "Web Server DATs" (see the session's frame order):

* the server follows its parameters there: ``active`` on starts it on ``port``, off stops it, a new
  ``port`` or a ``restart`` pulse restarts it (``onServerStop`` / ``onServerStart``). A port that cannot
  be used is shown as an error of the DAT (``errors()``) and printed to the textport; the server tries
  again when ``active``, ``port`` or ``restart`` change. ``secure`` (TLS) on raises NotImplementedError
  (TLS is not emulated);
* then every event that arrived since the last frame, in order: ``onHTTPRequest(webServerDAT, request,
  response)`` (its returned dict is the answer; ``response`` starts as ``{'statusCode': 404,
  'statusReason': 'Not Found', 'data': ''}``; an exception in the callback answers 500),
  ``onWebSocketOpen(webServerDAT, client, uri)``, ``onWebSocketReceiveText(webServerDAT, client, data)``,
  ``onWebSocketReceiveBinary``, ``onWebSocketReceivePing``, ``onWebSocketReceivePong`` and
  ``onWebSocketClose(webServerDAT, client)``. A callback the callbacks DAT does not define is skipped.
* ``request`` holds ``method``, ``uri`` (the path, without the query), ``pars`` (the query parameters),
  ``clientAddress`` and ``serverAddress`` (``host:port``), ``data`` (the body, bytes; UNCONFIRMED: TD's
  type) and every HTTP header under its own name. A ``client`` is the ``host:port`` text of the peer
  (UNCONFIRMED: TD's exact format), as in ``webSocketConnections``.
* ``webSocketSendText`` / ``SendBinary`` / ``SendPing`` / ``SendPong`` queue the message (the frame never
  waits on the network); to a client that is not open they do nothing (UNCONFIRMED: TD may raise).
  No pong is sent automatically: TD's callbacks template answers pings in ``onWebSocketReceivePing``.
* ``COMP.create(webserverDAT, name)`` also creates a docked Text DAT ``<name>_callbacks`` holding a
  callbacks template and sets ``callbacks`` to it, as TD does (UNCONFIRMED: the template's text).
* Stopping the server (``active`` off, a new port, ``restart``) fires ``onWebSocketClose`` for each open
  client, then ``onServerStop`` (UNCONFIRMED order). Destroying the DAT or reloading the project closes
  the server without callbacks.
* Defaults: ``active`` on, ``port`` 9980 (UNCONFIRMED: TD's docs use 9980 as their example port).
"""

from __future__ import annotations

import base64
import hmac
from typing import Any

from mock_td import messages as msg
from mock_td.operators.dat import DAT, textDAT
from mock_td.operators.execute_dats import call_callback
from mock_td.operators.paths import next_free_name
from mock_td.operators.registry import register
from mock_td.parameters.builtin_pars import _DAT_COMMON_PAGE, BUILTIN_PAGES, BuiltinPage, BuiltinPar
from mock_td.process.webserver_net import OPCODES, NetEvent, NetServer
from mock_td.unsupported import not_modelled, not_modelled_members

#: TD's Web Server page (names and meanings from the Web Server DAT's documentation).
BUILTIN_PAGES["webserverDAT"] = (
    BuiltinPage("Web Server", (
        BuiltinPar("active", "Toggle", True, "Active"),  # UNCONFIRMED default: on
        BuiltinPar("restart", "Pulse", None, "Restart"),
        BuiltinPar("port", "Int", 9980, "Port"),  # UNCONFIRMED default: the docs' example port
        BuiltinPar("secure", "Toggle", False, "Secure (TLS)"),
        BuiltinPar("privatekey", "File", "", "Private Key File Path"),
        BuiltinPar("certificate", "File", "", "Certificate File Path"),
        BuiltinPar("password", "Str", "", "Certificate Password"),
        BuiltinPar("callbacks", "DAT", "", "Callbacks DAT"),
    )),
    _DAT_COMMON_PAGE,
)

#: The text of the callbacks DAT ``create`` makes next to a new Web Server DAT (UNCONFIRMED wording).
CALLBACKS_TEMPLATE = '''# me - this DAT.
# webServerDAT - the connected Web Server DAT
# request - a dictionary of the request fields (method, uri, pars, clientAddress, serverAddress, data, headers)
# response - a dictionary defining the response (statusCode, statusReason, data, extra headers); return it

def onHTTPRequest(webServerDAT, request, response):
\tresponse['statusCode'] = 200
\tresponse['statusReason'] = 'OK'
\tresponse['data'] = '<b>TouchDesigner: </b>' + webServerDAT.name
\treturn response

def onWebSocketOpen(webServerDAT, client, uri):
\treturn

def onWebSocketClose(webServerDAT, client):
\treturn

def onWebSocketReceiveText(webServerDAT, client, data):
\twebServerDAT.webSocketSendText(client, data)
\treturn

def onWebSocketReceiveBinary(webServerDAT, client, data):
\twebServerDAT.webSocketSendBinary(client, data)
\treturn

def onWebSocketReceivePing(webServerDAT, client, data):
\twebServerDAT.webSocketSendPong(client, data=data)
\treturn

def onWebSocketReceivePong(webServerDAT, client, data):
\treturn

def onServerStart(webServerDAT):
\treturn

def onServerStop(webServerDAT):
\treturn
'''

_EVENT_CALLBACKS = {"text": "onWebSocketReceiveText", "binary": "onWebSocketReceiveBinary",
                    "ping": "onWebSocketReceivePing", "pong": "onWebSocketReceivePong"}


@not_modelled_members("webserverDAT", "text")
@register
class webserverDAT(DAT):  # noqa: N801 - TD type name
    """TD's Web Server DAT (see the module docstring)."""

    _label = "Web Server"
    _defaultName = "webserver1"
    __td_source__ = "WebserverDAT_Class"
    __td_member_sources__ = {"text": "DAT_Class (what a Web Server DAT shows as text is not documented)"}

    def __init__(self, world: Any, parent: Any, name: str) -> None:
        self._net: NetServer | None = None
        self._open: dict[str, None] = {}
        self._restartDue = False
        self._failed: tuple[bool, int] | None = None
        super().__init__(world, parent, name)
        world.webserver_dats[self._id] = self
        if parent is not None and not world.restoring:
            callbacks = parent._newChild(textDAT, next_free_name(f"{name}_callbacks", parent._children))
            callbacks.text = CALLBACKS_TEMPLATE
            callbacks._dock = self
            self.par.callbacks = callbacks

    # ---- webserverDAT members ------------------------------------------------------------------
    @property
    def webSocketConnections(self) -> list[str]:  # noqa: N802
        """The clients with an open WebSocket (those whose onWebSocketOpen ran and onWebSocketClose did not)."""
        self._checkValid()
        return list(self._open)

    def webSocketSendText(self, client: str, data: str) -> None:  # noqa: N802
        """Queue a text message to ``client``'s WebSocket."""
        self._send(client, "text", str(data).encode("utf-8"))

    def webSocketSendBinary(self, client: str, data: bytes) -> None:  # noqa: N802
        """Queue a binary message to ``client``'s WebSocket."""
        self._send(client, "binary", bytes(data))

    def webSocketSendPing(self, client: str, data: bytes | str | None = None) -> None:  # noqa: N802
        """Queue a ping to ``client``'s WebSocket."""
        self._send(client, "ping", _control_payload(data))

    def webSocketSendPong(self, client: str, data: bytes | str | None = None) -> None:  # noqa: N802
        """Queue a pong to ``client``'s WebSocket."""
        self._send(client, "pong", _control_payload(data))

    def webSocketClose(self, client: str) -> None:  # noqa: N802
        """Close ``client``'s WebSocket; its onWebSocketClose follows at a later frame."""
        self._checkValid()
        if self._net is not None and client in self._open:
            self._net.close_client(str(client))

    def authenticateBasic(self, token: str, userPasswords: dict[str, str]) -> bool:  # noqa: N802, N803
        """True when ``token`` (from a Basic Authorization header) names a user of ``userPasswords`` with its password."""
        self._checkValid()
        text = str(token).strip()
        if text[:6].lower() == "basic ":
            text = text[6:].strip()
        try:
            user, _, password = base64.b64decode(text, validate=True).decode("utf-8").partition(":")
        except ValueError:
            return False
        expected = userPasswords.get(user)
        return expected is not None and hmac.compare_digest(str(expected).encode(), password.encode())

    # ---- frame phase ---------------------------------------------------------------------------
    def _send(self, client: str, kind: str, payload: bytes) -> None:
        self._checkValid()
        if self._net is not None and client in self._open:
            self._net.send(str(client), OPCODES[kind], payload)

    def _frame(self) -> None:
        """Follow the parameters, then deliver what arrived (main thread, once per frame)."""
        active = bool(self._parValue("active", False))
        port = int(self._parValue("port", 0) or 0)
        net = self._net
        if net is not None and (not active or port != net.port or self._restartDue):
            self._stopServer(callbacks=True)
            net = None
        if self._restartDue:
            self._restartDue = False
            self._failed = None
        if active and net is None and self._failed != (active, port):
            self._startServer(port)
        if self._net is not None and self._net.has_events():
            for event in self._net.take_events():
                if not self._valid:
                    return
                self._deliver(event)

    def _startServer(self, port: int) -> None:
        if self._parValue("secure", False):
            not_modelled("webserverDAT.par.secure", msg.HINT_NO_TLS)
        _stop_abandoned()
        net = NetServer(port)
        try:
            net.start()
        except OSError as exc:
            self._failed = (True, port)
            text = msg.WEBSERVER_PORT_FAILED.format(port=port, error=exc)
            self._cookErrors = [text]
            self._world.print(msg.WEBSERVER_TEXTPORT.format(path=self.path, text=text))
            return
        self._failed = None
        self._cookErrors = []
        self._net = net
        _LIVE[self._id, id(self._world)] = self
        self._callback("onServerStart", self)

    def _stopServer(self, callbacks: bool) -> None:
        net, self._net = self._net, None
        _LIVE.pop((self._id, id(self._world)), None)
        if net is not None:
            net.stop()
        clients, self._open = list(self._open), {}
        if callbacks and net is not None:
            for client in clients:
                self._callback("onWebSocketClose", self, client)
            self._callback("onServerStop", self)

    def _deliver(self, event: NetEvent) -> None:
        kind, client = event.kind, event.client
        if kind == "http":
            self._answer(event)
        elif kind == "open":
            self._open[client] = None
            self._callback("onWebSocketOpen", self, client, event.uri)
        elif kind == "close":
            if client in self._open:
                del self._open[client]
                self._callback("onWebSocketClose", self, client)
        elif client in self._open:
            self._callback(_EVENT_CALLBACKS[kind], self, client, event.data)

    def _answer(self, event: NetEvent) -> None:
        assert event.reply is not None and event.request is not None
        response: dict[str, Any] = {"statusCode": 404, "statusReason": "Not Found", "data": ""}
        before = len(self._world.script_exceptions)
        result = self._callback("onHTTPRequest", self, event.request, response)
        if len(self._world.script_exceptions) != before:
            event.reply.answer({"statusCode": 500, "statusReason": "Internal Server Error",
                                "data": "Internal Server Error"})
            return
        event.reply.answer(result if isinstance(result, dict) else response)

    def _callback(self, name: str, *args: Any) -> Any:
        dat = self._parValue("callbacks")
        if dat is None or not getattr(dat, "isDAT", False) or not hasattr(dat, "_text"):
            return None
        return call_callback(dat, name, *args)

    # ---- OP hooks ------------------------------------------------------------------------------
    def _onParPulsed(self, par: Any) -> None:  # noqa: N802
        if par.name == "restart":
            self._restartDue = True

    def _onParChanged(self, par: Any, prev: Any) -> None:  # noqa: N802
        if par.name in ("active", "port"):
            self._failed = None

    def _invalidate(self, dead_path: str) -> None:
        self._stopServer(callbacks=False)
        super()._invalidate(dead_path)


def _control_payload(data: bytes | str | None) -> bytes:
    if data is None:
        return b""
    return data if isinstance(data, bytes) else str(data).encode("utf-8")


def deliver(world: Any) -> None:
    """Frame phase: every Web Server DAT follows its parameters and delivers its network events."""
    if not world.webserver_dats:
        return
    for dat in list(world.webserver_dats.values()):
        if dat._valid:
            dat._frame()


#: The Web Server DATs whose server is running, in every world of the process: a server whose world was
#: replaced by ``mock_td.install()`` (a new test) is closed before the next one starts, so it never holds
#: on to a port.
_LIVE: dict[tuple[int, int], webserverDAT] = {}


def _stop_abandoned() -> None:
    for key, dat in list(_LIVE.items()):
        if not dat._world.valid:
            _LIVE.pop(key, None)
            dat._stopServer(callbacks=False)
