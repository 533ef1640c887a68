"""mock_td's Web Server DAT: a real local server; network I/O on threads, every callback on the main
thread at frame time; TD's parameters, callbacks and members."""

from __future__ import annotations

import base64
import socket
import struct
import threading
import time

import pytest
from dashboard_helpers import Page, free_port, http, pump

import mock_td

RECORDING = '''
import threading

def _log(*entry):
    me.parent().fetch("log", [], search=False).append(entry + (threading.current_thread() is threading.main_thread(),))

def onHTTPRequest(webServerDAT, request, response):
    _log("http", request["method"], request["uri"], dict(request["pars"]), request["data"],
         request.get("X-Test"), request["clientAddress"], request["serverAddress"])
    if request["uri"] == "/boom":
        raise ValueError("boom")
    response["statusCode"] = 201
    response["statusReason"] = "Made"
    response["data"] = "hi " + request["method"]
    response["X-Answer"] = "42"
    return response

def onWebSocketOpen(webServerDAT, client, uri):
    _log("open", client, uri)

def onWebSocketClose(webServerDAT, client):
    _log("close", client)

def onWebSocketReceiveText(webServerDAT, client, data):
    _log("text", client, data)
    webServerDAT.webSocketSendText(client, "echo " + data)

def onWebSocketReceiveBinary(webServerDAT, client, data):
    _log("binary", client, data)

def onWebSocketReceivePing(webServerDAT, client, data):
    _log("ping", client, data)
    webServerDAT.webSocketSendPong(client, data=data)

def onServerStart(webServerDAT):
    _log("start")

def onServerStop(webServerDAT):
    _log("stop")
'''


@pytest.fixture
def server(td_session):
    project = td_session.root.op("project1")
    project.store("log", [])
    dat = project.create("webserverDAT", "web")
    dat.par.callbacks.eval().text = RECORDING
    dat.par.port = free_port()
    td_session.advance(1)
    yield dat
    try:
        if dat.valid:
            dat.par.active = False
            td_session.advance(1)
    except RuntimeError:  # the test installed a new session (its server was closed then)
        pass


def log(td_session, kind=None):
    entries = td_session.root.op("project1").fetch("log", search=False)
    return [e for e in entries if kind is None or e[0] == kind]


def test_create_makes_a_docked_callbacks_dat_and_tds_parameters(td_session) -> None:
    project = td_session.root.op("project1")
    dat = project.create("webserverDAT", "web")
    callbacks = project.op("web_callbacks")
    assert callbacks is not None and callbacks.dock is dat and dat.par.callbacks.eval() is callbacks
    assert "def onHTTPRequest(webServerDAT, request, response):" in callbacks.text
    assert dat.par.port.eval() == 9980 and dat.par.active.eval() is True
    for name in ("restart", "secure", "privatekey", "certificate", "password"):
        assert dat.par[name] is not None, name
    dat.par.active = False
    with pytest.raises(NotImplementedError, match="webserverDAT.text"):
        _ = dat.text


def test_http_is_answered_by_the_callback_on_the_main_thread_only_while_frames_play(td_session, server) -> None:
    port = server.par.port.eval()
    assert log(td_session) == [("start", True)]
    result = {}
    thread = threading.Thread(target=lambda: result.update(answer=http_without_frames(port)), daemon=True)
    thread.start()
    time.sleep(0.3)
    assert "answer" not in result and log(td_session, "http") == []  # no frame, no answer (as in TD)
    pump(td_session, lambda: "answer" in result)
    status, headers, body = result["answer"]
    assert (status, body, headers["X-Answer"]) == (201, b"hi POST", "42")
    ((_, method, uri, pars, data, header, client, server_address, main),) = log(td_session, "http")
    assert (method, uri, pars, data, header, main) == ("POST", "/path/x", {"a": "1", "b": ""}, b"payload", "yes", True)
    assert client.startswith("127.0.0.1:") and server_address == f"127.0.0.1:{port}"


def http_without_frames(port: int) -> tuple[int, dict[str, str], bytes]:
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}/path/x?a=1&b=", data=b"payload", method="POST",
                                     headers={"X-Test": "yes"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status, dict(answer.headers), answer.read()


def test_an_exception_in_on_http_request_answers_500_and_is_a_script_error(td_session, server) -> None:
    status, _, _ = http(td_session, f"http://127.0.0.1:{server.par.port.eval()}/boom")
    assert status == 500
    (error,) = td_session.take_script_exceptions()
    assert error.where == "onHTTPRequest" and "boom" in str(error.exception)


def test_websocket_open_text_binary_ping_and_close_arrive_at_frame_time(td_session, server) -> None:
    port = server.par.port.eval()
    page = Page(port, "/live?x=1")
    pump(td_session, lambda: log(td_session, "open"))
    ((_, client, uri, main),) = log(td_session, "open")
    assert client == page.address and uri == "/live?x=1" and main
    assert server.webSocketConnections == [client]
    page.send("hello")
    assert page.wait_for(td_session, lambda m: True) == "echo hello"
    page.send(b"\x00\x01")
    pump(td_session, lambda: log(td_session, "binary"))
    assert log(td_session, "binary") == [("binary", client, b"\x00\x01", True)]
    pong = page.ws.ping(b"are you there")
    pump(td_session, lambda: pong.is_set())
    assert log(td_session, "ping") == [("ping", client, b"are you there", True)]
    page.close()
    pump(td_session, lambda: log(td_session, "close"))
    assert log(td_session, "close") == [("close", client, True)] and server.webSocketConnections == []


def test_web_socket_close_from_td_closes_the_client(td_session, server) -> None:
    page = Page(server.par.port.eval())
    pump(td_session, lambda: server.webSocketConnections)
    server.webSocketClose(page.address)
    pump(td_session, lambda: page.closed.is_set() and log(td_session, "close"))
    assert server.webSocketConnections == []
    server.webSocketSendText(page.address, "to nobody")  # a closed client: nothing happens


def test_sending_never_waits_for_a_client_that_does_not_read(td_session, server) -> None:
    raw = socket.create_connection(("127.0.0.1", server.par.port.eval()))
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    pump(td_session, lambda: server.webSocketConnections)
    (client,) = server.webSocketConnections
    for _ in range(200):  # 20 MB to a client that reads nothing: queued, never blocking this frame
        server.webSocketSendText(client, "x" * 100_000)
    td_session.advance(1)
    raw.close()
    pump(td_session, lambda: not server.webSocketConnections)


def test_an_unmasked_client_frame_is_a_protocol_error(td_session, server) -> None:
    raw = socket.create_connection(("127.0.0.1", server.par.port.eval()), timeout=5)
    raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    handshake = raw.recv(1024)
    assert handshake.startswith(b"HTTP/1.1 101") and b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in handshake
    raw.sendall(b"\x81\x02hi")  # text frame, not masked
    frame = raw.recv(64)
    assert frame[0] == 0x88 and struct.unpack("!H", frame[2:4])[0] == 1002
    raw.close()
    pump(td_session, lambda: log(td_session, "close"))
    assert log(td_session, "text") == []


def test_active_port_and_restart_drive_the_server(td_session, server) -> None:
    page = Page(server.par.port.eval())
    pump(td_session, lambda: server.webSocketConnections)
    client = page.address
    server.par.active = False
    td_session.advance(1)
    assert log(td_session)[-2:] == [("close", client, True), ("stop", True)]
    pump(td_session, page.closed.is_set)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.par.port.eval()), timeout=1)
    new_port = free_port()
    server.par.port = new_port
    server.par.active = True
    td_session.advance(1)
    assert http(td_session, f"http://127.0.0.1:{new_port}/")[0] == 201
    server.par.restart.pulse()
    td_session.advance(1)
    assert [e[0] for e in log(td_session)][-3:] == ["http", "stop", "start"]


def test_a_port_in_use_is_an_error_of_the_dat_until_the_port_changes(td_session, server) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        server.par.port = busy
        td_session.advance(3)
        assert f"could not listen on port {busy}" in server.errors()
        assert sum(f"port {busy}" in line for line in td_session.textport) == 1  # reported once, not per frame
    server.par.port = free_port()
    td_session.advance(1)
    assert server.errors() == "" and log(td_session)[-1] == ("start", True)


def test_secure_is_not_emulated(td_session, server) -> None:
    server.par.secure = True
    server.par.restart.pulse()
    with pytest.raises(NotImplementedError, match=r"webserverDAT\.par\.secure"):
        td_session.advance(1)
    server.par.secure = False


def test_authenticate_basic(td_session, server) -> None:
    token = base64.b64encode(b"ops:pa:ss").decode()
    assert server.authenticateBasic(f"Basic {token}", {"ops": "pa:ss"}) is True
    assert server.authenticateBasic(token, {"ops": "other"}) is False
    assert server.authenticateBasic("Basic !!!", {"ops": "pa:ss"}) is False


def test_reload_closes_the_server_and_the_reopened_project_serves_again(td_session, server) -> None:
    port = server.par.port.eval()
    page = Page(port)
    pump(td_session, lambda: server.webSocketConnections)
    td_session.reload()
    pump(td_session, page.closed.is_set)
    reopened = td_session.root.op("project1/web")
    assert reopened is not server and reopened.par.callbacks.eval() is td_session.root.op("project1/web_callbacks")
    assert len([c for c in td_session.root.op("project1").children if c.name.startswith("web_callbacks")]) == 1
    td_session.advance(1)
    assert http(td_session, f"http://127.0.0.1:{port}/")[0] == 201


def test_a_new_install_frees_the_port_of_the_previous_project(td_session, server, tmp_path) -> None:
    port = server.par.port.eval()
    session = mock_td.install(project_folder=str(tmp_path))
    dat = session.root.op("project1").create("webserverDAT", "web")
    dat.par.port = port
    session.advance(1)
    assert dat.errors() == ""
    assert http(session, f"http://127.0.0.1:{port}/")[0] == 200
    dat.par.active = False
    session.advance(1)
