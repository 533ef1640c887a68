"""The dashboard's HTTP side and its address rule, as plain functions of the Web Server DAT's dicts.

``respond(request, response, page, flows_json, allowed)`` fills TD's response dict for a request dict:

- ``GET /`` (or ``/index.html``): the page (``text/html``);
- ``GET /flows.json``: every exposed flow's payload as JSON (for scripts and monitors);
- a refused client: 403 with the reason; another path: 404; another method: 405.

The address rule (``Address`` parameter). TD's Web Server DAT listens on every interface of the
machine and has no address parameter, so FlowDashboard decides whom it answers:

- ``127.0.0.1`` (or ``localhost``, any loopback address): only this machine: requests and WebSockets
  from a loopback client address;
- ``0.0.0.0`` (or empty, ``*``): every machine that reaches the port;
- any other address (one network interface of this machine): HTTP requests that arrived on that
  address (``serverAddress``); WebSockets are accepted from any client (TD does not tell on which
  address a WebSocket arrived), and control still needs the token.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

_ANY = ("", "0.0.0.0", "*", "::")


def split_address(text: Any) -> tuple[str, str]:
    """``('host', 'port')`` from ``'host:port'`` (``'[::1]:80'`` too); the port is '' when there is none."""
    value = str(text or "").strip()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        return host, rest.lstrip(":")
    if value.count(":") == 1:
        host, _, port = value.partition(":")
        return host, port
    return value, ""


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1, IPv4-mapped ones)."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def allowed(setting: str, client: Any, server: Any = None) -> tuple[bool, str]:
    """Whether FlowDashboard answers ``client`` (``host:port``) under the Address ``setting``; and why not."""
    wanted = str(setting or "").strip()
    if wanted in _ANY:
        return True, ""
    client_host = split_address(client)[0]
    if is_loopback(wanted):
        if is_loopback(client_host):
            return True, ""
        return False, (f"this dashboard only answers this machine (Address {wanted}); set Address to 0.0.0.0 "
                       f"to allow {client_host or 'other machines'}")
    if server is None:
        return True, ""
    server_host = split_address(server)[0]
    if server_host == wanted:
        return True, ""
    return False, f"this dashboard only answers requests to {wanted}, not {server_host}"


def respond(request: dict[str, Any], response: dict[str, Any], page: Callable[[], str],
            flows_json: Callable[[], str], permitted: tuple[bool, str]) -> dict[str, Any]:
    """Fill and return TD's ``response`` dict for ``request``."""
    ok, why = permitted
    method = str(request.get("method", "GET")).upper()
    uri = str(request.get("uri", "/"))
    if not ok:
        return _text(response, 403, "Forbidden", why)
    if uri not in ("/", "/index.html", "/flows.json"):
        return _text(response, 404, "Not Found", f"Nothing at {uri[:100]}; the dashboard is at /")
    if method not in ("GET", "HEAD"):
        response["Allow"] = "GET, HEAD"
        return _text(response, 405, "Method Not Allowed", f"{method[:20]} is not allowed here")
    response["statusCode"] = 200
    response["statusReason"] = "OK"
    response["Cache-Control"] = "no-store"
    if uri == "/flows.json":
        response["Content-Type"] = "application/json; charset=utf-8"
        response["data"] = flows_json()
    else:
        response["Content-Type"] = "text/html; charset=utf-8"
        response["data"] = page()
    return response


def _text(response: dict[str, Any], code: int, reason: str, text: str) -> dict[str, Any]:
    response["statusCode"] = code
    response["statusReason"] = reason
    response["Content-Type"] = "text/plain; charset=utf-8"
    response["data"] = text
    return response
