"""A ``Par`` behaves like its value in Python code (``ParValueProtocol``).

``par == 3``, ``if par:``, ``float(par)``, ``par + 1``, ``-par``, ``round(par)`` and the comparisons
all use ``par.eval()`` (another Par on the other side is evaluated too), as TD's parameters do.
``range(par)`` and indexing (``__index__``) accept only integer and boolean values.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from mock_td import messages as msg


class ParValueProtocol:
    """The value protocol of TD's ``Par``: equality, truth, numbers and arithmetic through ``eval()``."""

    _name: str

    def eval(self) -> Any:  # pragma: no cover - provided by Par
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        other_value = other.eval() if isinstance(other, ParValueProtocol) else other
        return bool(self.eval() == other_value)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __bool__(self) -> bool:
        return bool(self.eval())

    def __float__(self) -> float:
        return float(self.eval())

    def __int__(self) -> int:
        return int(self.eval())

    def __index__(self) -> int:
        value = self.eval()
        if isinstance(value, bool | int):
            return int(value)
        raise TypeError(msg.PAR_NOT_AN_INTEGER.format(name=self._name))

    def __round__(self, ndigits: int | None = None) -> Any:
        return round(self.eval(), ndigits)


def _binary(op_name: str, reflected: bool = False) -> Callable[[ParValueProtocol, Any], Any]:
    fn = getattr(operator, op_name)

    def method(self: ParValueProtocol, other: Any) -> Any:
        other_value = other.eval() if isinstance(other, ParValueProtocol) else other
        return fn(other_value, self.eval()) if reflected else fn(self.eval(), other_value)

    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lt", "le", "gt", "ge"):
    setattr(ParValueProtocol, f"__{_name}__", _binary(_name))
for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow"):
    setattr(ParValueProtocol, f"__r{_name}__", _binary(_name, reflected=True))


def _unary(fn: Callable[[Any], Any]) -> Callable[[ParValueProtocol], Any]:
    def method(self: ParValueProtocol) -> Any:
        return fn(self.eval())

    return method


for _name, _fn in (("neg", lambda v: -v), ("pos", lambda v: +v), ("abs", abs)):
    setattr(ParValueProtocol, f"__{_name}__", _unary(_fn))
