"""FlowDefinition: the name rule, row parsing, then resolution and every finding code."""

from __future__ import annotations

import math

import flow_controller_pars
import flow_names
import flow_steps
import pytest
from flow_steps import FlowDefinition


def codes(defn: FlowDefinition) -> list[str]:
    return [f.code for f in defn.findings]


@pytest.mark.parametrize(("label", "name"), [
    ("Intro", "intro"), ("Check Input", "check_input"), ("  Check   Input ", "check_input"), ("A\tB", "a_b"),
])
def test_step_name_lowercases_and_joins_words_with_underscores(label: str, name: str) -> None:
    assert flow_steps.step_name(label) == name


def test_a_sound_definition_has_no_findings_and_knows_its_targets() -> None:
    defn = FlowDefinition.from_rows([("Intro", 0, "next"), ("Wait Here", -1, "next"), ("Timed", 2.5, "intro")])
    assert defn.findings == ()
    assert defn.is_runnable
    assert defn.names == ("intro", "wait_here", "timed")
    assert [defn.target_of(i) for i in range(3)] == [1, 2, 0]
    assert [s.kind for s in defn.steps] == ["auto", "wait", "timed"]
    assert [s.step_type for s in defn.steps] == ["auto", "wait", "auto"]


def test_rows_may_be_tuples_dicts_stepdefs_or_short_tuples() -> None:
    defn = FlowDefinition.from_rows([
        ("A",), {"label": "B", "duration": "0.5"}, flow_steps.StepDef("C", 0, "end"), ("D", "-1", "")])
    assert [s.duration for s in defn.steps] == [-1.0, 0.5, 0.0, -1.0]
    assert defn.target_of(2) is None
    assert defn.resolved_then(3) == "next"


def test_last_step_next_and_end_both_finish() -> None:
    defn = FlowDefinition.from_rows([("A", 0, "end"), ("B", 0, "next")])
    assert defn.target_of(0) is None and defn.target_of(1) is None


def test_empty_list_is_an_error() -> None:
    defn = FlowDefinition.from_rows([])
    assert codes(defn) == ["no_steps"]
    assert not defn.is_runnable
    assert "no steps" in defn.errors[0].message


def test_duplicate_names_name_the_steps_and_blocks() -> None:
    defn = FlowDefinition.from_rows([("Intro", -1), ("Other", -1), ("intro ", -1)])
    (finding,) = defn.errors
    assert finding.code == "duplicate_name"
    assert finding.steps == ("intro",) and finding.indices == (0, 2)
    assert "'intro'" in finding.message and "0, 2" in finding.message


def test_unknown_then_names_the_step_and_the_choices() -> None:
    defn = FlowDefinition.from_rows([("A", -1, "nowhere"), ("B", -1)])
    (finding,) = defn.errors
    assert finding.code == "unknown_then" and finding.steps == ("a",)
    assert "'nowhere'" in finding.message and "a, b" in finding.message


@pytest.mark.parametrize("duration", ["soon", -2, -0.5, math.inf, math.nan, None, True])
def test_invalid_durations_are_errors(duration: object) -> None:
    defn = FlowDefinition.from_rows([("A", duration)])
    assert "invalid_duration" in codes(defn)
    assert repr(duration) in defn.errors[0].message
    assert defn.steps[0].kind == "invalid"


def test_empty_label_and_reserved_names_are_errors() -> None:
    assert "empty_label" in codes(FlowDefinition.from_rows([("  ", -1)]))
    assert codes(FlowDefinition.from_rows([("End", -1)])) == ["reserved_name"]
    assert codes(FlowDefinition.from_rows([("next", -1)])) == ["reserved_name"]


def test_unreachable_steps_are_a_warning_naming_them() -> None:
    defn = FlowDefinition.from_rows([("A", -1, "end"), ("B", -1), ("C", -1)])
    (finding,) = defn.findings
    assert finding.severity == "warning" and finding.code == "unreachable"
    assert finding.steps == ("b", "c")
    assert defn.is_runnable


def test_instant_loop_without_exit_is_a_warning_naming_the_loop() -> None:
    defn = FlowDefinition.from_rows([("A", -1), ("B", 0), ("C", 0, "b")])
    (finding,) = defn.findings
    assert finding.code == "instant_loop" and finding.severity == "warning"
    assert finding.steps == ("b", "c")
    assert "b -> c -> b" in finding.message


def test_a_loop_with_a_waiting_or_timed_step_is_fine() -> None:
    assert FlowDefinition.from_rows([("A", 0), ("B", 1.0, "a")]).findings == ()
    assert FlowDefinition.from_rows([("A", -1, "a")]).findings == ()
    assert codes(FlowDefinition.from_rows([("A", 0, "a")])) == ["instant_loop"]


def test_then_accepts_labels_and_old_names_through_the_history() -> None:
    history = flow_names.NameHistory({"old_intro": "intro"})
    defn = FlowDefinition.from_rows([("Intro", -1), ("B", -1, "old_intro"), ("C", -1, "Intro")], history)
    assert defn.errors == ()
    assert defn.target_of(1) == 0 and defn.target_of(2) == 0
    assert defn.resolved_then(1) == "intro"
    assert defn.rows()[1][:5] == ("B", -1.0, "intro", 0.0, "next")
    assert defn.index_of("old_intro") == 0 and defn.index_of("Intro") == 0 and defn.index_of("zzz") is None


def test_then_menu_lists_next_end_and_every_step() -> None:
    names, labels = FlowDefinition.from_rows([("Intro", -1), ("Check Input", 0)]).then_menu()
    assert names == ["next", "end", "intro", "check_input"]
    assert labels == ["Next", "End", "Intro", "Check Input"]


def test_errors_come_before_warnings_and_findings_serialise() -> None:
    defn = FlowDefinition.from_rows([("A", -1, "end"), ("B", "x")])
    assert [f.severity for f in defn.findings] == ["error", "warning"]
    assert defn.findings[0].as_dict()["code"] == "invalid_duration"
    assert str(defn.findings[0]).startswith("error: ")


def test_a_row_with_too_many_fields_is_rejected_clearly() -> None:
    with pytest.raises(ValueError, match="label, duration, then, timeout, ontimeout"):
        FlowDefinition.from_rows([("A", -1, "next", 0, "next", "duration", "", "continue", 0, "extra")])


def test_a_new_step_block_advances_at_once_by_default() -> None:
    (duration,) = [p for p in flow_controller_pars.STEP_SEQUENCE.block if p.name == "Duration"]
    assert duration.default == 0
    assert FlowDefinition.from_rows([("Intro", duration.default)]).steps[0].kind == "auto"
