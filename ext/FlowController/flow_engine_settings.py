"""An engine's settings and listeners: the frame budget, the GO guard, the journal, warning and
task-cancel listeners, the route resolver and the history size. ``FlowEngine`` binds these functions
(each takes the engine as ``engine``) as its properties, so its docstrings are these.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flow_transitions import Record

if TYPE_CHECKING:
    from flow_engine import FlowEngine


def max_transitions_per_frame(engine: FlowEngine) -> int:
    """At most this many steps are entered per frame (at least 1)."""
    return engine._budget.max_transitions


def set_max_transitions_per_frame(engine: FlowEngine, value: int) -> None:
    engine._budget.max_transitions = value


def go_debounce(engine: FlowEngine) -> float | None:
    """The GO guard: NextStep calls from outside callbacks advance at most once per frame and, above
    0, at most once per this many seconds of TD time. None switches the guard off."""
    return engine._go_debounce


def set_go_debounce(engine: FlowEngine, value: float | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                              or not value >= 0 or value == float("inf")):
        raise ValueError(f"go_debounce must be a number of seconds, 0 or above (or None), not {value!r}")
    engine._go_debounce = None if value is None else float(value)


def on_record(engine: FlowEngine) -> Callable[[Record], None] | None:
    """The journal listener: called with every journal record (see ``flow_journal``); None: none made."""
    return engine._run.on_record


def set_on_record(engine: FlowEngine, listener: Callable[[Record], None] | None) -> None:
    engine._run.on_record = listener


def on_warning(engine: FlowEngine) -> Callable[[str], None] | None:
    """Called with each warning the engine has for the user (also recorded as a ``warning`` event)."""
    return engine._run.warn


def set_on_warning(engine: FlowEngine, listener: Callable[[str], None] | None) -> None:
    engine._run.warn = listener


def on_cancel_tasks(engine: FlowEngine) -> Callable[[list[Any]], None] | None:
    """Called with the ids of the unfinished step tasks of a step being left (or of a run that ends):
    the adapter cancels them (TDAsyncIO ``CancelTask``). A listener that raises is reported."""
    return engine._run.on_cancel_tasks


def set_on_cancel_tasks(engine: FlowEngine, listener: Callable[[list[Any]], None] | None) -> None:
    engine._run.on_cancel_tasks = listener


def route_resolver(engine: FlowEngine) -> Callable[[int, str], str | None] | None:
    """``route_resolver(step_index, field)`` (field 'then', 'ontimeout' or 'onerror'), asked when a step is
    left: a route ('next', 'end', 'continue' for onerror, or a step name) that replaces the step's own,
    or None to keep it (the adapter evaluates a parameter in expression mode). None (the default): not
    asked. It costs a call per step left, so set it only while some route needs it. An exception or an
    unknown target fires onError and the step's error route."""
    return engine._run.route_resolver


def set_route_resolver(engine: FlowEngine, resolver: Callable[[int, str], str | None] | None) -> None:
    engine._run.route_resolver = resolver


def history_size(engine: FlowEngine) -> int:
    """How many history events are kept (changeable while running)."""
    return engine._history.size


def set_history_size(engine: FlowEngine, value: int) -> None:
    engine._history.size = value
