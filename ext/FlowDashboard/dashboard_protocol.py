"""The dashboard's wire protocol: JSON text messages between FlowDashboard and its page.

Server -> page. Every message is a JSON object with ``type`` and ``seq`` (1, 2, 3, ... per connection;
the page acknowledges what it has read, see ``dashboard_hub``):

- ``hello``: ``protocol``, ``machine``, ``control`` (True when control is possible: a Token is set),
  ``machines`` (other dashboards the page should also show), ``limits`` (``max_message``, ``rate``);
- ``flow``: ``machine``, ``key`` (the FlowController's path) and ``flow``, the controller's dashboard
  payload (``GetDashboardPayload()``: name, status, step, progress, waiting, process id, last result;
  with Expose Flow Details also context, history (its newest events) and graph);
- ``removed``: ``machine``, ``key``: the flow is no longer exposed;
- ``tasks``: ``machine``, ``tasks``: rows of the TDAsyncIO task tables;
- ``reply``: ``id``, ``ok``, ``action``, ``flow`` and ``result`` or ``error``: the answer to a control
  message;
- ``error``: ``reason``: a message that was ignored (not JSON, too large, unknown, too many);
- ``note``: ``text``: why the server is about to close the connection.

Page -> server:

- ``{"type": "ack", "seq": n}``: every message up to ``n`` was read;
- ``{"type": "control", "id": .., "token": "..", "flow": key, "action": name, "args": {..}}`` with
  ``action`` one of ``ACTIONS``: ``start``, ``stop``, ``next`` (``args.expect``: the step the
  operator saw, so two GOs advance once), ``pause``, ``resume``, ``back``, ``goto`` (``args.step``),
  ``signal`` (``args.name``, ``args.payload``).

``parse_client`` checks a page message and returns a ``ClientMessage`` or the reason it is refused; it
never raises. The ``*_body`` functions build server messages once (without ``seq``); ``with_seq`` adds
the per-connection number.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import flowdashboard_spec as spec

#: Control actions and their arguments: name -> (argument, required, type) triples.
ACTIONS: dict[str, tuple[tuple[str, bool, type | tuple[type, ...]], ...]] = {
    "start": (),
    "stop": (),
    "next": (("expect", False, str),),
    "pause": (),
    "resume": (),
    "back": (),
    "goto": (("step", True, str),),
    "signal": (("name", True, str), ("payload", False, object)),
}

_MAX_ID = 64
_MAX_NAME = 200


@dataclass(frozen=True)
class ClientMessage:
    """A checked page message: an ``ack`` (``seq``) or a ``control`` (``id``, ``token``, ``flow``, ...)."""

    type: str
    seq: int = 0
    id: Any = None
    token: str = ""
    flow: str = ""
    action: str = ""
    args: dict[str, Any] = field(default_factory=dict)


def encode(message: dict[str, Any]) -> str:
    """Compact JSON; values JSON cannot hold are shown as text (the dashboard never raises on a payload)."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, default=str)


def with_seq(seq: int, body: str) -> str:
    """``body`` (a JSON object's text) with ``"seq": seq`` first."""
    return f'{{"seq":{seq},{body[1:]}' if len(body) > 2 else f'{{"seq":{seq}}}'


def size_in_bytes(text: str) -> int:
    """The UTF-8 size of ``text`` (computed only when the character count cannot decide)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "replace"))


def parse_client(text: Any, max_bytes: int) -> tuple[ClientMessage | None, str]:
    """``(message, '')`` for a valid page message, else ``(None, reason)``. Never raises."""
    if not isinstance(text, str):
        return None, "only text messages are understood"
    if len(text) > max_bytes or size_in_bytes(text) > max_bytes:
        return None, f"message too large ({size_in_bytes(text)} bytes; the limit is {max_bytes})"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return None, f"not JSON: {str(exc)[:80]}"
    if not isinstance(data, dict):
        return None, "not a JSON object"
    kind = data.get("type")
    if kind == "ack":
        seq = data.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
            return None, "ack needs a whole number seq"
        return ClientMessage("ack", seq=seq), ""
    if kind != "control":
        return None, f"unknown message type {str(kind)[:40]!r}; use 'control' or 'ack'"
    return _parse_control(data)


def _parse_control(data: dict[str, Any]) -> tuple[ClientMessage | None, str]:
    ident = data.get("id")
    if ident is not None and (isinstance(ident, bool) or not isinstance(ident, int | str) or len(str(ident)) > _MAX_ID):
        return None, "id must be a short number or text"
    action = data.get("action")
    if action not in ACTIONS:
        return None, f"unknown action {str(action)[:40]!r}; actions: {', '.join(ACTIONS)}"
    flow, token = data.get("flow"), data.get("token", "")
    if not isinstance(flow, str) or not flow or len(flow) > _MAX_NAME:
        return None, "flow must name an exposed flow (its key)"
    if not isinstance(token, str):
        return None, "token must be text"
    raw_args = data.get("args", {})
    if raw_args is None:
        raw_args = {}
    if not isinstance(raw_args, dict):
        return None, "args must be an object"
    args: dict[str, Any] = {}
    for name, required, kind in ACTIONS[action]:
        value = raw_args.get(name)
        if value is None:
            if required:
                return None, f"{action} needs args.{name}"
            continue
        if kind is str and (not isinstance(value, str) or not value or len(value) > _MAX_NAME):
            return None, f"args.{name} must be a non-empty text of at most {_MAX_NAME} characters"
        args[name] = value
    unknown = sorted(set(raw_args) - {name for name, _, _ in ACTIONS[action]})
    if unknown:
        return None, f"{action} takes no args {', '.join(map(str, unknown))[:80]}"
    return ClientMessage("control", id=ident, token=token, flow=flow, action=str(action), args=args), ""


# ------------------------------------------------------------------------------------ server messages
def hello_body(machine: str, control: bool, machines: list[str], max_message: int, rate: float) -> str:
    """The greeting a page gets first on every connection."""
    return encode({"type": "hello", "protocol": spec.PROTOCOL_VERSION, "machine": machine, "control": control,
                   "machines": machines, "limits": {"max_message": max_message, "rate": rate}})


def flow_body(machine: str, key: str, payload: dict[str, Any], history_tail: int) -> str:
    """A flow's state; its history is cut to the newest ``history_tail`` events."""
    history = payload.get("history")
    if isinstance(history, list) and len(history) > history_tail:
        payload = dict(payload)
        payload["history"] = history[-history_tail:] if history_tail > 0 else []
    return encode({"type": "flow", "machine": machine, "key": key, "flow": payload})


def removed_body(machine: str, key: str) -> str:
    """A flow that is no longer exposed."""
    return encode({"type": "removed", "machine": machine, "key": key})


def tasks_body(machine: str, rows: list[dict[str, Any]]) -> str:
    """The TDAsyncIO task rows."""
    return encode({"type": "tasks", "machine": machine, "tasks": rows})


def reply_body(ident: Any, action: str, flow: str, ok: bool, result: Any = None, error: str = "") -> str:
    """The answer to a control message."""
    message: dict[str, Any] = {"type": "reply", "id": ident, "ok": ok, "action": action, "flow": flow}
    if ok:
        message["result"] = result
    else:
        message["error"] = error
    return encode(message)


def error_body(reason: str) -> str:
    """Why a page message was ignored."""
    return encode({"type": "error", "reason": reason})


def note_body(text: str) -> str:
    """Why the connection is about to close."""
    return encode({"type": "note", "text": text})
