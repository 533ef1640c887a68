"""Save and rebuild all parameter state of an OP as plain picklable data (for copy and reload).

A snapshot holds the built-in pars' state (value, expression, bind expression, mode, readOnly,
enable, help), the block count of built-in sequences, and every custom page with its groups in
display order: definitions (style, label, help, default, range, menus, ...) plus state. Restoring
does not fire any change callback.
"""

from __future__ import annotations

from typing import Any

from mock_td.parameters.page import Page
from mock_td.parameters.par import STATE_FIELDS, Par
from mock_td.parameters.par_definition import DEFINITION_FIELDS
from mock_td.parameters.pargroup import ParGroup
from mock_td.parameters.sequence import Sequence
from mock_td.parameters.sequence_block import SequenceBlock
from mock_td.parameters.styles import ParMode

_EXTRA_BUILTIN_FIELDS = ("_readOnly", "_enable")


def _plain(value: Any) -> Any:
    if isinstance(value, ParMode):
        return value.name
    if isinstance(value, list):
        return list(value)
    return value


def _par_state(par: Par, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: _plain(getattr(par, f)) for f in fields}


def _apply_state(par: Par, state: dict[str, Any]) -> None:
    for field, value in state.items():
        if field in ("_mode", "_prevMode"):
            value = ParMode[value]
        setattr(par, field, list(value) if isinstance(value, list) else value)


def snapshot(owner: Any) -> dict[str, Any]:
    """Everything about ``owner``'s parameters, as plain data."""
    builtin: dict[str, Any] = {}
    for page in owner._builtinPageList:
        for group in page._groups:
            for par in group._pars:
                builtin[par._name] = {**_par_state(par, STATE_FIELDS + _EXTRA_BUILTIN_FIELDS), "help": group._help}
    builtin_seqs = {name: len(seq._blocks) for name, seq in owner._seqDict.items() if not seq._header._custom}
    return {"builtin": builtin, "builtinSequences": builtin_seqs, "custom": snapshot_custom(owner)}


def snapshot_custom(owner: Any) -> dict[str, Any]:
    """Custom pages, groups, sequences and their state, as plain data."""
    pages = []
    for page in owner._customPageList:
        groups = []
        for group in page._groups:
            entry: dict[str, Any] = {
                "name": group._name, "style": group._style, "label": group._label, "help": group._help,
                "base": group._baseName, "kind": "plain", "sequence": None, "block": None,
                "pars": [
                    {"name": p._name, "base": p._baseName, **_par_state(p, DEFINITION_FIELDS + STATE_FIELDS)}
                    for p in group._pars
                ],
            }
            if group._headerOf is not None:
                seq = group._headerOf
                entry.update(kind="header", blockSize=seq._blockSize, maxBlocks=seq._maxBlocks,
                             template=[_copy_template(t) for t in seq._template])
            elif group._block is not None:
                entry.update(kind="block", sequence=group._block._sequence.name, block=group._block.index)
            groups.append(entry)
        pages.append({"name": page._name, "groups": groups})
    return {"pages": pages}


def _copy_template(gdef: dict[str, Any]) -> dict[str, Any]:
    return {**gdef, "pars": [{k: _plain(v) for k, v in p.items()} for p in gdef["pars"]]}


def restore(owner: Any, data: dict[str, Any]) -> None:
    """Rebuild ``owner``'s parameters from :func:`snapshot` data (no change callbacks)."""
    for name, count in data.get("builtinSequences", {}).items():
        seq = owner._seqDict.get(name)
        if seq is not None:
            _set_block_count(seq, count)
    for name, state in data.get("builtin", {}).items():
        par = owner._parDict.get(name)
        if par is not None and not par._custom:
            state = dict(state)
            par._group._help = state.pop("help", par._group._help)
            _apply_state(par, state)
    restore_custom(owner, data.get("custom", {"pages": []}))


def _set_block_count(seq: Sequence, count: int) -> None:
    seq._refreshTemplate()
    while len(seq._blocks) < count and seq._template:
        seq._insert(len(seq._blocks))
    while len(seq._blocks) > count:
        seq._remove(len(seq._blocks) - 1)
    seq._renumber()


def copy_builtin_state(source: Any, target: Any) -> None:
    """Copy built-in values/modes from ``source`` to ``target`` for pars both have (no callbacks)."""
    for name, seq in source._seqDict.items():
        mine = target._seqDict.get(name)
        if mine is not None and not seq._header._custom:
            _set_block_count(mine, len(seq._blocks))
    for par in source.builtinPars:
        mine = target._parDict.get(par._name)
        if mine is not None and not mine._custom and mine._style == par._style:
            _apply_state(mine, _par_state(par, STATE_FIELDS))


def _clear_custom(owner: Any) -> None:
    for page in owner._customPageList:
        for group in page._groups:
            for par in group._pars:
                owner._unregisterPar(par)
                par._valid = False
            group._valid = False
            if group._headerOf is not None:
                group._headerOf._valid = False
                for block in group._headerOf._blocks:
                    block._valid = False
                owner._seqDict.pop(group._name, None)
        page._valid = False
    owner._customPageList.clear()


def restore_custom(owner: Any, data: dict[str, Any]) -> None:
    """Replace ``owner``'s custom pages and pars with those in ``data`` (from :func:`snapshot_custom`)."""
    _clear_custom(owner)
    blocks: dict[str, dict[int, list[ParGroup]]] = {}
    for page_data in data.get("pages", []):
        page = Page(owner, page_data["name"], custom=True)
        owner._customPageList.append(page)
        for entry in page_data["groups"]:
            group = ParGroup(owner, entry["name"], entry["style"], custom=True, label=entry["label"])
            group._help = entry["help"]
            group._baseName = entry["base"]
            group._addPars([p["name"] for p in entry["pars"]], [p["base"] for p in entry["pars"]])
            for par, pdata in zip(group._pars, entry["pars"], strict=True):
                _apply_state(par, {k: v for k, v in pdata.items() if k not in ("name", "base")})
            group._page = page
            page._groups.append(group)
            for par in group._pars:
                owner._registerPar(par)
            if entry["kind"] == "header":
                seq = Sequence(owner, group, max_blocks=entry.get("maxBlocks"))
                seq._blockSize = entry.get("blockSize", 0)
                seq._template = [_copy_template(t) for t in entry.get("template", [])]
                owner._seqDict[group._name] = seq
            elif entry["kind"] == "block":
                blocks.setdefault(entry["sequence"], {}).setdefault(entry["block"], []).append(group)
    for seq_name, by_index in blocks.items():
        seq = owner._seqDict.get(seq_name)
        if seq is None:
            continue
        seq._blocks = [SequenceBlock(seq, by_index[i]) for i in sorted(by_index)]
