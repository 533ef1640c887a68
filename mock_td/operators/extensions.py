"""Extensions: the ``ext`` sequence of a COMP (``ext0object``, ``ext0name``, ``ext0promote``).

Initialising a COMP's extensions:
1. ``onDestroyTD()`` is called on each old instance, or ``__delTD__()`` when it has only that older
   hook (exceptions are recorded, not raised);
2. ``extensionsReady`` turns False; touching ``comp.ext.X``, ``comp.extensions`` or a promoted
   member now raises tdError "Cannot use an extension during its initialization";
3. each block's Extension Object (Python code, e.g. ``op('./MyExt').module.MyExt(me)`` with ``me`` =
   the COMP) is evaluated in slot order; a blank object is skipped, a failing one is recorded as a
   script error and leaves None in ``comp.extensions``;
4. the lookup name is ``extNname`` when non-blank, else the class name; ``extNpromote`` promotes
   its Capitalized members onto the COMP;
5. every new instance's ``onInitTD()`` is queued for the end of the current frame (the next frame
   when initialised between frames).

When (each at once, so setting ``ext0object`` then ``ext0promote`` initialises twice; UNCONFIRMED
whether TD defers this to the end of the frame): a change of any ``ext*`` block par, a pulse of ``reinitextensions``,
``initializeExtensions()`` (``initializeExtensions(i)`` re-initialises block ``i`` alone: only
its old instance is cleaned up, COMP Class), a change to the text of any DAT whose module was loaded while the
objects were evaluated (the extension DAT and what it imports), ``Session.reload()`` (for COMPs with
``initextonstart`` on, parents before children; UNCONFIRMED order) and ``COMP.copy`` (a paste). Destroying the COMP
calls ``onDestroyTD()`` on its instances first, while its children are still there.

DOCS DISAGREE: the 2023 Extensions page names the cleanup hook ``__delTD__`` ("TouchDesigner will call
the old extension's ``__delTD__`` function if it exists"); the current pages and template name it
``onDestroyTD``. The mock calls ``onDestroyTD`` and falls back to ``__delTD__`` when only that one is
defined (UNCONFIRMED whether TD calls both when both exist).
"""

from __future__ import annotations

import re
from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError

_BLOCK = re.compile(r"^ext(\d+)object$")


def ext_slots(comp: Any) -> list[tuple[Any, Any, Any]]:
    """(object par, name par, promote par) for each block of the ``ext`` sequence."""
    par = getattr(comp, "par", None)
    if par is None:
        return []
    out: list[tuple[Any, Any, Any]] = []
    i = 0
    while True:
        obj = par[f"ext{i}object"]
        if obj is None:
            return out
        out.append((obj, par[f"ext{i}name"], par[f"ext{i}promote"]))
        i += 1


def _raw(par: Any) -> str:
    v = par.val if par is not None else ""
    return v if isinstance(v, str) else ("" if v is None else str(v))


def init_extensions(comp: Any) -> None:
    """(Re)initialise the extensions of ``comp`` (see the module docstring)."""
    w = comp._world
    destroy_extensions(comp)
    slots = ext_slots(comp)
    if not any(_raw(o).strip() for o, _, _ in slots):
        comp._extEntries = []
        comp._extSlots = []
        comp._extSources = set()
        w.ext_comps.pop(comp._id, None)
        return
    comp._extState = "init"
    sources: set[int] = set()
    w.ext_tracking.append(sources)
    entries: list[tuple[str, Any, bool]] = []
    used: list[int] = []
    try:
        for index, (objpar, namepar, promotepar) in enumerate(slots):
            if not _raw(objpar).strip():
                continue
            entries.append(_evaluate_slot(comp, objpar, namepar, promotepar))
            used.append(index)
    finally:
        w.ext_tracking.pop()
        comp._extState = "ready"
    comp._extEntries = entries
    comp._extSlots = used
    comp._extSources = sources
    w.ext_comps[comp._id] = comp
    for _, inst, _ in entries:
        if inst is not None:
            w.pending_init_td.append((comp, inst))


def init_extension_slot(comp: Any, index: int) -> Any:
    """Re-initialise only the extension in block ``index`` (``COMP.initializeExtensions(index)``);
    returns its new instance (None for a blank block or a failing object)."""
    w = comp._world
    slots = ext_slots(comp)
    if not 0 <= index < len(slots):
        raise tdError(msg.EXTENSION_INDEX.format(index=index, path=comp.path, count=len(slots)))
    entries = list(comp._extEntries)
    used = list(getattr(comp, "_extSlots", []))
    if index in used:
        position = used.index(index)
        _destroy_instance(comp, entries[position][1])
        del entries[position], used[position]
    objpar, namepar, promotepar = slots[index]
    inst = None
    if _raw(objpar).strip():
        comp._extEntries = entries
        comp._extState = "init"
        sources: set[int] = set()
        w.ext_tracking.append(sources)
        try:
            entry = _evaluate_slot(comp, objpar, namepar, promotepar)
        finally:
            w.ext_tracking.pop()
            comp._extState = "ready"
        position = sum(1 for u in used if u < index)
        entries.insert(position, entry)
        used.insert(position, index)
        comp._extSources = set(comp._extSources) | sources
        inst = entry[1]
        if inst is not None:
            w.pending_init_td.append((comp, inst))
    comp._extEntries = entries
    comp._extSlots = used
    if entries:
        w.ext_comps[comp._id] = comp
    return inst


def _evaluate_slot(comp: Any, objpar: Any, namepar: Any, promotepar: Any) -> tuple[str, Any, bool]:
    """Evaluate one block's Extension Object; returns (lookup name, instance or None, promote)."""
    w = comp._world
    inst = w.call_guarded(comp, f"extension {objpar.name}", objpar.eval)
    name = ""
    if namepar is not None:
        try:
            name = str(namepar.eval() or "")
        except Exception as exc:  # noqa: BLE001
            w.record_exception(comp, namepar.name, exc)
    if not name and inst is not None:
        name = type(inst).__name__
    promote = False
    if promotepar is not None:
        try:
            promote = bool(promotepar.eval())
        except Exception as exc:  # noqa: BLE001
            w.record_exception(comp, promotepar.name, exc)
    return name, inst, promote


def destroy_extensions(comp: Any) -> None:
    """Call the cleanup hook of every current instance and forget them."""
    entries = comp._extEntries
    if not entries:
        return
    comp._extEntries = []
    comp._extSlots = []
    for _, inst, _ in entries:
        _destroy_instance(comp, inst)


def _destroy_instance(comp: Any, inst: Any) -> None:
    """``onDestroyTD()`` of an instance being replaced or destroyed, else its legacy ``__delTD__()``."""
    for hook_name in ("onDestroyTD", "__delTD__"):
        hook = getattr(inst, hook_name, None)
        if callable(hook):
            comp._world.call_guarded(comp, hook_name, hook)
            return


def run_init_td(world: Any) -> None:
    """End-of-frame phase: ``onInitTD()`` of every instance initialised since the last call."""
    if not world.pending_init_td:
        return
    pending = world.pending_init_td
    world.pending_init_td = []
    for comp, inst in pending:
        if not comp._valid or not any(i is inst for _, i, _ in comp._extEntries):
            continue
        hook = getattr(inst, "onInitTD", None)
        if callable(hook):
            world.call_guarded(comp, "onInitTD", hook)


def dat_text_changed(dat: Any) -> None:
    """World listener (``dat_text_changed``): re-initialise the extensions of every COMP whose objects loaded ``dat``'s module."""
    world = dat._world
    if not world.ext_comps:
        return
    for comp in list(world.ext_comps.values()):
        if dat._id in comp._extSources and comp._valid:
            init_extensions(comp)


def track_module_use(world: Any, dat: Any) -> None:
    """Record that ``dat``'s module was used while extension objects are being evaluated."""
    for sources in world.ext_tracking:
        sources.add(dat._id)
