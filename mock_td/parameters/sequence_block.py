"""TD's ``SequenceBlock`` (one block of a sequence) and the base-name lookups ``block.par`` /
``seq.blockPars`` (``BlockParCollection``).

As the Sequential Parameters page shows, ``block.par`` finds a block's parameter by its base name
(``block.par.Label``) or by its full name (``seq[1].par.Step1label``), and assigning through it sets
the value: ``block.par.Label = 'x'``, ``block.par['Label'] = 'x'``, ``block.parGroup.Pos = (1, 2)``.
A missing name raises tdAttributeError on attribute access and assignment; ``block.par['X']`` reads
None. Base names match case-insensitively (``Label`` and ``label`` both find ``Step0label``;
UNCONFIRMED: the pages show only the capitalised form). ``seq.blockPars`` / ``seq.blockParGroups`` are
read-only. A block's ``name`` is the value of its ``Blockname`` par (``blockname`` in built-in sequences).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from mock_td import messages as msg
from mock_td.errors import no_attribute_error, tdAttributeError, tdError
from mock_td.parameters.par import Par
from mock_td.parameters.pargroup import ParGroup

if TYPE_CHECKING:
    from mock_td.parameters.sequence import Sequence


class BlockParCollection:
    """``block.par`` / ``seq.blockPars`` (and the ParGroup variants): lookup by base name (a block's
    collection also by full name); a block's collection sets values by assignment."""

    def __init__(self, source: Callable[[], list[list[Any]]], what: str, per_block: bool,
                 known: Callable[[], set[str]]) -> None:
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_what", what)
        object.__setattr__(self, "_perBlock", per_block)
        object.__setattr__(self, "_known", known)

    def _lookup(self, name: str) -> Any:
        key = name.lower()
        if key not in self._known():
            if not self._perBlock:
                return None
            items = self._source()
            return next((x for x in items[0] if x._name == name), None) if items else None
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

    def __setattr__(self, name: str, value: Any) -> None:
        if not self._perBlock:
            raise tdAttributeError(msg.READ_ONLY_ATTRIBUTE.format(cls=self._what, name=name))
        found = self._lookup(name)
        if found is None:
            raise no_attribute_error(self._what, name)
        found.val = value

    def __setitem__(self, name: str, value: Any) -> None:
        self.__setattr__(name, value)

    def __iter__(self) -> Iterator[Any]:
        items = self._source()
        if self._perBlock:
            return iter(items[0] if items else [])
        bases = [x._baseName for x in items[0]] if items else []
        return iter([self._lookup(b) for b in bases])


class SequenceBlock:
    """One block of a sequence (``td.SequenceBlock``); iterates over its ParGroups."""

    __hash__ = object.__hash__
    __td_source__ = "SequenceBlock_Class"
    __td_member_sources__ = {
        name: "td_api_facts §4 (current SequenceBlock Class page; not on the 2023 page)"
        for name in ("destroy", "name", "namePar", "valid")
    }

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
        """This block's Pars by base or full name (``block.par.Label``, ``block.par.Step1label``;
        ``block.par['X']`` is None if missing); ``block.par.Label = v`` sets the value."""
        return BlockParCollection(lambda: [self._blockPars()], "ParCollection", True, self._sequence._parBases)

    @property
    def parGroup(self) -> BlockParCollection:
        """This block's ParGroups by base or full name; ``block.parGroup.Pos = (1, 2)`` sets the values."""
        return BlockParCollection(lambda: [list(self._groups)], "ParGroupCollection", True,
                                   self._sequence._groupBases)

    def _blockPars(self) -> list[Par]:
        """Every Par of the block, in order."""
        return [p for g in self._groups for p in g._pars]

    @property
    def namePar(self) -> Par | None:
        """The block's ``Blockname`` par, or None."""
        return next((p for p in self._blockPars() if p._baseName == "blockname"), None)

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
