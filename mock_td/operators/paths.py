"""Operator paths and name patterns, as TD resolves them.

* Absolute paths start at ``/``. Relative paths start at an anchor: a COMP's ``op()`` looks inside
  it; any other OP's ``op()`` looks at its siblings (its parent network). ``.`` is the anchor OP itself
  and ``..`` its parent, so in a DAT ``op('..')`` is the COMP holding it.
* With ``as_parameter`` (parameter expressions, ``run(asParameter=True)``) a COMP anchor treats a bare
  name as a sibling, while ``./name`` still looks inside it (the Component Editor's
  ``op('./MyExt')`` form; UNCONFIRMED, inferred from a community report that a bare ``op('MyExt')``
  fails in the Extension Object parameter).
* ``OP.digits`` / ``OP.base`` follow TD's name rule in ``values`` (digits may be in the middle of the
  name); the collision rule of ``create``/``copy`` counts trailing digits.
* DOCS DISAGREE: the project's td_api_facts notes say relative paths in a COMP's OP parameters resolve
  inside the COMP; the ParCollection Class example (``op('geo1').par.lookat = 'null1'``, geo1's sibling)
  and the Internal Operators page (``./geo1`` for a node inside) say a bare name is a sibling. The mock
  follows the pages: ``OP._parOP`` uses the parameter rule for constant values and expression results.
* Names may hold the wildcards ``*``, ``?`` and ``[abc]`` (fnmatch, case-sensitive); a pattern string
  may hold several space-separated patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_td.operators.op import OP

_WILD = re.compile(r"[*?\[]")
VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DIGITS = re.compile(r"^(.*?)(\d+)$")


def has_wildcard(text: str) -> bool:
    """True when ``text`` holds a wildcard character."""
    return bool(_WILD.search(text))


def split_digits(name: str) -> tuple[str, int | None]:
    """``'text12'`` -> ``('text', 12)``; ``'abc'`` -> ``('abc', None)`` (TD's ``base`` / ``digits``)."""
    m = _DIGITS.match(name)
    if not m:
        return name, None
    return m.group(1), int(m.group(2))


def next_free_name(wanted: str, taken: Iterable[str]) -> str:
    """TD's collision rule: ``wanted`` if free, else the same base with the next free number."""
    used = set(taken)
    if wanted not in used:
        return wanted
    base, digits = split_digits(wanted)
    n = (digits or 0) + 1
    while f"{base}{n}" in used:
        n += 1
    return f"{base}{n}"


def match_name(pattern: str, name: str) -> bool:
    """Case-sensitive wildcard match of one name."""
    if not has_wildcard(pattern):
        return pattern == name
    return fnmatchcase(name, pattern)


def split_patterns(patterns: tuple[Any, ...]) -> list[Any]:
    """Flatten ``op('a b', 'c')`` style arguments into single patterns (ints and OPs pass through)."""
    out: list[Any] = []
    for p in patterns:
        if isinstance(p, str):
            out.extend(p.split())
        else:
            out.append(p)
    return out


def _step(nodes: list[OP], part: str) -> list[OP]:
    out: list[OP] = []
    for node in nodes:
        if part == ".":
            out.append(node)
        elif part == "..":
            parent = node._parent
            if parent is not None:
                out.append(parent)
        elif node.isCOMP:
            children = node._children
            if has_wildcard(part):
                out.extend(c for n, c in children.items() if fnmatchcase(n, part))
            else:
                child = children.get(part)
                if child is not None:
                    out.append(child)
    return out


def resolve(anchor: OP, pattern: str, root: OP, as_parameter: bool = False) -> Iterator[OP]:
    """Every OP that ``pattern`` names, seen from ``anchor`` (see the module docstring)."""
    if pattern.startswith("/"):
        nodes: list[OP] = [root]
        parts = [p for p in pattern.split("/") if p]
    else:
        parts = [p for p in pattern.split("/") if p]
        if not parts:
            return iter(())
        first = parts[0]
        if first in (".", ".."):
            nodes = [anchor]
        elif anchor.isCOMP and not as_parameter:
            nodes = [anchor]
        else:
            parent = anchor._parent
            nodes = [parent] if parent is not None else []
    for part in parts:
        nodes = _step(nodes, part)
        if not nodes:
            break
    if len(nodes) < 2:
        return iter(nodes)
    seen: set[int] = set()
    result = []
    for n in nodes:
        if id(n) not in seen:
            seen.add(id(n))
            result.append(n)
    return iter(result)


def relative_path(src: OP, dst: OP) -> str:
    """The path from ``src`` to ``dst`` as TD's ``OP.relativePath`` gives it (``./x``, ``../x``)."""
    a = [p for p in src.path.split("/") if p]
    b = [p for p in dst.path.split("/") if p]
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    ups = len(a) - i
    rest = b[i:]
    if ups == 0:
        return "./" + "/".join(rest) if rest else "."
    return "/".join([".."] * ups + rest)
