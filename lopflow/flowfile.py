"""Flow files: a flow written as TOML, read into plain data with errors that name file, step and field.

A flow file looks like this::

    name = "Process a file"
    callbacks = "callbacks.py"        # optional, relative to the flow file

    [[steps]]
    label = "Initialize"
    duration = -1                     # -1: wait for NextStep(); 0: advance at once; above 0: seconds
    then = "next"                     # "next", "end" or the label of another step (default "next")
    timeout = 60                      # optional watchdog: seconds in this step (paused time excluded) before
    ontimeout = "Initialize"          #   it leaves by ontimeout: "next", "end" or a step (default "next")
    until = "duration"                # what ends the step: "duration" (default), "tasks" (its step tasks,
                                      #   RunTask) or "signal" (one of the names in signal)
    signal = "visitor approved"       # with until = "signal": the signal names (a string, space-separated,
                                      #   or an array of strings)
    onerror = "continue"              # where a failing callback or step task sends the run: "continue"
                                      #   (default: nothing changes), "end", "next" or a step
    alert = 2                         # onStepEndAlert this many seconds before a timed step ends (0: none)
    entry = false                     # true: code enters this step with GoToStep() (no "unreachable" warning)

    [[steps]]
    label = "Review"
    then = "='publish' if ctx['score'] > 0.8 else 'retry'"   # a route starting with "=" is a Python
                                      #   expression evaluated when the step is left, with ctx the context

    [run]                             # optional
    seconds = 10                      # stop a headless run after this much TD time
    fps = 60                          # TD cook rate of the headless run
    asyncio = true                    # also build a TDAsyncIO (global OP shortcut TDAsyncIO)

``then``, ``ontimeout`` and ``onerror`` may be expressions (a string starting with ``=``): they are
evaluated when the step is left, reading ``ctx`` (a read-only view of the run's context) and a few
builtins (``ext/FlowController/flow_routes.py``), and must give ``"next"``, ``"end"`` or a step name
(``"continue"`` too for onerror). A consumed signal's payload is in the context as ``signal.<name>``.

This module only checks shapes and types. Whether the steps make a sound flow (durations that are
not -1, 0 or above 0, unknown route targets, expressions that do not parse, a signal step without a
signal, duplicate names, unreachable steps, instant loops) is the engine's validation
(``ext/FlowController/flow_steps.py``), reported by ``lopflow check``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lopflow.repo import component_module

_spec = component_module("FlowController", "flow_spec")
THEN_NEXT = _spec.THEN_NEXT
THEN_END = _spec.THEN_END
#: A step with this duration waits for NextStep(); 0 advances at once; above 0 advances after that many seconds.
DURATION_WAIT = -1.0

#: A step as the engine's FlowDefinition reads it (``flow_steps.Row``).
Row = tuple[str, float, str, float, str, str, str, str, float]

DEFAULT_SECONDS = 60.0
DEFAULT_FPS = 60.0

_TOP_KEYS = ("name", "callbacks", "steps", "run")
_STEP_KEYS = ("label", "duration", "then", "timeout", "ontimeout", "entry", "until", "signal", "onerror", "alert")
_UNTIL = _spec.UNTIL_MODES
_ONERROR_CONTINUE = _spec.ONERROR_CONTINUE
_RUN_KEYS = ("seconds", "fps", "asyncio")


class FlowFileError(ValueError):
    """A flow file that cannot be read; the message names the file, the step and the field."""


@dataclass(frozen=True)
class StepRow:
    """One step as written in the flow file: the fields of a block of the Step sequence (label, duration,
    then, the watchdog's timeout and ontimeout, until and signal, onerror, alert), plus ``entry`` (the step
    is entered by ``GoToStep()`` from code, a fact only ``lopflow check`` uses)."""

    label: str
    duration: float = DURATION_WAIT
    then: str = THEN_NEXT
    entry: bool = False
    timeout: float = 0.0
    ontimeout: str = THEN_NEXT
    until: str = "duration"
    signal: str = ""
    onerror: str = "continue"
    alert: float = 0.0

    def as_row(self) -> Row:
        """The ``(label, duration, then, timeout, ontimeout, until, signal, onerror, alert)`` row the
        engine's FlowDefinition is built from."""
        return (self.label, self.duration, self.then, self.timeout, self.ontimeout, self.until, self.signal,
                self.onerror, self.alert)


@dataclass(frozen=True)
class RunSettings:
    """How a headless run goes: how long, at what frame rate, with or without TDAsyncIO.

    ``seconds`` is a time limit (a flow still running then has failed), or with ``fixed_time`` the
    time to run a flow meant to keep going (an attract loop): still running then is what was asked.
    """

    seconds: float = DEFAULT_SECONDS
    fps: float = DEFAULT_FPS
    asyncio: bool = False
    fixed_time: bool = False


@dataclass(frozen=True)
class FlowFile:
    """A flow file read into plain data. ``callbacks`` is absolute (resolved against the file)."""

    path: Path
    name: str
    steps: tuple[StepRow, ...]
    callbacks: Path | None = None
    run: RunSettings = field(default_factory=RunSettings)

    def rows(self) -> list[Row]:
        """The steps as ``(label, duration, then, timeout, ontimeout, until, signal, onerror, alert)`` rows, in
        file order."""
        return [step.as_row() for step in self.steps]


def load_flow_file(path: str | Path) -> FlowFile:
    """Read and shape-check the flow file at ``path``.

    Raises FlowFileError naming the file (and step and field) for anything that is wrong.
    """
    path = Path(path)
    try:
        text = read_utf8(path)
    except FileNotFoundError:
        raise FlowFileError(f"{path}: no such flow file") from None
    except UnicodeDecodeError as exc:
        raise FlowFileError(f"{path}: {not_utf8_message(exc)}") from None
    except OSError as exc:
        raise FlowFileError(f"{path}: cannot read the flow file ({exc.strerror or exc})") from None
    return parse_flow_text(text, path)


def read_utf8(path: Path) -> str:
    """The text of ``path`` read as UTF-8 (a UTF-8 byte order mark is allowed); raises UnicodeDecodeError."""
    return path.read_bytes().decode("utf-8-sig")


def not_utf8_message(exc: UnicodeDecodeError) -> str:
    """A sentence saying where a file stops being UTF-8 and what to do about it."""
    data = bytes(exc.object)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "not UTF-8 text (it is UTF-16); save the file with UTF-8 encoding"
    line = data[:exc.start].count(b"\n") + 1
    return (f"not UTF-8 text (line {line}: byte 0x{data[exc.start:exc.start + 1].hex()} is not UTF-8); "
            "save the file with UTF-8 encoding")


def parse_flow_text(text: str, path: str | Path = "<flow>") -> FlowFile:
    """Parse flow TOML ``text``; ``path`` is used in messages and to resolve ``callbacks``."""
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FlowFileError(f"{path}: not valid TOML: {exc}") from None
    _reject_unknown_keys(path, "the top level", data, _TOP_KEYS)

    name = data.get("name", path.parent.name if path.name == "flow.toml" else path.stem)
    if not isinstance(name, str) or not name.strip():
        raise FlowFileError(f"{path}: 'name' must be a non-empty string, got {name!r}")

    return FlowFile(
        path=path,
        name=name,
        steps=_read_steps(path, data.get("steps")),
        callbacks=_read_callbacks(path, data.get("callbacks")),
        run=_read_run(path, data.get("run", {})),
    )


def _read_callbacks(path: Path, value: Any) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise FlowFileError(f"{path}: 'callbacks' must be the path of a .py file, got {value!r}")
    resolved = (path.parent / value).resolve()
    if resolved.suffix != ".py":
        raise FlowFileError(f"{path}: 'callbacks' must name a .py file, got {value!r}")
    return resolved


def _read_steps(path: Path, value: Any) -> tuple[StepRow, ...]:
    if value is None:
        raise FlowFileError(f"{path}: no steps; add at least one [[steps]] table with a label")
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise FlowFileError(f"{path}: 'steps' must be an array of tables, written as [[steps]] sections")
    if not value:
        raise FlowFileError(f"{path}: no steps; add at least one [[steps]] table with a label")
    return tuple(_read_step(path, index, item) for index, item in enumerate(value))


def _read_step(path: Path, index: int, item: dict[str, Any]) -> StepRow:
    label = item.get("label")
    step_name = f"step {index + 1}" + (f" ({label!r})" if isinstance(label, str) else "")
    where = f"{path}: {step_name}"
    _reject_unknown_keys(path, step_name, item, _STEP_KEYS)
    if not isinstance(label, str) or not label.strip():
        raise FlowFileError(f"{where}: 'label' must be a non-empty string, got {label!r}")
    if label.strip() != label:
        raise FlowFileError(f"{where}: 'label' has leading or trailing spaces; write {label.strip()!r}")

    duration = item.get("duration", DURATION_WAIT)
    if isinstance(duration, bool) or not isinstance(duration, int | float):
        raise FlowFileError(
            f"{where}: 'duration' must be a number: -1 (wait for NextStep), 0 (advance at once) or seconds "
            f"above 0, got {duration!r}"
        )
    then = item.get("then", THEN_NEXT)
    if not isinstance(then, str) or not then.strip():
        raise FlowFileError(
            f"{where}: 'then' must be \"{THEN_NEXT}\", \"{THEN_END}\" or the label of a step (or an expression "
            f"starting with \"=\"), got {then!r}"
        )
    timeout = item.get("timeout", 0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not math.isfinite(timeout) or timeout < 0:
        raise FlowFileError(
            f"{where}: 'timeout' must be a number of seconds, 0 (no watchdog) or above, got {timeout!r}")
    ontimeout = item.get("ontimeout", THEN_NEXT)
    if not isinstance(ontimeout, str) or not ontimeout.strip():
        raise FlowFileError(
            f"{where}: 'ontimeout' must be \"{THEN_NEXT}\", \"{THEN_END}\" or the label of a step (or an "
            f"expression starting with \"=\"), got {ontimeout!r}")
    until = item.get("until", "duration")
    if not isinstance(until, str) or until.strip().lower() not in _UNTIL:
        raise FlowFileError(f"{where}: 'until' must be one of {', '.join(repr(u) for u in _UNTIL)}, got {until!r}")
    signal = _read_signal(where, item.get("signal", ""))
    onerror = item.get("onerror", _ONERROR_CONTINUE)
    if not isinstance(onerror, str) or not onerror.strip():
        raise FlowFileError(
            f"{where}: 'onerror' must be \"{_ONERROR_CONTINUE}\", \"{THEN_END}\", \"{THEN_NEXT}\", the label of a "
            f"step or an expression starting with \"=\", got {onerror!r}")
    alert = item.get("alert", 0)
    if isinstance(alert, bool) or not isinstance(alert, int | float) or not math.isfinite(alert) or alert < 0:
        raise FlowFileError(
            f"{where}: 'alert' must be a number of seconds, 0 (no alert) or above, got {alert!r}")
    entry = item.get("entry", False)
    if not isinstance(entry, bool):
        raise FlowFileError(f"{where}: 'entry' must be true or false, got {entry!r}")
    return StepRow(label=label, duration=float(duration), then=then, entry=entry, timeout=float(timeout),
                   ontimeout=ontimeout, until=until.strip().lower(), signal=signal, onerror=onerror,
                   alert=float(alert))


def _read_signal(where: str, value: Any) -> str:
    """A step's ``signal``: a string of space-separated names, or an array of names (joined by spaces)."""
    if isinstance(value, list) and all(isinstance(name, str) and name.strip() and len(name.split()) == 1
                                       for name in value):
        return " ".join(name.strip() for name in value)
    if isinstance(value, str):
        return " ".join(value.split())
    raise FlowFileError(f"{where}: 'signal' must be a string of names separated by spaces, or an array of names "
                        f"without spaces, got {value!r}")


def _read_run(path: Path, value: Any) -> RunSettings:
    if not isinstance(value, dict):
        raise FlowFileError(f"{path}: 'run' must be a table, written as a [run] section")
    _reject_unknown_keys(path, "[run]", value, _RUN_KEYS)
    seconds = value.get("seconds", DEFAULT_SECONDS)
    fps = value.get("fps", DEFAULT_FPS)
    use_asyncio = value.get("asyncio", False)
    for key, number in (("seconds", seconds), ("fps", fps)):
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number) or number <= 0:
            raise FlowFileError(f"{path}: [run] '{key}' must be a number above 0, got {number!r}")
    if not isinstance(use_asyncio, bool):
        raise FlowFileError(f"{path}: [run] 'asyncio' must be true or false, got {use_asyncio!r}")
    return RunSettings(seconds=float(seconds), fps=float(fps), asyncio=use_asyncio)


def _reject_unknown_keys(path: Path, where: str, table: dict[str, Any], known: tuple[str, ...]) -> None:
    unknown = [key for key in table if key not in known]
    if unknown:
        raise FlowFileError(
            f"{path}: {where}: unknown key {unknown[0]!r}; the keys allowed here are {', '.join(known)}"
        )
