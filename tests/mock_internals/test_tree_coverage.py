"""SUPPORTED.md is generated: it must match what ``python3 -m mock_td.coverage`` produces now."""

from __future__ import annotations

from mock_td import coverage


def test_supported_md_is_not_stale():
    assert not coverage.is_stale(), "mock_td/SUPPORTED.md is stale: run python3 -m mock_td.coverage"


def test_supported_md_lists_types_frame_order_and_unconfirmed_choices():
    text = coverage.generate()
    for needle in ("### `textDAT` (DAT)", "### `scriptCHOP` (CHOP)", "## Frame order", "onFrameStart",
                   "## UNCONFIRMED choices", "`save`", "take_script_exceptions"):
        assert needle in text, needle
