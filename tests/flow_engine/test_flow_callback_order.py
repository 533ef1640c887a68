"""Every callback's info keys match the registry, and every row of the callback-order table holds."""

from __future__ import annotations

import re
from typing import Any

import flow_callbacks
import pytest

COMMON = {key for key, _ in flow_callbacks.COMMON_KEYS}
#: Callbacks the FlowController extension fires itself (the engine has no journal to restore from).
ADAPTER_CALLBACKS = {"onFlowRestore"}


def fire_everything(harness: Any) -> Any:
    h = harness([("One", -1, "next", 2.0), ("Two", 0.5, "next", 0, "next", "duration", "", "continue", 0.2),
                 ("Three", 0)])
    h.dat["onStepEnter"] = lambda info: 1 / 0 if info["step_name"] == "three" else None
    h.dat["onRoute"] = lambda info: None
    h.engine.start()
    h.engine.task_started(7)
    h.engine.task_done(7, "completed", "result")
    h.engine.signal("go", {"n": 1})
    h.engine.set("k", 1)
    h.engine.wait_for_continue("data")
    h.engine.update("more")
    h.engine.pause()
    h.engine.resume()
    h.advance(2.0)
    h.advance(1.0)
    h.engine.load_rows([("One", -1), ("Two", 0.5), ("Three", 0), ("Four", -1)])
    return h


def test_every_callback_fires_with_exactly_its_registered_keys(harness: Any) -> None:
    h = fire_everything(harness)
    fired = {name for name, _ in h.calls}
    assert fired == set(flow_callbacks.callback_names()) - ADAPTER_CALLBACKS
    for name, info in h.calls:
        expected = set(flow_callbacks.spec(name).key_names) | COMMON
        assert set(info) == expected, name
        assert info["ownerComp"] == "OWNER" and info["targetComp"] == "TARGET" and info["callbackName"] == name


def test_step_enter_info_values(harness: Any) -> None:
    h = harness([("Check Input", 2.5, "end")])
    h.engine.start(source="pulse")
    (info,) = [i for n, i in h.calls if n == "onStepEnter"]
    assert {k: info[k] for k in ("step_index", "step_name", "step_type", "step_label", "step_duration",
                                 "step_then", "step_data", "source", "previous_step_name")} == {
        "step_index": 0, "step_name": "check_input", "step_type": "auto", "step_label": "Check Input",
        "step_duration": 2.5, "step_then": "end", "step_data": None, "source": "pulse", "previous_step_name": ""}
    assert info["step"] == {"index": 0, "name": "check_input", "label": "Check Input", "type": "auto",
                            "duration": 2.5, "then": "end"}
    assert info["process_id"] == h.engine.process_id


def test_next_step_arrives_before_on_next_step(harness: Any) -> None:
    h = harness([("One", -1), ("Two", -1)])
    seen: list[tuple[str, int]] = []
    for name in ("onStepExit", "onNextStep", "onStepEnter"):
        h.dat[name] = lambda info, name=name: seen.append((name, h.engine.current_step_index))
    h.engine.start()
    seen.clear()
    h.engine.next_step()
    assert seen == [("onStepExit", 0), ("onNextStep", 1), ("onStepEnter", 1)]


def test_on_flow_finish_sees_the_final_status(harness: Any) -> None:
    h = harness([("One", -1)])
    seen: list[tuple[str, bool]] = []
    h.dat["onFlowFinish"] = lambda info: seen.append((h.engine.state.status.label, h.engine.is_running))
    h.engine.start()
    h.engine.finish("r", "error")
    assert seen == [("Error", False)]


def _start(h: Any) -> None:
    h.engine.start()


def _restart(h: Any) -> None:
    h.engine.start()
    h.clear()
    h.engine.start()


def _next(h: Any) -> None:
    h.engine.start()
    h.engine.go_to_step("a")
    h.clear()
    h.engine.next_step()


def _last(h: Any) -> None:
    h.engine.start()
    h.engine.go_to_step("last")
    h.clear()
    h.engine.next_step()


def _goto(h: Any) -> None:
    h.engine.start()
    h.clear()
    h.engine.go_to_step("b")


def _running(action: Any) -> Any:
    def run(h: Any) -> None:
        h.engine.start()
        h.clear()
        action(h)
    return run


def _raises(h: Any) -> None:
    h.dat["onWaitForContinue"] = lambda info: 1 / 0
    h.engine.start()
    h.engine.go_to_step("a")
    h.clear()
    h.engine.wait_for_continue()


def _end_in_exit(h: Any) -> None:
    h.engine.start()
    h.dat["onStepExit"] = lambda info: h.engine.stop() if info["reason"] == "next" else None
    h.clear()
    h.engine.next_step()


def _back(h: Any) -> None:
    h.engine.start()
    h.engine.go_to_step("a")
    h.engine.go_to_step("b")
    h.clear()
    h.engine.back()


def _timeout(h: Any) -> None:
    h.engine.load_rows([("W", -1, "next", 1.0, "b"), ("A", 5.0), ("B", 5.0), ("Last", -1)])
    h.engine.start()
    h.clear()
    h.advance(1.0)


def _ignored(h: Any) -> None:
    h.engine.start()
    h.clear()
    h.engine.next_step(expect="last")


def _reinit(h: Any) -> None:
    h.engine.start()
    state = h.engine.export_run()
    h.clear()
    h.engine.import_run(state)
    h.advance(1.0)


def _routed(h: Any) -> None:
    h.dat["onRoute"] = lambda info: None
    h.engine.start()
    h.clear()
    h.engine.next_step()


def _signal_consumed(h: Any) -> None:
    h.engine.load_rows([("W", -1), ("A", 0, "next", 0, "next", "signal", "go"), ("B", 5.0), ("Last", -1)])
    h.engine.start()
    h.engine.go_to_step("a")
    h.clear()
    h.advance()
    assert h.engine.signal("go", 1)


def _signal_queued(h: Any) -> None:
    h.engine.start()
    h.clear()
    assert not h.engine.signal("go", 1)


def _task_done(h: Any) -> None:
    h.engine.start()
    h.engine.task_started(1)
    h.clear()
    assert h.engine.task_done(1, "completed")


def _raises_routed(h: Any) -> None:
    h.engine.load_rows([("W", -1, "next", 0, "next", "duration", "", "last"), ("A", 5.0), ("B", 5.0), ("Last", -1)])
    h.dat["onWaitForContinue"] = lambda info: 1 / 0 if info["step_name"] == "w" else None
    h.engine.start()
    assert h.engine.current_step_name == "last"
    h.calls[:] = [(n, i) for n, i in h.calls if (n, i.get("step_name")) != ("onWaitForContinue", "last")]
    h.calls[:] = h.calls[[n for n, _ in h.calls].index("onWaitForContinue"):]


def _alert(h: Any) -> None:
    h.engine.load_rows([("W", -1), ("A", 5.0, "next", 0, "next", "duration", "", "continue", 1.0), ("B", 5.0),
                        ("Last", -1)])
    h.engine.start()
    h.engine.go_to_step("a")
    h.clear()
    h.advance(4.0, frames=4)


def _edited(h: Any) -> None:
    h.engine.load_rows([("W", -1), ("A", -1), ("B", 5.0), ("Last", -1), ("New", -1)])


def _queued(h: Any) -> list[tuple[str, int, str]]:
    seen: list[tuple[str, int, str]] = []

    def on_enter(info: Any) -> None:
        if info["step_name"] == "a":
            h.engine.next_step()
        seen.append((info["step_name"], len(h.dispatcher.active), h.engine.current_step_name))

    h.dat["onStepEnter"] = on_enter
    h.engine.start()
    h.engine.go_to_step("a")
    return seen


SCENARIOS = {
    "Start": _start,
    "Start while running": _restart,
    "NextStep / timer / duration 0 (then 'next' or a step)": _next,
    "NextStep from the last step, or then 'end'": _last,
    "GoToStep(name)": _goto,
    "WaitForContinue()": _running(lambda h: h.engine.wait_for_continue()),
    "Update(data)": _running(lambda h: h.engine.update(1)),
    "Update(data, advance_step=True)": _running(lambda h: h.engine.update(1, advance_step=True)),
    "Finish(result, result_type)": _running(lambda h: h.engine.finish()),
    "Stop()": _running(lambda h: h.engine.stop()),
    "Stop() or Finish() inside onStepExit": _end_in_exit,
    "Set(key, value)": _running(lambda h: h.engine.set("k", 1)),
    "ClearContext()": _running(lambda h: h.engine.clear_context()),
    "A callback raises": _raises,
    "Pause()": _running(lambda h: h.engine.pause()),
    "Resume()": lambda h: (h.engine.start(), h.engine.pause(), h.clear(), h.engine.resume()),
    "Back()": _back,
    "A step's timeout passes": _timeout,
    "NextStep() ignored (GO guard, expect, not running)": _ignored,
    "Run restored (Restore) or extension re-initialised": _reinit,
    "A step is left by a route (then, ontimeout, onerror), onRoute defined": _routed,
    "Signal(name) consumed by the waiting step": _signal_consumed,
    "Signal(name) nobody waits for": _signal_queued,
    "A step task ends (RunTask)": _task_done,
    "A callback of the step raises, onerror not 'continue'": _raises_routed,
    "A timed step has its alert's seconds left": _alert,
}


def expected_sequence(text: str, include_optional: bool) -> list[str]:
    """The callback names of an order-table cell; ``[...]`` parts only when ``include_optional``."""
    text = re.sub(r"\([^)]*\)", "", text)
    text = re.sub(r"\[([^]]*)\]", r"\1" if include_optional else "", text)
    return [m.group(0) for part in text.split("→") if (m := re.search(r"on[A-Z]\w+", part))]


@pytest.mark.parametrize(("action", "order"), flow_callbacks.CALLBACK_ORDER,
                         ids=[a for a, _ in flow_callbacks.CALLBACK_ORDER])
def test_callback_order_table_row(harness: Any, action: str, order: str) -> None:
    h = harness([("W", -1), ("A", 5.0), ("B", 5.0), ("Last", -1)])
    if action == "Step sequence edited":
        _edited(h)
        assert h.names() == ["onStepsChanged"]
        return
    if action == "API call inside a callback":
        seen = _queued(h)
        # next_step called inside a's onStepEnter ran after that callback returned, not nested in it.
        assert seen == [("w", 1, "w"), ("a", 1, "a"), ("b", 1, "b")]
        return
    SCENARIOS[action](h)
    # The first step W waits, so the optional onWaitForContinue is expected when it is entered.
    include_optional = action in ("Start", "Start while running")
    expected = expected_sequence(order, include_optional)
    raising = ("A callback raises", "A callback of the step raises, onerror not 'continue'")
    actual = h.names()[1:] if action in raising else h.names()  # drop the raising callback
    assert actual == expected, (action, h.names())


def test_the_documented_info_keys_carry_their_values(harness: Any) -> None:
    h = harness([("One", -1), ("Two", -1)])
    h.time = 2.5
    h.engine.set("before", 1)  # not running: onContextChange has no step
    h.engine.start(inputs={"who": "ann"})
    h.engine.set("k", 1)
    h.engine.wait_for_continue("held")
    h.engine.update({"x": 1})
    h.engine.update(None)
    h.engine.next_step()
    h.time = 4.0
    h.engine.finish("done")
    h.engine.load_rows([("One", -1), ("Two", -1), ("Three", -1)])
    info = {name: [i for n, i in h.calls if n == name] for name in flow_callbacks.callback_names()}
    assert info["onFlowStart"][0]["inputs"] == {"who": "ann"} and info["onFlowStart"][0]["start_time"] == 2.5
    one = {"index": 0, "name": "one", "label": "One", "type": "wait", "duration": -1.0, "then": "next"}
    two = {**one, "index": 1, "name": "two", "label": "Two"}
    assert [i["step"] for i in info["onContextChange"]] == [None, one]
    assert [i["update_data"] for i in info["onWaitForContinue"]] == [None, "held", None]
    assert [(i["step"], i["update_data"], i["step_data"]) for i in info["onFlowUpdate"]] == [
        (one, {"x": 1}, {"x": 1}), (one, None, {"x": 1})]
    assert info["onNextStep"][0]["step"] == two and info["onNextStep"][0]["step_data"] is None
    response = info["onFlowFinish"][0]["response_dict"]
    assert response == {"result": "done", "result_type": "success", "status": "Completed",
                        "process_id": h.engine.process_id, "step_name": "two", "start_time": 2.5, "end_time": 4.0,
                        "elapsed": 1.5, "steps_entered": 2, "context": {"k": 1}}
    assert info["onStepsChanged"][0]["max_steps"] == 3 == info["onStepsChanged"][0]["step_count"]


def test_start_without_inputs_gives_an_empty_inputs_dict(harness: Any) -> None:
    h = harness([("One", -1)])
    h.engine.start()
    assert h.calls[0][1]["inputs"] == {}
