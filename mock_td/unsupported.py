"""Loud failure for TD API that mock_td does not model.

Every mock class lists the real TD members it does not model with :func:`not_modelled_members`.
Touching one raises ``NotImplementedError`` naming the exact TD symbol, so a test never passes
against behaviour the mock silently invented. ``mock_td.coverage`` reads these lists (the
``__td_not_modelled__`` attribute) to publish SUPPORTED.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from mock_td import messages as msg

T = TypeVar("T", bound=type)


class NotModelledError(NotImplementedError):
    """A real TouchDesigner API that mock_td does not emulate."""


def not_modelled(symbol: str, hint: str = "") -> NoReturn:
    """Raise NotImplementedError for ``symbol`` (e.g. ``'COMP.save'``)."""
    text = msg.NOT_MODELLED.format(symbol=symbol)
    raise NotModelledError(f"{text} ({hint})" if hint else text)


def _raiser(symbol: str) -> property:
    def get(self: Any) -> NoReturn:
        not_modelled(symbol)

    def set_(self: Any, value: Any) -> NoReturn:
        not_modelled(symbol)

    return property(get, set_, doc=msg.NOT_MODELLED_DOC.format(symbol=symbol))


def not_modelled_members(td_class_name: str, *names: str) -> Callable[[T], T]:
    """Class decorator: each of ``names`` raises NotImplementedError naming ``td_class_name.name``.

    Access itself raises (not only calling), so ``comp.saveByteArray`` fails loudly at once.
    """

    def decorate(cls: T) -> T:
        listed = dict(getattr(cls, "__td_not_modelled__", {}))
        for name in names:
            symbol = f"{td_class_name}.{name}"
            setattr(cls, name, _raiser(symbol))
            listed[name] = symbol
        cls.__td_not_modelled__ = listed  # type: ignore[attr-defined]
        return cls

    return decorate
