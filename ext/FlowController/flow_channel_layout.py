"""The Script CHOP's always-present channels, in order, and the event counts behind the pulse channels.

Layout (names from ``flow_spec``): the event pulses ``on_start``, ``on_finish``, ``on_update``,
``on_next_step`` (1 for exactly one cook after the event), then ``current_step``, ``max_steps``,
``waiting_for_continue``, the five ``status_*`` channels (exactly one is 1; a paused run is
``status_running``), ``flow_active``, ``progress`` and ``paused`` (1 while the run is paused). The optional channels (result length, step data length, last update time) are the
adapter's.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import flow_spec

EVENT_NAMES = flow_spec.EVENT_CHANNELS
STATUS_CHANNELS = flow_spec.STATUS_CHANNELS


class EventCounts:
    """How many times each CHOP event happened: in total, and since the last ``consume()``."""

    def __init__(self) -> None:
        #: Event name -> how many times it happened since the engine was created (count with ``+= 1``).
        self.totals = dict.fromkeys(EVENT_NAMES, 0)
        self._consumed = dict.fromkeys(EVENT_NAMES, 0)

    def consume(self) -> dict[str, int]:
        """Per event, how many times it happened since the previous call."""
        result = {name: self.totals[name] - self._consumed[name] for name in EVENT_NAMES}
        self._consumed = dict(self.totals)
        return result


def channel_values(events: dict[str, int], *, status_channel: str, step_index: int, step_count: int,
                   waiting: bool, running: bool, progress: float, paused: bool = False) -> list[tuple[str, float]]:
    """Every always-present channel as ``(name, value)``, in layout order."""
    values: list[tuple[str, float]] = [(name, 1.0 if events[name] else 0.0) for name in EVENT_NAMES]
    values += [
        ("current_step", float(step_index)),
        ("max_steps", float(step_count)),
        ("waiting_for_continue", 1.0 if waiting else 0.0),
    ]
    values += [(name, 1.0 if name == status_channel else 0.0) for name in STATUS_CHANNELS]
    values += [("flow_active", 1.0 if running else 0.0), ("progress", progress),
               (flow_spec.PAUSED_CHANNEL, 1.0 if paused else 0.0)]
    return values
