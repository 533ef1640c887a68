"""Control actions from the page, carried out through a FlowController's promoted methods only.

``perform(controller, action, args, source)`` calls the promoted method the action names and returns
``(True, result)`` or ``(False, why)``; it never raises. Each method is looked up on the controller
(``hasattr``-style), so a FlowController without ``Pause``, ``Resume``, ``Back`` or ``Signal`` answers
"not supported by this FlowController" instead of failing. The source (``dashboard:<client>``) is
passed as the method's ``source`` argument when it takes one, so the flow's history says who acted.

``next`` takes ``expect``, the step the operator saw when pressing GO: passed to ``NextStep(expect=...)``
when the controller has that guard; otherwise the step is compared here, before ``NextStep()`` (a
dashboard message runs outside every callback, so a first GO has moved the flow before a second one is
read). Either way two operators pressing GO at once advance one step.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

import flowdashboard_spec as spec

LOGGER = logging.getLogger(spec.LOGGER_NAME)

#: Action -> the FlowController's promoted method.
METHODS = {"start": "Start", "stop": "Stop", "next": "NextStep", "pause": "Pause", "resume": "Resume",
           "back": "Back", "goto": "GoToStep", "signal": "Signal"}


def member(obj: Any, name: str) -> Any:
    """``obj.name``, or None when it has none (TD raises for a missing or initialising member)."""
    try:
        return getattr(obj, name)
    except Exception:  # noqa: BLE001 - AttributeError, or tdError while the extension initialises
        return None


def parameters(function: Callable[..., Any]) -> tuple[set[str], bool]:
    """The keyword names ``function`` takes, and whether it takes ``**kwargs``."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return set(), False
    names = {name for name, param in signature.parameters.items()
             if param.kind in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY)}
    return names, any(param.kind is param.VAR_KEYWORD for param in signature.parameters.values())


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def perform(controller: Any, action: str, args: dict[str, Any], source: str) -> tuple[bool, Any]:
    """Carry out ``action`` on ``controller`` (a FlowController COMP); ``(ok, result or why)``."""
    name = METHODS.get(action)
    if name is None:
        return False, f"unknown action {action!r}"
    method = member(controller, name)
    if not callable(method):
        return False, f"{action} is not supported by this FlowController (it has no {name}())"
    names, any_keyword = parameters(method)
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    if "source" in names or any_keyword:
        keywords["source"] = source
    if action == "goto":
        positional.append(args["step"])
    elif action == "signal":
        positional.append(args["name"])
        if "payload" in args:
            keywords["payload"] = args["payload"]
    elif action == "next" and args.get("expect") is not None:
        expect = args["expect"]
        if "expect" in names or any_keyword:
            keywords["expect"] = expect
        else:
            current = member(controller, "CurrentStepName")
            if current != expect:
                shown = current or "no step (not running)"
                return False, f"ignored: the flow is at {shown!r}, not {expect!r} (someone moved it first)"
    try:
        result = method(*positional, **keywords)
    except Exception as exc:  # noqa: BLE001 - the page gets the reason; TD's frame never sees it
        if type(exc).__name__ != "FlowError":
            LOGGER.exception("dashboard: %s() on %s raised", name, member(controller, "path"))
            return False, f"{name}() raised {type(exc).__name__}: {exc}"
        return False, str(exc)
    if action == "next" and result is False:
        return False, "ignored by the FlowController (its history says why)"
    return True, _plain(result)
