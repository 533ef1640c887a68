"""The network as plain data: what a .toe save keeps, used by ``Session.reload()`` and ``COMP.copy``.

Each OP becomes a dict of plain, picklable data: type, name, parameters (PARS's ``_parsSnapshot``),
table data (``_dataSnapshot``) or text, storage (pickled, startup values applied), tags, layout,
flags, comment, the name of the sibling it is docked to, and its children. Live Python objects
(modules, extension instances, runs) are never carried over. Storage is loaded after the whole
network is rebuilt (a stored OP comes back as the OP at its path). TD's system components (``/sys``)
belong to the process, not the project: they are never saved and are rebuilt on every open.
"""

from __future__ import annotations

from typing import Any

from mock_td.operators.extensions import init_extensions
from mock_td.operators.paths import next_free_name
from mock_td.operators.registry import OP_TYPES
from mock_td.operators.storage import load_storage, save_storage


def snapshot_op(op: Any, warn: Any) -> dict[str, Any]:
    """``op`` and everything inside it as plain data."""
    data: dict[str, Any] = {
        "type": type(op).__name__,
        "name": op._name,
        "pars": op._parsSnapshot(),
        "storage": save_storage(op, warn),
        "tags": sorted(op._tags),
        "node": (op._nodeX, op._nodeY, op._nodeWidth, op._nodeHeight),
        "color": op._color,
        "comment": op._comment,
        "flags": dict(op._flags),
        "dock": op._dock._name if op._dock is not None and op._dock._valid else None,
    }
    if hasattr(op, "_dataSnapshot"):
        data["data"] = op._dataSnapshot()
    if hasattr(op, "_text"):
        data["text"] = op._text
    if op.isCOMP:
        data["children"] = [snapshot_op(c, warn) for c in op._children.values() if not c._system]
    return data


def build_op(parent: Any, data: dict[str, Any], pasted: bool = False) -> Any:
    """Recreate an OP (and its children) from :func:`snapshot_op` data inside ``parent``."""
    w = parent._world
    cls = OP_TYPES[data["type"]]
    name = next_free_name(data["name"], parent._children) if pasted else data["name"]
    was = w.restoring
    w.restoring = True
    storage: list[tuple[Any, bytes]] = []
    try:
        op = parent._newChild(cls, name)
        restore_into(op, data, storage)
        _load_all_storage(storage)
    finally:
        w.restoring = was
    return op


def _load_all_storage(storage: list[tuple[Any, bytes]]) -> None:
    """Storage is loaded once the whole network exists, so a stored OP finds the OP at its path."""
    for op, blob in storage:
        load_storage(op, blob)


def restore_into(op: Any, data: dict[str, Any], storage: list[tuple[Any, bytes]]) -> None:
    """Give the fresh OP ``op`` the state in ``data`` and recreate its children (no callbacks fire);
    the storage to load is appended to ``storage`` (see :func:`_load_all_storage`)."""
    op._parsRestore(data["pars"])
    storage.append((op, data["storage"]))
    op._tags = set(data["tags"])
    op._nodeX, op._nodeY, op._nodeWidth, op._nodeHeight = data["node"]
    op._color = tuple(data["color"])
    op._comment = data["comment"]
    op._flags = dict(data["flags"])
    if "data" in data:
        op._dataRestore(data["data"])
    if "text" in data:
        op._text = data["text"]
    for child in data.get("children", ()):
        new = op._newChild(OP_TYPES[child["type"]], child["name"])
        restore_into(new, child, storage)
    if op.isCOMP:
        by_name = {c["name"]: c for c in data.get("children", ())}
        for cname, cdata in by_name.items():
            if cdata["dock"] is not None:
                op._children[cname]._dock = op._children.get(cdata["dock"])
    if hasattr(op, "_updateSyncRegistration"):
        op._updateSyncRegistration()


def build_root(world: Any, data: dict[str, Any]) -> Any:
    """Rebuild the whole network of ``world`` from :func:`snapshot_op` data of root; returns the new root."""
    world.restoring = True
    storage: list[tuple[Any, bytes]] = []
    try:
        root = OP_TYPES["baseCOMP"](world, None, "")
        world.root = root
        restore_into(root, data, storage)
        add_system(world)
        _load_all_storage(storage)
    finally:
        world.restoring = False
    return root


def save_project(world: Any) -> dict[str, Any]:
    """What saving the project keeps (``project.save()``, ``Session.reload()``): DATs with Write on Toe
    Save write their file first, then the network becomes plain data, kept as ``world.last_save``."""
    for o in walk(world.root):
        hook = getattr(o, "_onProjectSave", None)
        if hook is not None and o._valid:
            hook()
    data = snapshot_op(world.root, world.print)
    world.last_save = data
    return data


def add_system(world: Any) -> None:
    """TD's own components, which belong to the process and are never saved with a project: ``/sys``
    with ``/sys/TDResources`` (Global OP Shortcut ``TDResources``, the built-in independent time
    component ``run(delayRef=op.TDResources)`` uses; its menus and dialogs are not modelled)."""
    root = world.root
    if "sys" in root._children:
        return
    system = root._newChild(OP_TYPES["baseCOMP"], "sys")
    resources = system._newChild(OP_TYPES["baseCOMP"], "TDResources")
    resources.par.opshortcut = "TDResources"
    for o in (system, resources):
        o._system = True


def walk(op: Any) -> list[Any]:
    """``op`` and every OP inside it, parents before children."""
    out = [op]
    if op.isCOMP:
        for c in list(op._children.values()):
            out.extend(walk(c))
    return out


def after_paste(tops: list[Any]) -> None:
    """What a paste triggers: extensions of pasted COMPs initialise, then the world's ``ops_pasted``
    listeners hear of every pasted OP (Execute DATs fire ``onCreate``)."""
    ops = [o for t in tops for o in walk(t)]
    for o in ops:
        if o.isCOMP and o._valid:
            init_extensions(o)
    if tops:
        tops[0]._world.ops_pasted(ops)
