"""The fields of a step row, read one by one: durations, timeouts, route keywords and signal names.

``flow_steps`` builds each ``StepDef`` from these (``row_fields`` fills in the fields a row leaves out).

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from flow_spec import (
    DEFAULT_ALERT,
    DEFAULT_ONERROR,
    DEFAULT_ONTIMEOUT,
    DEFAULT_TIMEOUT,
    DEFAULT_UNTIL,
    DURATION_INSTANT,
    DURATION_WAIT,
    THEN_NEXT,
)


def parse_duration(value: Any) -> float | None:
    """``value`` as a valid duration (0, -1 or a finite number above 0), or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    if number == DURATION_INSTANT or number == DURATION_WAIT or number > 0:
        return number
    return None


def parse_timeout(value: Any) -> float | None:
    """``value`` as a valid timeout or alert (a finite number of seconds, 0 or above), or None when it is
    not one."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number) or number < 0:
        return None
    return number


_ROW_KEYS = ("label", "duration", "then", "timeout", "ontimeout", "until", "signal", "onerror", "alert")
_ROW_DEFAULTS = ("", DURATION_WAIT, THEN_NEXT, DEFAULT_TIMEOUT, DEFAULT_ONTIMEOUT, DEFAULT_UNTIL, "",
                 DEFAULT_ONERROR, DEFAULT_ALERT)


def row_fields(row: Any) -> tuple[Any, ...]:
    """The nine fields of a row (tuple, mapping or anything with ``as_row``, such as a StepDef), missing
    ones filled with their defaults."""
    if isinstance(row, Mapping):
        return tuple(row.get(key, default) for key, default in zip(_ROW_KEYS, _ROW_DEFAULTS, strict=True))
    fields = tuple(row.as_row()) if hasattr(row, "as_row") else tuple(row)
    if not 1 <= len(fields) <= len(_ROW_KEYS):
        raise ValueError(f"a step row has ({', '.join(_ROW_KEYS)}), all but the label optional; "
                         f"got {len(fields)} fields: {row!r}")
    return fields + _ROW_DEFAULTS[len(fields):]


def keyword_or_text(value: Any, default: str) -> str:
    return str(value).strip() if value is not None else default


def signal_text(value: Any) -> str:
    """A step's ``signal`` field as text: a string as it is, a list of names joined by spaces."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Iterable):
        return " ".join(str(name) for name in value)
    return str(value).strip()
