"""The signal mailbox of one run: named events with a payload that a step with ``until = signal`` waits for.

A signal is a name (``"visitor_detected"``) and an optional payload (any value). The engine owns one
``SignalMailbox`` per controller and drives it:

- ``on_enter(names)`` when a step that waits for signals is entered: the step now waits for those names.
  When one of them is already queued, it is consumed at once (returned) and the step does not wait.
- ``send(name, payload, source)`` for every ``Signal(name, payload)``: True when the waiting step took
  it (the engine then leaves that step), False when it was queued for a later step.
- ``on_leave()`` when the step is left any other way (NextStep, timeout, Stop): nobody waits any more.
- ``clear()`` when a run starts or ends: the queue and the waiter are emptied.

Rules:

- **Names.** A name is a non-empty string without whitespace; names are case-sensitive. A step's
  ``signal`` field holds one or several names separated by spaces (``parse_names``); an invalid name
  raises ``ValueError`` with a sentence naming it.
- **Queue.** A signal nobody waits for is queued for the run, one entry per name: sending a queued name
  again replaces its payload (the latest payload wins) but keeps its place in the queue.
- **Which queued signal a step takes.** When several queued names match the names a step waits for,
  the step takes the one queued first (the earliest sent, among those still queued).
- **One signal per wait.** A waiting step consumes exactly one signal and stops waiting. A flood of the
  same name in one frame therefore advances one step: the first send is consumed, the others are
  queued (latest payload wins), so the next step waiting for that name takes it the moment it is entered.
- **Bounded.** At most ``max_queued`` names are queued; queueing one more drops the name queued first
  (counted in ``dropped``). Every operation is O(1) in the number of queued names (``on_enter`` looks at
  the names the step waits for, not at the queue).
- **Context.** The engine stores a consumed payload in the context under ``context_key(name)``
  (``"signal.<name>"``) and in the onStepExit / onNextStep info as ``signal`` / ``signal_payload``.
- **Journal.** ``export()`` gives the queue as plain JSON data and ``restore(data)`` reads it back, so
  queued signals survive a restore. A payload JSON cannot hold is exported as ``None`` with ``"lost":
  true`` (``restore`` returns those names). The waiter is not exported: on restore the engine enters the
  current step again, which calls ``on_enter`` with its names.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The context key prefix of a consumed signal's payload: ``signal.<name>``.
CONTEXT_PREFIX = "signal."
#: How many names the queue holds before it drops the oldest (the default of ``max_queued``).
DEFAULT_MAX_QUEUED = 256


@dataclass(frozen=True)
class Signal:
    """One signal: its name, payload, who sent it (``source``) and its send number (``seq``, increasing)."""

    name: str
    payload: Any = None
    source: str = "api"
    seq: int = 0

    def info(self) -> dict[str, Any]:
        """The signal as callback info keys: ``signal`` (its name) and ``signal_payload``."""
        return {"signal": self.name, "signal_payload": self.payload}


def validate_name(name: Any) -> str:
    """``name`` when it is a valid signal name (a non-empty string without whitespace), else ValueError."""
    if not isinstance(name, str):
        raise ValueError(f"A signal name must be a string, got {type(name).__name__} {name!r}")
    if not name:
        raise ValueError("A signal name must not be empty")
    if name != "".join(name.split()):
        raise ValueError(f"A signal name must not contain spaces, got {name!r}; "
                         "a step waiting for several signals lists them separated by spaces")
    return name


def parse_names(value: str | Iterable[str]) -> tuple[str, ...]:
    """The signal names of a step's ``signal`` field: space-separated names, duplicates dropped, in order.

    ``value`` is a string (``"approved rejected"``) or an iterable of names. At least one name is
    required: an empty field raises ValueError ("... waits for no signal ...").
    """
    parts = value.split() if isinstance(value, str) else [validate_name(n) for n in value]
    names = tuple(dict.fromkeys(parts))
    if not names:
        raise ValueError("A step with until = 'signal' waits for no signal: give it one or more names "
                         "separated by spaces")
    return names


def context_key(name: str) -> str:
    """The context key that holds the payload of the consumed signal ``name``: ``signal.<name>``."""
    return CONTEXT_PREFIX + name


def _journalable(value: Any) -> bool:
    if value is None or type(value) in (str, int, bool, float):
        return True
    try:
        json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return False
    return True


class SignalMailbox:
    """The queued signals and the current waiter of one run (see the module docstring for the rules)."""

    def __init__(self, max_queued: int = DEFAULT_MAX_QUEUED) -> None:
        if max_queued < 1:
            raise ValueError(f"max_queued must be at least 1, got {max_queued!r}")
        self._max = int(max_queued)
        #: name -> (send number of its first queued send, its latest signal); dict order = queue order.
        self._queue: dict[str, tuple[int, Signal]] = {}
        self._waiting: tuple[str, ...] = ()
        self._waiting_set: frozenset[str] = frozenset()
        self._seq = 0
        self._dropped = 0
        self._last: Signal | None = None

    # -- the waiter -----------------------------------------------------------------------------------
    def on_enter(self, names: str | Iterable[str]) -> Signal | None:
        """A step waiting for ``names`` is entered: consume the matching queued signal queued first, or wait.

        Returns the consumed signal (the step leaves at once and does not wait), else None (the step now
        waits; ``waiting`` lists its names). Raises ValueError for an invalid or empty name list.
        """
        wanted = parse_names(names)
        best: tuple[int, Signal] | None = None
        for name in wanted:
            queued = self._queue.get(name)
            if queued is not None and (best is None or queued[0] < best[0]):
                best = queued
        if best is not None:
            signal = best[1]
            del self._queue[signal.name]
            self._set_waiting(())
            self._last = signal
            return signal
        self._set_waiting(wanted)
        return None

    def on_leave(self) -> None:
        """The waiting step was left some other way (NextStep, timeout, GoToStep, Stop): nobody waits now."""
        self._set_waiting(())

    @property
    def waiting(self) -> tuple[str, ...]:
        """The names the current step waits for (empty when no step waits)."""
        return self._waiting

    # -- sending --------------------------------------------------------------------------------------
    def send(self, name: str, payload: Any = None, source: str = "api") -> bool:
        """Deliver a signal: True when the waiting step consumed it now (it stops waiting), False when queued.

        Raises ValueError for an invalid name (nothing is queued then). ``last_consumed`` holds the
        consumed signal after a True.
        """
        validate_name(name)
        self._seq += 1
        signal = Signal(name, payload, source, self._seq)
        if name in self._waiting_set:
            self._set_waiting(())
            self._last = signal
            return True
        previous = self._queue.get(name)
        if previous is not None:
            first = previous[0]
        else:
            first = self._seq
            if len(self._queue) >= self._max:
                del self._queue[next(iter(self._queue))]
                self._dropped += 1
        self._queue[name] = (first, signal)  # replacing a key keeps its place in the dict's order
        return False

    # -- reading --------------------------------------------------------------------------------------
    @property
    def last_consumed(self) -> Signal | None:
        """The signal consumed last (by ``send`` or ``on_enter``) in this run, else None."""
        return self._last

    @property
    def dropped(self) -> int:
        """How many queued names were dropped because the queue was full (since the last ``clear``)."""
        return self._dropped

    def queued(self) -> dict[str, Any]:
        """The queued signals as ``{name: payload}``, in queue order (a copy)."""
        return {name: signal.payload for name, (_, signal) in self._queue.items()}

    def __len__(self) -> int:
        return len(self._queue)

    def __contains__(self, name: object) -> bool:
        return name in self._queue

    def __repr__(self) -> str:
        return f"SignalMailbox(queued={list(self._queue)!r}, waiting={list(self._waiting)!r})"

    # -- run boundaries and the journal ----------------------------------------------------------------
    def clear(self) -> None:
        """Forget every queued signal and the waiter (a run starts or ends)."""
        self._queue.clear()
        self._set_waiting(())
        self._dropped = 0
        self._last = None

    def export(self, keep_payloads: bool = False) -> list[dict[str, Any]]:
        """The queue as plain JSON data, in queue order: ``[{"name", "payload", "source"}, ...]``.

        A payload JSON cannot hold is exported as None with ``"lost": True`` (with ``keep_payloads``, for a
        hand-over in the same process, every payload is kept as it is).
        """
        records: list[dict[str, Any]] = []
        for _, signal in self._queue.values():
            record: dict[str, Any] = {"name": signal.name, "payload": signal.payload, "source": signal.source}
            if not keep_payloads and not _journalable(signal.payload):
                record["payload"] = None
                record["lost"] = True
            records.append(record)
        return records

    def restore(self, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Replace the queue with exported ``records`` (the waiter is cleared); returns the lost names.

        A record whose name is invalid raises ValueError and leaves the mailbox unchanged.
        """
        parsed = [(validate_name(r.get("name")), r.get("payload"), str(r.get("source") or "api"),
                   bool(r.get("lost"))) for r in records]
        self.clear()
        lost: list[str] = []
        for name, payload, source, was_lost in parsed:
            self.send(name, payload, source)
            if was_lost:
                lost.append(name)
        return lost

    def _set_waiting(self, names: tuple[str, ...]) -> None:
        self._waiting = names
        self._waiting_set = frozenset(names)
