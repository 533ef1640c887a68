"""Parameter members every OP has (``ParOwnerMixin``) and the custom-page methods (``CustomParsMixin``).

Split of the COMP-only API: ``appendCustomPage``, ``destroyCustomPars`` and ``sortCustomPages``
live on ``CustomParsMixin``. ``COMP`` and ``scriptCHOP`` (and any other type TD gives those
methods) inherit it next to ``OP``; every other OP type does not have them, like TD.

The owner (``OP``) must call ``self._initPars()`` once after its name and parent are set.
It provides ``_parValueChanged(par, prev)``, ``_parPulsed(par)``, ``_evalParExpression(expr, par)``,
``_sequenceChanged(seq)``, ``op(path)`` and ``path``; Pars look these up on their owner.
"""

from __future__ import annotations

from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError
from mock_td.parameters import par_state
from mock_td.parameters.builtin_pars import BuiltinPar, BuiltinSequence, pages_for_classes
from mock_td.parameters.naming import match_names
from mock_td.parameters.page import Page
from mock_td.parameters.par import Par
from mock_td.parameters.par_collection import ParCollection
from mock_td.parameters.pargroup import ParGroup, ParGroupCollection
from mock_td.parameters.sequence import Sequence, SequenceCollection, group_definition
from mock_td.parameters.sequence_block import SequenceBlock


class ParOwnerMixin:
    """Parameter storage and the public parameter members of TD's ``OP``."""

    __td_source__ = "OP_Class"
    __td_member_sources__ = {"parGroups": "td_api_facts §2 (current OP Class page; not on the 2023 page)"}

    _parDict: dict[str, Par]
    _builtinPageList: list[Page]
    _customPageList: list[Page]
    _seqDict: dict[str, Sequence]

    # ------------------------------------------------------------------ construction
    def _initPars(self) -> None:
        """Create the built-in parameters of this operator type (call once from ``OP.__init__``)."""
        self._parDict = {}
        self._builtinPageList = []
        self._customPageList = []
        self._seqDict = {}
        self._parCollection = ParCollection(self)
        self._parGroupCollection = ParGroupCollection(self)
        self._seqCollection = SequenceCollection(self)
        class_names = [cls.__name__ for cls in reversed(type(self).__mro__)]
        for spec in pages_for_classes(class_names):
            page = next((p for p in self._builtinPageList if p._name == spec.name), None)
            if page is None:
                page = Page(self, spec.name, custom=False)
                self._builtinPageList.append(page)
            for entry in spec.entries:
                if isinstance(entry, BuiltinSequence):
                    self._addBuiltinSequence(page, entry)
                else:
                    page._groups.append(self._builtinGroup(page, entry))

    def _builtinGroup(self, page: Page, spec: BuiltinPar, name: str | None = None) -> ParGroup:
        group = ParGroup(self, name or spec.name, spec.style, custom=False, label=spec.label)
        group._addPars([name or spec.name], [spec.name])
        group._page = page
        par = group._pars[0]
        if spec.menu:
            par._menuNames = list(spec.menu)
            par._menuLabels = list(spec.menu_labels or spec.menu)
        if spec.default is not None:
            par._default = par._val = spec.default
        for p in group._pars:
            self._registerPar(p)
        return group

    def _addBuiltinSequence(self, page: Page, spec: BuiltinSequence) -> None:
        header = self._builtinGroup(page, BuiltinPar(spec.name, "Sequence", None, spec.label))
        page._groups.append(header)
        seq = Sequence(self, header, max_blocks=spec.max_blocks)
        self._seqDict[spec.name] = seq
        block = [self._builtinGroup(page, p, f"{spec.name}0{p.name}") for p in spec.block]
        for group, p in zip(block, spec.block, strict=True):
            group._baseName = p.name
            group._pars[0]._baseName = p.name
        page._groups.extend(block)
        seq._blocks = [SequenceBlock(seq, block)]
        seq._blockSize = len(block)
        seq._template = [group_definition(g) for g in block]
        while len(seq._blocks) < spec.blocks:
            seq._insert(len(seq._blocks))
        seq._renumber()

    # ------------------------------------------------------------------ registry (internal)
    def _registerPar(self, par: Par) -> None:
        existing = self._parDict.get(par._name)
        if existing is not None and existing is not par:
            raise tdError(msg.PAR_EXISTS.format(name=par._name, path=getattr(self, "path", "?")))
        self._parDict[par._name] = par

    def _unregisterPar(self, par: Par) -> None:
        if self._parDict.get(par._name) is par:
            del self._parDict[par._name]

    def _allPages(self) -> list[Page]:
        return [*self._builtinPageList, *self._customPageList]

    def _allParGroups(self) -> list[ParGroup]:
        return [g for page in self._allPages() for g in page._groups]

    def _allPars(self) -> list[Par]:
        return [p for g in self._allParGroups() for p in g._pars]

    def _findParGroup(self, name: str) -> ParGroup | None:
        return next((g for g in self._allParGroups() if g._name == name), None)

    # ------------------------------------------------------------------ public members
    @property
    def par(self) -> ParCollection:
        """The parameters by name: ``op.par.Speed`` (raises if missing), ``op.par['Speed']`` (None)."""
        return self._parCollection

    @property
    def parGroup(self) -> ParGroupCollection:
        """The ParGroups by name: ``op.parGroup.Value``."""
        return self._parGroupCollection

    @property
    def seq(self) -> SequenceCollection:
        """The sequences by name: ``comp.seq.Step`` or ``comp.seq['Step']``."""
        return self._seqCollection

    def pars(self, *patterns: str) -> list[Par]:
        """Parameters whose names match ``patterns`` (every parameter when none given)."""
        every = self._allPars()
        names = set(match_names([p._name for p in every], patterns))
        return [p for p in every if p._name in names]

    def parGroups(self, *patterns: str) -> list[ParGroup]:
        """ParGroups whose names match ``patterns`` (every group when none given)."""
        every = self._allParGroups()
        names = set(match_names([g._name for g in every], patterns))
        return [g for g in every if g._name in names]

    @property
    def customPars(self) -> list[Par]:
        """Every custom parameter, in page order."""
        return [p for page in self._customPageList for g in page._groups for p in g._pars]

    @property
    def customParGroups(self) -> list[ParGroup]:
        """Every custom ParGroup, in page order."""
        return [g for page in self._customPageList for g in page._groups]

    @property
    def builtinPars(self) -> list[Par]:
        """Every built-in parameter."""
        return [p for page in self._builtinPageList for g in page._groups for p in g._pars]

    @property
    def customPages(self) -> list[Page]:
        """The custom pages, in order."""
        return list(self._customPageList)

    @property
    def pages(self) -> list[Page]:
        """The built-in pages."""
        return list(self._builtinPageList)

    def resetPars(self, parNames: str = "*", parGroupNames: str = "*", pageNames: str = "*",
                  includeBuiltin: bool = True, includeCustom: bool = True) -> bool:
        """Reset matching parameters to their defaults; True if any value changed."""
        changed = False
        for page in self._allPages():
            if (page._custom and not includeCustom) or (not page._custom and not includeBuiltin):
                continue
            if not match_names([page._name], (pageNames,)):
                continue
            for group in page._groups:
                if not match_names([group._name], (parGroupNames,)):
                    continue
                for par in group._pars:
                    if match_names([par._name], (parNames,)) and not par.isDefault and par._style != "Pulse":
                        par.reset()
                        changed = True
        return changed

    def copyParameters(self, OP: Any, custom: bool = True, builtin: bool = True) -> None:  # noqa: N803 - TD's name
        """Copy parameters from ``OP``: custom pages/pars are rebuilt, built-in values copied by name."""
        if custom:
            par_state.restore_custom(self, par_state.snapshot_custom(OP))
        if builtin:
            par_state.copy_builtin_state(OP, self)

    def _parsSnapshot(self) -> dict[str, Any]:
        """All parameter state as plain picklable data (for copy and reload)."""
        return par_state.snapshot(self)

    def _parsRestore(self, data: dict[str, Any]) -> None:
        """Rebuild all parameter state from :meth:`_parsSnapshot` data (no change callbacks)."""
        par_state.restore(self, data)


class CustomParsMixin:
    """``appendCustomPage``, ``destroyCustomPars``, ``sortCustomPages``: COMPs and script OPs only."""

    __td_source__ = "COMP_Class"

    _customPageList: list[Page]

    def appendCustomPage(self, name: str) -> Page:
        """Create a new custom page named ``name`` and return it."""
        check = getattr(self, "_checkValid", None)
        if check is not None:
            check()
        page = Page(self, str(name), custom=True)
        self._customPageList.append(page)
        return page

    def destroyCustomPars(self) -> int:
        """Destroy every custom page and parameter; returns how many parameters were destroyed."""
        count = len([p for page in self._customPageList for g in page._groups for p in g._pars])
        for page in list(self._customPageList):
            page.destroy()
        return count

    def sortCustomPages(self, *pageNames: str) -> None:
        """Reorder the custom pages: the named ones first in the given order, then the rest."""
        first = [p for n in pageNames for p in self._customPageList if p._name == n]
        self._customPageList[:] = first + [p for p in self._customPageList if p not in first]
