"""The dashboard's core: the connected pages, what each was sent, and their control messages, without TD.

``DashboardHub`` is given four plain functions by the extension: ``send(client, text)`` and
``close(client)`` (the Web Server DAT's ``webSocketSendText`` / ``webSocketClose``), ``perform(flow,
action, args, source) -> (ok, result or error)`` (``dashboard_control`` on the FlowController) and
``clock() -> seconds`` (TD time). The extension calls it from the Web Server DAT's callbacks
(``open``, ``close``, ``receive``), from the registry the FlowControllers publish to
(``flow_changed``) and once at the end of a frame in which something is due (``flush``, while ``due``).

Pushing, coalesced. ``flow_changed`` only remembers the newest payload of the flow; ``flush`` turns each
changed flow into one message, built once, and hands it to every page: at most one message per flow
per frame, however often the flow changed, and nothing at all in a frame where nothing changed.

A bounded send queue per page. Each message carries ``seq`` (1, 2, ... per connection) and the page
acknowledges what it has read (``ack``). At most ``window`` messages may be unacknowledged; past that a
page's flow updates wait in its queue, which holds one entry per flow (a newer state replaces the
waiting one), so it never grows beyond the number of flows. A page that keeps its window full longer
than ``client_timeout`` seconds, or leaves more than four windows of replies unread, is dropped with a
note (``note`` message, then closed): it cannot slow the frame or grow memory.

Control. A ``control`` message needs the dashboard's token (compared with ``hmac.compare_digest``;
an empty token makes the dashboard read-only) and names an exposed flow; ``perform`` runs it with the
source ``dashboard:<client address>`` and the page gets a ``reply``. Every refused or malformed
message is answered with an ``error`` (or a refusing ``reply``) and counted in ``rejected``; a page
sending more than ``rate`` messages a second has the rest ignored, and is dropped after
``FLOOD_LIMIT`` ignored messages in a row. Nothing here raises into the caller for what a page sends.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dashboard_protocol as protocol
import flowdashboard_spec as spec

LOGGER = logging.getLogger(spec.LOGGER_NAME)
#: The queue key of the task table (flows are keyed by their path, which starts with '/').
TASKS_KEY = "tasks"

Send = Callable[[str, str], None]
Close = Callable[[str], None]
Perform = Callable[[str, str, dict[str, Any], str], tuple[bool, Any]]


@dataclass(frozen=True)
class Settings:
    """What the FlowDashboard parameters say (the extension reads them)."""

    machine: str = ""
    machines: tuple[str, ...] = ()
    token: str = ""
    max_message: int = spec.DEFAULT_MAX_MESSAGE
    rate: float = spec.DEFAULT_RATE
    window: int = spec.DEFAULT_SEND_WINDOW
    client_timeout: float = spec.DEFAULT_CLIENT_TIMEOUT
    history_tail: int = spec.DEFAULT_HISTORY_TAIL

    def greeting(self) -> tuple[Any, ...]:
        """The settings a page is told about in ``hello`` (a change greets every page again)."""
        return (self.machine, self.machines, bool(self.token), self.max_message, self.rate)


@dataclass
class Client:
    """One connected page."""

    address: str
    opened_at: float
    sent: int = 0
    acked: int = 0
    held: dict[str, str] = field(default_factory=dict)  # key -> message body, oldest first
    stalled_since: float | None = None
    tokens: float = 0.0
    last_message: float = 0.0
    refused_in_row: int = 0


class DashboardHub:
    """Connected pages and the flows they watch (see the module docstring)."""

    def __init__(self, send: Send, close: Close, perform: Perform, clock: Callable[[], float],
                 settings: Settings | None = None, note: Callable[[str], None] | None = None) -> None:
        self._send = send
        self._close = close
        self._perform = perform
        self._clock = clock
        self._note = note
        self._settings = settings if settings is not None else Settings()
        self._clients: dict[str, Client] = {}
        self._stalled: set[str] = set()
        self._latest: dict[str, str] = {}
        self._pending: dict[str, dict[str, Any] | None] = {}
        self._pending_tasks: list[dict[str, Any]] | None = None
        self._latest_tasks: str | None = None
        self.rejected = 0
        self.dropped = 0
        self.messages_sent = 0
        self.controls = 0

    # ------------------------------------------------------------------ state
    @property
    def settings(self) -> Settings:
        """The current settings."""
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        greet = settings.greeting() != self._settings.greeting()
        self._settings = settings
        if greet:
            for client in list(self._clients.values()):
                self._deliver(client, self._hello())

    @property
    def clients(self) -> list[str]:
        """The connected pages' addresses, oldest first."""
        return list(self._clients)

    @property
    def flows(self) -> list[str]:
        """The keys of the flows the pages are shown."""
        return list(self._latest)

    @property
    def due(self) -> bool:
        """True while ``flush`` has work: changed flows or tasks, or pages whose queue waits."""
        return bool(self._pending) or self._pending_tasks is not None or bool(self._stalled)

    def queued(self, client: str) -> int:
        """How many messages wait in ``client``'s queue (0 for an unknown client)."""
        found = self._clients.get(client)
        return len(found.held) if found is not None else 0

    # ------------------------------------------------------------------ flows
    def flow_changed(self, key: str, payload: dict[str, Any] | None) -> None:
        """Flow ``key`` has a new state (None: it is no longer exposed); sent at the next ``flush``."""
        self._pending[key] = payload

    def tasks_changed(self, rows: list[dict[str, Any]]) -> None:
        """The task tables have new rows; sent at the next ``flush``."""
        self._pending_tasks = rows

    def flush(self) -> None:
        """Send what changed since the last flush (one message per flow), move waiting queues, drop stuck pages."""
        now = self._clock()
        settings = self._settings
        changed: list[tuple[str, str]] = []
        if self._pending:
            pending, self._pending = self._pending, {}
            for key, payload in pending.items():
                if payload is None:
                    if self._latest.pop(key, None) is None:
                        continue
                    changed.append((key, protocol.removed_body(settings.machine, key)))
                else:
                    body = protocol.flow_body(settings.machine, key, payload, settings.history_tail)
                    self._latest[key] = body
                    changed.append((key, body))
        if self._pending_tasks is not None:
            body = protocol.tasks_body(settings.machine, self._pending_tasks)
            self._pending_tasks = None
            self._latest_tasks = body
            changed.append((TASKS_KEY, body))
        targets = list(self._clients.values()) if changed else [self._clients[a] for a in self._stalled]
        for client in targets:
            for key, body in changed:
                client.held[key] = body
            self._pump(client, now)
        for address in list(self._stalled):
            client = self._clients[address]
            if client.stalled_since is not None and now - client.stalled_since > settings.client_timeout:
                self._drop(client, f"it read nothing for {settings.client_timeout:g} s (its send queue is full)")

    # ------------------------------------------------------------------ connections
    def open(self, address: str) -> None:
        """A page connected: greet it and queue every flow's state (again, if it was already known)."""
        self._forget(address)
        client = Client(address, self._clock(), tokens=max(1.0, self._settings.rate), last_message=self._clock())
        self._clients[address] = client
        self._deliver(client, self._hello())
        for key, body in self._latest.items():
            client.held[key] = body
        if self._latest_tasks is not None:
            client.held[TASKS_KEY] = self._latest_tasks
        self._pump(client, client.opened_at)

    def close(self, address: str) -> None:
        """A page's connection closed."""
        self._forget(address)

    def receive(self, address: str, text: Any) -> None:
        """A message from a page: an acknowledgement or a control; anything else is answered and counted."""
        client = self._clients.get(address)
        if client is None:
            return
        now = self._clock()
        if not self._within_rate(client, now):
            self.rejected += 1
            client.refused_in_row += 1
            if client.refused_in_row == 1:
                self._deliver(client, protocol.error_body(
                    f"too many messages: at most {self._settings.rate:g} a second; the rest are ignored"))
            if client.refused_in_row >= spec.FLOOD_LIMIT:
                self._drop(client, f"it sent more than {spec.FLOOD_LIMIT} messages over the rate limit")
            return
        client.refused_in_row = 0
        message, reason = protocol.parse_client(text, self._settings.max_message)
        if message is None:
            self.rejected += 1
            self._deliver(client, protocol.error_body(reason))
            return
        if message.type == "ack":
            client.acked = max(client.acked, min(message.seq, client.sent))
            self._pump(client, now)
            return
        self._control(client, message)

    def refuse(self, address: str, reason: str) -> None:
        """Count a message the hub never reads (binary data) and tell the page why."""
        client = self._clients.get(address)
        self.rejected += 1
        if client is not None:
            self._deliver(client, protocol.error_body(reason))

    # ------------------------------------------------------------------ internals
    def _hello(self) -> str:
        settings = self._settings
        return protocol.hello_body(settings.machine, bool(settings.token), list(settings.machines),
                                   settings.max_message, settings.rate)

    def _control(self, client: Client, message: protocol.ClientMessage) -> None:
        token = self._settings.token
        if not token:
            self.rejected += 1
            error = "refused: this dashboard is read-only (its Token parameter is empty)"
        elif not hmac.compare_digest(token.encode("utf-8"), message.token.encode("utf-8")):
            self.rejected += 1
            error = "refused: wrong token"
        elif message.flow not in self._latest:
            self.rejected += 1
            error = f"no exposed flow {message.flow!r}"
        else:
            self.controls += 1
            try:
                ok, result = self._perform(message.flow, message.action, dict(message.args),
                                           f"dashboard:{client.address}")
            except Exception as exc:  # noqa: BLE001 - a control never raises into TD's frame
                LOGGER.exception("dashboard: %s on %s failed", message.action, message.flow)
                ok, result = False, f"failed: {type(exc).__name__}: {exc}"
            body = (protocol.reply_body(message.id, message.action, message.flow, True, result=result) if ok
                    else protocol.reply_body(message.id, message.action, message.flow, False, error=str(result)))
            self._deliver(client, body)
            return
        self._deliver(client, protocol.reply_body(message.id, message.action, message.flow, False, error=error))

    def _within_rate(self, client: Client, now: float) -> bool:
        rate = max(self._settings.rate, 0.001)
        client.tokens = min(max(1.0, rate), client.tokens + max(0.0, now - client.last_message) * rate)
        client.last_message = now
        if client.tokens < 1.0:
            return False
        client.tokens -= 1.0
        return True

    def _deliver(self, client: Client, body: str) -> None:
        """Send now, past the window (greetings, replies, errors); a page that reads none of them is dropped."""
        self._write(client, body)
        if client.sent - client.acked > 4 * max(1, self._settings.window):
            self._drop(client, f"it left more than {4 * max(1, self._settings.window)} messages unread")

    def _write(self, client: Client, body: str) -> None:
        client.sent += 1
        self.messages_sent += 1
        self._send(client.address, protocol.with_seq(client.sent, body))

    def _pump(self, client: Client, now: float) -> None:
        window = max(1, self._settings.window)
        held = client.held
        while held and client.sent - client.acked < window:
            key = next(iter(held))
            self._write(client, held.pop(key))
        if held:
            if client.stalled_since is None:
                client.stalled_since = now
            self._stalled.add(client.address)
        else:
            client.stalled_since = None
            self._stalled.discard(client.address)

    def _drop(self, client: Client, why: str) -> None:
        if self._clients.get(client.address) is not client:
            return
        self.dropped += 1
        text = f"dropped page {client.address}: {why}"
        LOGGER.warning("dashboard: %s", text)
        if self._note is not None:
            self._note(text)
        self._forget(client.address)
        try:
            self._write(client, protocol.note_body(f"the dashboard closed this connection: {why}"))
        finally:
            self._close(client.address)

    def _forget(self, address: str) -> None:
        self._clients.pop(address, None)
        self._stalled.discard(address)
