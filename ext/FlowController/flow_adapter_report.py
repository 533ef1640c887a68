"""FlowController's one diagnostics path: the component's script errors plus the ``lopflow.flowcontroller`` logger.

What a user must see on the component (step errors, callback errors, Setup problems) is a script error
whose text starts with a topic prefix (``LOPflow steps: ...``), so each topic can be replaced or cleared
without touching other script errors. Everything else (why a pulse did nothing, tracebacks) goes to
the logger, which TD's textport shows (Python's last-resort handler writes warnings to stderr) and
which tests read with pytest's ``caplog``. Nothing here prints.

Never imports ``td``: the component is passed in.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import flow_spec

LOGGER = logging.getLogger(flow_spec.LOGGER_NAME)


class Reporter:
    """Script errors by topic on ``comp``, and log messages naming ``comp``."""

    def __init__(self, comp: Any) -> None:
        self._comp = comp
        self._shown: dict[str, tuple[str, ...]] = {}

    def show(self, topic: str, messages: Sequence[str]) -> None:
        """Make ``messages`` the script errors of ``topic`` (each as ``'<topic>: <message>'``); no-op if unchanged."""
        lines = tuple(f"{topic}: {message}" for message in messages)
        if self._shown.get(topic, ()) == lines:
            return
        if self._shown.get(topic):
            self._comp.clearScriptErrors(error=topic + "*")
        for line in lines:
            self._comp.addScriptError(line)
        self._shown[topic] = lines

    def add(self, topic: str, message: str) -> None:
        """Add one more script error to ``topic`` (callback errors accumulate until cleared)."""
        line = f"{topic}: {message}"
        self._comp.addScriptError(line)
        self._shown[topic] = (*self._shown.get(topic, ()), line)

    def clear(self, topic: str) -> None:
        """Remove every script error of ``topic``."""
        if self._shown.get(topic):
            self._comp.clearScriptErrors(error=topic + "*")
        self._shown[topic] = ()

    def shown(self, topic: str) -> tuple[str, ...]:
        """The script error lines of ``topic`` as last shown."""
        return self._shown.get(topic, ())

    def warn(self, message: str) -> None:
        """Log ``message`` as a warning naming the component."""
        LOGGER.warning("%s: %s", self._path(), message)

    def error(self, message: str, exc: BaseException | None = None) -> None:
        """Log ``message`` as an error naming the component, with ``exc``'s traceback when given."""
        exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
        LOGGER.error("%s: %s", self._path(), message, exc_info=exc_info)

    def callback_error(self, callback_name: str, source: str, exc: BaseException) -> None:
        """A callback raised (``source`` 'assigned', 'dat' or another part): show it on the component and
        log it with its traceback."""
        where = "assigned callback" if source == "assigned" else ("callbacks DAT" if source == "dat" else source)
        text = f"{callback_name} ({where}) raised {type(exc).__name__}: {exc}"
        self.add(flow_spec.CALLBACK_ERROR_PREFIX, text)
        self.error(text, exc)

    def _path(self) -> str:
        try:
            return str(self._comp.path)
        except Exception:  # noqa: BLE001 - a deleted component still gets its message logged
            return "FlowController"
