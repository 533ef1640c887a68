"""One process-wide watcher for what TD reports to no callback, so idle controllers need no frame callbacks.

A FlowController whose step waits has nothing to do each frame, so its Execute DAT is switched off. But
TD calls no Parameter Execute callback when the target COMP or the callbacks DAT is deleted, or when a
Step block is added or removed. Every controller registers a ``check`` here; ONE delayed ``run()`` every
``WATCH_FRAMES`` frames calls every check (in registration order), whatever the number of controllers.
A check returning False is dropped (its controller is gone); one that raises is logged and does not
stop the others.

The adapter keeps one ``Watcher`` in root storage (session-only) and gives it ``schedule(callback,
frames)`` (a wrapper around TD's ``run``). Pure Python: no ``td`` import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import flow_dashboard
import flow_spec

LOGGER = logging.getLogger(flow_spec.LOGGER_NAME)
Check = Callable[[], bool]
Schedule = Callable[[Callable[[], None], int], Any]


class Watcher:
    """Calls every registered check once every ``frames`` frames, through one pending ``run()``."""

    def __init__(self, schedule: Schedule, frames: int = flow_spec.WATCH_FRAMES) -> None:
        self._schedule = schedule
        self.frames = max(1, int(frames))
        self._checks: dict[str, Check] = {}
        self._pending = False
        self.ticks = 0

    def register(self, key: str, check: Check) -> None:
        """Call ``check()`` on every tick until it returns False (re-registering ``key`` replaces it)."""
        self._checks[key] = check
        self._arm()

    def unregister(self, key: str, check: Check | None = None) -> None:
        """Stop calling ``key``'s check (only when it is still ``check``, if given)."""
        if key in self._checks and (check is None or self._checks[key] == check):
            del self._checks[key]

    def keys(self) -> list[str]:
        """The registered keys, in registration order."""
        return list(self._checks)

    def tick(self) -> None:
        """Call every check; schedule the next tick while any check is registered."""
        self._pending = False
        self.ticks += 1
        for key, check in list(self._checks.items()):
            try:
                if check() is False:
                    self.unregister(key, check)
            except Exception:  # noqa: BLE001 - one broken controller must not blind the others
                LOGGER.exception("watch check of %s failed", key)
        self._arm()

    def _arm(self) -> None:
        if self._pending or not self._checks:
            return
        self._pending = True
        try:
            self._schedule(self.tick, self.frames)
        except Exception:  # noqa: BLE001 - without run() the controllers notice changes when next touched
            self._pending = False
            LOGGER.exception("could not schedule the LOPflow watcher")


def process_watcher(root: Any, run: Any, create: bool) -> Watcher | None:
    """The process-wide ``Watcher`` kept in ``root``'s storage (made when ``create`` and missing, else None);
    ``run`` is TD's, which its schedule wraps."""
    def schedule(callback: Any, frames: int) -> Any:
        return run("args[0]()", callback, delayFrames=frames, fromOP=root)

    factory = (lambda: Watcher(schedule)) if create else None
    watcher: Watcher | None = flow_dashboard.process_object(root, flow_spec.WATCH_KEY, factory)
    return watcher
