"""TD's ``ParGroup`` (one line of parameters, e.g. ``t`` = tx ty tz) and ``ParGroupCollection``.

A ParGroup is tuple-like over its Pars. Tuple-valued members (``val``, ``expr``, ``mode``,
``default``, ``min``, ...) get a tuple with one entry per Par and accept a tuple of the same size;
a single value is given to every Par (UNCONFIRMED: TD's docs only show tuples). ``label``,
``help``, ``page`` and ``order`` belong to the group.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mock_td import messages as msg
from mock_td.errors import no_attribute_error, tdError
from mock_td.parameters.naming import check_custom_par_name, match_names
from mock_td.parameters.par import Par
from mock_td.unsupported import not_modelled, not_modelled_members

if TYPE_CHECKING:
    from mock_td.parameters.page import Page
    from mock_td.parameters.sequence import Sequence
    from mock_td.parameters.sequence_block import SequenceBlock

#: Per-element suffixes of the vector styles (UNCONFIRMED beyond the usual TD convention).
VECTOR_SUFFIXES = {
    "XY": "xy", "XYZ": "xyz", "XYZW": "xyzw", "WH": "wh", "UV": "uv", "UVW": "uvw", "RGB": "rgb",
    "RGBA": "rgba",
}


@not_modelled_members(
    "ParGroup", "defaultBindExpr", "defaultMode", "bindMaster", "bindRange", "bindReferences", "collapser",
    "collapsable", "evalExport", "exportOP", "exportSource", "password", "startSection", "subLabel",
)
class ParGroup:
    """A line of parameters (``td.ParGroup``); ``group[0]`` is its first Par."""

    __hash__ = object.__hash__
    __td_source__ = "ParGroup_Class"
    __td_member_sources__ = {
        "suffixes": "td_api_facts §4 (current ParGroup Class page; not on the 2023 page)",
    }

    def __init__(self, owner: Any, name: str, style: str, custom: bool = True, label: str | None = None) -> None:
        self._owner = owner
        self._name = name
        self._style = style
        self._custom = custom
        self._label = name if label is None else str(label)
        self._help = ""
        self._page: Page | None = None
        self._pars: list[Par] = []
        self._valid = True
        self._baseName = name.lower()
        self._block: SequenceBlock | None = None
        self._headerOf: Sequence | None = None

    def _addPars(self, names: list[str], bases: list[str] | None = None) -> None:
        for i, par_name in enumerate(names):
            base = bases[i] if bases else None
            self._pars.append(Par(self._owner, par_name, self._style, self, i, self._custom, base))

    # ------------------------------------------------------------------ identity
    def _check(self) -> None:
        if not self._valid:
            raise tdError(msg.PARGROUP_DESTROYED.format(name=self._name))

    @property
    def name(self) -> str:
        """The group's name (the par name without per-element suffix); settable on custom parameters.

        Renaming gives every Par of the group the new name plus its suffix (``Pos`` -> ``Placex``,
        ``Placey``, ...); a sequence header renames its sequence. The new name follows TD's custom name
        rule and must be free (tdError otherwise). Renaming a sequence block's group is not modelled.
        """
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._checkCustom("name")
        if self._headerOf is not None:
            self._headerOf.name = value
            return
        if self._block is not None:
            not_modelled("ParGroup.name (a sequence block parameter)", msg.HINT_RENAME_BLOCK)
        new = check_custom_par_name(value)
        if new == self._name:
            return
        owner = self._owner
        names = [new + suffix for suffix in self.suffixes]
        taken = [n for n in [new, *names] if (n in owner._parDict and owner._parDict[n]._group is not self)
                 or n in owner._seqDict or (owner._findParGroup(n) not in (None, self))]
        if taken:
            raise tdError(msg.PAR_RENAME_TAKEN.format(name=self._name, new=new, path=getattr(owner, "path", "?")))
        for par in self._pars:
            owner._unregisterPar(par)
        for par, par_name in zip(self._pars, names, strict=True):
            par._name = par_name
            par._baseName = par_name.lower()
        self._name = new
        self._baseName = new.lower()
        for par in self._pars:
            owner._registerPar(par)

    @property
    def baseName(self) -> str:
        """The name without sequence prefix, index or suffixes; settable like :attr:`name` on custom pars."""
        return self._baseName if self._block is not None else self._name

    @baseName.setter
    def baseName(self, value: str) -> None:
        self._checkCustom("baseName")
        if self._block is not None:
            not_modelled("ParGroup.baseName (a sequence block parameter)", msg.HINT_RENAME_BLOCK)
        self.name = value

    @property
    def owner(self) -> Any:
        """The OP this group belongs to."""
        return self._owner

    @property
    def valid(self) -> bool:
        """False once destroyed."""
        return self._valid

    @property
    def style(self) -> str:
        """The style of the group's parameters."""
        return self._style

    @property
    def size(self) -> int:
        """Number of Pars in the group (changing it is not modelled)."""
        return len(self._pars)

    @size.setter
    def size(self, value: int) -> None:
        not_modelled("ParGroup.size (setting the vector size)")

    @property
    def isSequence(self) -> bool:
        """True for a sequence header group."""
        return self._style == "Sequence"

    @property
    def suffixes(self) -> tuple[str, ...]:
        """Per-par name suffixes (``('x', 'y', 'z')``; ``('',)`` for single pars)."""
        return tuple(p._name[len(self._name):] for p in self._pars)

    @property
    def isCustom(self) -> bool:
        """True for custom parameter groups."""
        return self._custom

    @property
    def index(self) -> int:
        """Position of this group in its owner's list of groups."""
        return self._owner._allParGroups().index(self)

    @property
    def label(self) -> str:
        """Displayed label."""
        return self._label

    @label.setter
    def label(self, value: str) -> None:
        self._checkCustom("label")
        self._label = str(value)

    @property
    def help(self) -> str:
        """Help text (get/set)."""
        return self._help

    @help.setter
    def help(self, value: str) -> None:
        self._check()
        self._help = str(value)

    @property
    def page(self) -> Page | None:
        """The Page the group is on; set a Page or a custom page name to move it."""
        return self._page

    @page.setter
    def page(self, value: Any) -> None:
        self._checkCustom("page")
        target = value
        if isinstance(value, str):
            target = next((p for p in self._owner._customPageList if p.name == value), None)
            if target is None:
                raise tdError(msg.NO_CUSTOM_PAGE.format(page=value, path=getattr(self._owner, "path", "?")))
        if self._page is not None:
            self._page._groups.remove(self)
        target._groups.append(self)
        self._page = target

    @property
    def order(self) -> int:
        """Display order on its page (settable)."""
        return self._page._groups.index(self) if self._page is not None else 0

    @order.setter
    def order(self, value: int) -> None:
        self._checkCustom("order")
        if self._page is None:
            return
        groups = self._page._groups
        groups.remove(self)
        groups.insert(max(0, int(value)), self)

    @property
    def sequence(self) -> Sequence | None:
        """The Sequence this group is the header of or belongs to, else None."""
        if self._headerOf is not None:
            return self._headerOf
        return self._block._sequence if self._block is not None else None

    @property
    def sequenceBlock(self) -> SequenceBlock | None:
        """The SequenceBlock this group belongs to, else None."""
        return self._block

    @property
    def blockIndex(self) -> int | None:
        """Index of this group within its SequenceBlock, or None when it is in no block."""
        return self._block._groups.index(self) if self._block is not None else None

    @property
    def sequenceIndex(self) -> int | None:
        """Index of this group's SequenceBlock in its Sequence, or None when it is in no block."""
        return self._block.index if self._block is not None else None

    def _checkCustom(self, member: str) -> None:
        self._check()
        if not self._custom:
            raise tdError(msg.PARGROUP_CUSTOM_ONLY.format(member=member, name=self._name))

    # ------------------------------------------------------------------ tuple-like
    def __len__(self) -> int:
        return len(self._pars)

    def __getitem__(self, index: int) -> Par:
        return self._pars[index]

    def __iter__(self) -> Iterator[Par]:
        return iter(list(self._pars))

    def pars(self, *patterns: str) -> list[Par]:
        """The group's Pars matching ``patterns`` (all when none given)."""
        names = match_names([p.name for p in self._pars], patterns)
        return [p for p in self._pars if p.name in names]

    def _values(self, value: Any) -> list[Any]:
        if isinstance(value, list | tuple):
            if len(value) != len(self._pars):
                raise tdError(msg.PARGROUP_SIZE.format(name=self._name, size=len(self._pars), count=len(value)))
            return list(value)
        return [value] * len(self._pars)

    def eval(self) -> tuple[Any, ...]:
        """A tuple with every Par's current value."""
        self._check()
        return tuple(p.eval() for p in self._pars)

    def reset(self) -> bool:
        """Reset every Par to its default; True if anything changed."""
        changed = False
        for p in self._pars:
            changed = p.reset() or changed
        return changed

    def copy(self, parGroup: ParGroup) -> None:  # noqa: N803 - TD's name
        """Copy each Par of ``parGroup`` (value, expression, bind expression, mode) onto this group's Pars."""
        self._check()
        for mine, theirs in zip(self._pars, self._values(list(parGroup.pars())), strict=True):
            mine.copy(theirs)

    def evalExpression(self) -> tuple[Any, ...]:  # noqa: N802
        """A tuple with each Par's expression evaluated."""
        self._check()
        return tuple(p.evalExpression() for p in self._pars)

    def evalNorm(self) -> tuple[float, ...]:  # noqa: N802
        """A tuple with each Par's normalised value."""
        self._check()
        return tuple(p.evalNorm() for p in self._pars)

    def evalOPs(self) -> tuple[list[Any], ...]:  # noqa: N802
        """A tuple with each Par's list of OPs (OP-type parameters)."""
        self._check()
        return tuple(p.evalOPs() for p in self._pars)

    def isSameParGroup(self, group: Any) -> bool:
        """True if ``group`` is this very ParGroup."""
        return group is self

    def destroy(self) -> None:
        """Destroy this custom group; a sequence block group (custom or built-in) destroys its whole block."""
        self._check()
        if not self._custom and self._block is None:
            raise tdError(msg.PARGROUP_BUILTIN_DESTROY.format(name=self._name))
        self._remove()

    def _remove(self) -> None:
        """Take the group away: a sequence header takes its whole sequence, a block group its whole block."""
        if self._headerOf is not None:
            self._headerOf._destroyWhole()
        elif self._block is not None:
            self._block._sequence._forgetBlockGroup(self)
        else:
            self._discard()

    def _discard(self) -> None:
        """Remove the group from its page and owner and invalidate its Pars."""
        if self._page is not None and self in self._page._groups:
            self._page._groups.remove(self)
        for p in self._pars:
            self._owner._unregisterPar(p)
            p._valid = False
        self._valid = False

    def __repr__(self) -> str:
        return f"type:ParGroup name:{self._name} owner:{getattr(self._owner, 'path', '?')} value:{self.eval()!r}"


def _tuple_member(attr: str, doc: str) -> property:
    def get(self: ParGroup) -> tuple[Any, ...]:
        self._check()
        return tuple(getattr(p, attr) for p in self._pars)

    def set_(self: ParGroup, value: Any) -> None:
        self._check()
        for p, v in zip(self._pars, self._values(value), strict=True):
            setattr(p, attr, v)

    return property(get, set_, doc=doc)


for _attr in ("val", "expr", "bindExpr", "mode", "default", "min", "max", "clampMin", "clampMax", "normMin",
              "normMax", "readOnly", "enable", "menuSource", "enableExpr", "defaultExpr", "menuIndex", "normVal"):
    setattr(ParGroup, _attr, _tuple_member(_attr, f"Tuple of each Par's ``{_attr}`` (settable)."))


def _tuple_reader(attr: str) -> property:
    def get(self: ParGroup) -> tuple[Any, ...]:
        return tuple(getattr(p, attr) for p in self._pars)

    return property(get, doc=f"Tuple of each Par's ``{attr}``.")


for _attr in ("prevMode", "isDefault", "isPulse", "isMenu", "isToggle", "isString", "isOP", "isFloat", "isInt",
              "isNumber", "isPython", "isMomentary"):
    setattr(ParGroup, _attr, _tuple_reader(_attr))


def _menu_member(attr: str) -> property:
    def get(self: ParGroup) -> Any:
        return tuple(getattr(p, attr) for p in self._pars)

    def set_(self: ParGroup, value: Any) -> None:
        # A list of names is one menu shared by every Par of the group.
        for p in self._pars:
            setattr(p, attr, value)

    return property(get, set_, doc=f"Tuple of each Par's ``{attr}``; setting a list gives it to every Par.")


ParGroup.menuNames = _menu_member("menuNames")  # type: ignore[attr-defined]
ParGroup.menuLabels = _menu_member("menuLabels")  # type: ignore[attr-defined]


class ParGroupCollection:
    """``op.parGroup``: attribute access to an OP's ParGroups by exact name; ``owner`` is the OP."""

    __slots__ = ("_owner",)
    _owner: Any
    __td_source__ = "ParGroupCollection_Class"

    @property
    def owner(self) -> Any:
        """The OP whose ParGroups these are."""
        return self._owner

    def __init__(self, owner: Any) -> None:
        object.__setattr__(self, "_owner", owner)

    def _find(self, name: str) -> ParGroup | None:
        return next((g for g in self._owner._allParGroups() if g._name == name), None)

    def __getattr__(self, name: str) -> ParGroup:
        if name.startswith("__"):
            raise AttributeError(name)
        group = self._find(name)
        if group is None:
            raise no_attribute_error("ParGroupCollection", name)
        return group

    def __setattr__(self, name: str, value: Any) -> None:
        self.__getattr__(name).val = value  # type: ignore[attr-defined]

    def __getitem__(self, name: str) -> ParGroup | None:
        return self._find(name)

    def __iter__(self) -> Iterator[ParGroup]:
        return iter(self._owner._allParGroups())

    def __len__(self) -> int:
        return len(self._owner._allParGroups())

    def __repr__(self) -> str:
        return f"td.ParGroupCollection({getattr(self._owner, 'path', '?')})"
