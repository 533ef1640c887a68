"""SUPPORTED.md is generated: it must match what ``python3 -m mock_td.coverage`` produces now."""

from __future__ import annotations

from mock_td import coverage

#: Modules whose docstring is not about TD behaviour: the generator itself and the texts.
NOT_BEHAVIOUR = {"coverage", "messages"}


def test_supported_md_is_not_stale():
    assert not coverage.is_stale(), "mock_td/SUPPORTED.md is stale: run python3 -m mock_td.coverage"


def test_supported_md_lists_types_frame_order_and_unconfirmed_choices():
    text = coverage.generate()
    for needle in ("### `textDAT` (DAT)", "### `scriptCHOP` (CHOP)", "## Frame order", "onFrameStart",
                   "## UNCONFIRMED choices", "`save`", "take_script_exceptions"):
        assert needle in text, needle


def test_every_module_of_the_package_is_published() -> None:
    modules = {
        ".".join(p.relative_to(coverage.PACKAGE_DIR).with_suffix("").parts)
        for p in coverage.PACKAGE_DIR.rglob("*.py") if p.name != "__init__.py"
    }
    assert modules - NOT_BEHAVIOUR == set(coverage.BEHAVIOUR_MODULES)


def test_every_published_member_names_its_source_page():
    """Each class (or module) says which TD doc page its members come from (``__td_source__`` and
    ``__td_member_sources__``); SUPPORTED.md's source column is generated from that."""
    assert coverage.members_without_source() == []
    text = coverage.generate()
    assert "| `OPType` | modelled | OP_Class |" in text and "## Where the docs disagree" in text
