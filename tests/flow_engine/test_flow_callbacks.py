"""The callback registry, the dispatcher (chaining, returnValue, isolation) and the template."""

from __future__ import annotations

import ast
from typing import Any, cast

import flow_callbacks
import pytest
from flow_callbacks import CallbackDispatcher

from lopflow import callback_docs


def make(dat: dict[str, Any] | None = None) -> tuple[CallbackDispatcher, list[tuple[str, str, BaseException]]]:
    errors: list[tuple[str, str, BaseException]] = []
    dat = dat or {}
    dispatcher = CallbackDispatcher("OWNER", "TARGET", lookup=dat.get,
                                    on_exception=lambda n, s, e: errors.append((n, s, e)))
    return dispatcher, errors


def test_info_has_payload_and_common_keys() -> None:
    seen: list[dict[str, Any]] = []
    dispatcher, _ = make({"onFlowStart": seen.append})
    info = dispatcher.dispatch("onFlowStart", {"process_id": "p1"})
    assert seen == [info]
    assert info == {"process_id": "p1", "ownerComp": "OWNER", "targetComp": "TARGET",
                    "callbackName": "onFlowStart", "returnValue": None}


def test_assigned_runs_first_then_the_dat_whose_return_value_wins() -> None:
    order: list[str] = []

    def assigned(info: dict[str, Any]) -> str:
        order.append("assigned")
        return "from assigned"

    def dat(info: dict[str, Any]) -> str:
        order.append(f"dat saw {info['returnValue']}")
        return "from dat"

    dispatcher, _ = make({"onFlowFinish": dat})
    dispatcher.assign("onFlowFinish", assigned)
    assert dispatcher.dispatch("onFlowFinish", {})["returnValue"] == "from dat"
    assert order == ["assigned", "dat saw from assigned"]


def test_a_dat_returning_none_keeps_the_assigned_value() -> None:
    dispatcher, _ = make({"onFlowFinish": lambda info: None})
    dispatcher.assign("onFlowFinish", lambda info: 42)
    assert dispatcher.dispatch("onFlowFinish", {})["returnValue"] == 42
    dispatcher.assign("onFlowFinish", None)
    assert dispatcher.dispatch("onFlowFinish", {})["returnValue"] is None


def test_an_exception_is_reported_and_does_not_stop_the_next_callback() -> None:
    ran: list[str] = []
    dispatcher, errors = make({"onStepEnter": lambda info: ran.append("dat")})
    dispatcher.assign("onStepEnter", lambda info: 1 / 0)
    dispatcher.dispatch("onStepEnter", {})
    assert ran == ["dat"]
    assert [(n, s, type(e)) for n, s, e in errors] == [("onStepEnter", "assigned", ZeroDivisionError)]
    assert dispatcher.active == ()


def test_a_failing_lookup_is_reported_as_a_dat_error() -> None:
    def lookup(name: str) -> None:
        raise SyntaxError("bad callbacks DAT")

    errors: list[str] = []
    dispatcher = CallbackDispatcher(lookup=lookup, on_exception=lambda n, s, e: errors.append(f"{n}/{s}"))
    dispatcher.dispatch("onNextStep", {})
    assert errors == ["onNextStep/dat"]


def test_on_error_inside_on_error_is_skipped_and_hooks_that_raise_are_contained(capsys: Any) -> None:
    calls: list[int] = []

    def on_error(info: dict[str, Any]) -> None:
        calls.append(1)
        dispatcher.dispatch("onError", {})  # would loop forever without the guard
        raise RuntimeError("onError broke")

    def bad_hook(name: str, source: str, exc: BaseException) -> None:
        raise ValueError("hook broke")

    dispatcher, errors = make({"onError": on_error})
    dispatcher.add_exception_hook(bad_hook)
    dispatcher.dispatch("onError", {})
    assert calls == [1]
    assert [n for n, _, _ in errors] == ["onError"]
    assert "hook broke" in capsys.readouterr().err
    dispatcher.remove_exception_hook(bad_hook)


def test_assign_checks_name_and_callable() -> None:
    dispatcher, _ = make()
    with pytest.raises(ValueError, match="Can't AssignCallback: no callback named 'onFoo'; .*onFlowStart"):
        dispatcher.assign("onFoo", print)
    with pytest.raises(TypeError, match="Can't AssignCallback: onFlowStart needs a function"):
        dispatcher.assign("onFlowStart", cast(Any, 3))
    with pytest.raises(ValueError, match="No callback named 'onNope'"):
        dispatcher.dispatch("onNope", {})


def test_registry_lists_every_callback_of_the_issue() -> None:
    assert set(flow_callbacks.callback_names()) == {
        "onFlowStart", "onStepEnter", "onStepExit", "onNextStep", "onWaitForContinue", "onFlowUpdate",
        "onContextChange", "onFlowFinish", "onError", "onStepsChanged", "onFlowPause", "onFlowResume",
        "onStepTimeout", "onFlowRestore", "onTaskDone", "onSignal", "onRoute", "onStepEndAlert"}
    assert "error" in flow_callbacks.spec("onStepEnter").key_names
    assert {"signal", "signal_payload"} <= set(flow_callbacks.spec("onStepExit").key_names)
    assert flow_callbacks.spec("onRoute").uses_return
    step_enter = flow_callbacks.spec("onStepEnter")
    for key in ("step", "step_index", "step_name", "step_type", "step_label", "step_duration", "step_then",
                "step_data", "source"):
        assert key in step_enter.key_names
    assert [c.name for c in flow_callbacks.CALLBACKS if c.uses_return] == ["onFlowFinish", "onRoute"]


def test_template_defines_every_callback_with_its_keys() -> None:
    text = callback_docs.template_text()
    tree = ast.parse(text)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert list(functions) == list(flow_callbacks.callback_names())
    for spec in flow_callbacks.CALLBACKS:
        function = functions[spec.name]
        assert [a.arg for a in function.args.args] == ["info"]
        doc = ast.get_docstring(function) or ""
        for key in spec.key_names:
            assert f"- {key}:" in doc, (spec.name, key)
    namespace: dict[str, Any] = {}
    exec(compile(text, "flow_callbacks_template", "exec"), namespace)
    assert namespace["onFlowFinish"]({}) is None


def test_markdown_tables_have_a_row_per_entry() -> None:
    callbacks = callback_docs.callbacks_table_markdown().splitlines()
    assert len(callbacks) == 2 + len(flow_callbacks.CALLBACKS)
    assert callbacks[2].startswith("| `onFlowStart` |")
    order = callback_docs.order_table_markdown().splitlines()
    assert len(order) == 2 + len(flow_callbacks.CALLBACK_ORDER)
