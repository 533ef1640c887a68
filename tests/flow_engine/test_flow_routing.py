"""Routes worked out when a step is left (flow-file expressions, the adapter's route_resolver, onRoute) and
error routes (a callback of the step raising, a route that cannot be followed)."""

from __future__ import annotations

from typing import Any

import pytest
from flow_engine import FlowStatus

REVIEW = [("Review", -1, "='publish' if ctx['score'] > 0.8 else 'retry'"), ("Retry", -1, "review"),
          ("Publish", -1, "end")]


def test_an_expression_then_routes_on_the_context_when_the_step_is_left(harness: Any) -> None:
    h = harness(REVIEW)
    h.engine.start()
    h.engine.set("score", 0.9)
    h.go()
    assert h.engine.current_step_name == "publish"
    h.engine.go_to_step("review")
    h.engine.set("score", 0.2)
    h.go()
    assert h.engine.current_step_name == "retry"
    assert [i["transition"] for n, i in h.calls if n == "onNextStep"][-1] == "jump"


def test_on_route_overrides_the_target_and_sees_the_proposal(harness: Any) -> None:
    h = harness(REVIEW)
    seen: list[tuple[str, str, Any]] = []

    def on_route(info: dict[str, Any]) -> Any:
        seen.append((info["field"], info["proposed"], dict(info["context"])))
        return "publish" if info["step_name"] == "review" else None

    h.dat["onRoute"] = on_route
    h.engine.start()
    h.engine.set("score", 0.1)
    h.go()
    assert h.engine.current_step_name == "publish"
    assert seen == [("then", "retry", {"score": 0.1})]
    with pytest.raises(TypeError):
        [i for n, i in h.calls if n == "onRoute"][0]["context"]["score"] = 1  # read-only


def test_on_route_sees_plain_routes_too_and_none_keeps_them(harness: Any) -> None:
    h = harness([("A", 0), ("B", -1, "end")])
    h.dat["onRoute"] = lambda info: None
    h.engine.start()
    h.go()
    assert h.engine.state.status is FlowStatus.COMPLETED
    assert [(i["step_name"], i["proposed"]) for n, i in h.calls if n == "onRoute"] == [("a", "next"), ("b", "end")]


def test_an_unknown_target_from_on_route_fires_on_error_then_the_error_route(harness: Any) -> None:
    h = harness([("Review", -1, "next", 0, "next", "duration", "", "safe"), ("Publish", -1), ("Safe", -1)])
    h.dat["onRoute"] = lambda info: "nowhere" if info["field"] == "then" else None
    h.engine.start()
    h.clear()
    h.go()
    assert h.engine.current_step_name == "safe"
    assert h.names() == ["onRoute", "onError", "onRoute", "onStepExit", "onNextStep", "onStepEnter",
                         "onWaitForContinue"]
    error = [i for n, i in h.calls if n == "onError"][0]
    assert error["callback_name"] == "onRoute" and "onRoute gave 'nowhere'" in error["error"]
    enter = [i for n, i in h.calls if n == "onStepEnter"][0]
    assert enter["error"]["origin"] == "route" and enter["error"]["step"] == "review"


def test_a_failing_route_with_onerror_continue_goes_on_in_order(harness: Any) -> None:
    h = harness([("Review", -1, "=ctx['missing']"), ("Retry", -1), ("Publish", -1)])
    h.engine.start()
    h.go()
    assert h.engine.current_step_name == "retry"
    assert "raised KeyError" in [i for n, i in h.calls if n == "onError"][0]["error"]


def test_a_failing_error_route_ends_the_run_with_an_error(harness: Any) -> None:
    h = harness([("Review", -1, "=ctx['missing']", 0, "next", "duration", "", "=ctx['gone']"), ("Retry", -1)])
    h.engine.start()
    h.go()
    assert h.engine.state.status is FlowStatus.ERROR and "gone" in str(h.engine.last_result)


def test_the_route_resolver_replaces_a_route_when_it_gives_one(harness: Any) -> None:
    h = harness([("A", -1), ("B", -1), ("C", -1)])
    asked: list[tuple[int, str]] = []

    def resolver(index: int, field: str) -> str | None:
        asked.append((index, field))
        return "c" if index == 0 else None

    h.engine.route_resolver = resolver
    h.engine.start()
    h.go()
    assert h.engine.current_step_name == "c" and asked == [(0, "then")]
    h.engine.route_resolver = None
    h.engine.go_to_step("a")
    h.go()
    assert h.engine.current_step_name == "b" and asked == [(0, "then")]


def test_a_resolver_that_raises_or_names_no_step_follows_the_error_route(harness: Any) -> None:
    h = harness([("A", -1, "next", 0, "next", "duration", "", "c"), ("B", -1), ("C", -1)])
    h.engine.route_resolver = lambda index, field: 1 / 0 if field == "then" else None
    h.engine.start()
    h.go()
    assert h.engine.current_step_name == "c"
    assert "parameter's expression raised ZeroDivisionError" in [i for n, i in h.calls if n == "onError"][0]["error"]
    with pytest.raises(TypeError, match="route_resolver must be a function"):
        h.engine.route_resolver = "c"  # type: ignore[assignment]


def test_a_timeout_route_can_be_an_expression(harness: Any) -> None:
    h = harness([("Wait", -1, "next", 2.0, "='late' if ctx.get('slow') else 'next'"), ("Fast", -1), ("Late", -1)])
    h.engine.start()
    h.engine.set("slow", True)
    h.advance(2.0)
    assert h.engine.current_step_name == "late"
    assert [i["transition"] for n, i in h.calls if n == "onNextStep"] == ["timeout"]


def test_a_callback_of_the_step_raising_follows_its_error_route(harness: Any) -> None:
    h = harness([("Intro", -1, "next", 0, "next", "duration", "", "safe"), ("Show", -1), ("Safe", -1)])
    h.dat["onStepEnter"] = lambda info: 1 / 0 if info["step_name"] == "intro" else None
    h.engine.start()
    assert h.engine.current_step_name == "safe"
    names = h.names()
    assert names.index("onError") < names.index("onStepExit")
    exit_info = [i for n, i in h.calls if n == "onStepExit"][0]
    assert exit_info["reason"] == "error"
    enter = [i for n, i in h.calls if n == "onStepEnter"][-1]
    assert enter["error"]["origin"] == "callback" and "ZeroDivisionError" in enter["error"]["message"]
    assert enter["error"]["step"] == "intro"


def test_a_callback_raising_in_a_step_without_error_route_changes_nothing(harness: Any) -> None:
    h = harness([("Intro", -1), ("Show", -1)])
    h.dat["onStepEnter"] = lambda info: 1 / 0
    h.engine.start()
    assert h.engine.current_step_name == "intro" and h.engine.is_running


def test_on_step_exit_raising_and_a_broken_callbacks_dat_do_not_route(harness: Any) -> None:
    h = harness([("Intro", -1, "next", 0, "next", "duration", "", "safe"), ("Show", -1), ("Safe", -1)])
    h.dat["onStepExit"] = lambda info: 1 / 0
    h.engine.start()
    h.go()
    assert h.engine.current_step_name == "show"
    broken = harness([("Intro", -1, "next", 0, "next", "duration", "", "safe"), ("Show", -1), ("Safe", -1)])

    def lookup(name: str) -> Any:
        raise SyntaxError("the callbacks DAT does not compile")

    broken.dispatcher.lookup = lookup
    broken.engine.start()
    assert broken.engine.current_step_name == "intro"


def test_an_error_route_wins_over_error_policy_finish(harness: Any) -> None:
    rows = [("Intro", -1, "next", 0, "next", "duration", "", "safe"), ("Show", -1), ("Safe", -1)]
    h = harness(rows, error_policy="finish")
    h.dat["onWaitForContinue"] = lambda info: 1 / 0 if info["step_name"] == "intro" else None
    h.engine.start()
    assert h.engine.current_step_name == "safe" and h.engine.is_running
    plain = harness([("Intro", -1), ("Show", -1)], error_policy="finish")
    plain.dat["onWaitForContinue"] = lambda info: 1 / 0
    plain.engine.start()
    assert plain.engine.state.status is FlowStatus.ERROR


def test_a_pause_holds_the_error_route(harness: Any) -> None:
    h = harness([("Intro", -1, "next", 0, "next", "duration", "", "safe"), ("Show", -1), ("Safe", -1)])
    h.dat["onFlowPause"] = lambda info: 1 / 0
    h.engine.start()
    h.engine.pause()
    assert h.engine.current_step_name == "intro"
    h.engine.resume()
    assert h.engine.current_step_name == "safe"
    assert [i for n, i in h.calls if n == "onStepEnter"][-1]["error"]["origin"] == "callback"


def test_static_routes_cost_no_route_work_without_callbacks(harness: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No expression, no resolver, no callbacks: leaving a step never works a route out (the precomputed
    target is followed); an expression in the definition makes every leave work it out."""
    import flow_engine
    import flow_steps
    import flow_transitions

    calls: list[str] = []
    original = flow_transitions.Transitions.route

    def counting(self: Any, *args: Any) -> Any:
        calls.append("route")
        return original(self, *args)

    monkeypatch.setattr(flow_transitions.Transitions, "route", counting)
    engine = flow_engine.FlowEngine(flow_steps.FlowDefinition.from_rows([(f"S{i}", 0) for i in range(50)]),
                                    now=lambda: 0.0, frame=lambda: 1)
    engine.start()
    assert calls == [] and engine.state.status is FlowStatus.COMPLETED
    engine.load_rows([("A", 0, "='next'"), ("B", 0)])
    engine.start()
    assert calls == ["route", "route"] and engine.state.status is FlowStatus.COMPLETED


def test_a_step_named_continue_is_a_then_target_but_continue_is_a_keyword_for_onerror(harness: Any) -> None:
    # B's expression makes every leave work its route out (the path that knows about 'continue').
    h = harness([("A", -1, "continue", 0, "next", "duration", "", "continue"), ("B", -1, "='a'"), ("Continue", -1)])
    h.engine.start()
    h.go()
    assert h.engine.current_step_name == "continue"
