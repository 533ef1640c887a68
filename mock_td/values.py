"""Value rules every family shares: how a TD object casts to its value, TD's ``digits``/``base`` rule
for names, and what a project save can keep. (Lowest layer: it imports nothing of mock_td but the texts.)

Casting (``CastsToValue``). A table ``Cell``, a CHOP ``Channel`` and a ``tdu.Dependency`` "implement all
necessary methods to be treated as a number" (Cell Class and Channel Class, "Casting to a Value";
Dependency Class: "the Dependency object will cast itself to its underlying value in most cases"):
``float()``, ``int()``, ``round()``, ``abs()``, unary ``-``/``+``, the arithmetic operators (both sides)
and ``<``, ``<=``, ``>``, ``>=`` all use the value. The other operand may be such an object too.

* A Cell's value is its text read as a number when it is one (``'3'`` -> 3, ``'2.5'`` -> 2.5), else the
  text itself: ``cell + cell`` is 6 for ``'3'`` and ``'aa'`` for ``'a'``, as the Cell Class page says.
* A Channel's value is ``eval()``; a Dependency's is ``val``.
* Truth (``if cell:``) and ``==`` keep each class's own meaning (UNCONFIRMED: the pages do not say
  whether ``bool()`` casts), so a Cell holding ``'0'`` is still a true object.

Names (``name_digits``, ``name_base``): ``OP.digits`` / ``OP.base`` and ``tdu.digits`` / ``tdu.base``
share one rule (OP Class, Tdu Module): only the text after the last ``/`` is searched; ``digits`` is the
last run of digits anywhere in it (``'geo1_a'`` -> 1, ``'arm123/456leg'`` -> 456), ``base`` the text
before the first digit (``'arm123/leg456'`` -> ``'leg'``).

Saving (``dumps``, ``check_savable``): a save pickles storage values. An OP (a class marked
``_tdSavedByPath``) pickles as its path (see ``OP.__reduce__``); any other mock TD object (a Par, Cell,
Channel, Page, ...) cannot be saved; plain Python data and TDStoreTools' collections can.
"""

from __future__ import annotations

import io
import operator
import pickle
import re
from collections.abc import Callable
from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError


class CastsToValue:
    """Mixin: numeric casting and arithmetic through :meth:`_castValue`."""

    def _castValue(self) -> Any:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def __float__(self) -> float:
        return float(self._castValue())

    def __int__(self) -> int:
        return int(float(self._castValue()))

    def __round__(self, ndigits: int | None = None) -> Any:
        return round(self._castValue(), ndigits)


def _value(obj: Any) -> Any:
    return obj._castValue() if isinstance(obj, CastsToValue) else obj


def _binary(fn: Callable[[Any, Any], Any], reflected: bool) -> Callable[[CastsToValue, Any], Any]:
    def method(self: CastsToValue, other: Any) -> Any:
        mine, theirs = self._castValue(), _value(other)
        return fn(theirs, mine) if reflected else fn(mine, theirs)

    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lt", "le", "gt", "ge"):
    setattr(CastsToValue, f"__{_name}__", _binary(getattr(operator, _name), reflected=False))
for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow"):
    setattr(CastsToValue, f"__r{_name}__", _binary(getattr(operator, _name), reflected=True))


def _unary(fn: Callable[[Any], Any]) -> Callable[[CastsToValue], Any]:
    def method(self: CastsToValue) -> Any:
        return fn(self._castValue())

    return method


for _name, _fn in (("neg", operator.neg), ("pos", operator.pos), ("abs", abs)):
    setattr(CastsToValue, f"__{_name}__", _unary(_fn))


def number_or_text(text: str) -> Any:
    """``'3'`` -> 3, ``'2.5'`` -> 2.5, anything else -> the text unchanged (how a Cell casts)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


_DIGIT_RUNS = re.compile(r"\d+")
_BEFORE_DIGITS = re.compile(r"^\D*")


def name_digits(text: str) -> int | None:
    """TD's ``digits``: the last run of digits after the last ``/`` (``'arm123/456leg'`` -> 456), or None."""
    runs = _DIGIT_RUNS.findall(str(text).rsplit("/", 1)[-1])
    return int(runs[-1]) if runs else None


def name_base(text: str) -> str:
    """TD's ``base``: the part after the last ``/`` that comes before any digit (``'arm123/leg456'`` -> ``'leg'``)."""
    found = _BEFORE_DIGITS.match(str(text).rsplit("/", 1)[-1])
    return found.group(0) if found else ""


class _SavePickler(pickle.Pickler):
    """Pickles what a save keeps: OPs as their path (when ``allow_ops``), no other mock TD object."""

    def __init__(self, file: io.BytesIO, allow_ops: bool) -> None:
        super().__init__(file)
        self._allowOps = allow_ops

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, type):
            return NotImplemented
        cls = type(obj)
        if getattr(cls, "_tdSavedByPath", False):
            if self._allowOps:
                return NotImplemented  # OP.__reduce__: saved as its path
        elif not cls.__module__.startswith("mock_td.") or cls.__module__.startswith("mock_td.libraries."):
            return NotImplemented
        raise pickle.PicklingError(msg.STORAGE_TD_OBJECT.format(type=cls.__name__))


def dumps(value: Any, allow_ops: bool = True) -> bytes:
    """``value`` pickled the way a save keeps it (OPs as paths unless refused; other TD objects refused)."""
    out = io.BytesIO()
    _SavePickler(out, allow_ops).dump(value)
    return out.getvalue()


def check_savable(value: Any, what: str) -> None:
    """Raise tdError unless ``value`` can be saved by Python without any TD object (StorageManager's rule)."""
    try:
        dumps(value, allow_ops=False)
    except Exception as exc:  # noqa: BLE001 - any pickling failure means "cannot be saved"
        raise tdError(msg.STORE_NOT_SAVABLE.format(what=what, error=exc)) from None
