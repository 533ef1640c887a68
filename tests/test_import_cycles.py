"""No import cycles in mock_td/, lopflow/, toxes/ or the component folders under ext/.

The import graph is read from the source with ``ast`` (nothing is imported), counting every import
statement wherever it is, also inside functions: an import hidden in a function still ties the two
modules together and only moves the failure to run time. Imports under ``if TYPE_CHECKING:`` are
left out, because they never execute (they only name types for the checker).

How a name is resolved:
* ``mock_td`` and ``lopflow`` are packages: ``import mock_td.x``, ``from mock_td.x import y`` and
  relative imports name the module ``mock_td.x``; ``from mock_td import x`` names the submodule
  ``mock_td.x`` when there is one, else the package's ``__init__``.
* ``toxes/`` and every folder under ``ext/`` holding .py files are flat namespaces, as sibling Text
  DATs are in TouchDesigner: inside ``ext/FlowController/``, ``import flow_engine`` means
  ``ext/FlowController/flow_engine.py``. A bare name with no sibling of that name is outside the graph.
* Anything else (the standard library, ``td``, numpy, ...) is outside the graph.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("mock_td", "lopflow")
FLAT_ROOTS = ("toxes", "ext")


@dataclass(frozen=True)
class Module:
    """One source file: its key in the graph and how it names its imports."""

    key: str  # "mock_td.operators.op" or "ext/FlowController/flow_engine"
    path: Path
    package: str | None  # dotted package of a package module (for relative imports), else None
    folder: str | None  # the flat namespace folder ("ext/FlowController"), else None


def _package_modules(root: Path, name: str) -> Iterator[Module]:
    for path in sorted((root / name).rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        is_init = parts[-1] == "__init__"
        if is_init:
            parts = parts[:-1]
        dotted = ".".join(parts)
        package = dotted if is_init else ".".join(parts[:-1])
        yield Module(dotted, path, package, None)


def _flat_modules(root: Path, top: str) -> Iterator[Module]:
    base = root / top
    if not base.is_dir():
        return
    folders = sorted({p.parent for p in base.rglob("*.py")})
    for folder in folders:
        rel_folder = folder.relative_to(root).as_posix()
        for path in sorted(folder.glob("*.py")):
            yield Module(f"{rel_folder}/{path.stem}", path, None, rel_folder)


def collect_modules(root: Path = REPO) -> dict[str, Module]:
    """Every module of the checked folders, by graph key."""
    modules: dict[str, Module] = {}
    for name in PACKAGES:
        for m in _package_modules(root, name):
            modules[m.key] = m
    for top in FLAT_ROOTS:
        for m in _flat_modules(root, top):
            modules[m.key] = m
    return modules


def _is_type_checking_guard(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except the bodies of ``if TYPE_CHECKING:``."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
            continue
        if isinstance(node, ast.If) and _is_type_checking_guard(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _resolve_dotted(name: str, modules: dict[str, Module]) -> str | None:
    """The graph module a dotted name refers to: the name itself, else its longest known prefix."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def imports_of(module: Module, modules: dict[str, Module]) -> set[str]:
    """The graph modules ``module`` imports (anywhere in its body)."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
    found: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
            for target in targets:
                found.update(_targets(module, target, modules))
            continue
        if node.level:
            if module.package is None:
                continue
            base_parts = module.package.split(".")
            base_parts = base_parts[: len(base_parts) - (node.level - 1)]
            base = ".".join(base_parts + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        names = [alias.name for alias in node.names]
        hits = _targets(module, base, modules, from_names=names)
        found.update(hits)
    found.discard(module.key)
    return found


def _targets(module: Module, base: str, modules: dict[str, Module],
             from_names: list[str] | None = None) -> set[str]:
    first = base.split(".")[0]
    if module.folder is not None and "." not in base:
        sibling = f"{module.folder}/{base}"
        if sibling in modules:
            return {sibling}
    if first not in PACKAGES:
        return set()
    out: set[str] = set()
    if from_names:
        for name in from_names:
            sub = f"{base}.{name}"
            if sub in modules:
                out.add(sub)
            else:
                hit = _resolve_dotted(base, modules)
                if hit is not None:
                    out.add(hit)
        return out
    hit = _resolve_dotted(base, modules)
    return {hit} if hit is not None else set()


def import_graph(root: Path = REPO) -> dict[str, set[str]]:
    """Module key -> the module keys it imports."""
    modules = collect_modules(root)
    return {key: imports_of(m, modules) for key, m in modules.items()}


def tangled_groups(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (each module reaches every other one)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0

    def strongconnect(v: str) -> None:  # Tarjan's algorithm
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return groups


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One shortest cycle (``[a, b, ..., a]``) for each tangled group of modules."""
    return [_one_cycle(graph, set(group)) for group in tangled_groups(graph)]


def _one_cycle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest cycle through the first module of ``group``, staying inside the group (BFS)."""
    start = min(group)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, v, start]
                if w not in previous:
                    previous[w] = v
                    nxt.append(w)
        frontier = nxt
    return sorted(group)  # pragma: no cover - a strongly connected group always has a cycle


def _describe(graph: dict[str, set[str]]) -> str:
    lines = []
    for group in tangled_groups(graph):
        lines.append(f"{len(group)} modules import each other: {', '.join(group)}")
        lines.append("  for example: " + " -> ".join(_one_cycle(graph, set(group))))
    return "\n".join(lines)


# ---- tests --------------------------------------------------------------------------------------


def test_no_import_cycle_in_mock_td_lopflow_toxes_or_ext() -> None:
    graph = import_graph()
    tangled = bool(tangled_groups(graph))
    assert not tangled, "import cycles (imports inside functions count):\n" + _describe(graph)


def test_the_checker_sees_every_checked_folder() -> None:
    keys = set(collect_modules())
    assert "mock_td" in keys and "lopflow" in keys
    assert any(k.startswith("toxes/") for k in keys)
    assert any(k.startswith("ext/") and k.count("/") >= 2 for k in keys)


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    _write(tmp_path, {
        "mock_td/__init__.py": "",
        "mock_td/a.py": "from mock_td.b import x\n",
        "mock_td/b.py": "x = 1\n\ndef late():\n    from mock_td import a\n    return a\n",
        "mock_td/c.py": "from . import a\n",
    })
    cycles = find_cycles(import_graph(tmp_path))
    assert cycles == [["mock_td.a", "mock_td.b", "mock_td.a"]]


def test_sibling_modules_of_an_ext_folder_import_by_bare_name(tmp_path: Path) -> None:
    _write(tmp_path, {
        "ext/Comp/one.py": "import two\n",
        "ext/Comp/two.py": "def f():\n    import one\n",
        "ext/Other/two.py": "import one\n",  # no sibling 'one' here: outside the graph
    })
    graph = import_graph(tmp_path)
    assert graph["ext/Other/two"] == set()
    assert find_cycles(graph) == [["ext/Comp/one", "ext/Comp/two", "ext/Comp/one"]]


def test_type_checking_imports_and_outside_modules_do_not_count(tmp_path: Path) -> None:
    _write(tmp_path, {
        "lopflow/__init__.py": "",
        "lopflow/a.py": "from typing import TYPE_CHECKING\nimport json\nif TYPE_CHECKING:\n    from lopflow.b import B\n",
        "lopflow/b.py": "from lopflow.a import thing\n",
    })
    graph = import_graph(tmp_path)
    assert graph["lopflow.a"] == set() and graph["lopflow.b"] == {"lopflow.a"}
    assert find_cycles(graph) == []


#: mock_td's layers, lowest first: a module may import its own layer or a lower one, never a higher one
#: (upward notifications go through the world object, see mock_td/process/world.py).
MOCK_TD_LAYERS = (
    ("mock_td.messages", "mock_td.errors", "mock_td.unsupported", "mock_td.values"),
    ("mock_td.process", "mock_td.libraries"),
    ("mock_td.parameters",),
    ("mock_td.operators",),
    ("mock_td.td_module",),
    ("mock_td.session",),
    ("mock_td", "mock_td.pytest_plugin", "mock_td.coverage"),
)


def _layer(module: str) -> int:
    best, rank = -1, -1
    for i, prefixes in enumerate(MOCK_TD_LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    assert rank >= 0, f"{module} is in no layer of MOCK_TD_LAYERS"
    return rank


def test_mock_td_families_import_only_downwards() -> None:
    graph = import_graph()
    upward = [f"{src} -> {dst}" for src, targets in sorted(graph.items()) if src.startswith("mock_td")
              for dst in sorted(targets) if dst.startswith("mock_td") and _layer(dst) > _layer(src)]
    assert not upward, "imports that go up a layer (use the world's hooks instead):\n" + "\n".join(upward)
