"""The network side of mock_td's Web Server DAT: a real HTTP and WebSocket server on a local socket.

Standard library only. Every byte on the network is read and written by threads, never by the main
thread, as in TouchDesigner: a listening thread accepts connections, each connection has a thread that
reads it (``http.server``'s request parsing, then RFC 6455 frames after a WebSocket upgrade), and each
open WebSocket has a thread that writes what the main thread queued. Nothing here calls TD code: what
arrives becomes a :class:`NetEvent` in the server's inbox, and the Web Server DAT (``webserver_dat``)
takes the events at frame time, on the main thread, and calls its callbacks DAT.

* An HTTP request waits (on its connection's thread) until the main thread has answered it with the
  callback's response dict, at most ``HTTP_REPLY_TIMEOUT_S`` wall seconds (then 503), so a request is
  answered only while frames play, as in TD.
* A WebSocket handshake is answered at once by the network thread; ``onWebSocketOpen`` follows at the
  next frame. Sends from the main thread only queue bytes (they never block a frame); a client that
  stops reading grows its queue, not the frame time (UNCONFIRMED: how TD buffers is not documented).
* The mock listens on ``BIND_HOST`` (the loopback address) only, so a test never opens a port to the
  network; TD's Web Server DAT listens on every interface of the machine.
* Client frames must be masked (RFC 6455); a protocol error, a message above ``MAX_WS_MESSAGE`` bytes or
  a text message that is not UTF-8 closes the connection with the RFC's close code (1002, 1009, 1007).
"""

from __future__ import annotations

import base64
import collections
import hashlib
import http.server
import queue
import socket
import socketserver
import struct
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mock_td import messages as msg

#: The address the mock's server listens on (TD listens on every interface; see the module docstring).
BIND_HOST = "127.0.0.1"
#: Wall seconds an HTTP request waits for the main thread's answer before it gets 503.
HTTP_REPLY_TIMEOUT_S = 30.0
#: The largest WebSocket message (and HTTP body) the mock accepts, in bytes (UNCONFIRMED: TD's limit).
MAX_WS_MESSAGE = 16 * 1024 * 1024
#: Wall seconds a server-initiated close waits for the client's close frame before the socket is shut.
CLOSE_GRACE_S = 2.0

_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_OP_CONT, _OP_TEXT, _OP_BINARY, _OP_CLOSE, _OP_PING, _OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


@dataclass
class HttpReply:
    """Where the main thread puts its answer to one HTTP request (the connection thread waits on it)."""

    response: dict[str, Any] | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def answer(self, response: dict[str, Any] | None) -> None:
        """Answer the request (None: the server is going away; the client gets 503)."""
        self.response = response
        self.done.set()


@dataclass
class NetEvent:
    """One thing that happened on the network, for the main thread to deliver at frame time.

    ``kind`` is ``http`` (``request`` and ``reply`` set), ``open`` (``uri``), ``text`` (``data`` a str),
    ``binary`` / ``ping`` / ``pong`` (``data`` bytes) or ``close``.
    """

    kind: str
    client: str
    data: Any = None
    uri: str = ""
    request: dict[str, Any] | None = None
    reply: HttpReply | None = None


def encode_frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, final WebSocket frame (what a server sends)."""
    first = 0x80 | opcode
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", first, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", first, 126, size)
    else:
        header = struct.pack("!BBQ", first, 127, size)
    return header + payload


def _unmask(payload: bytes, mask: bytes) -> bytes:
    size = len(payload)
    if not size:
        return b""
    key = (mask * (size // 4 + 1))[:size]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(size, "big")


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` value for a client's ``Sec-WebSocket-Key``."""
    return base64.b64encode(hashlib.sha1((key + _WS_GUID).encode("ascii")).digest()).decode("ascii")


class _ProtocolError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def _address(pair: Any) -> str:
    host, port = pair[0], pair[1]
    return f"{host}:{port}"


class _Connection:
    """One open WebSocket: a queue of outgoing frames and the thread that writes them."""

    def __init__(self, sock: socket.socket, client: str) -> None:
        self.sock = sock
        self.client = client
        self.outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.closing = False
        self.lock = threading.Lock()
        self.writer = threading.Thread(target=self._write_loop, name=f"mock_td websocket writer {client}",
                                       daemon=True)
        self.writer.start()

    def send(self, opcode: int, payload: bytes) -> None:
        with self.lock:
            if not self.closing:
                self.outbox.put(encode_frame(opcode, payload))

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Send a close frame (once), then end the writer; the socket is shut after a grace time."""
        with self.lock:
            if self.closing:
                return
            self.closing = True
            self.outbox.put(encode_frame(_OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120]))
            self.outbox.put(None)
        timer = threading.Timer(CLOSE_GRACE_S, self.shut)
        timer.daemon = True
        timer.start()

    def shut(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _write_loop(self) -> None:
        while True:
            item = self.outbox.get()
            if item is None:
                return
            try:
                self.sock.sendall(item)
            except OSError:
                return


class _Handler(http.server.BaseHTTPRequestHandler):
    """One connection: HTTP requests answered by the main thread, or a WebSocket after an upgrade."""

    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Silent: TD logs nothing per request."""

    def setup(self) -> None:
        super().setup()
        self.server.net._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.net._untrack(self.connection)

    def _any(self) -> None:
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self._websocket()
        else:
            self._http()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = _any  # noqa: N815

    # -- HTTP ------------------------------------------------------------------------------------------
    def _http(self) -> None:
        net = self.server.net
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_WS_MESSAGE:
            self._reply_status(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        request: dict[str, Any] = {
            "method": self.command, "uri": split.path, "pars": dict(parse_qsl(split.query, keep_blank_values=True)),
            "clientAddress": _address(self.client_address),
            "serverAddress": _address(self.connection.getsockname()), "data": body,
        }
        for name, value in self.headers.items():
            request.setdefault(name, value)
        reply = HttpReply()
        net._post(NetEvent("http", request["clientAddress"], request=request, reply=reply))
        if not reply.done.wait(HTTP_REPLY_TIMEOUT_S) or reply.response is None:
            self._reply_status(HTTPStatus.SERVICE_UNAVAILABLE)
            return
        self._write_response(reply.response)

    def _reply_status(self, status: HTTPStatus) -> None:
        self._write_response({"statusCode": int(status), "statusReason": status.phrase, "data": status.phrase})
        self.close_connection = True

    def _write_response(self, response: dict[str, Any]) -> None:
        try:
            code = int(response.get("statusCode", 404))
        except (TypeError, ValueError):
            code = 500
        reason = response.get("statusReason")
        if not reason:
            try:
                reason = HTTPStatus(code).phrase
            except ValueError:
                reason = ""
        data = response.get("data", b"")
        body = data if isinstance(data, bytes | bytearray) else ("" if data is None else str(data)).encode("utf-8")
        self.send_response(code, str(reason))
        for name, value in response.items():
            if name in ("statusCode", "statusReason", "data") or str(name).lower() == "content-length":
                continue
            self.send_header(str(name), str(value))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    # -- WebSocket -------------------------------------------------------------------------------------
    def _websocket(self) -> None:
        net = self.server.net
        key = self.headers.get("Sec-WebSocket-Key", "")
        if not key or "upgrade" not in self.headers.get("Connection", "").lower():
            self._reply_status(HTTPStatus.BAD_REQUEST)
            return
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept_key(key))
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        client = _address(self.client_address)
        conn = _Connection(self.connection, client)
        net._opened(conn, self.path)
        try:
            self._read_messages(conn)
        except _ProtocolError as exc:
            conn.close(exc.code, str(exc))
        except (OSError, EOFError, ValueError):
            pass
        finally:
            conn.close()
            conn.writer.join(CLOSE_GRACE_S)
            conn.shut()
            net._closed(conn)

    def _read_exact(self, size: int) -> bytes:
        data = self.rfile.read(size)
        if len(data) < size:
            raise EOFError(msg.WS_CONNECTION_CLOSED)
        return data

    def _read_messages(self, conn: _Connection) -> None:
        net = self.server.net
        parts: list[bytes] = []
        message_op = 0
        total = 0
        while True:
            first, second = self._read_exact(2)
            fin, opcode = bool(first & 0x80), first & 0x0F
            if first & 0x70:
                raise _ProtocolError(1002, msg.WS_RESERVED_BITS)
            if not second & 0x80:
                raise _ProtocolError(1002, msg.WS_NOT_MASKED)
            size = second & 0x7F
            if size == 126:
                size = struct.unpack("!H", self._read_exact(2))[0]
            elif size == 127:
                size = struct.unpack("!Q", self._read_exact(8))[0]
            if opcode >= 0x8 and (size > 125 or not fin):
                raise _ProtocolError(1002, msg.WS_BAD_CONTROL)
            if total + size > MAX_WS_MESSAGE:
                raise _ProtocolError(1009, msg.WS_TOO_BIG)
            mask = self._read_exact(4)
            payload = _unmask(self._read_exact(size), mask)
            if opcode == _OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1000
                conn.close(code if code in (1000, 1001) else 1000)
                return
            if opcode == _OP_PING:
                net._post(NetEvent("ping", conn.client, data=payload))
                continue
            if opcode == _OP_PONG:
                net._post(NetEvent("pong", conn.client, data=payload))
                continue
            if opcode == _OP_CONT:
                if not message_op:
                    raise _ProtocolError(1002, msg.WS_LONE_CONTINUATION)
            elif opcode in (_OP_TEXT, _OP_BINARY):
                if message_op:
                    raise _ProtocolError(1002, msg.WS_NESTED_MESSAGE)
                message_op = opcode
            else:
                raise _ProtocolError(1002, msg.WS_UNKNOWN_OPCODE.format(opcode=opcode))
            parts.append(payload)
            total += size
            if not fin:
                continue
            data = b"".join(parts)
            kind = message_op
            parts, message_op, total = [], 0, 0
            if kind == _OP_TEXT:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    raise _ProtocolError(1007, msg.WS_NOT_UTF8) from None
                net._post(NetEvent("text", conn.client, data=text))
            else:
                net._post(NetEvent("binary", conn.client, data=data))


class _HTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], net: NetServer) -> None:
        self.net = net
        super().__init__(address, _Handler)


class NetServer:
    """A listening HTTP + WebSocket server whose events the main thread takes with ``take_events()``."""

    def __init__(self, port: int) -> None:
        self.port = int(port)
        self._inbox: collections.deque[NetEvent] = collections.deque()
        self._connections: dict[str, _Connection] = {}
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    def start(self) -> None:
        """Listen on ``BIND_HOST:port`` (OSError when the port cannot be used) and serve on a thread."""
        self._httpd = _HTTPServer((BIND_HOST, self.port), self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"mock_td web server :{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening, close every connection, answer waiting HTTP requests with 503. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            connections = list(self._connections.values())
            sockets = list(self._sockets)
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        for conn in connections:
            conn.close(1001, msg.WS_SERVER_STOPPED)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for event in self.take_events():
            if event.reply is not None:
                event.reply.answer(None)

    @property
    def running(self) -> bool:
        """True between ``start()`` and ``stop()``."""
        return self._httpd is not None and not self._stopped

    def take_events(self) -> list[NetEvent]:
        """Every event that arrived since the last call, oldest first (main thread, at frame time)."""
        inbox = self._inbox
        events = []
        while inbox:
            events.append(inbox.popleft())
        return events

    def has_events(self) -> bool:
        """True when events are waiting (cheap; the frame phase checks it every frame)."""
        return bool(self._inbox)

    def send(self, client: str, opcode: int, payload: bytes) -> bool:
        """Queue a frame for ``client``; False when it has no open WebSocket."""
        conn = self._connections.get(client)
        if conn is None:
            return False
        conn.send(opcode, payload)
        return True

    def close_client(self, client: str) -> bool:
        """Start closing ``client``'s WebSocket (its close event follows); False when it is not open."""
        conn = self._connections.get(client)
        if conn is None:
            return False
        conn.close(1000, msg.WS_CLOSED_BY_SERVER)
        return True

    # -- called by the connection threads --------------------------------------------------------------
    def _post(self, event: NetEvent) -> None:
        if self._stopped and event.reply is not None:
            event.reply.answer(None)
            return
        self._inbox.append(event)

    def _opened(self, conn: _Connection, uri: str) -> None:
        with self._lock:
            self._connections[conn.client] = conn
        self._post(NetEvent("open", conn.client, uri=uri))

    def _closed(self, conn: _Connection) -> None:
        with self._lock:
            if self._connections.get(conn.client) is conn:
                del self._connections[conn.client]
        self._post(NetEvent("close", conn.client))

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)


OPCODES = {"text": _OP_TEXT, "binary": _OP_BINARY, "ping": _OP_PING, "pong": _OP_PONG}
