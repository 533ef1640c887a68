"""TD's sequential parameters: ``Sequence`` and ``op.seq`` (``SequenceCollection``); blocks are in ``sequence_block``.

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

DOCS DISAGREE: the Sequential Parameters page ("Method One") builds a custom sequence by changing
``numBlocks``, the Sequence Class example sets ``blockSize``; the mock follows ``blockSize`` (the current
template's way) and ``numBlocks`` needs block parameters first.

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

from mock_td import messages as msg
from mock_td.errors import no_attribute_error, tdError
from mock_td.parameters.naming import check_custom_par_name
from mock_td.parameters.par import Par
from mock_td.parameters.par_definition import apply_definition, definition_of
from mock_td.parameters.pargroup import ParGroup
from mock_td.parameters.sequence_block import BlockParCollection, SequenceBlock
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


class Sequence:
    """A sequence of blocks of parameters (``td.Sequence``)."""

    __hash__ = object.__hash__
    __td_source__ = "Sequence_Class"
    __td_member_sources__ = {
        name: "td_api_facts §4 (current Sequence Class page; not on the 2023 page)"
        for name in ("blockName", "moveBlock", "reorderBlocks", "sortBlocks", "valid")
    }

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
            raise tdError(msg.SEQ_DESTROYED.format(name=self._header._name))

    @property
    def name(self) -> str:
        """The sequence name; setting it renames the header and every block par."""
        return self._header._name

    @name.setter
    def name(self, value: str) -> None:
        self._check()
        new = check_custom_par_name(value) if self._header._custom else str(value)
        owner = self._owner
        if new in owner._seqDict or new in owner._parDict:
            raise tdError(msg.SEQ_RENAME_TAKEN.format(name=self.name, new=new))
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
            raise tdError(msg.SEQ_NEGATIVE.format(name=self.name, member="numBlocks", value=target))
        if target == len(self._blocks):
            return
        self._needBlockSize("set numBlocks")
        if self._maxBlocks is not None and target > self._maxBlocks:
            raise tdError(msg.SEQ_MAX_BLOCKS.format(name=self.name, max=self._maxBlocks, count=target))
        self._refreshTemplate()
        kept = min(target, len(self._blocks))
        while len(self._blocks) < target:
            self._insert(len(self._blocks))
        while len(self._blocks) > target:
            self._remove(len(self._blocks) - 1)
        self._renumber(kept)
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
            not_modelled("Sequence.blockSize", msg.HINT_BLOCK_SIZE_CHANGE)
        if size < 0:
            raise tdError(msg.SEQ_NEGATIVE.format(name=self.name, member="blockSize", value=size))
        page = self._header._page
        groups = page._groups if page is not None else []
        start = groups.index(self._header) + 1
        taken = groups[start:start + size]
        if len(taken) < size:
            raise tdError(msg.SEQ_BLOCK_SIZE_SHORT.format(name=self.name, size=size, page=page.name if page else "?",
                                                         found=len(taken)))
        for group in taken:
            if group._block is not None or group._headerOf is not None:
                raise tdError(msg.SEQ_GROUP_TAKEN.format(name=self.name, group=group.name))
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
    def blockPars(self) -> BlockParCollection:
        """Per base name, a list with that Par from every block (``seq.blockPars.Label[2]``)."""
        return BlockParCollection(lambda: [b._blockPars() for b in self._blocks], "BlockParCollection", False,
                                   self._parBases)

    @property
    def blockParGroups(self) -> BlockParCollection:
        """Per base name, a list with that ParGroup from every block."""
        return BlockParCollection(lambda: [list(b._groups) for b in self._blocks], "BlockParGroupCollection",
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
            raise tdError(msg.SEQ_INDEX_RANGE.format(name=self.name, index=index, last=len(self._blocks)))
        if self._maxBlocks is not None and len(self._blocks) >= self._maxBlocks:
            raise tdError(msg.SEQ_FULL.format(name=self.name, max=self._maxBlocks))
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
            raise tdError(msg.SEQ_MOVE.format(name=self.name, num=num, index=blockFrom))
        moving = self._blocks[blockFrom:blockFrom + num]
        rest = [b for b in self._blocks if b not in moving]
        if not 0 <= blockTo <= len(rest):
            raise tdError(msg.SEQ_INDEX_RANGE.format(name=self.name, index=blockTo, last=len(rest)))
        self._reorder(rest[:blockTo] + moving + rest[blockTo:])

    def reorderBlocks(self, *indexes: Any) -> None:
        """Reorder blocks: the given old indexes first in that order, the others after in their order."""
        self._check()
        if len(indexes) == 1 and isinstance(indexes[0], list | tuple):
            indexes = tuple(indexes[0])
        if len(set(indexes)) != len(indexes):
            raise tdError(msg.SEQ_REORDER_REPEATED.format(name=self.name, indexes=list(indexes)))
        for i in indexes:
            self._checkIndex(i)
        first = [self._blocks[i] for i in indexes]
        self._reorder(first + [b for b in self._blocks if b not in first])

    def sortBlocks(self, key: Callable[[SequenceBlock], Any] | None = None, baseName: str = "",
                   reverse: bool = False) -> None:
        """Sort blocks by ``key(block)`` or by the value of their ``baseName`` par."""
        self._check()
        if key is not None and baseName:
            raise tdError(msg.SEQ_SORT_BOTH)
        if key is None and not baseName:
            raise tdError(msg.SEQ_SORT_NEITHER)
        if key is None:
            def key(block: SequenceBlock) -> Any:
                par = block.par[baseName]
                if par is None:
                    raise tdError(msg.SEQ_SORT_NO_PAR.format(name=self.name, base=baseName))
                return par.eval()
        self._reorder(sorted(self._blocks, key=key, reverse=reverse))

    # ------------------------------------------------------------------ internals
    def _needBlockSize(self, what: str) -> None:
        if self._blockSize == 0 and not self._template:
            raise tdError(msg.SEQ_NO_BLOCK_PARS.format(what=what, name=self.name))

    def _checkIndex(self, index: int) -> None:
        if not isinstance(index, int) or not 0 <= index < len(self._blocks):
            raise tdError(msg.SEQ_INDEX.format(name=self.name, index=index, count=len(self._blocks)))

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

    def _renumber(self, start: int = 0) -> None:
        """Rename the block pars ``<seq><index><base>`` of blocks ``start`` on (the ones before keep their
        index: blocks were only added or removed at the end) and keep the blocks right after the header."""
        owner = self._owner
        seq_name = self._header._name
        for block in self._blocks[start:]:
            for group in block._groups:
                for par in group._pars:
                    owner._unregisterPar(par)
        for i, block in enumerate(self._blocks[start:], start):
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
    __td_source__ = "SequenceCollection_Class"

    def __init__(self, owner: Any) -> None:
        self._owner = owner

    @property
    def owner(self) -> Any:
        """The OP whose sequences these are."""
        return self._owner

    def __getattr__(self, name: str) -> Sequence:
        if name.startswith("__"):
            raise AttributeError(name)
        seq = self._owner._seqDict.get(name)
        if seq is None:
            raise no_attribute_error("SequenceCollection", name)
        return seq

    def __getitem__(self, name: str) -> Sequence | None:
        return self._owner._seqDict.get(name)

    def __iter__(self) -> Iterator[Sequence]:
        return iter(list(self._owner._seqDict.values()))

    def __len__(self) -> int:
        return len(self._owner._seqDict)

    def __repr__(self) -> str:
        return f"td.SequenceCollection({getattr(self._owner, 'path', '?')})"
