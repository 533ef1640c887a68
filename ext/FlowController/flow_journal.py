"""The run journal: a flow's position written to disk as it changes, so a crash or restart can restore it.

One file per controller, JSON lines. The first line of a compacted file is a ``snapshot`` record (the
whole run state); every later line is one change (``start``, ``step``, ``signals``, ``ctx``, ``ctxdel``,
``ctxclear``, ``pause``, ``resume``, ``timer``, ``end``). ``fold`` replays the lines into the run state. The engine
makes the records (``FlowEngine.on_record``); the extension adds ``wall`` (wall-clock seconds) and
writes them here.

Records (``k`` is the kind; every record may carry ``wall``):

=========== =================================================================================
``start``   ``pid``: a run started (context emptied)
``step``    ``step``, ``index``, ``entry``, ``waiting``, ``timer``: the current step entry; ``tasks``: how
            many step tasks it runs (written again when that changes; absent: none)
``signals`` ``queue``: the queued signals, ``[{"name", "payload", "source"}]`` (``lost: true`` with
            payload None for a payload JSON cannot hold), written whenever the queue changes
``ctx``     ``key``, ``value``; or ``key``, ``lost: true`` for a value JSON cannot hold
``ctxdel``  ``key``: removed;  ``ctxclear``: every key removed
``pause``   ``timer``: paused (timers frozen);  ``resume``: ``timer``: counting again
``timer``   ``timer``: where the step's timers are (written now and then by the extension)
``end``     ``result_type``, ``status``: the run ended
``snapshot`` ``state``: the whole state (the first line after a compaction, or after a restore)
=========== =================================================================================

``timer`` is ``{"duration": d, "elapsed": e}`` (plus ``timeout`` for a step with a watchdog): TD
seconds spent in the step while not paused, as of that record; ``ctx``, ``step``, ``pause``,
``resume`` and ``timer`` records carry it. When the tail grows past
``compact_after`` lines, the file is rewritten as one snapshot (to a temporary file, then renamed over
the journal, so a crash during compaction leaves the old journal or the new one, never half of one).

A torn last line (TD killed mid-write) is skipped: ``read_state`` returns the state before it. A write
that fails (disk full, no permission) never raises: it is reported once per failure streak through
``report`` and the journal tries again at the next write.

Pure Python, standard library only (no ``td``): the extension gives it a path and a wall clock.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

#: Lines after the snapshot before the journal is compacted into a new snapshot.
DEFAULT_COMPACT_AFTER = 200
#: The state of a journal with no run in it.
EMPTY_STATE: dict[str, Any] = {
    "status": "idle", "process_id": "", "step": "", "index": -1, "entry": 0, "waiting": False,
    "paused": False, "timer": None, "context": {}, "wall": 0.0, "result_type": "", "lost_keys": [],
    "tasks": 0, "signals": [],
}
#: The state keys a ``step`` record sets (the rest of a record is ignored).
_STEP_FIELDS = ("step", "index", "entry", "waiting", "timer")
#: The record kinds that may carry the current ``timer``.
_TIMER_KINDS = ("ctx", "ctxdel", "ctxclear", "pause", "resume", "timer")
_PLAIN = (str, int, bool, float)

Reporter = Callable[[str, BaseException | None], None]


def _new_state() -> dict[str, Any]:
    state = dict(EMPTY_STATE)
    state["context"] = {}
    state["lost_keys"] = []
    state["signals"] = []
    return state


def is_journalable(value: Any) -> bool:
    """True when ``value`` survives a journal line: JSON can write it (a tuple comes back as a list)."""
    if value is None or type(value) in _PLAIN:
        return True
    try:
        json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def _forget_lost(state: dict[str, Any], key: Any) -> None:
    lost = state.get("lost_keys")
    if lost and key in lost:
        state["lost_keys"] = [k for k in lost if k != key]


def fold(state: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """Apply one journal record to ``state`` (in place) and return it; unknown kinds are ignored."""
    kind = record.get("k")
    if kind == "snapshot":
        state.clear()
        state.update(_new_state())
        state.update(record.get("state", {}))
    elif kind == "start":
        state.update(_new_state())
        state.update(status="running", process_id=record.get("pid", ""), context=dict(record.get("context", {})))
    elif kind == "step":
        for name in _STEP_FIELDS:
            if name in record:
                state[name] = record[name]
        state["tasks"] = record.get("tasks", 0)
    elif kind == "signals":
        state["signals"] = list(record.get("queue") or [])
    elif kind == "ctx":
        key = record["key"]
        if record.get("lost"):
            state["context"].pop(key, None)
            if key not in state["lost_keys"]:
                state["lost_keys"] = [*state["lost_keys"], key]
        else:
            state["context"][key] = record.get("value")
            _forget_lost(state, key)
    elif kind == "ctxdel":
        state["context"].pop(record.get("key"), None)
        _forget_lost(state, record.get("key"))
    elif kind == "ctxclear":
        state["context"] = {}
        state["lost_keys"] = []
    elif kind in ("pause", "resume"):
        state["paused"] = kind == "pause"
    elif kind == "end":
        state.update(status="ended", result_type=record.get("result_type", ""), step="", index=-1, entry=0,
                     waiting=False, timer=None, paused=False, tasks=0, signals=[])
    if kind in _TIMER_KINDS and "timer" in record:
        state["timer"] = record["timer"]
    if "wall" in record:
        state["wall"] = record["wall"]
    return state


def read_state(path: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The state a journal file holds, and notes on what was skipped; ``(None, notes)`` without a file.

    Lines that are not JSON objects are skipped with a note; a torn last line is expected after a crash.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
    except FileNotFoundError:
        return None, []
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"the journal {path} cannot be read: {exc}"]
    state, notes = _new_state(), []
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            where = "its last line is torn (TD stopped mid-write)" if number == last else f"line {number + 1} is not JSON"
            notes.append(f"journal {os.path.basename(path)}: {where}; skipped")
            continue
        if isinstance(record, dict):
            fold(state, record)
    return state, notes


class Journal:
    """Appends run changes to one file; compacts it; never raises on a failed write."""

    def __init__(self, path: str, snapshot: Callable[[], dict[str, Any]], report: Reporter,
                 compact_after: int = DEFAULT_COMPACT_AFTER, fsync: bool = False) -> None:
        """``snapshot()`` gives the whole run state for compaction; ``report(message, exc)`` hears failures."""
        self.path = path
        self.fsync = fsync
        self.compact_after = max(1, int(compact_after))
        self._snapshot = snapshot
        self._report = report
        self._tail = 0
        self._failing = False
        self.writes = 0
        self.failures = 0

    def append(self, record: dict[str, Any]) -> bool:
        """Write one record as a line (compacting first when the tail is long). True when it was written."""
        if self._tail >= self.compact_after:
            return self.compact()
        try:
            line = json.dumps(record, separators=(",", ":"), default=_unjournaled) + "\n"
            with open(self.path, "a", encoding="utf-8", newline="\n") as handle:
                handle.write(line)
                if self.fsync:
                    handle.flush()
                    os.fsync(handle.fileno())
        except (OSError, TypeError, ValueError) as exc:
            return self._failed(exc)
        self._tail += 1
        return self._written()

    def compact(self) -> bool:
        """Rewrite the journal as one snapshot of the current state (atomic rename). True when written."""
        try:
            line = json.dumps({"k": "snapshot", "state": self._snapshot()}, separators=(",", ":"),
                              default=_unjournaled) + "\n"
            folder = os.path.dirname(self.path)
            if folder:
                os.makedirs(folder, exist_ok=True)
            temporary = self.path + ".tmp"
            with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(line)
                handle.flush()
                if self.fsync:
                    os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except (OSError, TypeError, ValueError) as exc:
            return self._failed(exc)
        self._tail = 0
        return self._written()

    def _written(self) -> bool:
        self.writes += 1
        if self._failing:
            self._failing = False
            self._report(f"LOPflow journal: writing {self.path} works again", None)
        return True

    def _failed(self, exc: BaseException) -> bool:
        self.failures += 1
        if not self._failing:
            self._failing = True
            self._report(f"LOPflow journal: cannot write {self.path} ({exc}); the run goes on without it", exc)
        return False


def _unjournaled(value: Any) -> str:
    """What a value JSON cannot hold is written as: a marker naming its type (restore lists it as lost)."""
    return f"<unjournaled {type(value).__name__}>"
