"""Custom parameters declared once, as data, and created on a COMP through TD's own API.

The component builders (``build_toxes.py``), the generated manifests and the README's parameter
tables all read the same ``ParSpec`` / ``SequenceSpec`` tables, so a parameter exists in exactly one
place. ``create_custom_pars`` uses only calls that real TouchDesigner has (``appendCustomPage``,
``Page.appendXxx``, ``ParGroup`` attributes, ``comp.seq``), so it runs unchanged inside TD and on
mock_td.

This module never imports ``td``: it only calls methods on the COMP it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Styles this table may use, each the suffix of a ``Page.append<Style>`` method.
STYLES = (
    "Float", "Int", "Str", "StrMenu", "Menu", "Toggle", "Pulse", "Momentary", "Header",
    "OP", "COMP", "DAT", "CHOP", "TOP", "File", "Folder", "Python",
)


@dataclass(frozen=True)
class ParSpec:
    """One custom parameter: where it lives, what it is, what it starts as and what it means."""

    page: str
    name: str
    style: str
    label: str
    default: Any = None
    help: str = ""
    read_only: bool = False
    menu_names: tuple[str, ...] = ()
    menu_labels: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    clamp_min: bool = False
    clamp_max: bool = False

    def __post_init__(self) -> None:
        check_custom_name(self.name)
        if self.style not in STYLES:
            raise ValueError(f"ParSpec {self.name!r}: unknown style {self.style!r}; use one of {', '.join(STYLES)}")
        if self.menu_labels and len(self.menu_labels) != len(self.menu_names):
            raise ValueError(f"ParSpec {self.name!r}: menu_labels must have one label per menu name")


@dataclass(frozen=True)
class SequenceSpec:
    """A custom sequence: a header parameter followed by blocks of ``block`` parameters.

    Block parameter names are given without the sequence prefix (``label``); TD names them
    ``<Sequence><blockIndex><name>`` (``Step0label``) once the block size is set.
    """

    page: str
    name: str
    label: str
    block: tuple[ParSpec, ...] = field(default_factory=tuple)
    default_blocks: int = 1
    help: str = ""

    def __post_init__(self) -> None:
        check_custom_name(self.name)
        if not self.block:
            raise ValueError(f"SequenceSpec {self.name!r} needs at least one block parameter")

    def block_par_name(self, index: int, base: str) -> str:
        """The TD name of block ``index``'s parameter ``base``: ``Step`` + ``0`` + ``label`` -> ``Step0label``."""
        return f"{self.name}{index}{base.lower()}"


Spec = ParSpec | SequenceSpec


def check_custom_name(name: str) -> None:
    """Raise ValueError unless ``name`` follows TD's custom-parameter rule: one capital, then a-z/0-9."""
    if not name or not name[0].isupper() or not name.isascii() or not all(
        ch.islower() or ch.isdigit() for ch in name[1:]
    ):
        raise ValueError(
            f"Custom parameter name {name!r} is not valid in TouchDesigner: it must start with one capital "
            f"letter followed only by lowercase letters or digits (for example {name[:1].upper() + name[1:].lower()!r})"
        )


def pages_in_order(specs: Iterable[Spec]) -> list[str]:
    """Page names in the order they first appear in ``specs``."""
    pages: list[str] = []
    for spec in specs:
        if spec.page not in pages:
            pages.append(spec.page)
    return pages


def create_custom_pars(comp: Any, specs: Sequence[Spec]) -> None:
    """Create every page and parameter of ``specs`` on ``comp`` (pages in first-seen order).

    Existing pages with the same name are reused, so building twice does not duplicate pages.
    """
    pages = {page.name: page for page in comp.customPages}
    for page_name in pages_in_order(specs):
        if page_name not in pages:
            pages[page_name] = comp.appendCustomPage(page_name)
    # Sequences first: their block parameters are appended under their bare names (``Signal``) before
    # the sequence renames them (``Step0signal``), so a plain parameter of the same bare name on another
    # page must not exist yet. A page holding a sequence holds nothing else, so page order is kept.
    for spec in specs:
        if isinstance(spec, SequenceSpec):
            _append_sequence(comp, pages[spec.page], spec)
    for spec in specs:
        if not isinstance(spec, SequenceSpec):
            _append_par(pages[spec.page], spec)


def _append_par(page: Any, spec: ParSpec) -> Any:
    group = getattr(page, "append" + spec.style)(spec.name, label=spec.label)
    par = group[0]
    if spec.menu_names:
        par.menuNames = list(spec.menu_names)
        par.menuLabels = list(spec.menu_labels or spec.menu_names)
    if spec.min is not None:
        par.min = spec.min
        par.normMin = spec.min
    if spec.max is not None:
        par.max = spec.max
        par.normMax = spec.max
    if spec.clamp_min:
        par.clampMin = True
    if spec.clamp_max:
        par.clampMax = True
    if spec.default is not None and spec.style not in ("Pulse", "Momentary", "Header"):
        par.default = spec.default
        par.val = spec.default
    if spec.help:
        group.help = spec.help
    if spec.read_only:
        par.readOnly = True
    return group


def _append_sequence(comp: Any, page: Any, spec: SequenceSpec) -> None:
    header = page.appendSequence(spec.name, label=spec.label)
    if spec.help:
        header.help = spec.help
    for block_spec in spec.block:
        _append_par(page, block_spec)
    sequence = comp.seq[spec.name]
    sequence.blockSize = len(spec.block)
    sequence.numBlocks = spec.default_blocks
