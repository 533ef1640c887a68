"""Routes computed when a step is left: parsing, expressions on the context, targets, graph references."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import flow_names
import flow_routes
import flow_steps
import hypothesis.strategies as st
import pytest
from flow_routes import (
    Route,
    RouteError,
    RouteEvaluator,
    parse_route,
    referenced_steps,
    valid_targets,
    validate_target,
)
from hypothesis import given, settings

STEPS = ("score", "publish", "retry")
SCORE_ROUTE = "='publish' if ctx['score'] > 0.8 else 'retry'"


# -- parsing ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, field, expected", [
    ("next", "then", Route("next", "next")), (" END ", "ontimeout", Route("end", "end")),
    ("", "then", Route("next", "next")), (None, "ontimeout", Route("next", "next")),
    ("", "onerror", Route("continue", "continue")), ("Continue", "onerror", Route("continue", "continue")),
    ("retry", "then", Route("step", "retry")), ("Check Input", "then", Route("step", "Check Input")),
    ("continue", "then", Route("step", "continue")),  # only onerror has the keyword
    (SCORE_ROUTE, "then", Route("expression", "'publish' if ctx['score'] > 0.8 else 'retry'")),
    ("  = 'end'", "onerror", Route("expression", "'end'")),
])
def test_parse_route(value: Any, field: str, expected: Route) -> None:
    route = parse_route(value, field, step="s")
    assert route == expected and route.is_conditional == (expected.kind == "expression")


@pytest.mark.parametrize("value, message", [
    ("='a' if", "Step 'check' then expression \"'a' if\" is not valid Python"),
    ("=", "Step 'check' then is an empty expression"),
    ("=open('f').read()", "uses the name 'open'; an expression can use ctx and len, min, max"),
    ("=ctx.__class__", "uses the attribute '__class__'"),
    ("=ctx._data", "uses the attribute '_data'"),
    ("=__import__('os')", "uses the name '__import__'"),
    ("=me.Get('score')", "uses the name 'me'"),  # TD's me exists in parameter expressions, not in flow files
])
def test_a_bad_expression_is_refused_when_the_flow_is_built(value: str, message: str) -> None:
    with pytest.raises(RouteError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        parse_route(value, "then", step="check")
    assert caught.value.step == "check" and caught.value.field == "then"


def test_parse_route_refuses_non_strings_unknown_fields_and_expressions_where_not_allowed() -> None:
    with pytest.raises(RouteError, match="Step 's' then must be a string, got int 3"):
        parse_route(3, "then", step="s")
    with pytest.raises(ValueError, match="then, ontimeout, onerror"):
        parse_route("next", "otherwise")
    with pytest.raises(RouteError, match="is an expression, which is not allowed here"):
        parse_route("='end'", "then", step="s", allow_expression=False)


def test_comprehension_variables_are_allowed() -> None:
    route = parse_route("='retry' if [x for x in ctx['l'] if x] else 'end'")
    assert route.kind == "expression"
    assert RouteEvaluator().evaluate(route.value, {"l": [0, 2]}) == "retry"


# -- evaluation ---------------------------------------------------------------------------------------
def test_an_expression_routes_on_the_context() -> None:
    evaluator = RouteEvaluator()
    assert evaluator.route(SCORE_ROUTE, {"score": 0.9}, STEPS, step="score") == "publish"
    assert evaluator.route(SCORE_ROUTE, {"score": 0.1}, STEPS, step="score") == "retry"
    assert evaluator.route("=ctx.get('n', 0) and 'END' or 'next'", {}, STEPS) == "next"
    assert evaluator.route("='END'", {}, STEPS) == "end"


def test_the_safe_builtins_work() -> None:
    evaluator = RouteEvaluator()
    expression = "=str(max(abs(int(ctx['a'])), len(ctx['l']), round(float('1.6')), min(1, 2), bool(1)))"
    assert evaluator.evaluate(expression, {"a": -7, "l": [1, 2]}) == "7"


def test_the_context_is_read_only_inside_an_expression() -> None:
    context = {"score": 1}
    with pytest.raises(RouteError, match="raised AttributeError"):
        RouteEvaluator().evaluate("=ctx.update(score=2)", context)
    with pytest.raises(RouteError, match="raised AttributeError"):
        RouteEvaluator().evaluate("=ctx.pop('score')", context)
    assert context == {"score": 1}
    assert RouteEvaluator().evaluate("=ctx['score']", MappingProxyType(context)) == 1


def test_an_expression_that_raises_is_a_route_error_naming_step_field_and_expression() -> None:
    with pytest.raises(RouteError) as caught:
        RouteEvaluator().route(SCORE_ROUTE, {}, STEPS, step="score", field="then")
    error = caught.value
    assert str(error) == ("Step 'score' then expression \"'publish' if ctx['score'] > 0.8 else 'retry'\" "
                          "raised KeyError: 'score'")
    assert error.expression == "'publish' if ctx['score'] > 0.8 else 'retry'"
    assert error.error_info() == {"origin": "route", "message": str(error), "step": "score"}


def test_an_expression_giving_an_unknown_target_lists_the_valid_ones() -> None:
    with pytest.raises(RouteError) as caught:
        RouteEvaluator().route("='pubish'", {}, STEPS, step="score", field="ontimeout")
    assert str(caught.value) == ("Step 'score' ontimeout: expression \"'pubish'\" gave 'pubish', but no step "
                                 "has that name; valid targets: next, end, score, publish, retry")
    assert caught.value.target == "pubish" and caught.value.expression == "'pubish'"
    with pytest.raises(RouteError, match="gave int 3, but a route is a string"):
        RouteEvaluator().route("=3", {}, STEPS, step="score")


def test_each_expression_text_is_compiled_once(monkeypatch: pytest.MonkeyPatch) -> None:
    compiles: list[str] = []

    def counting_compile(source: Any, filename: str, mode: str) -> Any:
        compiles.append(filename)
        return compile(source, filename, mode)

    monkeypatch.setattr(flow_routes, "compile", counting_compile, raising=False)
    evaluator = RouteEvaluator()
    for score in (0.1, 0.9, 0.5):
        evaluator.route(SCORE_ROUTE, {"score": score}, STEPS, step="score")
        evaluator.route("='end'", {}, STEPS)
    assert len(compiles) == 2 and evaluator.compiled == 2 and len(evaluator) == 2


def test_the_cache_is_bounded() -> None:
    evaluator = RouteEvaluator(max_cached=2)
    for name in ("a", "b", "c", "a"):
        evaluator.evaluate(f"='{name}'", {})
    assert len(evaluator) == 2 and evaluator.compiled == 4


def test_an_expression_cannot_leak_names_between_evaluations() -> None:
    evaluator = RouteEvaluator()
    assert evaluator.evaluate("=(n := 3) and n", {}) == 3
    with pytest.raises(RouteError, match="uses the name 'n'"):
        evaluator.evaluate("=n", {})


# -- targets ------------------------------------------------------------------------------------------
def test_validate_target_accepts_keywords_names_labels_and_old_names() -> None:
    definition = flow_steps.FlowDefinition.from_rows([("Check Input", 0), ("Publish", 0)],
                                                     flow_names.NameHistory({"old_publish": "publish"}))
    names = definition.names
    assert validate_target("Next", names) == "next"
    assert validate_target("publish", names) == "publish"
    assert validate_target("Check Input", names, index_of=definition.index_of) == "check_input"
    assert validate_target("old_publish", names, index_of=definition.index_of) == "publish"
    assert validate_target("continue", names, field="onerror") == "continue"
    with pytest.raises(RouteError, match="valid targets: next, end, check_input, publish"):
        validate_target("continue", names, step="check_input", field="then")


def test_an_unknown_override_names_its_origin_and_the_valid_targets() -> None:
    with pytest.raises(RouteError) as caught:
        validate_target("nowhere", STEPS, step="score", field="onerror", origin="onRoute")
    assert str(caught.value) == ("Step 'score' onerror: onRoute gave 'nowhere', but no step has that name; "
                                 "valid targets: next, end, continue, score, publish, retry")
    assert caught.value.valid == valid_targets(STEPS, "onerror")
    with pytest.raises(RouteError, match="onRoute gave NoneType None, but a route is a string"):
        validate_target(None, STEPS, step="score", origin="onRoute")


# -- the graph ----------------------------------------------------------------------------------------
def test_referenced_steps_are_the_step_names_written_as_literals_in_source_order() -> None:
    assert referenced_steps(SCORE_ROUTE, STEPS) == ("publish", "retry")  # the key 'score' is no target
    assert referenced_steps("={'hi': 'publish', 'lo': 'retry'}[ctx['band']]", STEPS) == ("publish", "retry")
    assert referenced_steps("=['retry', 'publish'][ctx['ok']]", STEPS) == ("retry", "publish")
    assert referenced_steps("=ctx.get('route', 'retry')", STEPS) == ("retry",)  # no branch names one: any literal
    td_expression = "'retry' if me.Get('score') < 0.8 else 'publish'"  # a TD parameter expression
    assert referenced_steps(td_expression, STEPS) == ("retry", "publish")
    assert referenced_steps("=ctx['score'] and 'end' or 'retry' or 'retry'", STEPS) == ("retry",)
    assert referenced_steps("='end' if ctx['x'] else 'next'", STEPS, include_keywords=True) == ("end", "next")
    assert referenced_steps("=ctx['target']", STEPS) == ()
    assert referenced_steps("='publish' if", STEPS) == ()  # does not parse: parse_route reports it


_NAME = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(lambda n: n not in ("next", "end"))


@settings(max_examples=150, deadline=None)
@given(st.lists(_NAME, min_size=2, max_size=6, unique=True), st.floats(-10, 10), st.floats(-10, 10))
def test_a_conditional_route_picks_the_branch_the_context_says(names: list[str], score: float, limit: float) -> None:
    yes, no = names[0], names[1]
    expression = f"={yes!r} if ctx['score'] > {limit!r} else {no!r}"
    assert parse_route(expression).kind == "expression"
    assert RouteEvaluator().route(expression, {"score": score}, names) == (yes if score > limit else no)
    assert set(referenced_steps(expression, names)) == {yes, no}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.sampled_from(flow_routes.ROUTE_FIELDS))
def test_any_text_parses_or_is_a_route_error(text: str, field: str) -> None:
    try:
        route = parse_route(text, field)
    except RouteError as error:
        assert error.field == field
        return
    assert route.kind in ("next", "end", "continue", "step", "expression")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=12), st.integers(), st.none()))
def test_any_target_is_valid_or_a_route_error(target: Any) -> None:
    try:
        result = validate_target(target, STEPS, field="onerror")
    except RouteError as error:
        assert error.valid == valid_targets(STEPS, "onerror")
        return
    assert result in valid_targets(STEPS, "onerror")
