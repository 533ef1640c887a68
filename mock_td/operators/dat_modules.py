"""Text DATs as Python modules, the way TD runs them.

* ``dat.module`` executes the DAT's text as a module named after the DAT, with TD's globals bound to
  that DAT (``me``, ``op``/``ops`` relative to it, ``parent``, ``iop``, ``ipar``, ``ext``, ``mod``,
  ``run``, ``absTime``, ``debug``, the type classes, ...). The module is cached and rebuilt when the
  text changes. Errors in the text propagate to whoever asked for the module.
* ``import X`` (and ``from X import ...``) inside DAT code first looks for a DAT named ``X``:
  1. a sibling of the importing DAT; 2. ``local/modules`` of its component; 3. ``local/modules`` of
  each enclosing component in turn; then the normal ``sys.path`` import. DAT modules are not put in
  ``sys.modules`` (only while the module's own code runs, under the DAT's name, so dataclasses work)
  and cannot form packages. DAT code never inherits mock_td's ``from __future__`` flags. ``TDStoreTools`` and ``TDFunctions`` import normally.
* Mock-only and opt-in (``Session.share_modules(resolver)``): before building a DAT's module, the
  session's resolver may hand over an already-imported Python module to use instead, so a headless tool
  that imported a component's files once does not get a second copy of every class. Off by default.
* ``print()`` and ``debug()`` in DAT code write to the textport (and stdout). ``debug`` appends the
  source as ``(<DAT path> line <n>)`` (UNCONFIRMED: TD's exact format).
"""

from __future__ import annotations

import builtins
import linecache
import sys
import types
from typing import Any

_real_import = builtins.__import__


def find_module_dat(anchor: Any, name: str) -> Any:
    """The DAT ``import name`` finds from ``anchor``, or None (see the module docstring)."""
    comp = anchor._parent if anchor._parent is not None else anchor
    hit = comp._children.get(name)
    if hit is not None and _is_text_dat(hit):
        return hit
    node = comp
    while node is not None:
        local = node._children.get("local")
        if local is not None and local.isCOMP:
            mods = local._children.get("modules")
            if mods is not None and mods.isCOMP:
                hit = mods._children.get(name)
                if hit is not None and _is_text_dat(hit):
                    return hit
        node = node._parent
    return None


def _is_text_dat(op: Any) -> bool:
    return bool(op.isDAT and hasattr(op, "_text") and op._valid)


def make_builtins(owner: Any) -> dict[str, Any]:
    """A ``__builtins__`` dict whose ``import`` finds DATs from ``owner`` and whose ``print`` goes to the textport."""
    world = owner._world

    def td_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:  # noqa: A002
        if level == 0 and "." not in name and owner._valid:
            dat = find_module_dat(owner, name)
            if dat is not None:
                return dat.module
        return _real_import(name, globals, locals, fromlist, level)

    def td_print(*args: Any, sep: str | None = " ", end: str | None = "\n", file: Any = None, flush: bool = False) -> None:
        if file is not None and file is not sys.stdout:
            builtins.print(*args, sep=sep, end=end, file=file, flush=flush)
            return
        text = (" " if sep is None else sep).join(str(a) for a in args)
        world.print(text)

    b = dict(builtins.__dict__)
    b["__import__"] = td_import
    b["print"] = td_print
    return b


def build_module(dat: Any, text: str) -> types.ModuleType:
    """Execute ``text`` as the module of ``dat`` (mock-internal; use ``dat.module``)."""
    filename = dat.path
    module = types.ModuleType(dat.name)
    ns = module.__dict__
    ns.update(dat._world.namespace(dat))
    ns["__builtins__"] = make_builtins(dat)
    ns["__name__"] = dat.name
    ns["__file__"] = filename
    lines = text.splitlines(True)
    linecache.cache[filename] = (len(text), None, lines, filename)
    code = compile(text, filename, "exec", dont_inherit=True)
    w = dat._world
    w.context.append(dat)
    # While it runs, the module is reachable as sys.modules[<DAT name>] (dataclasses and typing look
    # classes' modules up there); the previous entry, if any, comes back afterwards.
    key = dat.name
    previous = sys.modules.get(key)
    sys.modules[key] = module
    try:
        exec(code, ns)  # noqa: S102 - TD executes DAT text as Python
    finally:
        w.context.pop()
        if previous is None:
            sys.modules.pop(key, None)
        else:
            sys.modules[key] = previous
    return module


def exec_script(world: Any, source: Any, args: tuple[Any, ...], from_op: Any, as_parameter: bool = False) -> None:
    """Execute a run() script (str, DAT or Cell) with ``args``; exceptions are recorded, not raised.

    This is the world's ``run_script`` hook: the run queue calls it for every due run.
    """
    if isinstance(source, str):
        text, filename, me = source, "<run script>", from_op
    elif getattr(source, "isDAT", False) and not isinstance(source, str):
        if not source._valid:
            return
        text, filename, me = source.text, source.path, from_op or source
    else:  # a table Cell
        text, filename, me = str(source.val), "<run cell>", from_op or source.owner
    if me is None or not me._valid:
        me = world.root
    ns = world.namespace(me, as_parameter=as_parameter)
    ns["__builtins__"] = make_builtins(me)
    ns["args"] = tuple(args)
    ns["__name__"] = "__main__"

    def go() -> None:
        exec(compile(text, filename, "exec", dont_inherit=True), ns)  # noqa: S102

    world.call_guarded(me, "run", go)
