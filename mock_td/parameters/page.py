"""TD's ``Page`` class: a page of parameters and every ``appendXxx`` that creates custom pars.

Every ``appendXxx`` returns the created ParGroup (``group[0]`` is the Par). Keywords follow TD:
``label=None`` (label = name), ``order=None`` (placed last), ``replace=True`` (an existing
parameter of that name is replaced by a fresh one, keeping its place on the same page);
``replace=False`` raises ``tdError`` if the name exists.

Custom parameter names follow TD's rule (see ``naming``); ``appendPar`` and ``appendParGroup``
normalise the name into that casing instead (``appendPar('speed', p)`` makes ``Speed``), as the Page
Class page says.

Multi-value pars: ``appendFloat/appendInt(size=n>1)`` name them ``Name1..Namen``; vector styles use
the suffixes x/y/z/w, w/h, u/v/w, r/g/b/a (UNCONFIRMED convention).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError
from mock_td.parameters.naming import check_custom_par_name, normalise_custom_name
from mock_td.parameters.par import Par
from mock_td.parameters.par_definition import apply_definition, definition_of
from mock_td.parameters.pargroup import VECTOR_SUFFIXES, ParGroup
from mock_td.parameters.sequence import Sequence


class Page:
    """A parameter page (``td.Page``); behaves like a list of its Pars."""

    __hash__ = object.__hash__
    __td_source__ = "Page_Class"
    __td_member_sources__ = {
        "appendPOP": "td_api_facts §4 (current Page Class page: POPs are newer than the 2023 page)",
        "appendParGroup": "td_api_facts §4 (current Page Class page)",
        "valid": "td_api_facts §4 (current Page Class page)",
    }

    def __init__(self, owner: Any, name: str, custom: bool) -> None:
        self._owner = owner
        self._name = str(name)
        self._custom = custom
        self._groups: list[ParGroup] = []
        self._valid = True

    # ------------------------------------------------------------------ members
    @property
    def name(self) -> str:
        """The page name (settable on custom pages)."""
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._checkCustom("name")
        self._name = str(value)

    @property
    def owner(self) -> Any:
        """The OP this page belongs to."""
        return self._owner

    @property
    def isCustom(self) -> bool:
        """True for custom pages."""
        return self._custom

    @property
    def index(self) -> int:
        """Position of the page among its owner's custom (or built-in) pages."""
        pages = self._owner._customPageList if self._custom else self._owner._builtinPageList
        return pages.index(self)

    @property
    def pars(self) -> list[Par]:
        """Every Par on the page, in display order."""
        return [p for g in self._groups for p in g._pars]

    @property
    def parGroups(self) -> list[ParGroup]:
        """Every ParGroup on the page, in display order."""
        return list(self._groups)

    @property
    def valid(self) -> bool:
        """False once the page was destroyed."""
        return self._valid

    def __len__(self) -> int:
        return len(self.pars)

    def __getitem__(self, index: int) -> Par:
        return self.pars[index]

    def __iter__(self) -> Iterator[Par]:
        return iter(self.pars)

    def __repr__(self) -> str:
        return f"type:Page name:{self._name} owner:{getattr(self._owner, 'path', '?')}"

    def _check(self) -> None:
        if not self._valid:
            raise tdError(msg.PAGE_DESTROYED.format(name=self._name))

    def _checkCustom(self, what: str) -> None:
        self._check()
        if not self._custom:
            raise tdError(msg.PAGE_CUSTOM_ONLY.format(member=what, name=self._name))

    # ------------------------------------------------------------------ page actions
    def destroy(self) -> None:
        """Destroy the page and all its parameters."""
        self._checkCustom("destroy")
        for group in list(self._groups):
            if group._valid:
                group._remove()
        self._owner._customPageList.remove(self)
        self._valid = False

    def sort(self, *parNames: str) -> None:
        """Reorder the page's groups: the named ones first in the given order, then the rest."""
        self._checkCustom("sort")
        by_name = {g._name: g for g in self._groups}
        first = [by_name[n] for n in parNames if n in by_name]
        self._groups = first + [g for g in self._groups if g not in first]

    def resetPars(self) -> bool:
        """Reset every parameter on the page to its default; True if anything changed."""
        changed = False
        for par in self.pars:
            changed = par.reset() or changed
        return changed

    # ------------------------------------------------------------------ creation helpers
    def _create(self, style: str, name: Any, label: str | None, order: int | None, replace: bool,
                par_names: list[str] | None = None) -> ParGroup:
        self._checkCustom("append" + style)
        name = check_custom_par_name(name)
        names = par_names or [name]
        position = self._clearNames([name, *names], replace)
        group = ParGroup(self._owner, name, style, custom=True, label=label)
        group._addPars(names)
        if order is not None:
            position = max(0, int(order))
        self._place(group, position)
        for par in group._pars:
            self._owner._registerPar(par)
        return group

    def _clearNames(self, names: list[str], replace: bool) -> int | None:
        """Remove (or refuse) existing pars/groups/sequences using ``names``; return a reusable position."""
        owner = self._owner
        position: int | None = None
        doomed: list[ParGroup] = []
        for n in names:
            par = owner._parDict.get(n)
            group = par._group if par is not None else owner._findParGroup(n)
            if group is not None and group not in doomed:
                doomed.append(group)
        for group in doomed:
            if not replace:
                raise tdError(msg.PAR_EXISTS_NO_REPLACE.format(name=group.name, path=getattr(owner, "path", "?")))
            if group._page is self and position is None:
                position = self._groups.index(group)
            group._remove()
        return position

    def _place(self, group: ParGroup, position: int | None) -> None:
        group._page = self
        if position is None:
            self._groups.append(group)
        else:
            self._groups.insert(min(position, len(self._groups)), group)

    def _multi(self, style: str, name: Any, suffixes: str | list[str], label: str | None, order: int | None,
               replace: bool) -> ParGroup:
        base = check_custom_par_name(name)
        return self._create(style, base, label, order, replace, [base + s for s in suffixes])

    # ------------------------------------------------------------------ numbers
    def appendFloat(self, name: str, label: str | None = None, size: int = 1, order: int | None = None,
                    replace: bool = True) -> ParGroup:
        """Create a float parameter (``size>1``: ``Name1..Namen``)."""
        if size > 1:
            return self._multi("Float", name, [str(i) for i in range(1, size + 1)], label, order, replace)
        return self._create("Float", name, label, order, replace)

    def appendInt(self, name: str, label: str | None = None, size: int = 1, order: int | None = None,
                  replace: bool = True) -> ParGroup:
        """Create an integer parameter (``size>1``: ``Name1..Namen``)."""
        if size > 1:
            return self._multi("Int", name, [str(i) for i in range(1, size + 1)], label, order, replace)
        return self._create("Int", name, label, order, replace)

    def _vector(self, style: str, name: str, label: str | None, order: int | None, replace: bool) -> ParGroup:
        return self._multi(style, name, list(VECTOR_SUFFIXES[style]), label, order, replace)

    def appendXY(self, name: str, label: str | None = None, order: int | None = None,
                 replace: bool = True) -> ParGroup:
        """Create an XY float pair (``Namex``, ``Namey``)."""
        return self._vector("XY", name, label, order, replace)

    def appendXYZ(self, name: str, label: str | None = None, order: int | None = None,
                  replace: bool = True) -> ParGroup:
        """Create an XYZ float triple."""
        return self._vector("XYZ", name, label, order, replace)

    def appendXYZW(self, name: str, label: str | None = None, order: int | None = None,
                   replace: bool = True) -> ParGroup:
        """Create an XYZW float quadruple."""
        return self._vector("XYZW", name, label, order, replace)

    def appendWH(self, name: str, label: str | None = None, order: int | None = None,
                 replace: bool = True) -> ParGroup:
        """Create a width/height float pair."""
        return self._vector("WH", name, label, order, replace)

    def appendUV(self, name: str, label: str | None = None, order: int | None = None,
                 replace: bool = True) -> ParGroup:
        """Create a UV float pair."""
        return self._vector("UV", name, label, order, replace)

    def appendUVW(self, name: str, label: str | None = None, order: int | None = None,
                  replace: bool = True) -> ParGroup:
        """Create a UVW float triple."""
        return self._vector("UVW", name, label, order, replace)

    def appendRGB(self, name: str, label: str | None = None, order: int | None = None,
                  replace: bool = True) -> ParGroup:
        """Create an RGB colour."""
        return self._vector("RGB", name, label, order, replace)

    def appendRGBA(self, name: str, label: str | None = None, order: int | None = None,
                   replace: bool = True) -> ParGroup:
        """Create an RGBA colour."""
        return self._vector("RGBA", name, label, order, replace)

    # ------------------------------------------------------------------ single-value styles
    def appendStr(self, name: str, label: str | None = None, order: int | None = None,
                  replace: bool = True) -> ParGroup:
        """Create a string parameter."""
        return self._create("Str", name, label, order, replace)

    def appendStrMenu(self, name: str, label: str | None = None, order: int | None = None,
                      replace: bool = True) -> ParGroup:
        """Create a string parameter with a suggestion menu."""
        return self._create("StrMenu", name, label, order, replace)

    def appendMenu(self, name: str, label: str | None = None, order: int | None = None,
                   replace: bool = True) -> ParGroup:
        """Create a menu parameter (fill it through ``menuNames`` / ``menuLabels``)."""
        return self._create("Menu", name, label, order, replace)

    def appendToggle(self, name: str, label: str | None = None, order: int | None = None,
                     replace: bool = True) -> ParGroup:
        """Create a toggle parameter."""
        return self._create("Toggle", name, label, order, replace)

    def appendPulse(self, name: str, label: str | None = None, order: int | None = None,
                    replace: bool = True) -> ParGroup:
        """Create a pulse button parameter."""
        return self._create("Pulse", name, label, order, replace)

    def appendMomentary(self, name: str, label: str | None = None, order: int | None = None,
                        replace: bool = True) -> ParGroup:
        """Create a momentary button parameter."""
        return self._create("Momentary", name, label, order, replace)

    def appendHeader(self, name: str, label: str | None = None, order: int | None = None,
                     replace: bool = True) -> ParGroup:
        """Create a header (label-only) parameter."""
        return self._create("Header", name, label, order, replace)

    def appendPython(self, name: str, label: str | None = None, order: int | None = None,
                     replace: bool = True) -> ParGroup:
        """Create a Python parameter: its text is evaluated as a Python expression by ``eval()``."""
        return self._create("Python", name, label, order, replace)

    def appendFile(self, name: str, label: str | None = None, order: int | None = None,
                   replace: bool = True) -> ParGroup:
        """Create a file path parameter (for reading)."""
        return self._create("File", name, label, order, replace)

    def appendFileSave(self, name: str, label: str | None = None, order: int | None = None,
                       replace: bool = True) -> ParGroup:
        """Create a file path parameter (for saving)."""
        return self._create("FileSave", name, label, order, replace)

    def appendFolder(self, name: str, label: str | None = None, order: int | None = None,
                     replace: bool = True) -> ParGroup:
        """Create a folder path parameter."""
        return self._create("Folder", name, label, order, replace)

    # ------------------------------------------------------------------ OP references
    def appendOP(self, name: str, label: str | None = None, order: int | None = None,
                 replace: bool = True) -> ParGroup:
        """Create a reference to any operator."""
        return self._create("OP", name, label, order, replace)

    def appendCOMP(self, name: str, label: str | None = None, order: int | None = None,
                   replace: bool = True) -> ParGroup:
        """Create a reference to a COMP."""
        return self._create("COMP", name, label, order, replace)

    def appendObject(self, name: str, label: str | None = None, order: int | None = None,
                     replace: bool = True) -> ParGroup:
        """Create a reference to a 3D Object COMP."""
        return self._create("Object", name, label, order, replace)

    def appendPanelCOMP(self, name: str, label: str | None = None, order: int | None = None,
                        replace: bool = True) -> ParGroup:
        """Create a reference to a Panel COMP."""
        return self._create("PanelCOMP", name, label, order, replace)

    def appendTOP(self, name: str, label: str | None = None, order: int | None = None,
                  replace: bool = True) -> ParGroup:
        """Create a reference to a TOP."""
        return self._create("TOP", name, label, order, replace)

    def appendCHOP(self, name: str, label: str | None = None, order: int | None = None,
                   replace: bool = True) -> ParGroup:
        """Create a reference to a CHOP."""
        return self._create("CHOP", name, label, order, replace)

    def appendSOP(self, name: str, label: str | None = None, order: int | None = None,
                  replace: bool = True) -> ParGroup:
        """Create a reference to a SOP."""
        return self._create("SOP", name, label, order, replace)

    def appendPOP(self, name: str, label: str | None = None, order: int | None = None,
                  replace: bool = True) -> ParGroup:
        """Create a reference to a POP."""
        return self._create("POP", name, label, order, replace)

    def appendMAT(self, name: str, label: str | None = None, order: int | None = None,
                  replace: bool = True) -> ParGroup:
        """Create a reference to a MAT."""
        return self._create("MAT", name, label, order, replace)

    def appendDAT(self, name: str, label: str | None = None, order: int | None = None,
                  replace: bool = True) -> ParGroup:
        """Create a reference to a DAT."""
        return self._create("DAT", name, label, order, replace)

    # ------------------------------------------------------------------ copies and sequences
    def appendParGroup(self, name: str, parGroup: ParGroup | None = None, label: str | None = None,
                       order: int | None = None, replace: bool = True) -> ParGroup:
        """Create a group copying ``parGroup``'s style and attributes (name normalised to custom casing)."""
        name = normalise_custom_name(str(name))
        if parGroup is None:
            return self.appendFloat(name, label=label, order=order, replace=replace)
        suffixes = list(parGroup.suffixes)
        names = [name + s for s in suffixes] if len(suffixes) > 1 else None
        group = self._create(parGroup.style, name, label if label is not None else parGroup.label, order,
                             replace, names)
        group._help = parGroup.help
        for src, dst in zip(parGroup._pars, group._pars, strict=True):
            apply_definition(dst, definition_of(src))
            dst._val = src._val
        return group

    def appendPar(self, name: str, par: Par | None = None, label: str | None = None, order: int | None = None,
                  replace: bool = True) -> ParGroup:
        """Create a parameter copying ``par``'s style and attributes (name normalised to custom casing)."""
        name = normalise_custom_name(str(name))
        if par is None:
            return self.appendFloat(name, label=label, order=order, replace=replace)
        group = self._create(par.style, name, label if label is not None else par.label, order, replace)
        apply_definition(group._pars[0], definition_of(par))
        group._pars[0]._val = par._val
        return group

    def appendSequence(self, name: str, label: str | None = None, order: int | None = None,
                       replace: bool = True) -> ParGroup:
        """Create a sequence header par and the Sequence ``owner.seq.<name>`` (no blocks until blockSize)."""
        group = self._create("Sequence", name, label, order, replace)
        seq: Sequence = Sequence(self._owner, group)
        self._owner._seqDict[group.name] = seq
        return group
