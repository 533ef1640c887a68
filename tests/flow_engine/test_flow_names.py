"""NameHistory and rename detection."""

from __future__ import annotations

from flow_names import NameHistory, apply_renames, detect_renames


def test_a_rename_resolves_and_unknown_names_resolve_to_themselves() -> None:
    history = NameHistory()
    assert history.record("intro", "welcome")
    assert history.resolve("intro") == "welcome"
    assert history.resolve("other") == "other"
    assert not history.record("same", "same")


def test_chains_collapse_to_the_latest_name() -> None:
    history = NameHistory()
    history.record("a", "b")
    history.record("b", "c")
    assert history.resolve("a") == "c" and history.resolve("b") == "c"
    assert history.entries() == [("a", "c"), ("b", "c")]


def test_renaming_back_leaves_no_loop() -> None:
    history = NameHistory()
    history.record("a", "b")
    history.record("b", "a")
    assert history.as_dict() == {"b": "a"}
    assert history.resolve("a") == "a" and history.resolve("b") == "a"


def test_clear_and_restore_from_pairs() -> None:
    history = NameHistory([("x", "y"), ("y", "z")])
    assert history.resolve("x") == "z" and len(history) == 2 and "x" in history
    history.clear()
    assert history.entries() == [] and history.resolve("x") == "x"


def test_detect_renames_by_block_index() -> None:
    assert detect_renames(["a", "b", "c"], ["a", "bee", "c"]) == [("b", "bee")]


def test_insert_delete_and_reorder_are_not_renames() -> None:
    assert detect_renames(["a", "b"], ["x", "a", "b"]) == []
    assert detect_renames(["a", "b", "c"], ["a", "c"]) == []
    assert detect_renames(["a", "b"], ["b", "a"]) == []


def test_apply_renames_records_and_forgets_live_names() -> None:
    history = NameHistory({"intro": "welcome"})
    renames = apply_renames(history, ["welcome", "b"], ["welcome", "bee", "intro"])
    assert renames == [("b", "bee")]
    assert history.resolve("b") == "bee"
    assert "intro" not in history  # a step is called intro again: it means that step
