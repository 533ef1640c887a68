"""Helpers for the dashboard tests: free ports, HTTP and WebSocket clients on real sockets, and a frame pump.

mock_td's Web Server DAT answers only at frame time (as TD does), so every client runs on its own thread
while the test's main thread plays frames (``Session.advance_until``) until what it waits for happened.
The WebSocket client is the ``websockets`` package (an implementation independent of mock_td's).
"""

from __future__ import annotations

import json
import queue
import socket
import threading
import urllib.error
import urllib.request
from typing import Any

import build_toxes
from websockets.sync.client import ClientConnection, connect

from lopflow.repo import REPO_ROOT


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pump(session: Any, condition: Any, timeout: float = 10.0, max_frames: int = 20_000) -> int:
    """Play frames until ``condition()`` is true (worker threads run between frames)."""
    return int(session.advance_until(condition, max_frames=max_frames, timeout=timeout))


def http(session: Any, url: str, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """``(status, headers, body)`` of one request, answered while frames play."""
    result: dict[str, Any] = {}

    def request() -> None:
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as answer:
                result["answer"] = (answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            result["answer"] = (error.code, dict(error.headers), error.read())
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assert
            result["answer"] = (0, {}, repr(exc).encode())

    thread = threading.Thread(target=request, daemon=True)
    thread.start()
    pump(session, lambda: "answer" in result)
    thread.join(5)
    return result["answer"]


class Page:
    """A WebSocket client that reads every message on a thread (like a page), or none (``reading=False``)."""

    def __init__(self, port: int, path: str = "/", reading: bool = True, ack: bool = False) -> None:
        self.ws: ClientConnection = connect(f"ws://127.0.0.1:{port}{path}", open_timeout=5, ping_interval=None,
                                            close_timeout=1, max_size=None).__enter__()
        host, local_port = self.ws.socket.getsockname()[:2]
        #: The client address TD's callbacks get (``host:port`` of this end of the connection).
        self.address = f"{host}:{local_port}"
        self.messages: queue.Queue[Any] = queue.Queue()
        self.seen: list[Any] = []
        self.unread: list[Any] = []
        self.closed = threading.Event()
        self.ack = ack
        if reading:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for text in self.ws:
                try:
                    message = json.loads(text) if isinstance(text, str) else text
                except ValueError:
                    message = text
                self.messages.put(message)
                if self.ack and isinstance(message, dict) and "seq" in message:
                    self.ws.send(json.dumps({"type": "ack", "seq": message["seq"]}))
        except Exception:  # noqa: BLE001 - the connection ended
            pass
        self.closed.set()

    def drain(self) -> list[Any]:
        """Messages that arrived since the last drain (also kept in ``seen`` and, unread, in ``unread``)."""
        out = []
        while True:
            try:
                out.append(self.messages.get_nowait())
            except queue.Empty:
                break
        self.seen += out
        self.unread += out
        return out

    def wait_for(self, session: Any, test: Any, timeout: float = 10.0) -> Any:
        """Read on (playing frames) until a message with ``test(message)`` true; return it.

        Like reading a stream: the messages before the one found are read too; those after it stay unread.
        """
        found: list[Any] = []

        def check() -> bool:
            self.drain()
            for index, message in enumerate(self.unread):
                if test(message):
                    found.append(message)
                    del self.unread[:index + 1]
                    return True
            return False

        pump(session, check, timeout=timeout)
        return found[0]

    def send(self, message: Any) -> None:
        self.ws.send(message if isinstance(message, str | bytes) else json.dumps(message))

    def close(self) -> None:
        self.ws.close()


def build_dashboard(session: Any, port: int, token: str = "", active: bool = True, name: str = "FlowDashboard",
                    **pars: Any) -> Any:
    """A FlowDashboard in /project1 serving on ``port`` (Machine Name 'stage'), after one frame."""
    dash = build_toxes.build_flow_dashboard(session.root.op("project1"), name, repo_folder=str(REPO_ROOT))
    dash.par.Port = port
    dash.par.Token = token
    dash.par.Machinename = "stage"
    for par_name, value in pars.items():
        setattr(dash.par, par_name, value)
    dash.par.Active = active
    session.advance(1)
    return dash
