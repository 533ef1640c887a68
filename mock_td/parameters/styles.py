"""Parameter styles and modes: ``td.ParMode`` and the style families a ``Par`` can have.

A style names what a parameter holds: numbers (Float, Int and the vector styles), strings, menus,
toggles and buttons, OP references (each accepting one family, or any for ``OP``), Python
expressions and sequence headers. ``Page.append<Style>`` creates a custom parameter of that style.
"""

from __future__ import annotations

import enum
from typing import Any


class ParMode(enum.Enum):
    """How a parameter gets its value (``td.ParMode``)."""

    CONSTANT = 0
    EXPRESSION = 1
    EXPORT = 2
    BIND = 3

    def __repr__(self) -> str:
        return f"ParMode.{self.name}"

    __str__ = __repr__


FLOAT_STYLES = frozenset({"Float", "XY", "XYZ", "XYZW", "WH", "UV", "UVW", "RGB", "RGBA"})
INT_STYLES = frozenset({"Int", "Sequence"})
STRING_STYLES = frozenset({"Str", "StrMenu", "File", "FileSave", "Folder", "Header"})
MENU_STYLES = frozenset({"Menu", "StrMenu"})
#: OP-reference styles and the family each accepts (None = any family).
OP_STYLES: dict[str, str | None] = {
    "OP": None, "COMP": "COMP", "Object": "COMP", "PanelCOMP": "COMP", "TOP": "TOP", "CHOP": "CHOP",
    "SOP": "SOP", "POP": "POP", "MAT": "MAT", "DAT": "DAT",
}
ALL_STYLES = (
    FLOAT_STYLES | INT_STYLES | STRING_STYLES | MENU_STYLES | frozenset(OP_STYLES)
    | frozenset({"Toggle", "Pulse", "Momentary", "Python"})
)

#: Styles whose constant-mode value is the stored value itself (no OP lookup, sequence or Python eval).
STORED_VALUE_STYLES = ALL_STYLES - frozenset(OP_STYLES) - {"Python", "Sequence"}

TRUE_WORDS = {"1", "on", "true", "yes"}
FALSE_WORDS = {"0", "off", "false", "no", ""}


def style_default(style: str) -> Any:
    """The value a fresh parameter of ``style`` starts with."""
    if style in FLOAT_STYLES:
        return 0.0
    if style in INT_STYLES:
        return 0
    if style in ("Toggle", "Pulse", "Momentary"):
        return False
    return ""
