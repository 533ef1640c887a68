"""Generate ``mock_td/SUPPORTED.md`` from the registry, the classes and the module docstrings.

``python3 -m mock_td.coverage`` rewrites the file; ``python3 -m mock_td.coverage --check`` exits 1 when
it is stale (a test runs the same check). Nothing here is written by hand: the operator types come
from the registry, members from the classes (minus their ``__td_not_modelled__`` lists), behaviour
notes from each module's docstring, and every UNCONFIRMED choice and DOCS DISAGREE note from the source
lines that say so.

The source of each member is kept next to its code: a class (or a module such as ``tdu``) names the
TD doc page its members come from in ``__td_source__``, and lists members documented elsewhere in
``__td_member_sources__`` (member -> source). A member takes the source of the class that defines it;
:func:`members_without_source` lists the ones that have none (a test keeps it empty).
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
    "operators.extensions", "operators.shortcuts", "process.runqueue", "operators.chop", "operators.webserver_dat",
    "process.webserver_net", "operators.tree_state",
    "operators.registry", "td_module", "pytest_plugin", "parameters.styles", "parameters.naming",
    "parameters.par", "parameters.par_definition", "parameters.par_value", "parameters.par_collection",
    "parameters.pargroup",
    "parameters.page", "parameters.sequence", "parameters.sequence_block", "parameters.par_owner",
    "parameters.builtin_pars", "parameters.par_state", "operators.table_data", "operators.cell", "operators.chop_data",
    "libraries.dependency", "libraries.tdu", "libraries.TDStoreTools", "libraries.TDFunctions", "values", "errors",
    "unsupported",
)

#: Non-operator classes published with their members: (module below ``mock_td.``, class name).
OTHER_CLASSES = (
    ("parameters.par", "Par"), ("parameters.par_collection", "ParCollection"), ("parameters.pargroup", "ParGroup"),
    ("parameters.page", "Page"), ("parameters.sequence", "Sequence"), ("parameters.sequence_block", "SequenceBlock"),
    ("operators.cell", "Cell"), ("operators.chop_data", "Channel"), ("process.runqueue", "Run"),
    ("td_module", "Runs"), ("process.clock", "AbsTime"), ("td_module", "Project"),
    ("libraries.dependency", "Dependency"), ("libraries.TDStoreTools", "StorageManager"),
    ("parameters.pargroup", "ParGroupCollection"), ("parameters.sequence", "SequenceCollection"),
)

#: Modules published under their TD names, whose public names are listed with their sources.
TD_MODULES = (("td", "td_module", "TD_NAME_SOURCES"), ("tdu", "libraries.tdu", None),
              ("TDFunctions", "libraries.TDFunctions", None))

SOURCES_LEGEND = (
    "Page names are docs.derivative.ca pages (`OP_Class` is https://docs.derivative.ca/OP_Class), read in",
    "the TouchDesigner 2023.11280-era copy of the repository `andrewdoud/TD-Docs` (`docs-trimmed-md/<page>.md`,",
    "or `docs.derivative.ca/<page>.html`). \"td_api_facts §n\" is the project's reference notes",
    "(`/work/shared/reference/td_api_facts.md`), which cite newer (2025) copies of the pages: those members",
    "are on the current pages but not on the 2023 copy. \"td-stubs\" is the repository `immersestudio/td-stubs`.",
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


def _marked(marker: str) -> list[str]:
    """Every bullet, paragraph or comment in the package's source holding ``marker``, with its file."""
    out: list[str] = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if path.name in ("coverage.py", "messages.py"):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        seen: set[str] = set()
        for i, line in enumerate(lines):
            if marker in line:
                item = _unconfirmed_item(lines, i)
                if item not in seen:
                    seen.add(item)
                    out.append(f"- `{path.relative_to(PACKAGE_DIR).as_posix()}`: {item}")
    return out


def _unconfirmed() -> list[str]:
    return _marked("UNCONFIRMED")


# ---- sources ----------------------------------------------------------------------------------------
def _definer(cls: type, name: str) -> type | None:
    return next((base for base in cls.__mro__ if name in base.__dict__), None)


def member_source(cls: Any, name: str) -> str | None:
    """Where TD documents ``cls``'s member ``name``: an override in ``__td_member_sources__`` of any class
    in the MRO, else the ``__td_source__`` of the class that defines the member (its own, not inherited)."""
    for base in cls.__mro__:
        overrides = base.__dict__.get("__td_member_sources__", {})
        if name in overrides:
            return str(overrides[name])
    definer = _definer(cls, name)
    if definer is None:  # a name only ``__getattr__`` answers (e.g. a not-modelled ``project`` member)
        definer = next((base for base in cls.__mro__ if "__td_source__" in base.__dict__), None)
        if definer is None:
            return None
    source = definer.__dict__.get("__td_source__")
    return None if source is None else str(source)


def _all_classes() -> list[type]:
    return [*registered_types().values(), *(getattr(_module(m), c) for m, c in OTHER_CLASSES)]


def _module_names(key: str, modname: str, table: str | None) -> dict[str, tuple[str, bool]]:
    """A published module's public names -> (source, modelled)."""
    module = _module(modname)
    if table is not None:
        sources: dict[str, str] = getattr(module, table)
        public = td_module().__all__
        not_modelled: dict[str, Any] = {}
    else:
        default = module.__dict__.get("__td_source__", "")
        overrides = module.__dict__.get("__td_member_sources__", {})
        not_modelled = module.__dict__.get("__td_not_modelled__", {})
        public = list(module.__all__) + list(not_modelled)
        sources = {n: overrides.get(n, default) for n in public}
    return {n: (sources.get(n, ""), n not in not_modelled) for n in sorted(set(public))}


def members_without_source() -> list[str]:
    """``Class.member`` (or ``module.name``) for every published member that names no source."""
    missing = []
    for cls in _all_classes():
        members, not_modelled = _public_members(cls)
        missing += [f"{cls.__name__}.{n}" for n in members + not_modelled if not member_source(cls, n)]
    for key, modname, table in TD_MODULES:
        missing += [f"{key}.{n}" for n, (source, _) in _module_names(key, modname, table).items() if not source]
    return sorted(set(missing))


def _sources_section() -> list[str]:
    rows: dict[str, dict[str, tuple[str, str]]] = {}
    for cls in _all_classes():
        members, not_modelled = _public_members(cls)
        for name in members + not_modelled:
            definer = _definer(cls, name)
            owner = definer.__name__ if definer is not None and definer.__module__.startswith("mock_td") \
                else cls.__name__
            mark = "not modelled" if name in not_modelled else "modelled"
            rows.setdefault(owner, {})[name] = (mark, member_source(cls, name) or "?")
    out = ["## Sources: the TD doc page behind each member", "", *SOURCES_LEGEND, "",
           "Each table lists the members a mock class defines (inherited ones appear under the class that",
           "defines them: `StorageMixin` and `NodeMixin` members are OP members, `TableDataMixin` ones belong",
           "to Table DATs, `ChopDataMixin` ones to every CHOP).", ""]
    for owner in sorted(rows):
        out += [f"### `{owner}`", "", "| member | mock | source |", "|---|---|---|"]
        out += [f"| `{n}` | {mark} | {src} |" for n, (mark, src) in sorted(rows[owner].items())]
        out.append("")
    for key, modname, table in TD_MODULES:
        out += [f"### module `{key}`", "", "| name | mock | source |", "|---|---|---|"]
        out += [f"| `{n}` | {'modelled' if ok else 'not modelled'} | {src or '?'} |"
                for n, (src, ok) in _module_names(key, modname, table).items()]
        out.append("")
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
        "- TD's `project.save(path=None, saveExternalToxs=False) -> True` keeps the project as saved (in the",
        "  session: no .toe file is written); `Session.reload()` saves too.",
        "- Mock-only: `Session.crash()`: the TD process dies (no `onExit`, no `onDestroyTD`, no save) and is",
        "  started again on the last save: storage and parameter changes since then are lost, files on disk",
        "  stay, `absTime` starts again at 0, extensions initialise as on any open. With no save since",
        "  `install()` it starts on a new project (textport warning).",
        "- Mock-only, opt-in: `Session.share_modules(resolver)` with `resolver(dat) -> module | None`: a",
        "  module the resolver returns stands for that text DAT's module (asked again when the text changes);",
        "  `share_modules(None)` turns it off. Off by default: in TD every DAT has its own module.",
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
    parts += _sources_section()
    parts += ["## Where the docs disagree", "",
              "Places where two TD doc pages (or two versions of one) say different things, and what the mock",
              "does; each line names the source file that made the choice.", ""]
    parts += _marked("DOCS DISAGREE")
    parts += ["", "## UNCONFIRMED choices", "",
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
