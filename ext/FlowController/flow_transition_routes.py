"""Leaving a step by a route: ``then``, the watchdog's ``ontimeout`` and the error route ``onerror``.

Watchdog: ``do_timeout`` fires onStepTimeout, then leaves the entry by its step's ``ontimeout`` route
(onStepExit reason 'timeout', onNextStep transition 'timeout').

Routes: a step leaves by its ``then`` (NextStep, a timer, a duration-0 step, its tasks, its signal),
``ontimeout`` (the watchdog) or ``onerror`` (the error route). When nothing can change a route (no
expression routes, no ``route_resolver``, no callbacks at all) the precomputed target is followed; else
``route`` works it out when the step is left: the expression (``flow_routes``, with ``ctx`` the context),
then ``route_resolver(step_index, field)`` (the adapter's parameter in expression mode; None keeps the
route), then ``onRoute`` (a value not None overrides it). A route that cannot be followed (an expression
that raises, an unknown target) is reported (``error`` event, onError) and the run follows the step's
error route; ``onerror = continue`` then means the default route ``next``, and an error route that itself
cannot be followed ends the run with result_type 'error'.

Error routes: a callback of the current step that raises (not onStepExit: that step is being left; not a
callbacks DAT that does not compile), a step task that fails, times out or is cancelled from outside,
and a step with until = tasks restored after its tasks were lost leave by ``onerror`` (after onError).
``continue`` changes nothing (a step with until = tasks then waits for its other tasks and leaves by
``then``); ``end`` finishes the run with result_type 'error' and the error message as its result; a step
name (or ``next``) moves there, the error in the new step's onStepEnter info as ``error``.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from typing import Any

import flow_payloads as payloads
import flow_routes
from flow_queue import Action
from flow_spec import ONERROR_CONTINUE, THEN_END, THEN_NEXT
from flow_state import Entry, FlowStatus
from flow_transition_moves import StepMoves
from flow_transition_state import AUTO_SOURCES, EVENT_SOURCES, OVER

_RUNNING = FlowStatus.RUNNING


class RouteMoves(StepMoves):
    """Where a step goes when it is left, and the leaves caused by timers, timeouts and errors."""

    def advance(self, token: int, source: str) -> None:
        """Leave entry ``token`` for where its step goes next (or end the run after the last step)."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.ignored("next_step", source, OVER, token)
            return
        if source in AUTO_SOURCES:
            if entry.waiting:
                self.ignored("next_step", source, "the step waits for NextStep", token)
                return
            if self.paused:
                entry.held = source
                return
        elif source in EVENT_SOURCES and self.paused:
            entry.held = source
            return
        if not self._static:  # a route is worked out when the step is left
            self.follow(entry, "then", source)
            return
        if not self.dispatcher.silent:  # onRoute may override the precomputed target (payload made lazily)
            info = self.fire("onRoute", payloads.route, self.definition, entry, "then", None, self.context, source,
                             self.process_id)
            if info is not None:
                if entry is not self.entry or self.status is not _RUNNING:
                    return
                if info["returnValue"] is not None:
                    self.override(entry, "then", info["returnValue"], source)
                    return
        target = self._targets[entry.index]
        if target is None:
            self.end_run(FlowStatus.COMPLETED, None, "success", source, "end")
            return
        then = entry.step.then
        in_order = then == THEN_NEXT or not then or then.lower() == THEN_NEXT
        self.move(entry, target, source, "next" if in_order else "jump")

    def route(self, entry: Entry, route_field: str, source: str) -> tuple[str, int | None]:
        """Where ``entry`` (current) goes by ``route_field``: (the route as a word: 'next', 'end', 'continue'
        or a step name; the target index, None for the end). Raises RouteError (see the module docstring)."""
        index = entry.index
        definition = self.definition
        steps = self._steps
        current = 0 <= index < len(steps) and steps[index] is entry.step
        name = entry.step.name
        expression = definition.expression(index, route_field) if current and definition.has_expressions else None
        if expression is not None:
            proposed = self.evaluator.route(expression, self.context.data, definition.names, step=name,
                                            field=route_field, index_of=definition.index_of)
        elif route_field == "then":
            proposed = definition.resolved_then(index)
        elif route_field == "ontimeout":
            proposed = definition.resolved_ontimeout(index)
        else:
            proposed = definition.resolved_onerror(index)
        resolver = self._route_resolver
        if resolver is not None and current:
            try:
                value = resolver(index, route_field)
            except Exception as exc:
                raise flow_routes.RouteError(
                    f"Step '{name}' {route_field}: its parameter's expression raised {type(exc).__name__}: {exc}",
                    step=name, field=route_field) from exc
            if value is not None:
                proposed = flow_routes.validate_target(value, definition.names, step=name, field=route_field,
                                                       index_of=definition.index_of,
                                                       origin="the parameter's expression")
        if not self.dispatcher.silent:
            info = self.fire("onRoute", payloads.route, definition, entry, route_field, proposed, self.context,
                             source, self.process_id)
            value = info["returnValue"] if info is not None else None
            if value is not None:
                try:
                    proposed = flow_routes.validate_target(value, definition.names, step=name, field=route_field,
                                                           index_of=definition.index_of, origin="onRoute")
                except flow_routes.RouteError as exc:
                    exc.callback = "onRoute"  # type: ignore[attr-defined]
                    raise
        return proposed, self._target_of(index, proposed, route_field)

    def override(self, entry: Entry, route_field: str, value: Any, source: str) -> None:
        """onRoute returned ``value`` for ``entry``'s ``route_field`` ('then' or 'ontimeout'; onerror routes
        are worked out by ``route``): follow it (an unknown target is reported and the error route applies)."""
        definition = self.definition
        try:
            route = flow_routes.validate_target(value, definition.names, step=entry.step.name, field=route_field,
                                                index_of=definition.index_of, origin="onRoute")
        except flow_routes.RouteError as exc:
            self.dispatcher.report_exception("onRoute", "route", exc)
            self.queue.append(Action("route_error", True, self.do_route_error, entry.token, route_field,
                                     exc.error_info(), source))
            return
        self.go(entry, route_field, route, self._target_of(entry.index, route, route_field), source, None)

    def _target_of(self, index: int, route: str, route_field: str = "then") -> int | None:
        if route == THEN_NEXT:
            return index + 1 if index + 1 < len(self._steps) else None
        if route == THEN_END or (route == ONERROR_CONTINUE and route_field == "onerror"):
            return None
        return self.definition.index_of(route)

    def follow(self, entry: Entry, route_field: str, source: str, error: dict[str, Any] | None = None) -> bool:
        """Leave ``entry`` (current) by ``route_field`` ('then', 'ontimeout' or 'onerror'); ``error`` goes to the
        next step's info. Returns False when an error route said ``continue`` (nothing happened)."""
        try:
            route, target = self.route(entry, route_field, source)
        except flow_routes.RouteError as exc:  # onError first, then the error route (queued in that order)
            self.dispatcher.report_exception(getattr(exc, "callback", "route"), "route", exc)
            self.queue.append(Action("route_error", True, self.do_route_error, entry.token, route_field,
                                     exc.error_info(), source))
            return True
        if entry is not self.entry or self.status is not _RUNNING:  # onRoute ended or moved the run
            return True
        if route == ONERROR_CONTINUE and route_field == "onerror":
            return False
        self.go(entry, route_field, route, target, source, error)
        return True

    def go(self, entry: Entry, route_field: str, route: str, target: int | None, source: str,
           error: dict[str, Any] | None) -> None:
        """Carry out a worked-out route: move to ``target`` or, when None, end the run."""
        if route_field == "onerror":
            self.record("error_route", source, {"entry": entry.token, "onerror": route,
                                                "error": error.get("message") if error else None})
            if target is None:
                self.end_run(FlowStatus.ERROR, error.get("message") if error else None, "error", source, "error")
            else:
                self.move(entry, target, source, "error", error=error)
        elif target is None:
            if route_field == "ontimeout":
                self.end_run(FlowStatus.COMPLETED, None, "success", source, "timeout")
            else:
                self.end_run(FlowStatus.COMPLETED, None, "success", source, "end")
        elif route_field == "ontimeout":
            self.move(entry, target, source, "timeout", error=error)
        else:
            self.move(entry, target, source, "next" if route == THEN_NEXT else "jump", error=error)

    def fail(self, entry: Entry, error: dict[str, Any] | None, source: str) -> None:
        """``entry`` (current) failed: follow its error route now (or when a pause ends). When the route is
        ``continue``, a step with until = tasks and no task still running leaves by ``then``."""
        if self.paused:
            entry.held = "error"
            entry.error = error
            return
        if self.follow(entry, "onerror", source, error) or entry is not self.entry:
            return
        if entry.step.kind == "tasks" and not self.tasks.running(entry.token):
            self.advance(entry.token, "tasks")

    def do_error(self, token: int, error: dict[str, Any] | None, source: str) -> None:
        """Entry ``token`` failed (``error``: origin, message, step): leave by its error route (``fail``)."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.ignored("error_route", source, OVER, token)
            return
        self.fail(entry, error, source)

    def do_route_error(self, token: int, route_field: str, error: dict[str, Any], source: str) -> None:
        """Entry ``token``'s ``route_field`` could not be followed (onError came first): its error route
        applies; ``continue`` means the default route ``next``; a failing error route ends the run."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.ignored("route", source, OVER, token)
            return
        if route_field == "onerror":
            self.end_run(FlowStatus.ERROR, error.get("message"), "error", source, "error")
        elif not self.follow(entry, "onerror", source, error) and entry is self.entry:
            self.go(entry, "then", THEN_NEXT, self._target_of(entry.index, THEN_NEXT), source, error)

    def do_timeout(self, token: int) -> None:
        """Entry ``token`` stayed current for its step's timeout: onStepTimeout, then leave by ontimeout."""
        entry = self.entry
        if self.status is not _RUNNING or entry is None or entry.token != token:
            self.ignored("timeout", "timeout", OVER, token)
            return
        if self.paused:
            entry.held = "timeout"
            return
        step = entry.step
        index = entry.index
        if step is not self._steps[index] or not step.has_timeout:  # removed, or its timeout taken away
            self.ignored("timeout", "timeout", "the step has no timeout any more", token)
            return
        target = self._targets_on_timeout[index]
        route = self.definition.resolved_ontimeout(index)
        next_name = self._steps[target].name if target is not None else ""
        elapsed = entry.active_elapsed(self.clock.now())
        self.record("timeout", "timeout", {"entry": token, "timeout": step.timeout, "elapsed": elapsed,
                                           "ontimeout": route})
        self.fire("onStepTimeout", payloads.step_timeout, self.definition, entry, elapsed, route, next_name,
                  "timeout", self.process_id)
        if entry is not self.entry or self.status is not _RUNNING:
            return
        self.follow(entry, "ontimeout", "timeout")
