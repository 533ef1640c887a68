"""Generate ``mock_td/SUPPORTED.md`` from the registry, the classes and the module docstrings.

``python3 -m mock_td.coverage`` rewrites the file; ``python3 -m mock_td.coverage --check`` exits 1 when
it is stale (a test runs the same check). Nothing here is written by hand: the operator types come
from the registry, members from the classes (minus their ``__td_not_modelled__`` lists), behaviour
notes from each module's docstring, and every UNCONFIRMED choice from the source lines that say so.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path
from typing import Any

import mock_td
from mock_td import session
from mock_td.operators.registry import registered_types
from mock_td.td_module import td_module

PACKAGE_DIR = Path(mock_td.__file__).resolve().parent
TARGET = PACKAGE_DIR / "SUPPORTED.md"

#: Modules whose docstrings describe behaviour, in reading order (names below ``mock_td.``).
BEHAVIOUR_MODULES = (
    "session", "process.world", "process.clock", "operators.paths", "operators.op", "operators.node", "operators.comp",
    "operators.storage", "operators.dat", "operators.dat_modules", "operators.execute_dats",
    "operators.extensions", "operators.shortcuts", "process.runqueue", "operators.chop", "operators.tree_state",
    "operators.registry", "td_module", "pytest_plugin", "parameters.styles", "parameters.naming",
    "parameters.par", "parameters.par_definition", "parameters.par_value", "parameters.par_collection",
    "parameters.pargroup",
    "parameters.page", "parameters.sequence", "parameters.sequence_block", "parameters.par_owner",
    "parameters.builtin_pars", "parameters.par_state", "operators.table_data", "operators.cell", "operators.chop_data",
    "libraries.dependency", "libraries.tdu", "libraries.TDStoreTools", "libraries.TDFunctions", "errors",
    "unsupported",
)

#: Non-operator classes published with their members: (module below ``mock_td.``, class name).
OTHER_CLASSES = (
    ("parameters.par", "Par"), ("parameters.par_collection", "ParCollection"), ("parameters.pargroup", "ParGroup"),
    ("parameters.page", "Page"), ("parameters.sequence", "Sequence"), ("parameters.sequence_block", "SequenceBlock"),
    ("operators.cell", "Cell"), ("operators.chop_data", "Channel"), ("process.runqueue", "Run"),
    ("td_module", "Runs"), ("process.clock", "AbsTime"), ("td_module", "Project"),
    ("libraries.dependency", "Dependency"), ("libraries.TDStoreTools", "StorageManager"),
)


def _module(name: str) -> Any:
    return importlib.import_module(f"mock_td.{name}")


def _public_members(cls: type) -> tuple[list[str], list[str]]:
    not_modelled = dict(getattr(cls, "__td_not_modelled__", {}))
    for base in cls.__mro__:
        not_modelled.update(getattr(base, "__td_not_modelled__", {}))
    names = sorted(n for n in dir(cls) if not n.startswith("_") and n not in not_modelled)
    return names, sorted(not_modelled)


def _frame_order() -> str:
    doc = inspect.getdoc(session) or ""
    lines = doc.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Order of one frame"))
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("* ")), len(lines))
    return "\n".join(lines[start:end]).strip()


def _is_break(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith(('"""', "* ", "- ", "#")) or s.endswith('"""')


def _unconfirmed_item(lines: list[str], i: int) -> str:
    """The bullet, paragraph or comment holding the UNCONFIRMED mark on line ``i``."""
    line = lines[i]
    stripped = line.strip()
    if "#" in line and "UNCONFIRMED" in line[line.index("#"):]:
        code, _, comment = line.partition("#")
        return f"`{code.strip()}` ({comment.strip()})" if code.strip() else comment.strip()
    if stripped.startswith('"""') and stripped.endswith('"""') and len(stripped) > 6:
        return stripped.strip('"').strip()
    start = i
    while start > 0 and not line.strip().startswith(("* ", "- ")) and not _is_break(lines[start - 1]) \
            and not lines[start].strip().startswith(("* ", "- ")):
        start -= 1
    if lines[start - 1].strip().startswith(("* ", "- ")) and not lines[start].strip().startswith(("* ", "- ")):
        start -= 1
    end = i + 1
    while end < len(lines) and not _is_break(lines[end]):
        end += 1
    text = " ".join(x.strip() for x in lines[start:end])
    return text.strip('"').lstrip("*- ").strip()


def _unconfirmed() -> list[str]:
    out: list[str] = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if path.name in ("coverage.py", "messages.py"):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        seen: set[str] = set()
        for i, line in enumerate(lines):
            if "UNCONFIRMED" in line:
                item = _unconfirmed_item(lines, i)
                if item not in seen:
                    seen.add(item)
                    out.append(f"- `{path.relative_to(PACKAGE_DIR).as_posix()}`: {item}")
    return out


def generate() -> str:
    """The full text of SUPPORTED.md."""
    td = td_module()
    parts = [
        "# mock_td: what is supported",
        "",
        "GENERATED by `python3 -m mock_td.coverage` from the operator registry, the classes and the module",
        "docstrings. Do not edit by hand; a test fails when this file is stale.",
        "",
        "## Session API",
        "",
        "- `mock_td.install(project_folder=None, cook_rate=60) -> Session`: a new project (`/project1`",
        "  containerCOMP, `/local` baseCOMP); `import td`, `tdu`, `TDStoreTools`, `TDFunctions` work.",
        "- `Session.advance(frames=1)`, `Session.advance_seconds(seconds)`, `Session.reload()`,",
        "  `Session.root`, `Session.frame`, `Session.seconds`.",
        "- Mock-only: `Session.advance_until(condition, max_frames=600, timeout=10.0) -> frames played`: plays",
        "  frames one at a time until `condition()` is true, yielding to worker threads between frames; raises",
        "  `mock_td.AdvanceLimitError` naming `max_frames` (TD time) or `timeout` (wall seconds) when one is reached.",
        "- Mock-only: `Session.textport` (lines printed to the textport), `Session.script_exceptions`,",
        "  `Session.take_script_exceptions()` (returns and clears them). Script exceptions are the exceptions",
        "  script code raised that TD caught, and every script error a component added with `OP.addScriptError`",
        "  (`ScriptException.where == 'addScriptError'`, `exception` a `mock_td.ReportedScriptError`);",
        "  `OP.clearScriptErrors()` clears what the OP shows, not what was reported.",
        "- pytest: the `td_session` fixture (plugin `mock_td.pytest_plugin`) fails a test whose script",
        "  exceptions were not taken.",
        "",
        "## Frame order",
        "",
        _frame_order(),
        "",
        "## `td` module names",
        "",
        ", ".join(f"`{n}`" for n in td.__all__),
        "",
        "## Operator types",
        "",
    ]
    for tname, cls in registered_types().items():
        members, missing = _public_members(cls)
        parts += [f"### `{tname}` ({cls.family})", "", "Supported: " + ", ".join(f"`{m}`" for m in members), ""]  # type: ignore[attr-defined]
        if missing:
            parts += ["Not modelled (raise NotImplementedError): " + ", ".join(f"`{m}`" for m in missing), ""]
    parts += ["## Other classes", ""]
    for modname, clsname in OTHER_CLASSES:
        other: Any = getattr(_module(modname), clsname)
        members, missing = _public_members(other)
        parts += [f"### `{clsname}`", "", "Supported: " + ", ".join(f"`{m}`" for m in members), ""]
        if missing:
            parts += ["Not modelled (raise NotImplementedError): " + ", ".join(f"`{m}`" for m in missing), ""]
    parts += ["## Behaviour, module by module", ""]
    for modname in BEHAVIOUR_MODULES:
        doc = inspect.getdoc(_module(modname))
        if doc:
            parts += [f"### `mock_td.{modname}`", "", doc, ""]
    parts += ["## UNCONFIRMED choices", "",
              "Behaviour no TD doc confirmed; each line names the source file that made the choice.", ""]
    parts += _unconfirmed()
    return "\n".join(parts).rstrip() + "\n"


def is_stale() -> bool:
    """True when SUPPORTED.md differs from what :func:`generate` produces."""
    return not TARGET.exists() or TARGET.read_text(encoding="utf-8") != generate()


def main(argv: list[str] | None = None) -> int:
    """Rewrite SUPPORTED.md, or with ``--check`` report whether it is stale."""
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        if is_stale():
            print("mock_td/SUPPORTED.md is stale: run python3 -m mock_td.coverage")
            return 1
        return 0
    TARGET.write_text(generate(), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
