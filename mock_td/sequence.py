"""TD's sequential parameters: ``Sequence``, ``SequenceBlock`` and their collections.

Built the way TD builds them by script:

1. ``page.appendSequence('Step')`` creates only the header par and an empty Sequence
   (``comp.seq.Step``; ``numBlocks == 0``, ``blockSize == 0``);
2. pars appended after it stay plain page pars;
3. ``comp.seq.Step.blockSize = n`` takes the n ParGroups that follow the header into block 0 and
   renames them ``Step0label``, ``Step0duration`` (sequence name + 0-based block index + the par
   base name in lowercase).

Block pars are renamed when blocks are inserted, destroyed or moved, so values move with their
block (after destroying block 1, block 2's values are block 1's). New blocks copy the first block's
definition (style, label, default, menus, help, range) with default values; a ``Blockname`` par
increments its value (``A7`` -> ``A8``). Base names in ``block.par.X`` / ``seq.blockPars.X`` match
case-insensitively (``Label`` and ``label`` both find ``Step0label``).

Choices not confirmed by TD's docs (listed in SUPPORTED.md): right after ``blockSize`` is set the
sequence has 1 block; setting ``numBlocks`` or inserting while ``blockSize == 0`` raises ``tdError``;
changing a non-zero ``blockSize`` is not modelled; out-of-range block indexes raise ``tdError``;
``maxBlocks`` is None (unlimited) for custom sequences and for the built-in ``iop``/``ext``
sequences; ``sortBlocks()`` with neither ``key`` nor ``baseName`` raises ``tdError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from mock_td.errors import tdAttributeError, tdError
from mock_td.par import Par, apply_definition, definition_of
from mock_td.pargroup import ParGroup
from mock_td.unsupported import not_modelled

_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$")


def increment_block_name(value: str) -> str:
    """``'A7'`` -> ``'A8'``; a name without trailing digits gets ``1`` appended."""
    match = _TRAILING_DIGITS.match(value)
    if match is None:
        return f"{value}1" if value else value
    head, digits = match.groups()
    return f"{head}{int(digits) + 1:0{len(digits)}d}"


def group_definition(group: ParGroup) -> dict[str, Any]:
    """Plain-data definition of a block group (no values), used as the template for new blocks."""
    return {
        "base": group._baseName,
        "style": group._style,
        "label": group._label,
        "help": group._help,
        "pars": [{"base": p._baseName, **definition_of(p)} for p in group._pars],
    }


class _BlockParCollection:
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
            raise tdAttributeError(f"'td.{self._what}' object has no attribute '{name}'")
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
            raise tdError("Invalid SequenceBlock object (the block was destroyed)")

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
    def par(self) -> _BlockParCollection:
        """This block's Pars by base name (``block.par.Label``; ``block.par['X']`` is None if missing)."""
        return _BlockParCollection(lambda: [self.pars()], "ParCollection", True, self._sequence._parBases)

    @property
    def parGroup(self) -> _BlockParCollection:
        """This block's ParGroups by base name."""
        return _BlockParCollection(lambda: [list(self._groups)], "ParGroupCollection", True,
                                   self._sequence._groupBases)

    def pars(self, *patterns: str) -> list[Par]:
        """The block's Pars (all when no pattern)."""
        from mock_td.par import match_names

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
            raise tdError(f"Sequence {self._sequence.name!r} has no block name parameter ({self._sequence.blockName})")
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


class Sequence:
    """A sequence of blocks of parameters (``td.Sequence``)."""

    __hash__ = object.__hash__

    def __init__(self, owner: Any, header: ParGroup, max_blocks: int | None = None) -> None:
        self._owner = owner
        self._header = header
        header._headerOf = self
        self._blockSize = 0
        self._blocks: list[SequenceBlock] = []
        self._template: list[dict[str, Any]] = []
        self._maxBlocks = max_blocks
        self._valid = True

    # ------------------------------------------------------------------ members
    def _check(self) -> None:
        if not self._valid:
            raise tdError(f"Invalid Sequence object: {self._header._name} (it was destroyed)")

    @property
    def name(self) -> str:
        """The sequence name; setting it renames the header and every block par."""
        return self._header._name

    @name.setter
    def name(self, value: str) -> None:
        self._check()
        from mock_td.page import check_custom_par_name

        new = check_custom_par_name(value) if self._header._custom else str(value)
        owner = self._owner
        if new in owner._seqDict or new in owner._parDict:
            raise tdError(f"Cannot rename sequence {self.name!r} to {new!r}: that name is already used")
        header_par = self._header._pars[0]
        owner._unregisterPar(header_par)
        del owner._seqDict[self._header._name]
        self._header._name = new
        self._header._baseName = new.lower()
        header_par._name = new
        owner._registerPar(header_par)
        owner._seqDict[new] = self
        self._renumber()
        self._changed()

    @property
    def owner(self) -> Any:
        """The OP owning the sequence."""
        return self._owner

    @property
    def valid(self) -> bool:
        """False once the sequence was destroyed."""
        return self._valid

    @property
    def sequencePar(self) -> Par:
        """The sequence header Par."""
        return self._header._pars[0]

    @property
    def blockName(self) -> str:
        """Base name of the block-name par: ``'Blockname'`` for custom sequences, ``'blockname'`` built in."""
        return "Blockname" if self._header._custom else "blockname"

    @property
    def maxBlocks(self) -> int | None:
        """Maximum number of blocks, or None for unlimited."""
        return self._maxBlocks

    @property
    def blocks(self) -> list[SequenceBlock]:
        """The blocks, in order."""
        self._check()
        return list(self._blocks)

    @property
    def numBlocks(self) -> int:
        """Number of blocks; setting it adds or removes blocks at the end."""
        return len(self._blocks)

    @numBlocks.setter
    def numBlocks(self, value: int) -> None:
        self._check()
        target = int(value)
        if target < 0:
            raise tdError(f"Sequence {self.name!r}: numBlocks cannot be negative ({target})")
        if target == len(self._blocks):
            return
        self._needBlockSize("set numBlocks")
        if self._maxBlocks is not None and target > self._maxBlocks:
            raise tdError(f"Sequence {self.name!r} allows at most {self._maxBlocks} blocks, not {target}")
        self._refreshTemplate()
        while len(self._blocks) < target:
            self._insert(len(self._blocks))
        while len(self._blocks) > target:
            self._remove(len(self._blocks) - 1)
        self._renumber()
        self._changed()

    @property
    def blockSize(self) -> int:
        """Number of ParGroups per block. Setting it from 0 takes the ParGroups after the header."""
        return self._blockSize

    @blockSize.setter
    def blockSize(self, value: int) -> None:
        self._check()
        size = int(value)
        if size == self._blockSize:
            return
        if self._blockSize != 0:
            not_modelled("Sequence.blockSize", "changing a non-zero block size is not emulated")
        if size < 0:
            raise tdError(f"Sequence {self.name!r}: blockSize cannot be negative ({size})")
        page = self._header._page
        groups = page._groups if page is not None else []
        start = groups.index(self._header) + 1
        taken = groups[start:start + size]
        if len(taken) < size:
            raise tdError(
                f"Sequence {self.name!r}: blockSize {size} needs {size} parameters after the header on page "
                f"{page.name if page else '?'!r}, found {len(taken)}"
            )
        for group in taken:
            if group._block is not None or group._headerOf is not None:
                raise tdError(f"Sequence {self.name!r}: {group.name!r} already belongs to a sequence")
        for group in taken:
            group._baseName = group._name.lower()
            for par in group._pars:
                par._baseName = par._name.lower()
        self._blocks = [SequenceBlock(self, list(taken))]
        self._blockSize = size
        self._refreshTemplate()
        self._renumber()
        self._changed()

    @property
    def blockPars(self) -> _BlockParCollection:
        """Per base name, a list with that Par from every block (``seq.blockPars.Label[2]``)."""
        return _BlockParCollection(lambda: [b.pars() for b in self._blocks], "BlockParCollection", False,
                                   self._parBases)

    @property
    def blockParGroups(self) -> _BlockParCollection:
        """Per base name, a list with that ParGroup from every block."""
        return _BlockParCollection(lambda: [list(b._groups) for b in self._blocks], "BlockParGroupCollection",
                                   False, self._groupBases)

    def _parBases(self) -> set[str]:
        return {p["base"] for g in self._template for p in g["pars"]}

    def _groupBases(self) -> set[str]:
        return {g["base"] for g in self._template}

    # ------------------------------------------------------------------ list behaviour
    def __len__(self) -> int:
        return len(self._blocks)

    def __getitem__(self, key: int | str) -> SequenceBlock | None:
        if isinstance(key, str):
            return next((b for b in self._blocks if b.name == key), None)
        return self._blocks[key]

    def __iter__(self) -> Iterator[SequenceBlock]:
        return iter(list(self._blocks))

    def __repr__(self) -> str:
        return f"type:Sequence name:{self.name} owner:{getattr(self._owner, 'path', '?')} numBlocks:{len(self)}"

    # ------------------------------------------------------------------ block operations
    def insertBlock(self, index: int) -> SequenceBlock:
        """Insert a new block (template definition, default values) at ``index``; later blocks renumber."""
        self._check()
        self._needBlockSize("insertBlock")
        if not 0 <= index <= len(self._blocks):
            raise tdError(f"Sequence {self.name!r}: block index {index} out of range 0..{len(self._blocks)}")
        if self._maxBlocks is not None and len(self._blocks) >= self._maxBlocks:
            raise tdError(f"Sequence {self.name!r} already has its maximum of {self._maxBlocks} blocks")
        self._refreshTemplate()
        block = self._insert(index)
        self._renumber()
        self._changed()
        return block

    def destroyBlock(self, index: int) -> None:
        """Destroy block ``index``; later blocks move down one index keeping their values."""
        self._check()
        self._checkIndex(index)
        self._refreshTemplate()
        self._remove(index)
        self._renumber()
        self._changed()

    def moveBlock(self, blockFrom: int, blockTo: int, num: int = 1) -> None:
        """Move ``num`` blocks starting at ``blockFrom`` so the first lands at ``blockTo``."""
        self._check()
        self._checkIndex(blockFrom)
        if num < 1 or blockFrom + num > len(self._blocks):
            raise tdError(f"Sequence {self.name!r}: cannot move {num} blocks from index {blockFrom}")
        moving = self._blocks[blockFrom:blockFrom + num]
        rest = [b for b in self._blocks if b not in moving]
        if not 0 <= blockTo <= len(rest):
            raise tdError(f"Sequence {self.name!r}: block index {blockTo} out of range 0..{len(rest)}")
        self._reorder(rest[:blockTo] + moving + rest[blockTo:])

    def reorderBlocks(self, *indexes: Any) -> None:
        """Reorder blocks: the given old indexes first in that order, the others after in their order."""
        self._check()
        if len(indexes) == 1 and isinstance(indexes[0], list | tuple):
            indexes = tuple(indexes[0])
        if len(set(indexes)) != len(indexes):
            raise tdError(f"Sequence {self.name!r}: reorderBlocks got a repeated index in {list(indexes)}")
        for i in indexes:
            self._checkIndex(i)
        first = [self._blocks[i] for i in indexes]
        self._reorder(first + [b for b in self._blocks if b not in first])

    def sortBlocks(self, key: Callable[[SequenceBlock], Any] | None = None, baseName: str = "",
                   reverse: bool = False) -> None:
        """Sort blocks by ``key(block)`` or by the value of their ``baseName`` par."""
        self._check()
        if key is not None and baseName:
            raise tdError("sortBlocks: give either key or baseName, not both")
        if key is None and not baseName:
            raise tdError("sortBlocks: give a key function or a baseName to sort by")
        if key is None:
            def key(block: SequenceBlock) -> Any:
                par = block.par[baseName]
                if par is None:
                    raise tdError(f"sortBlocks: sequence {self.name!r} has no block parameter {baseName!r}")
                return par.eval()
        self._reorder(sorted(self._blocks, key=key, reverse=reverse))

    # ------------------------------------------------------------------ internals
    def _needBlockSize(self, what: str) -> None:
        if self._blockSize == 0 and not self._template:
            raise tdError(
                f"Cannot {what} on sequence {self.name!r}: it has no block parameters yet "
                f"(append them after the header, then set blockSize)"
            )

    def _checkIndex(self, index: int) -> None:
        if not isinstance(index, int) or not 0 <= index < len(self._blocks):
            raise tdError(f"Sequence {self.name!r}: block index {index!r} out of range (numBlocks={len(self._blocks)})")

    def _refreshTemplate(self) -> None:
        if self._blocks:
            self._template = [group_definition(g) for g in self._blocks[0]._groups]

    def _insert(self, index: int) -> SequenceBlock:
        owner = self._owner
        groups: list[ParGroup] = []
        for gdef in self._template:
            group = ParGroup(owner, gdef["base"], gdef["style"], custom=self._header._custom, label=gdef["label"])
            group._help = gdef["help"]
            group._baseName = gdef["base"]
            bases = [p["base"] for p in gdef["pars"]]
            group._addPars(list(bases), bases)
            for par, pdef in zip(group._pars, gdef["pars"], strict=True):
                apply_definition(par, pdef)
                par._val = par._default
            group._page = self._header._page
            groups.append(group)
        block = SequenceBlock(self, groups)
        self._blocks.insert(index, block)
        name_par = block.namePar
        if name_par is not None and index > 0:
            previous = self._blocks[index - 1].namePar
            if previous is not None:
                name_par._val = increment_block_name(str(previous._val))
        return block

    def _remove(self, index: int) -> None:
        block = self._blocks.pop(index)
        for group in block._groups:
            group._block = None
            group._discard()
        block._valid = False

    def _reorder(self, order: list[SequenceBlock]) -> None:
        if order == self._blocks:
            return
        self._blocks = order
        self._renumber()
        self._changed()

    def _renumber(self) -> None:
        """Rename every block par ``<seq><index><base>`` and keep the blocks right after the header."""
        owner = self._owner
        seq_name = self._header._name
        for block in self._blocks:
            for group in block._groups:
                for par in group._pars:
                    owner._unregisterPar(par)
        for i, block in enumerate(self._blocks):
            for group in block._groups:
                group._name = f"{seq_name}{i}{group._baseName}"
                for par in group._pars:
                    par._name = f"{seq_name}{i}{par._baseName}"
                    owner._registerPar(par)
        page = self._header._page
        if page is None:
            return
        in_blocks = [g for b in self._blocks for g in b._groups]
        members = set(map(id, in_blocks))
        rest = [g for g in page._groups if id(g) not in members]
        at = rest.index(self._header) + 1
        page._groups = rest[:at] + in_blocks + rest[at:]
        for group in in_blocks:
            group._page = page

    def _changed(self) -> None:
        notify = getattr(self._owner, "_sequenceChanged", None)
        if notify is not None:
            notify(self)

    def _forgetBlockGroup(self, group: ParGroup) -> None:
        """A block group is being removed from outside (page destroy / replace): drop its whole block."""
        block = group._block
        if block is not None and block in self._blocks:
            self.destroyBlock(self._blocks.index(block))

    def _destroyWhole(self) -> None:
        """Destroy every block, the header and the Sequence itself."""
        while self._blocks:
            self._remove(len(self._blocks) - 1)
        self._owner._seqDict.pop(self._header._name, None)
        self._header._headerOf = None
        self._header._discard()
        self._valid = False
        self._changed()


class SequenceCollection:
    """``op.seq``: an OP's sequences by name (``comp.seq.Step`` raises if missing, ``seq['Step']`` is None)."""

    __slots__ = ("_owner",)

    def __init__(self, owner: Any) -> None:
        self._owner = owner

    def __getattr__(self, name: str) -> Sequence:
        if name.startswith("__"):
            raise AttributeError(name)
        seq = self._owner._seqDict.get(name)
        if seq is None:
            raise tdAttributeError(f"'td.SequenceCollection' object has no attribute '{name}'")
        return seq

    def __getitem__(self, name: str) -> Sequence | None:
        return self._owner._seqDict.get(name)

    def __iter__(self) -> Iterator[Sequence]:
        return iter(list(self._owner._seqDict.values()))

    def __len__(self) -> int:
        return len(self._owner._seqDict)

    def __repr__(self) -> str:
        return f"td.SequenceCollection({getattr(self._owner, 'path', '?')})"
