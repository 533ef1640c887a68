"""The network as plain data: what a .toe save keeps, used by ``Session.reload()`` and ``COMP.copy``.

Each OP becomes a dict of plain, picklable data: type, name, parameters (PARS's ``_parsSnapshot``),
table data (``_dataSnapshot``) or text, storage (pickled, startup values applied), tags, layout,
flags, comment, the name of the sibling it is docked to, and its children. Live Python objects
(modules, extension instances, runs) are never carried over.
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
        data["children"] = [snapshot_op(c, warn) for c in op._children.values()]
    return data


def build_op(parent: Any, data: dict[str, Any], pasted: bool = False) -> Any:
    """Recreate an OP (and its children) from :func:`snapshot_op` data inside ``parent``."""
    w = parent._world
    cls = OP_TYPES[data["type"]]
    name = next_free_name(data["name"], parent._children) if pasted else data["name"]
    was = w.restoring
    w.restoring = True
    try:
        op = parent._newChild(cls, name)
        restore_into(op, data)
    finally:
        w.restoring = was
    return op


def restore_into(op: Any, data: dict[str, Any]) -> None:
    """Give the fresh OP ``op`` the state in ``data`` and recreate its children (no callbacks fire)."""
    op._parsRestore(data["pars"])
    load_storage(op, data["storage"])
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
        restore_into(new, child)
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
    try:
        root = OP_TYPES["baseCOMP"](world, None, "")
        world.root = root
        restore_into(root, data)
    finally:
        world.restoring = False
    return root


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
