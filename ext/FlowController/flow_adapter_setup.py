"""FlowController Setup / Cleanup on a target COMP: the ``LOPflow`` Internal OP shortcut and the callbacks DAT.

Works on whatever OP objects it is given (real TD or mock_td) through TD's public API only: the target's
``iop`` sequence (``iop{n}shortcut`` / ``iop{n}op``), ``COMP.create``, ``OP.dock``, ``DAT.text``. It never
imports ``td``; the extension passes in the Text DAT type to create.

Refusals (``refusal_*`` return a message, or '' when Setup may go on): the controller as its own
target; a target whose ``LOPflow`` shortcut belongs to another FlowController that drives it (that one
must Cleanup first: nothing is taken over silently); a callbacks DAT that is not a Text DAT; a
``<target>_flow_callbacks`` next to the target that is not a Text DAT.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The Internal OP shortcut code inside the target uses: ``iop.LOPflow.NextStep()``.
SHORTCUT = "LOPflow"
#: At most this many iop blocks are used on a target (TD's Common page offers 10 shortcut slots).
MAX_IOP_SLOTS = 10
#: A docked Text DAT holding one of these is taken as an existing flow callbacks DAT.
CALLBACK_MARKERS = ("onFlowStart", "onStepEnter")
NO_SLOTS_MESSAGE = "No available IOP slots"
NO_TARGET_MESSAGE = "Set Target Component first, then pulse Setup"
TEXT_DAT = "textDAT"


@dataclass(frozen=True)
class SlotChoice:
    """Where the shortcut goes: ``index`` of the iop block, and whether the block must be added first."""

    index: int
    append: bool


def _shortcut_par(target: Any, index: int) -> Any:
    return target.par[f"iop{index}shortcut"]


def _op_par(target: Any, index: int) -> Any:
    return target.par[f"iop{index}op"]


def _shortcut_at(target: Any, index: int) -> str:
    par = _shortcut_par(target, index)
    return str(par.eval()) if par is not None else ""


def iop_block_count(target: Any) -> int:
    """How many blocks the target's ``iop`` sequence has now."""
    return int(target.seq["iop"].numBlocks)


def find_shortcut_slot(target: Any, shortcut: str = SHORTCUT) -> int | None:
    """The index of the iop block whose shortcut is ``shortcut``, or None."""
    for index in range(iop_block_count(target)):
        if _shortcut_at(target, index) == shortcut:
            return index
    return None


def choose_slot(target: Any) -> SlotChoice | None:
    """The block to use: our own (``LOPflow``) block, else the first empty one, else a new one; None if all 10 are taken."""
    count = iop_block_count(target)
    own = find_shortcut_slot(target)
    if own is not None:
        return SlotChoice(own, False)
    for index in range(min(count, MAX_IOP_SLOTS)):
        if not _shortcut_at(target, index).strip():
            return SlotChoice(index, False)
    if count < MAX_IOP_SLOTS:
        return SlotChoice(count, True)
    return None


def install_shortcut(target: Any, controller: Any) -> int | None:
    """Point the target's ``LOPflow`` shortcut at ``controller``; returns the slot, or None when no slot is free.

    Nothing changes on the target when None is returned.
    """
    choice = choose_slot(target)
    if choice is None:
        return None
    if choice.append:
        target.seq["iop"].numBlocks = choice.index + 1
    shortcut_par = _shortcut_par(target, choice.index)
    op_par = _op_par(target, choice.index)
    if shortcut_par.eval() != SHORTCUT:
        shortcut_par.val = SHORTCUT
    if op_par.eval() is not controller and not _same_op(op_par.eval(), controller):
        op_par.val = controller.path
    return choice.index


def remove_shortcut(target: Any, stored_slot: int) -> int | None:
    """Blank the ``LOPflow`` block on ``target`` (the stored one if it still holds it); returns the cleared slot."""
    slot: int | None = stored_slot
    if slot is None or slot < 0 or slot >= iop_block_count(target) or _shortcut_at(target, slot) != SHORTCUT:
        slot = find_shortcut_slot(target)
    if slot is None:
        return None
    _shortcut_par(target, slot).val = ""
    _op_par(target, slot).val = ""
    return slot


def _same_op(a: Any, b: Any) -> bool:
    return a is not None and b is not None and getattr(a, "path", None) == getattr(b, "path", None)


def callbacks_dat_name(target: Any) -> str:
    """The name Setup gives a new callbacks DAT: ``<target>_flow_callbacks``."""
    return f"{target.name}_flow_callbacks"


def find_docked_callbacks(target: Any) -> Any | None:
    """A Text DAT docked to ``target`` whose text defines ``onFlowStart`` or ``onStepEnter``, else None."""
    for docked in target.docked:
        if getattr(docked, "isDAT", False) and getattr(docked, "OPType", "") == "textDAT":
            text = docked.text
            if any(marker in text for marker in CALLBACK_MARKERS):
                return docked
    return None


def shortcut_owner(target: Any, controller: Any) -> Any | None:
    """The other OP the target's ``LOPflow`` shortcut points at, when that OP still drives the target.

    None when there is no such shortcut, when it points at ``controller`` or at nothing, or when it
    points at a FlowController that now targets another COMP (a stale shortcut Setup may reuse).
    """
    slot = find_shortcut_slot(target)
    if slot is None:
        return None
    owner = _op_par(target, slot).eval()
    if owner is None or _same_op(owner, controller) or not getattr(owner, "valid", True):
        return None
    target_par = owner.par["Targetcomp"] if getattr(owner, "isCOMP", False) else None
    if target_par is not None and not _same_op(target_par.eval(), target):
        return None
    return owner


def refusal_for_target(target: Any, controller: Any) -> str:
    """Why Setup must not use ``target`` for ``controller`` ('' when it may)."""
    if _same_op(target, controller):
        return (f"Setup refused: {controller.path} can't be its own Target Component; set the COMP whose "
                "logic it should drive")
    owner = shortcut_owner(target, controller)
    if owner is not None:
        return (f"Setup refused: {target.path} is already driven by {owner.path} (its iop.{SHORTCUT} points "
                f"there); pulse Cleanup on {owner.path} first, or choose another Target Component")
    return ""


def refusal_for_callbacks(dat: Any) -> str:
    """Why ``dat`` can't be the callbacks DAT ('' when it can): it must be a Text DAT."""
    if dat is None or getattr(dat, "OPType", "") == TEXT_DAT:
        return ""
    return (f"Setup refused: Callbacks DAT {dat.path} is a {dat.OPType}; it must be a Text DAT holding the "
            "callback functions (clear the parameter to let Setup create one)")


def named_callbacks_dat(target: Any) -> Any | None:
    """The OP called ``<target>_flow_callbacks`` next to the target, docked or not (None when absent)."""
    return target.parent().op(callbacks_dat_name(target))


def ensure_callbacks_dat(target: Any, text_dat_type: Any, template_text: str) -> tuple[Any, bool]:
    """The target's callbacks DAT: a docked one that defines flow callbacks, else ``<target>_flow_callbacks``
    next to the target (docked or not), else a new docked Text DAT.

    Returns ``(dat, created)``. A new DAT is named ``<target>_flow_callbacks``, sits next to the target,
    is docked to it and holds ``template_text``. Raises ValueError when ``<target>_flow_callbacks`` exists
    but is not a Text DAT (check ``refusal_for_callbacks(named_callbacks_dat(target))`` first).
    """
    existing = find_docked_callbacks(target)
    if existing is not None:
        return existing, False
    named = named_callbacks_dat(target)
    if named is not None:
        if getattr(named, "OPType", "") != TEXT_DAT:
            raise ValueError(refusal_for_callbacks(named))
        return named, False
    network = target.parent()
    dat = network.create(text_dat_type, callbacks_dat_name(target))
    dat.text = template_text
    dat.dock = target
    return dat, True
