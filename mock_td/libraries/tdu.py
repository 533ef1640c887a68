"""The ``tdu`` utility module of TD (the "TDU Class" default instance), as far as mock_td models it.

Modelled: ``Dependency``, ``rand``, ``clamp``, ``remap``, ``base``, ``digits``, ``validName``,
``validPath``, ``expand``, ``split``, ``match``, ``tryExcept``, ``ParMenu``, ``TableMenu``.
Not modelled (NotImplementedError naming the symbol when touched): ``FileInfo``, ``Matrix``,
``Position``, ``Vector``, ``Quaternion``, ``Color``, ``ArcBall``, ``Timecode``, ``debug``,
``fileTypes``, ``expandPath``, ``collapsePath``, ``Camera``, ``forceCrash`` (and the stubs'
``PathInfo``). Helper names this module imports are private, so ``tdu.<name>`` exists only for TD's names.
``base``/``digits`` search only after the last ``/`` (Tdu Module page; the same rule as ``OP.base`` /
``OP.digits``, see ``values``).

Choices not confirmed by TD's docs: ``rand`` is Python's Mersenne Twister seeded with the seed
(numbers as floats, so ``rand(1) == rand(1.0)``); ``validName`` replaces every character other than
letters, digits and ``_`` with ``_`` (``validPath`` also keeps ``/`` and ``.``); ``match`` supports
``*``, ``?``, ``[...]`` and ``^pattern`` exclusions.
"""

import ast as _ast
import fnmatch as _fnmatch
import random as _random
import re as _re
import shlex as _shlex
import typing as _t

from mock_td import messages as _msg
from mock_td.libraries.dependency import Dependency
from mock_td.unsupported import not_modelled as _not_modelled
from mock_td.values import name_base as _name_base
from mock_td.values import name_digits as _name_digits

__all__ = [
    "Dependency", "rand", "clamp", "remap", "base", "digits", "validName", "validPath", "expand", "split",
    "match", "tryExcept", "ParMenu", "TableMenu",
]

_NOT_MODELLED = (
    "FileInfo", "Matrix", "Position", "Vector", "Quaternion", "Color", "ArcBall", "Timecode", "debug",
    "fileTypes", "expandPath", "collapsePath", "Camera", "forceCrash", "PathInfo",
)
__td_not_modelled__ = {name: f"tdu.{name}" for name in _NOT_MODELLED}
__td_source__ = "Tdu Module page"
__td_member_sources__ = {"PathInfo": "td-stubs tdu.pyi (not on the Tdu Module page)"}


def __getattr__(name: str) -> _t.NoReturn:
    if name in _NOT_MODELLED:
        _not_modelled(f"tdu.{name}")
    raise AttributeError(_msg.MODULE_NO_ATTRIBUTE.format(module="tdu", name=name))


def rand(seed: _t.Any) -> float:
    """A random float in [0, 1), always the same for the same seed."""
    key = float(seed) if isinstance(seed, int | float) else str(seed)
    return _random.Random(key).random()


def clamp(inputVal: _t.Any, min: _t.Any, max: _t.Any) -> _t.Any:  # noqa: A002, N803 - TD's names
    """``inputVal`` limited to the range [min, max]."""
    if inputVal < min:
        return min
    if inputVal > max:
        return max
    return inputVal


def remap(inputVal: float, fromMin: float, fromMax: float, toMin: float, toMax: float) -> float:  # noqa: N803
    """Map ``inputVal`` linearly from [fromMin, fromMax] to [toMin, toMax]."""
    if fromMax == fromMin:
        return toMin
    return toMin + (inputVal - fromMin) * (toMax - toMin) / (fromMax - fromMin)


def base(s: str) -> str:
    """The part after the last ``/`` that comes before any digit: ``base('arm123/leg456') == 'leg'``."""
    return _name_base(str(s))


def digits(s: str) -> int | None:
    """The last run of digits after the last ``/`` (``digits('arm123/456leg') == 456``), or None."""
    return _name_digits(str(s))


def validName(name: str) -> str:  # noqa: N802 - TD's name
    """``name`` with every character that is not a letter, digit or ``_`` replaced by ``_``."""
    return _re.sub(r"[^A-Za-z0-9_]", "_", str(name))


def validPath(path: str) -> str:  # noqa: N802 - TD's name
    """``path`` with invalid characters replaced by ``_`` (keeps ``/`` and ``.``)."""
    return _re.sub(r"[^A-Za-z0-9_/.]", "_", str(path))


_BRACKET = _re.compile(r"\[([^\[\]]*)\]")


def _expand_one(item: str) -> list[str]:
    found = _BRACKET.search(item)
    if found is None:
        return [item]
    head, tail = item[:found.start()], item[found.end():]
    choices: list[str] = []
    for part in found.group(1).split(","):
        numeric = _re.fullmatch(r"(\d+)-(\d+)", part.strip())
        if numeric:
            lo, hi = int(numeric.group(1)), int(numeric.group(2))
            step = 1 if hi >= lo else -1
            choices.extend(str(n) for n in range(lo, hi + step, step))
        elif "," in found.group(1):
            choices.append(part.strip())
        else:
            choices.extend(part)
    return [e for choice in choices for e in _expand_one(head + choice + tail)]


def expand(pattern: str) -> list[str]:
    """Expand TD's bracket patterns: ``'A[1-3] B'`` -> ``['A1', 'A2', 'A3', 'B']``."""
    return [e for item in str(pattern).split() for e in _expand_one(item)]


def split(string: str, eval: bool = False) -> list[_t.Any]:  # noqa: A002 - TD's name
    """Split on spaces, honouring quotes; with ``eval=True`` items become Python literals when possible."""
    items = _shlex.split(str(string))
    if not eval:
        return items
    result: list[_t.Any] = []
    for item in items:
        try:
            result.append(_ast.literal_eval(item))
        except (ValueError, SyntaxError):
            result.append(item)
    return result


def match(pattern: str, inputList: _t.Iterable[str], caseSensitive: bool = True) -> list[str]:  # noqa: N803
    """Items of ``inputList`` matching the space-separated ``pattern`` (``^p`` excludes)."""
    include = [p for p in str(pattern).split() if not p.startswith("^")]
    exclude = [p[1:] for p in str(pattern).split() if p.startswith("^")]

    def hit(item: str, patterns: list[str]) -> bool:
        if caseSensitive:
            return any(_fnmatch.fnmatchcase(item, p) for p in patterns)
        return any(_fnmatch.fnmatchcase(item.lower(), p.lower()) for p in patterns)

    if not include and exclude:
        include = ["*"]
    return [item for item in inputList if hit(str(item), include) and not hit(str(item), exclude)]


def tryExcept(func1: _t.Callable[[], _t.Any], func2orValue: _t.Any) -> _t.Any:  # noqa: N802, N803 - TD's names
    """``func1()``, or on any exception ``func2orValue()`` if callable else ``func2orValue``."""
    try:
        return func1()
    except Exception:  # noqa: BLE001 - that is the point of tryExcept
        return func2orValue() if callable(func2orValue) else func2orValue


class ParMenu:
    """A menu source object: ``menuNames`` and ``menuLabels`` (labels default to names)."""

    def __init__(self, menuNames: _t.Iterable[_t.Any], menuLabels: _t.Iterable[_t.Any] | None = None) -> None:  # noqa: N803
        self.menuNames = [str(n) for n in menuNames]
        self.menuLabels = [str(n) for n in menuLabels] if menuLabels is not None else list(self.menuNames)

    def __repr__(self) -> str:
        return f"tdu.ParMenu({self.menuNames!r}, {self.menuLabels!r})"


class TableMenu(ParMenu):
    """A menu source read from a table DAT: names from ``nameCol``, labels from ``labelCol``."""

    def __init__(self, table: _t.Any, nameCol: _t.Any = 0, labelCol: _t.Any = None,  # noqa: N803 - TD's names
                 includeFirstRow: bool = False) -> None:
        names_cells = table.col(nameCol) or []
        labels_cells = table.col(labelCol) if labelCol is not None else names_cells
        first = 0 if includeFirstRow else 1
        names = [c.val for c in names_cells[first:]]
        labels = [c.val for c in (labels_cells or names_cells)[first:]]
        super().__init__(names, labels)
