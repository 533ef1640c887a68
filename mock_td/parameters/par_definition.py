"""The definition members of a ``Par``: style flags, menus, range, default, enable, read-only (``ParDefinition``).

These describe what a parameter accepts and how it is shown, not its current value. On built-in
parameters they are read-only (setting one raises ``tdError``: TD's docs say they are settable on
custom parameters only), except ``readOnly``. ``menuSource`` is an expression returning an object with
``menuNames``/``menuLabels`` (e.g. ``tdu.TableMenu``); while it is set, the menus come from it.
A Menu parameter whose menu changes keeps its value when the value is still an item, else takes the
first item (and its default does the same).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_td.parameters.styles import FLOAT_STYLES, INT_STYLES, MENU_STYLES, OP_STYLES, STRING_STYLES

#: Definition attributes (plain data) copied into templates and snapshots.
DEFINITION_FIELDS = (
    "_default", "_min", "_max", "_clampMin", "_clampMax", "_normMin", "_normMax", "_menuNames",
    "_menuLabels", "_menuSource", "_readOnly", "_enable", "_defaultExpr", "_enableExpr",
)


def _copied(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def definition_of(par: ParDefinition) -> dict[str, Any]:
    """``par``'s definition attributes (:data:`DEFINITION_FIELDS`) as plain data, lists copied."""
    return {field: _copied(getattr(par, field)) for field in DEFINITION_FIELDS}


def apply_definition(par: ParDefinition, definition: dict[str, Any]) -> None:
    """Give ``par`` the definition attributes of ``definition`` (as from :func:`definition_of`)."""
    for field in DEFINITION_FIELDS:
        setattr(par, field, _copied(definition[field]))


class ParDefinition:
    """The definition members of TD's ``Par`` (mixed into :class:`mock_td.parameters.par.Par`)."""

    __td_source__ = "Par_Class"

    _owner: Any
    _style: str
    _custom: bool
    _val: Any
    _default: Any
    _min: float
    _max: float
    _clampMin: bool
    _clampMax: bool
    _normMin: float
    _normMax: float
    _menuNames: list[str] | None
    _menuLabels: list[str] | None
    _menuSource: str
    _readOnly: bool
    _enable: bool
    _defaultExpr: str
    _enableExpr: str

    def _check(self) -> None:  # pragma: no cover - provided by Par
        raise NotImplementedError

    def _checkCustom(self, member: str) -> None:  # pragma: no cover - provided by Par
        raise NotImplementedError

    def _coerce(self, value: Any) -> Any:  # pragma: no cover - provided by Par
        raise NotImplementedError

    def _changing(self, mutate: Callable[[], None]) -> None:  # pragma: no cover - provided by Par
        raise NotImplementedError

    # ------------------------------------------------------------------ type flags
    @property
    def isCustom(self) -> bool:
        """True for custom parameters."""
        return self._custom

    @property
    def isPulse(self) -> bool:
        """True for Pulse parameters."""
        return self._style == "Pulse"

    @property
    def isMomentary(self) -> bool:
        """True for Momentary parameters."""
        return self._style == "Momentary"

    @property
    def isMenu(self) -> bool:
        """True for Menu and StrMenu parameters."""
        return self._style in MENU_STYLES

    @property
    def isToggle(self) -> bool:
        """True for Toggle parameters."""
        return self._style == "Toggle"

    @property
    def isString(self) -> bool:
        """True for string-valued parameters (Str, StrMenu, File, FileSave, Folder, Header)."""
        return self._style in STRING_STYLES

    @property
    def isOP(self) -> bool:
        """True for OP-reference parameters (OP, COMP, DAT, CHOP, ...)."""
        return self._style in OP_STYLES

    @property
    def isFloat(self) -> bool:
        """True for float parameters (Float and the vector styles)."""
        return self._style in FLOAT_STYLES

    @property
    def isInt(self) -> bool:
        """True for integer parameters."""
        return self._style in INT_STYLES

    @property
    def isNumber(self) -> bool:
        """True for float and integer parameters."""
        return self.isFloat or self.isInt

    @property
    def isPython(self) -> bool:
        """True for Python parameters (their text is a Python expression)."""
        return self._style == "Python"

    @property
    def isSequence(self) -> bool:
        """True for a sequence header parameter."""
        return self._style == "Sequence"

    # ------------------------------------------------------------------ menus
    @property
    def menuNames(self) -> list[str] | None:
        """Menu item names (a list; None on non-menu pars)."""
        if self._menuSource:
            source = self._owner._evalParExpression(self._menuSource, self)
            return list(source.menuNames)
        return None if self._menuNames is None else list(self._menuNames)

    @menuNames.setter
    def menuNames(self, names: Any) -> None:
        self._checkCustom("menuNames")
        self._menuNames = [str(n) for n in names]
        if self._menuLabels is None or len(self._menuLabels) != len(self._menuNames):
            self._menuLabels = list(self._menuNames)
        self._fitMenuValue()

    @property
    def menuLabels(self) -> list[str] | None:
        """Menu item labels (a list; None on non-menu pars)."""
        if self._menuSource:
            source = self._owner._evalParExpression(self._menuSource, self)
            return list(source.menuLabels)
        return None if self._menuLabels is None else list(self._menuLabels)

    @menuLabels.setter
    def menuLabels(self, labels: Any) -> None:
        self._checkCustom("menuLabels")
        self._menuLabels = [str(n) for n in labels]

    @property
    def menuSource(self) -> str:
        """Expression returning an object with ``menuNames``/``menuLabels`` (e.g. ``tdu.TableMenu``)."""
        return self._menuSource

    @menuSource.setter
    def menuSource(self, value: str) -> None:
        self._checkCustom("menuSource")
        self._menuSource = str(value)

    def _fitMenuValue(self) -> None:
        if self._style != "Menu" or not self._menuNames:
            return
        if self._default not in self._menuNames:
            self._default = self._menuNames[0]
        if self._val not in self._menuNames:
            first = self._menuNames[0]

            def apply() -> None:
                self._val = first

            self._changing(apply)

    # ------------------------------------------------------------------ definition members
    def _defMember(name: str, doc: str, convert: Callable[[Any], Any] = lambda v: v) -> property:  # type: ignore[misc]  # noqa: N805
        attr = "_" + name

        def get(self: ParDefinition) -> Any:
            return getattr(self, attr)

        def set_(self: ParDefinition, value: Any) -> None:
            self._checkCustom(name)
            setattr(self, attr, convert(value))

        return property(get, set_, doc=doc)

    min = _defMember("min", "Lower value limit (used by clampMin).", float)
    max = _defMember("max", "Upper value limit (used by clampMax).", float)
    clampMin = _defMember("clampMin", "Clamp values below min.", bool)
    clampMax = _defMember("clampMax", "Clamp values above max.", bool)
    normMin = _defMember("normMin", "Slider range minimum.", float)
    normMax = _defMember("normMax", "Slider range maximum.", float)
    enableExpr = _defMember("enableExpr", "Expression controlling enable (stored, not evaluated).", str)
    del _defMember

    @property
    def default(self) -> Any:
        """The default value (settable on custom pars)."""
        return self._default

    @default.setter
    def default(self, value: Any) -> None:
        self._checkCustom("default")
        if self._style in ("Pulse", "Sequence"):
            return
        self._default = self._coerce(value)

    @property
    def readOnly(self) -> bool:
        """Read-only in the UI; scripts can still set the value."""
        return self._readOnly

    @readOnly.setter
    def readOnly(self, value: bool) -> None:
        self._check()
        self._readOnly = bool(value)

    @property
    def enable(self) -> bool:
        """Whether the parameter is enabled (settable on custom pars; this par only)."""
        return self._enable

    @enable.setter
    def enable(self, value: bool) -> None:
        self._checkCustom("enable")
        self._enable = bool(value)

    @property
    def defaultExpr(self) -> str:
        """The default expression (definition only; reset() uses the default value)."""
        return self._defaultExpr

    @defaultExpr.setter
    def defaultExpr(self, value: str) -> None:
        self._checkCustom("defaultExpr")
        self._defaultExpr = str(value)
