"""TD's ``SequenceBlock`` (one block of a sequence) and the base-name lookups ``block.par`` /
``seq.blockPars`` (``BlockParCollection``).

Base names match case-insensitively (``Label`` and ``label`` both find ``Step0label``); a block's
``name`` is the value of its ``Blockname`` par (``blockname`` in built-in sequences).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from mock_td import messages as msg
from mock_td.errors import no_attribute_error, tdError
from mock_td.parameters.naming import match_names
from mock_td.parameters.par import Par
from mock_td.parameters.pargroup import ParGroup

if TYPE_CHECKING:
    from mock_td.parameters.sequence import Sequence


class BlockParCollection:
    """``block.par`` / ``seq.blockPars`` (and the ParGroup variants): lookup by base name."""

    def __init__(self, source: Callable[[], list[list[Any]]], what: str, per_block: bool,
                 known: Callable[[], set[str]]) -> None:
        self._source = source
        self._what = what
        self._perBlock = per_block
        self._known = known

    def _lookup(self, name: str) -> Any:
        key = name.lower()
        if key not in self._known():
            return None
        found = [next((x for x in items if x._baseName == key), None) for items in self._source()]
        if self._perBlock:
            return found[0] if found else None
        return [x for x in found if x is not None]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        result = self._lookup(name)
        if result is None:
            raise no_attribute_error(self._what, name)
        return result

    def __getitem__(self, name: str) -> Any:
        return self._lookup(name)

    def __iter__(self) -> Iterator[Any]:
        items = self._source()
        if self._perBlock:
            return iter(items[0] if items else [])
        bases = [x._baseName for x in items[0]] if items else []
        return iter([self._lookup(b) for b in bases])


class SequenceBlock:
    """One block of a sequence (``td.SequenceBlock``); iterates over its ParGroups."""

    __hash__ = object.__hash__

    def __init__(self, sequence: Sequence, groups: list[ParGroup]) -> None:
        self._sequence = sequence
        self._groups = groups
        self._valid = True
        for group in groups:
            group._block = self

    def _check(self) -> None:
        if not self._valid:
            raise tdError(msg.BLOCK_DESTROYED)

    @property
    def index(self) -> int:
        """The block's 0-based position in its sequence."""
        self._check()
        return self._sequence._blocks.index(self)

    @property
    def owner(self) -> Any:
        """The OP owning the sequence."""
        return self._sequence._owner

    @property
    def sequence(self) -> Sequence:
        """The Sequence this block belongs to."""
        return self._sequence

    @property
    def valid(self) -> bool:
        """False once destroyed."""
        return self._valid

    @property
    def par(self) -> BlockParCollection:
        """This block's Pars by base name (``block.par.Label``; ``block.par['X']`` is None if missing)."""
        return BlockParCollection(lambda: [self.pars()], "ParCollection", True, self._sequence._parBases)

    @property
    def parGroup(self) -> BlockParCollection:
        """This block's ParGroups by base name."""
        return BlockParCollection(lambda: [list(self._groups)], "ParGroupCollection", True,
                                   self._sequence._groupBases)

    def pars(self, *patterns: str) -> list[Par]:
        """The block's Pars (all when no pattern)."""
        every = [p for g in self._groups for p in g._pars]
        names = match_names([p._name for p in every], patterns)
        return [p for p in every if p._name in names]

    @property
    def parGroups(self) -> list[ParGroup]:
        """The block's ParGroups."""
        return list(self._groups)

    @property
    def namePar(self) -> Par | None:
        """The block's ``Blockname`` par, or None."""
        return next((p for p in self.pars() if p._baseName == "blockname"), None)

    @property
    def name(self) -> str | None:
        """The value of the block's ``Blockname`` par (None if the sequence has none)."""
        par = self.namePar
        return None if par is None else str(par.eval())

    @name.setter
    def name(self, value: str) -> None:
        par = self.namePar
        if par is None:
            raise tdError(msg.SEQ_NO_BLOCK_NAME.format(name=self._sequence.name, base=self._sequence.blockName))
        par.val = value

    def destroy(self) -> None:
        """Destroy this block (later blocks move down one index, keeping their values)."""
        self._check()
        self._sequence.destroyBlock(self.index)

    def __iter__(self) -> Iterator[ParGroup]:
        return iter(list(self._groups))

    def __len__(self) -> int:
        return len(self._groups)

    def __repr__(self) -> str:
        index = self._sequence._blocks.index(self) if self._valid else "destroyed"
        return f"type:SequenceBlock sequence:{self._sequence.name} index:{index}"
