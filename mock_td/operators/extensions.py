"""Extensions: the ``ext`` sequence of a COMP (``ext0object``, ``ext0name``, ``ext0promote``).

Initialising a COMP's extensions:
1. ``onDestroyTD()`` is called on each old instance (exceptions are recorded, not raised);
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
``initializeExtensions()``, a change to the text of any DAT whose module was loaded while the
objects were evaluated (the extension DAT and what it imports), ``Session.reload()`` (for COMPs with
``initextonstart`` on, parents before children; UNCONFIRMED order) and ``COMP.copy`` (a paste). Destroying the COMP
calls ``onDestroyTD()`` on its instances first, while its children are still there.
"""

from __future__ import annotations

import re
from typing import Any

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
        comp._extSources = set()
        w.ext_comps.pop(comp._id, None)
        return
    comp._extState = "init"
    sources: set[int] = set()
    w.ext_tracking.append(sources)
    entries: list[tuple[str, Any, bool]] = []
    try:
        for objpar, namepar, promotepar in slots:
            if not _raw(objpar).strip():
                continue
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
            entries.append((name, inst, promote))
    finally:
        w.ext_tracking.pop()
        comp._extState = "ready"
    comp._extEntries = entries
    comp._extSources = sources
    w.ext_comps[comp._id] = comp
    for _, inst, _ in entries:
        if inst is not None:
            w.pending_init_td.append((comp, inst))


def destroy_extensions(comp: Any) -> None:
    """Call ``onDestroyTD()`` on the current instances and forget them."""
    entries = comp._extEntries
    if not entries:
        return
    w = comp._world
    comp._extEntries = []
    for _, inst, _ in entries:
        hook = getattr(inst, "onDestroyTD", None)
        if callable(hook):
            w.call_guarded(comp, "onDestroyTD", hook)


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
