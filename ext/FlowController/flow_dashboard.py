"""Dashboard support: the JSON-serialisable payload of a flow, and a registry dashboards subscribe to.

``build_payload(engine, name, details)`` gives ``name``, ``status``, ``status_code``, ``step``
(``{"index", "name", "label"}``), ``step_count``, ``progress``, ``process_id``, ``waiting``,
``last_result``, ``last_result_type``; with ``details`` also ``context``, ``history`` and ``graph``. Every
value is plain JSON (``json.dumps`` works on it).

``DashboardRegistry`` is a plain class, not a module global: the FlowController adapter keeps ONE
instance in a process-wide place (root storage) and passes it in. Controllers with ``Exposeprocess``
on ``register(key, provider)`` (``key``: the controller's path; ``provider()``: its current payload) and
``publish(key, payload)`` on every state change; dashboards ``subscribe(callback)`` and get
``callback(key, payload)`` for every publish, and ``callback(key, None)`` when a controller unregisters.
A subscriber that raises is reported to ``on_exception`` (else logged) and does not stop the others.

``Exposure`` is one controller's side: it registers while Exposeprocess is on and publishes a payload
only when its state changed, finding the registry through a getter the adapter passes in
(``process_object`` in root storage).

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import flow_engine
import flow_spec
from flow_context import jsonable

LOGGER = logging.getLogger(flow_spec.LOGGER_NAME)

Payload = dict[str, Any]
Provider = Callable[[], Payload]
Subscriber = Callable[[str, Payload | None], None]


def build_payload(engine: flow_engine.FlowEngine, name: str, details: bool = False,
                  history_last: int | None = None) -> Payload:
    """The dashboard payload of ``engine`` shown as ``name``; ``details`` adds context, history, graph.

    ``history_last`` keeps only the newest events of the history (all kept events when None).
    """
    state = engine.state
    payload: Payload = {
        "name": str(name),
        "status": state.status.label,
        "status_code": state.status.value,
        "step": {"index": state.step_index, "name": state.step_name, "label": state.step_label},
        "step_count": state.step_count,
        "progress": float(state.progress),
        "process_id": state.process_id,
        "waiting": bool(state.waiting),
        "last_result": jsonable(state.last_result),
        "last_result_type": state.last_result_type,
    }
    if details:  # each part is JSON-friendly already: no second jsonable pass over the whole history
        payload["context"] = engine.context.snapshot()
        payload["history"] = engine.history.snapshot(history_last)
        payload["graph"] = engine.graph().as_dict()
    return payload


class DashboardRegistry:
    """Process-wide list of exposed flows and of dashboards listening to them."""

    def __init__(self, on_exception: Callable[[str, BaseException], None] | None = None) -> None:
        self._providers: dict[str, Provider] = {}
        self._last: dict[str, Payload] = {}
        self._subscribers: list[Subscriber] = []
        self._on_exception = on_exception

    # -- controllers ----------------------------------------------------------------------------------
    def register(self, key: str, provider: Provider | None = None) -> None:
        """Expose the flow ``key`` (re-registering replaces the provider)."""
        if not isinstance(key, str) or not key:
            raise ValueError(f"A dashboard key must be a non-empty string (the controller's path), not {key!r}")
        self._providers[key] = provider if provider is not None else (lambda: dict(self._last.get(key, {})))

    def unregister(self, key: str) -> bool:
        """Stop exposing ``key``; subscribers get ``(key, None)``. Returns False when it was not registered."""
        if key not in self._providers:
            return False
        del self._providers[key]
        self._last.pop(key, None)
        self._notify(key, None)
        return True

    def is_registered(self, key: str) -> bool:
        """True when ``key`` is exposed."""
        return key in self._providers

    def keys(self) -> list[str]:
        """The exposed flows, in registration order."""
        return list(self._providers)

    def publish(self, key: str, payload: Payload) -> None:
        """Store ``payload`` as the latest of ``key`` and send it to every subscriber.

        Raises KeyError when ``key`` is not registered (register it first, e.g. when Exposeprocess turns on).
        """
        if key not in self._providers:
            raise KeyError(f"Can't publish {key!r}: it is not registered; call register({key!r}) first")
        self._last[key] = payload
        self._notify(key, payload)

    def latest(self, key: str) -> Payload | None:
        """The last payload published for ``key``, or None."""
        return self._last.get(key)

    def snapshot(self) -> dict[str, Payload]:
        """The current payload of every exposed flow (asks each provider; falls back to the last published)."""
        result: dict[str, Payload] = {}
        for key, provider in list(self._providers.items()):
            try:
                result[key] = provider()
            except Exception as exc:
                self._report(key, exc)
                if key in self._last:
                    result[key] = self._last[key]
        return result

    # -- dashboards -----------------------------------------------------------------------------------
    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call ``subscriber(key, payload)`` on every publish; returns a function that unsubscribes."""
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            self.unsubscribe(subscriber)
        return unsubscribe

    def unsubscribe(self, subscriber: Subscriber) -> bool:
        """Stop calling ``subscriber``; False when it was not subscribed."""
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)
            return True
        return False

    def _notify(self, key: str, payload: Payload | None) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(key, payload)
            except Exception as exc:
                self._report(key, exc)

    def _report(self, key: str, exc: BaseException) -> None:
        if self._on_exception is not None:
            try:
                self._on_exception(key, exc)
                return
            except Exception as hook_exc:
                exc = hook_exc
        LOGGER.error("dashboard: error for %s", key, exc_info=(type(exc), exc, exc.__traceback__))


def process_object(storage: Any, key: str, factory: Callable[[], Any] | None) -> Any:
    """The process-wide object stored under ``key`` in ``storage`` (TD's ``root``); made by ``factory``
    (and stored session-only: saved as None) when absent and a factory is given, else None."""
    found = storage.fetch(key, None, search=False)
    if found is None and factory is not None:
        found = factory()
        storage.store(key, found)
        storage.storeStartupValue(key, None)
    return found


class Exposure:
    """One controller in the registry: registered while exposed, publishing its payload on changes."""

    def __init__(self, key: Callable[[], str], registry: Callable[[bool], DashboardRegistry | None],
                 provider: Provider) -> None:
        self._key = key
        self._registry = registry
        self._provider = provider
        self.exposed_key: str | None = None

    def update(self, exposed: bool) -> None:
        """Register (``exposed``) or unregister this controller."""
        if exposed:
            key = self._key()
            registry = self._registry(True)
            if registry is not None:
                registry.register(key, self._provider)
                self.exposed_key = key
        else:
            self.withdraw()

    def withdraw(self) -> None:
        """Unregister (subscribers get ``(key, None)``)."""
        if self.exposed_key is None:
            return
        registry = self._registry(False)
        if registry is not None:
            registry.unregister(self.exposed_key)
        self.exposed_key = None

    def publish(self) -> None:
        """Send the current payload to the subscribers (nothing when not exposed)."""
        if self.exposed_key is None:
            return
        registry = self._registry(True)
        if registry is None:
            return
        if not registry.is_registered(self.exposed_key):
            registry.register(self.exposed_key, self._provider)
        registry.publish(self.exposed_key, self._provider())
