"""mock_td's error and warning texts live in ``mock_td/messages.py``, and every use fills them correctly.

Read with ``ast`` (nothing runs): each ``msg.NAME.format(...)`` call passes exactly the fields its
template names (so no message raises KeyError on a rare path), every template is used, and no
``raise`` or ``not_modelled`` hint elsewhere in mock_td carries its own literal text.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "mock_td"
#: Every module imports the texts as ``from mock_td import messages as msg``; the modules TD publishes
#: (``tdu``, ``TDFunctions``) keep their helper names private and import them as ``_msg``.
ALIASES = ("msg", "_msg")


def _templates() -> dict[str, str]:
    tree = ast.parse((PACKAGE / "messages.py").read_text(encoding="utf-8"))
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                assert isinstance(target, ast.Name)
                out[target.id] = node.value.value
    return out


def _fields(template: str) -> set[str]:
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(template) if field}


def _sources() -> list[tuple[Path, ast.AST]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"), filename=str(p)))
            for p in sorted(PACKAGE.rglob("*.py")) if p.name != "messages.py"]


def _template_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ALIASES:
        return node.attr
    return None


def test_every_format_call_fills_exactly_the_fields_of_its_template() -> None:
    templates = _templates()
    problems = []
    for path, tree in _sources():
        formatted: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
                name = _template_name(node.func.value)
                if name is None:
                    continue
                formatted.add(id(node.func.value))
                given = {k.arg for k in node.keywords}
                where = f"{path.relative_to(PACKAGE)}:{node.lineno} msg.{name}"
                if name not in templates:
                    problems.append(f"{where}: no such template")
                elif node.args or None in given or given != _fields(templates[name]):
                    problems.append(f"{where}: fills {sorted(k for k in given if k)}, the template names "
                                    f"{sorted(_fields(templates[name]))}")
        for node in ast.walk(tree):
            name = _template_name(node)
            if name is not None and id(node) not in formatted and name in templates and _fields(templates[name]):
                problems.append(f"{path.relative_to(PACKAGE)}:{node.lineno} msg.{name} is used without .format()")
    assert not problems, "\n".join(problems)


def test_every_template_is_used() -> None:
    used = {name for _, tree in _sources() for node in ast.walk(tree) if (name := _template_name(node))}
    unused = sorted(set(_templates()) - used)
    assert not unused, f"texts nobody uses: {unused}"


def _literal_text(node: ast.AST | None) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_exception_class(func: ast.AST) -> bool:
    """``ValueError(...)``, ``tdError(...)``: a class (not a helper such as ``no_attribute_error``)."""
    return isinstance(func, ast.Name) and (func.id[:1].isupper() or func.id.startswith("td"))


def test_no_error_text_is_written_outside_messages() -> None:
    offenders = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and _is_exception_class(node.exc.func) \
                    and node.exc.args and _literal_text(node.exc.args[0]):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} raise with a literal text")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "not_modelled" \
                    and len(node.args) > 1 and _literal_text(node.args[1]):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} not_modelled hint with a literal text")
    assert not offenders, "\n".join(offenders)
