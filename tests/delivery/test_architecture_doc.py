"""docs/architecture.md stays true: every file and function its call-path tables name exists."""

from __future__ import annotations

import ast
import re

from lopflow.repo import REPO_ROOT

DOC = REPO_ROOT / "docs" / "architecture.md"
_CODE = re.compile(r"`([^`]+)`")


def _defined(path: str) -> dict[str, set[str]]:
    """Top-level functions and classes of ``path`` -> the names each class defines ('' holds the module's)."""
    tree = ast.parse((REPO_ROOT / path).read_text(encoding="utf-8"))
    names: dict[str, set[str]] = {"": set()}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[""].add(node.name)
        if isinstance(node, ast.ClassDef):
            names[node.name] = {item.name for item in node.body
                                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)}
    return names


def _call_path_rows() -> list[tuple[str, list[str]]]:
    """(file, [function names]) of every row of the tables with a File and a Function column."""
    rows = []
    in_table = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("| # | File | Function |"):
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        if in_table and not line.startswith("| ---"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            (path,) = _CODE.findall(cells[1])
            rows.append((path, _CODE.findall(cells[2])))
    return rows


def test_every_named_file_and_function_exists() -> None:
    rows = _call_path_rows()
    assert len(rows) >= 15
    missing = []
    for path, functions in rows:
        if not (REPO_ROOT / path).is_file():
            missing.append(path)
            continue
        defined = _defined(path)
        every_method = set().union(*defined.values())
        owner = ""
        for name in functions:
            for part in re.split(r"\s*(?:→|,|/)\s*", name):
                if "." in part:
                    owner, part = part.split(".", 1)
                    if owner not in defined:
                        missing.append(f"{path}: class {owner}")
                        continue
                known = defined.get(owner, set()) | (defined[""] if not owner else set())
                if part not in known and part not in every_method:
                    missing.append(f"{path}: {owner + '.' if owner else ''}{part}")
    assert missing == []
