"""TD's ``Par``: one parameter, its value and how it gets it (constant, expression, bind).

A Par keeps its whole definition (style, label via its ParGroup, default, range, menus, ...: see
``par_definition``) and its state (constant value, expression, bind expression, mode). Its owner is
an OP that mixes in ``ParOwnerMixin``; the Par calls back into the owner:

- ``owner._parValueChanged(par, prev)`` after an effective value change (nothing when the value
  stayed the same);
- ``owner._parPulsed(par)`` from ``pulse()`` on a pulse par;
- ``owner._evalParExpression(expr, par)`` to evaluate expressions, Python-style pars and menu
  sources (exceptions propagate to the caller of ``eval()``);
- ``owner._parOP(path)`` to resolve OP-type pars by the parameter rule (a bare name is a sibling of
  the owner, also on a COMP; ``./name`` is inside it).

Binding (Binding page) is two-way. A bind reference's ``bindExpr`` evaluates to its master: a Par
(read with ``eval()``), any object with a ``val`` (a table Cell, a ``tdu.Dependency``), or a bind tuple
``(object, 'attribute')``; a master of None makes the reference None. Setting ``val`` on a reference
writes the master instead (a Par master enters CONSTANT mode, unless it is itself a bind reference, which
passes the value up its chain) and the reference stays in BIND mode.

DOCS DISAGREE: Par Class says setting ``val`` puts a parameter in CONSTANT mode, the Binding page says
a bind reference "can only be changed via its UI, its val property, or its bind master" and changing any
bound parameter changes all of them. The mock follows the Binding page (the page about binding).

DOCS DISAGREE: the 2023 Par Class page names the identity test ``isPar(par)``, the current page
``isSamePar(par)``; the mock has both.

Choices not confirmed by TD's docs (listed in SUPPORTED.md):
- setting ``bindExpr`` switches the mode to BIND (like ``expr`` switches to EXPRESSION);
- a bind expression evaluating to a plain value (not a master) gives that value, converted; setting
  ``val`` then raises tdError; with a None master, setting ``val`` changes nothing;
- ``ParMode.EXPORT`` is not modelled (CHOP exports): setting it raises NotImplementedError;
- a value that cannot be converted to the par's type (``'abc'`` on a Float, an unknown menu
  name, a menu index out of range) raises ``tdError``;
- Int pars round floats to the nearest integer;
- assigning a true value to a Pulse par's ``val`` pulses it (``pulse()``); a false value is ignored;
- setting definition members (label, default, min, max, clamp, norm, menus, enable, page, order)
  on a built-in par raises ``tdError`` (the docs say they are settable on custom pars only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mock_td import messages as msg
from mock_td.errors import tdError
from mock_td.parameters.par_definition import ParDefinition
from mock_td.parameters.par_value import ParValueProtocol
from mock_td.parameters.styles import (
    ALL_STYLES,
    FALSE_WORDS,
    FLOAT_STYLES,
    INT_STYLES,
    MENU_STYLES,
    OP_STYLES,
    STORED_VALUE_STYLES,
    STRING_STYLES,
    TRUE_WORDS,
    ParMode,
    style_default,
)
from mock_td.unsupported import not_modelled, not_modelled_members

if TYPE_CHECKING:
    from mock_td.parameters.page import Page
    from mock_td.parameters.pargroup import ParGroup
    from mock_td.parameters.sequence import Sequence
    from mock_td.parameters.sequence_block import SequenceBlock

#: State attributes (plain data) saved by snapshots.
STATE_FIELDS = ("_val", "_expr", "_bindExpr", "_mode", "_prevMode")


def _is_op(value: Any) -> bool:
    return hasattr(value, "path") and hasattr(value, "family") and not isinstance(value, Par)


def _is_bind_tuple(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str)


def _master_value(master: Any) -> Any:
    """The value a bind master holds: a Par's ``eval()``, a bind tuple's attribute, or a Cell's /
    Dependency's ``val``; any other object is taken as the value itself."""
    if isinstance(master, Par):
        return master.eval()
    if _is_bind_tuple(master):
        return getattr(master[0], master[1])
    if hasattr(master, "val") and not isinstance(master, str | int | float | bool):
        return master.val
    return master


@not_modelled_members(
    "Par", "evalExport", "evalFile", "exportOP", "exportSource", "lastScriptChange", "bindMaster",
    "bindReferences", "bindRange", "styleCloneImmune", "password", "collapser", "collapsable",
    "startSection", "subLabel", "hidden", "defaultBindExpr", "defaultMode",
)
class Par(ParDefinition, ParValueProtocol):
    """One parameter of an OP (``td.Par``). Compares equal to its value (``par == 3``)."""

    __hash__ = object.__hash__
    __td_source__ = "Par_Class"
    __td_member_sources__ = {
        "isSamePar": "td_api_facts §4 (current Par Class page; the 2023 page calls it isPar)",
        "tuplet": "td-stubs td.pyi Par (legacy name of parGroup; not on the Par Class page)",
    }

    def __init__(self, owner: Any, name: str, style: str, group: ParGroup, vec_index: int = 0,
                 custom: bool = True, base_name: str | None = None) -> None:
        if style not in ALL_STYLES:
            raise tdError(msg.PAR_UNKNOWN_STYLE.format(style=style))
        self._owner = owner
        self._name = name
        self._style = style
        self._group = group
        self._vecIndex = vec_index
        self._custom = custom
        self._valid = True
        self._baseName = base_name if base_name is not None else name.lower()
        self._val: Any = style_default(style)
        self._default: Any = style_default(style)
        self._expr = ""
        self._bindExpr = ""
        self._defaultExpr = ""
        self._enableExpr = ""
        self._mode = ParMode.CONSTANT
        self._prevMode = ParMode.CONSTANT
        self._min: float = 0.0
        self._max: float = 1.0
        self._clampMin = False
        self._clampMax = False
        self._normMin: float = 0.0
        self._normMax: float = 1.0
        self._menuNames: list[str] | None = [] if style in MENU_STYLES else None
        self._menuLabels: list[str] | None = [] if style in MENU_STYLES else None
        self._menuSource = ""
        self._readOnly = False
        self._enable = True

    # ------------------------------------------------------------------ identity
    def _check(self) -> None:
        if not self._valid:
            raise tdError(msg.PAR_DESTROYED.format(name=self._name))

    def _checkCustom(self, member: str) -> None:
        self._check()
        if not self._custom:
            raise tdError(msg.PAR_CUSTOM_ONLY.format(member=member, name=self._name))

    @property
    def name(self) -> str:
        """The parameter's unique name; settable on custom parameters (see :meth:`ParGroup.name`)."""
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._checkCustom("name")
        if len(self._group._pars) != 1:
            not_modelled("Par.name (renaming one parameter of a multi-value group)", msg.HINT_RENAME_GROUP)
        self._group.name = value

    @property
    def owner(self) -> Any:
        """The OP this parameter belongs to."""
        self._check()
        return self._owner

    @property
    def valid(self) -> bool:
        """False once the parameter has been destroyed."""
        return self._valid

    @property
    def style(self) -> str:
        """The parameter style, e.g. ``'Float'``, ``'Toggle'``, ``'StrMenu'``."""
        return self._style

    @property
    def vecIndex(self) -> int:
        """Index of this par inside its ParGroup."""
        return self._vecIndex

    @property
    def index(self) -> int:
        """Position of this parameter in its owner's parameter list."""
        self._check()
        return next(i for i, p in enumerate(self._owner._allPars()) if p is self)

    @property
    def parGroup(self) -> ParGroup:
        """The ParGroup (line of parameters) this par belongs to."""
        return self._group

    @property
    def tuplet(self) -> ParGroup:
        """Legacy name of :attr:`parGroup`."""
        return self._group

    @property
    def label(self) -> str:
        """The displayed label (shared with its ParGroup)."""
        return self._group._label

    @label.setter
    def label(self, value: str) -> None:
        self._checkCustom("label")
        self._group._label = str(value)

    @property
    def help(self) -> str:
        """The help text (read-only on Par; set it on the ParGroup)."""
        return self._group._help

    @property
    def page(self) -> Page | None:
        """The Page this parameter is on; settable on custom pars (Page or page name)."""
        return self._group._page

    @page.setter
    def page(self, value: Any) -> None:
        self._checkCustom("page")
        self._group.page = value

    @property
    def order(self) -> int:
        """Display order of this parameter's group on its page."""
        return self._group.order

    @order.setter
    def order(self, value: int) -> None:
        self._checkCustom("order")
        self._group.order = value

    @property
    def sequence(self) -> Sequence | None:
        """The Sequence this par is the header of or belongs to, else None."""
        return self._group.sequence

    @property
    def sequenceBlock(self) -> SequenceBlock | None:
        """The SequenceBlock this par belongs to, else None."""
        return self._group.sequenceBlock

    # ------------------------------------------------------------------ state
    @property
    def isDefault(self) -> bool:
        """True when the parameter is in constant mode at its default value."""
        self._check()
        return self._mode == ParMode.CONSTANT and self._val == self._default

    # ------------------------------------------------------------------ value conversion
    def _coerce(self, value: Any) -> Any:
        """Convert ``value`` to what this parameter stores, or raise tdError."""
        if isinstance(value, Par):
            value = value.eval()
        style = self._style
        try:
            if style in FLOAT_STYLES:
                return float(value)
            if style in INT_STYLES:
                return int(value) if isinstance(value, int) else int(round(float(value)))
        except (TypeError, ValueError):
            raise tdError(msg.PAR_NOT_A_NUMBER.format(value=value, name=self._name, style=style)) from None
        if style in ("Toggle", "Pulse", "Momentary"):
            if isinstance(value, str):
                word = value.strip().lower()
                if word in TRUE_WORDS:
                    return True
                if word in FALSE_WORDS:
                    return False
                raise tdError(msg.PAR_NOT_A_TOGGLE.format(value=value, name=self._name))
            return bool(value)
        if style == "Menu":
            return self._menuValue(value)
        if style in OP_STYLES:
            return self._opValue(value)
        if style == "StrMenu" and isinstance(value, int) and not isinstance(value, bool):
            names = self.menuNames or []
            if 0 <= value < len(names):
                return names[value]
        return "" if value is None else str(value)

    def _menuValue(self, value: Any) -> str:
        names = self.menuNames or []
        if isinstance(value, bool) or not isinstance(value, int | str):
            value = str(value)
        if isinstance(value, int):
            if 0 <= value < len(names):
                return names[value]
            raise tdError(msg.PAR_MENU_INDEX.format(index=value, name=self._name, count=len(names)))
        if not names or value in names:
            return value
        raise tdError(msg.PAR_MENU_VALUE.format(value=value, name=self._name, names=names))

    def _opValue(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            return " ".join(self._opValue(v) for v in value)
        if _is_op(value):
            family = OP_STYLES[self._style]
            if family is not None and value.family != family:
                raise tdError(msg.PAR_WRONG_FAMILY.format(name=self._name, family=family, path=value.path, got=value.family))
            return str(value.path)
        return str(value)

    def _clamp(self, value: Any) -> Any:
        if self._style in FLOAT_STYLES or self._style == "Int":
            if self._clampMin and value < self._min:
                value = type(value)(self._min)
            if self._clampMax and value > self._max:
                value = type(value)(self._max)
        return value

    def _resolveOP(self, value: Any) -> Any:
        if _is_op(value) or value is None:
            found = value
        else:
            path = str(value).strip()
            if not path:
                return None
            found = self._owner._parOP(path)
        family = OP_STYLES[self._style]
        if found is not None and family is not None and getattr(found, "family", None) != family:
            return None
        return found

    # ------------------------------------------------------------------ value and modes
    @property
    def val(self) -> Any:
        """The constant value. Setting it switches the mode to CONSTANT."""
        if not self._valid:
            self._check()
        if self._style == "Sequence":
            seq = self.sequence
            return seq.numBlocks if seq is not None else 0
        return self._val

    @val.setter
    def val(self, value: Any) -> None:
        self._check()
        if self._mode is ParMode.BIND and self._style not in ("Pulse", "Sequence"):
            self._changing(lambda: self._writeBindMaster(value))
            return
        if self._style == "Pulse":
            if self._coerce(value):
                self.pulse()
            return
        if self._style == "Sequence":
            seq = self.sequence
            if seq is not None:
                seq.numBlocks = self._coerce(value)
            return
        new = self._clamp(self._coerce(value))

        def apply() -> None:
            self._val = new
            self._setMode(ParMode.CONSTANT)

        self._changing(apply)

    def eval(self) -> Any:
        """The current value whatever the mode (OP pars give an OP or None)."""
        if not self._valid:
            self._check()
        if self._mode is ParMode.CONSTANT and self._style in STORED_VALUE_STYLES:
            return self._val  # the common case, kept short: eval() runs on every par read
        if self._style == "Sequence":
            return self.val
        if self._mode == ParMode.EXPRESSION:
            raw = self._owner._evalParExpression(self._expr, self)
            return self._finish(raw)
        if self._mode == ParMode.BIND:
            master = self._owner._evalParExpression(self._bindExpr, self)
            if master is None:
                return None  # Binding page: "When bind expressions evaluate to None they always return None"
            return self._finish(_master_value(master))
        if self._style == "Python":
            return self._owner._evalParExpression(self._val, self) if self._val.strip() else None
        if self._style in OP_STYLES:
            return self._resolveOP(self._val)
        return self._val

    def _finish(self, raw: Any) -> Any:
        """Turn an expression result into this par's value."""
        if self._style == "Python":
            return raw
        if self._style in OP_STYLES:
            return self._resolveOP(raw)
        if self._style == "StrMenu" or self._style in STRING_STYLES:
            return "" if raw is None else str(raw)
        return self._clamp(self._coerce(raw))

    def _writeBindMaster(self, value: Any) -> None:
        """Setting ``val`` on a bind reference: the value goes to its master (Binding page)."""
        master = self._owner._evalParExpression(self._bindExpr, self)
        if master is None:
            return
        new = self._coerce(value) if self._style != "Python" else value
        if isinstance(master, Par):
            master.val = new
        elif _is_bind_tuple(master):
            setattr(master[0], master[1], new)
        elif hasattr(master, "val"):
            master.val = new
        else:
            raise tdError(msg.PAR_BIND_NOT_WRITABLE.format(name=self._name, expr=self._bindExpr, master=master))

    def evalExpression(self) -> Any:
        """Evaluate the expression (whatever the current mode)."""
        self._check()
        return self._owner._evalParExpression(self._expr, self)

    def evalNorm(self) -> float:
        """The value normalised to the normMin..normMax range."""
        span = self._normMax - self._normMin
        return (float(self.eval()) - self._normMin) / span if span else 0.0

    def evalOPs(self) -> list[Any]:
        """OP-type pars: every OP the value refers to (space-separated paths)."""
        self._check()
        if self._style not in OP_STYLES:
            return []
        if self._mode != ParMode.CONSTANT:
            found = self.eval()
            return [] if found is None else [found]
        result = []
        for path in str(self._val).split():
            found = self._resolveOP(path)
            if found is not None:
                result.append(found)
        return result

    @property
    def expr(self) -> str:
        """The expression text. Setting it switches the mode to EXPRESSION."""
        self._check()
        return self._expr

    @expr.setter
    def expr(self, value: str) -> None:
        self._setModeText("_expr", ParMode.EXPRESSION, value)

    @property
    def bindExpr(self) -> str:
        """The bind expression. Setting it switches the mode to BIND (UNCONFIRMED in TD's docs)."""
        self._check()
        return self._bindExpr

    @bindExpr.setter
    def bindExpr(self, value: str) -> None:
        self._setModeText("_bindExpr", ParMode.BIND, value)

    def _setModeText(self, attr: str, mode: ParMode, text: Any) -> None:
        """Store an expression text (``_expr`` / ``_bindExpr``) and switch to the mode that uses it."""
        self._check()

        def apply() -> None:
            setattr(self, attr, str(text))
            self._setMode(mode)

        self._changing(apply)

    @property
    def mode(self) -> ParMode:
        """The ParMode (CONSTANT, EXPRESSION, BIND; EXPORT is not modelled)."""
        self._check()
        return self._mode

    @mode.setter
    def mode(self, value: ParMode) -> None:
        self._check()
        if not isinstance(value, ParMode):
            raise tdError(msg.PAR_MODE_TYPE.format(value=value))
        self._changing(lambda: self._setMode(value))

    @property
    def prevMode(self) -> ParMode:
        """The mode before the last mode change."""
        return self._prevMode

    def _setMode(self, mode: ParMode) -> None:
        if mode == ParMode.EXPORT:
            not_modelled("ParMode.EXPORT", msg.HINT_NO_EXPORTS)
        if mode != self._mode:
            self._prevMode = self._mode
            self._mode = mode

    def _safeEval(self) -> Any:
        try:
            return self.eval()
        except Exception:  # noqa: BLE001 - a broken expression just has no comparable value
            return None

    def _stateKey(self) -> tuple[Any, ...]:
        if self._mode == ParMode.EXPRESSION:
            return (self._mode, self._expr)
        if self._mode == ParMode.BIND:
            return (self._mode, self._bindExpr)
        return (self._mode, self._val)

    def _changing(self, mutate: Callable[[], None]) -> None:
        """Run ``mutate`` and tell the owner if the value really changed."""
        if self._style == "Python":
            before: Any = self._stateKey()
            prev = self._val if self._mode == ParMode.CONSTANT else None
            mutate()
            changed = self._stateKey() != before
        else:
            before = self._safeEval()
            prev = before
            mutate()
            after = self._safeEval()
            changed = type(after) is not type(before) or after != before
        if changed:
            notify = getattr(self._owner, "_parValueChanged", None)
            if notify is not None:
                notify(self, prev)

    # ------------------------------------------------------------------ menu index and normalised value
    @property
    def menuIndex(self) -> int | None:
        """Index of the current value in menuNames (None if it is not in the menu)."""
        names = self.menuNames or []
        value = self.eval()
        return names.index(value) if value in names else None

    @menuIndex.setter
    def menuIndex(self, index: int) -> None:
        names = self.menuNames or []
        if not 0 <= int(index) < len(names):
            raise tdError(msg.PAR_MENU_INDEX.format(index=index, name=self._name, count=len(names)))
        self.val = names[int(index)]

    @property
    def normVal(self) -> float:
        """The value normalised to normMin..normMax (settable)."""
        return self.evalNorm()

    @normVal.setter
    def normVal(self, value: float) -> None:
        self.val = self._normMin + float(value) * (self._normMax - self._normMin)


    # ------------------------------------------------------------------ actions
    def pulse(self, value: Any = 1, frames: int = 0, seconds: float = 0) -> None:
        """Pulse the parameter: pulse pars notify their owner; others are set then restored."""
        self._check()
        if frames or seconds:
            not_modelled("Par.pulse(frames/seconds)", msg.HINT_IMMEDIATE_PULSES)
        if self._style == "Pulse":
            pulsed = getattr(self._owner, "_parPulsed", None)
            if pulsed is not None:
                pulsed(self)
            return
        saved = (self._mode, self._val, self._prevMode)
        self.val = value
        restored = saved

        def restore() -> None:
            self._mode, self._val, self._prevMode = restored

        self._changing(restore)

    def reset(self) -> bool:
        """Put the parameter back to its default value in constant mode; True if anything changed."""
        self._check()
        if self._style in ("Pulse", "Sequence"):
            return False
        before = (self._mode, self._val)

        def apply() -> None:
            self._val = self._default
            self._setMode(ParMode.CONSTANT)

        self._changing(apply)
        return (self._mode, self._val) != before

    def copy(self, par: Par) -> None:
        """Copy value, expression, bind expression and mode from ``par``."""
        self._check()
        val = par._val

        def apply() -> None:
            self._val = self._coerce(val) if self._style != "Python" else str(val)
            self._expr = par._expr
            self._bindExpr = par._bindExpr
            self._setMode(par._mode)

        self._changing(apply)

    def destroy(self) -> None:
        """Destroy this custom parameter (its whole ParGroup); a sequence block par destroys its whole block."""
        self._check()
        self._group.destroy()

    def isSamePar(self, par: Any) -> bool:
        """True if ``par`` is this very parameter (``==`` compares values)."""
        return isinstance(par, Par) and par is self

    def isPar(self, par: Any) -> bool:
        """True if ``par`` is this very parameter (the 2023 Par Class name of :meth:`isSamePar`)."""
        return self.isSamePar(par)

    # ------------------------------------------------------------------ python protocol
    def __repr__(self) -> str:
        owner = getattr(self._owner, "path", "?")
        return f"type:Par name:{self._name} owner:{owner} value:{self._val!r}"

    def __str__(self) -> str:
        value = self.eval()
        if _is_op(value):
            return str(value.path)
        return "" if value is None else str(value)
