"""FlowController callbacks: the dispatcher, and the registry re-exported from ``flow_callback_registry``.

``CALLBACKS`` (the one table of every callback), ``COMMON_KEYS``, ``CALLBACK_ORDER``, ``spec`` and
``callback_names`` live in ``flow_callback_registry`` and are importable from here as well, which is
where the tooling (``lopflow/callback_docs.py``) and the tests read them.

Every callback receives one argument, the info dict: its payload keys plus ``COMMON_KEYS``
(``ownerComp`` the FlowController, ``targetComp`` the COMP it drives, ``callbackName``, ``returnValue``).

``CallbackDispatcher.dispatch(name, payload)`` is the only way callbacks run:

1. build ``info`` = payload + ``ownerComp``, ``targetComp``, ``callbackName``, ``returnValue`` (None);
2. call the callback assigned with ``assign(name, function)`` (``AssignCallback``), if any, and store
   what it returns in ``info['returnValue']``;
3. call ``lookup(name)`` (the adapter finds the function in the callbacks DAT's module), if it finds
   one, with the same info dict. When it returns something other than None, that becomes
   ``returnValue``: the callbacks DAT has the last word;
4. return ``info``.

``fire(name, make_payload, *args)`` does the same, but first asks whether anything handles ``name`` (an
assigned callback, or ``lookup`` finding a function): when nothing does, it builds no payload and
returns None. The engine fires every callback this way, so an undefined callback costs one lookup.
``handles(name)`` is that check alone.

Each call is isolated: an exception (also one raised by ``lookup`` itself, e.g. a syntax error in the
callbacks DAT) is caught and passed to every exception hook as ``hook(callback_name, source, exc)``
with ``source`` ``"assigned"`` or ``"dat"``; the next callback still runs. The adapter's hook shows a
script error on the controller; the engine's hook fires ``onError``. An exception raised inside an
``onError`` callback is reported to the hooks with ``callback_name`` ``"onError"`` (the engine does not
answer it with another onError), and a hook that raises is written to stderr, never re-raised, so
errors can never recurse forever.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from flow_callback_registry import CALLBACK_ORDER as CALLBACK_ORDER
from flow_callback_registry import CALLBACKS as CALLBACKS
from flow_callback_registry import COMMON_KEYS as COMMON_KEYS
from flow_callback_registry import CallbackSpec as CallbackSpec
from flow_callback_registry import callback_names as callback_names
from flow_callback_registry import spec as spec

Callback = Callable[[dict[str, Any]], Any]
Lookup = Callable[[str], Callable[..., Any] | None]
ExceptionHook = Callable[[str, str, BaseException], None]


class CallbackDispatcher:
    """Builds info dicts and runs the assigned callback then the callbacks-DAT function, isolated.

    ``owner_comp`` / ``target_comp`` go into every info dict (both may be reassigned at any time).
    ``lookup(name)`` returns the callbacks-DAT function for ``name`` or None. ``on_exception`` is a first
    exception hook (more with ``add_exception_hook``).
    """

    def __init__(self, owner_comp: Any = None, target_comp: Any = None, lookup: Lookup | None = None,
                 on_exception: ExceptionHook | None = None) -> None:
        self.owner_comp = owner_comp
        self.target_comp = target_comp
        self._assigned: dict[str, Callable[..., Any]] = {}
        #: True while no callback can run at all (no ``lookup``, nothing assigned): firing can be skipped.
        self.silent = True
        self.lookup = lookup
        self._hooks: list[ExceptionHook] = [on_exception] if on_exception is not None else []
        self._active: list[str] = []
        self._known = frozenset(callback_names())
        self._reporting = False
        self.exceptions_caught = 0
        #: True while the hooks hear of a ``lookup`` that raised (not of a callback that raised).
        self.lookup_failed = False

    # -- assigned callbacks ---------------------------------------------------------------------------
    def assign(self, name: str, function: Callable[..., Any] | None) -> None:
        """Assign ``function`` to callback ``name`` (None removes it). Raises ValueError / TypeError."""
        if name not in self._known:
            raise ValueError(f"Can't AssignCallback: no callback named {name!r}; "
                             f"FlowController callbacks are: {', '.join(callback_names())}")
        if function is None:
            self._assigned.pop(name, None)
        elif not callable(function):
            raise TypeError(f"Can't AssignCallback: {name} needs a function taking one info dict, "
                            f"not {type(function).__name__}")
        else:
            self._assigned[name] = function
        self.silent = self._lookup is None and not self._assigned

    @property
    def lookup(self) -> Lookup | None:
        """Finds the callbacks-DAT function for a callback name (None: there is none), or None."""
        return self._lookup

    @lookup.setter
    def lookup(self, lookup: Lookup | None) -> None:
        self._lookup = lookup
        self.silent = lookup is None and not self._assigned

    def assigned(self, name: str) -> Callable[..., Any] | None:
        """The function assigned to ``name``, or None."""
        return self._assigned.get(name)

    # -- exception hooks ------------------------------------------------------------------------------
    def add_exception_hook(self, hook: ExceptionHook) -> None:
        """Call ``hook(callback_name, source, exc)`` for every exception a callback raises."""
        self._hooks.append(hook)

    def remove_exception_hook(self, hook: ExceptionHook) -> None:
        """Stop calling ``hook``; unknown hooks are ignored."""
        if hook in self._hooks:
            self._hooks.remove(hook)

    def report_exception(self, callback_name: str, source: str, exc: BaseException) -> None:
        """Give ``exc`` to every exception hook. A hook that raises is printed to stderr, never re-raised."""
        self.exceptions_caught += 1
        if self._reporting:  # a hook's own failure while reporting: print, do not recurse
            _print_exception(f"while reporting an exception from {callback_name}", exc)
            return
        self._reporting = True
        try:
            for hook in list(self._hooks):
                try:
                    hook(callback_name, source, exc)
                except Exception as hook_exc:
                    _print_exception(f"exception hook failed for {callback_name}", hook_exc)
        finally:
            self._reporting = False

    # -- dispatching ----------------------------------------------------------------------------------
    @property
    def active(self) -> tuple[str, ...]:
        """The callbacks currently running, outermost first."""
        return tuple(self._active)

    def handles(self, name: str) -> bool:
        """True when something would run for ``name``: an assigned callback or a callbacks-DAT function.

        A ``lookup`` that raises is reported (source ``"dat"``) and counts as no function.
        """
        return self._assigned.get(name) is not None or self._find(name) is not None

    def dispatch(self, name: str, payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run callback ``name`` with ``payload``; returns the info dict (``returnValue`` = final value).

        Raises ValueError for a name that is not in ``CALLBACKS`` (a programming error, not a user one).
        An ``onError`` dispatched while an ``onError`` is already running is skipped (no error loops).
        """
        if name not in self._known:
            spec(name)  # raises ValueError naming the known callbacks
        info = self.fire(name, dict, payload or {})
        return info if info is not None else self._info(name, dict(payload or {}))

    def fire(self, name: str, make_payload: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any] | None:
        """Like ``dispatch``, but the payload is built (``make_payload(*args)``, a new dict that becomes
        the info dict) only when something handles ``name``; returns None, having built nothing, when
        nothing does. The engine's way to fire: ``name`` must be a name of ``CALLBACKS`` (``dispatch``
        and ``assign`` check names; this hot path does not).
        """
        if self._assigned:
            assigned = self._assigned.get(name)
            if assigned is not None:
                return self._fire_assigned(name, assigned, make_payload(*args))
        # The common case, kept short: nothing assigned, ask the callbacks DAT.
        lookup = self._lookup
        if lookup is None:
            return None
        try:
            function = lookup(name)
        except BaseException as exc:  # user code: SystemExit, KeyboardInterrupt too
            self._report_lookup(name, exc)
            return None
        if function is None:
            return None
        info = make_payload(*args)
        info["ownerComp"] = self.owner_comp
        info["targetComp"] = self.target_comp
        info["callbackName"] = name
        info["returnValue"] = None
        active = self._active
        if name == "onError" and "onError" in active:
            return info
        active.append(name)
        try:
            self._call_dat(name, function, info)
        finally:
            active.pop()
        return info

    def _call_dat(self, name: str, function: Callable[..., Any], info: dict[str, Any]) -> None:
        """Run the callbacks DAT's ``function`` (user code: anything it raises, SystemExit included, is
        reported); a return value that is not None becomes ``info['returnValue']``."""
        try:
            value = function(info)
        except BaseException as exc:  # noqa: BLE001 - user code must never break TD's frame
            self.report_exception(name, "dat", exc)
        else:
            if value is not None:
                info["returnValue"] = value

    def _fire_assigned(self, name: str, assigned: Callable[..., Any], info: dict[str, Any]) -> dict[str, Any]:
        """``fire`` for a callback with an assigned function: it runs first, then the callbacks DAT's."""
        info["ownerComp"] = self.owner_comp
        info["targetComp"] = self.target_comp
        info["callbackName"] = name
        info["returnValue"] = None
        if name == "onError" and "onError" in self._active:
            return info
        self._active.append(name)
        try:
            try:
                info["returnValue"] = assigned(info)
            except BaseException as exc:  # user code: SystemExit, KeyboardInterrupt too
                self.report_exception(name, "assigned", exc)
            function = self._find(name)  # looked up after the assigned callback ran
            if function is not None:
                self._call_dat(name, function, info)
        finally:
            self._active.pop()
        return info

    def _info(self, name: str, info: dict[str, Any]) -> dict[str, Any]:
        """``info`` (a dict of its own) completed with the common keys."""
        info["ownerComp"] = self.owner_comp
        info["targetComp"] = self.target_comp
        info["callbackName"] = name
        info["returnValue"] = None
        return info

    def _find(self, name: str) -> Callable[..., Any] | None:
        if self._lookup is None:
            return None
        try:
            return self._lookup(name)
        except BaseException as exc:  # user code: SystemExit, KeyboardInterrupt too
            self._report_lookup(name, exc)
            return None

    def _report_lookup(self, name: str, exc: BaseException) -> None:
        """A ``lookup`` that raised (the callbacks DAT does not compile): reported as source ``"dat"``, with
        ``lookup_failed`` True while the hooks run (no callback of the step ran, so no error route)."""
        self.lookup_failed = True
        try:
            self.report_exception(name, "dat", exc)
        finally:
            self.lookup_failed = False


def _print_exception(context: str, exc: BaseException) -> None:
    sys.stderr.write(f"LOPflow: {context}:\n")
    sys.stderr.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
