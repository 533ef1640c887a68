"""TD's ``ParCollection``: ``op.par``, an OP's parameters by exact name.

``op.par.X`` raises tdAttributeError when the OP has no parameter ``X``; ``op.par['X']`` gives None.
Assigning ``op.par.X = v`` sets the parameter's value (``par.val = v``). ``op.par.owner`` is the OP.
A built-in parameter the operator's doc page lists but mock_td does not model raises NotImplementedError
naming it, on attribute access, ``[ ]`` and assignment (see ``builtin_pars``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mock_td import messages as msg
from mock_td.errors import no_attribute_error
from mock_td.parameters.builtin_pars import documented_not_modelled
from mock_td.parameters.par import Par
from mock_td.unsupported import not_modelled


class ParCollection:
    """``op.par``: attribute access to an OP's parameters by exact name."""

    __slots__ = ("_owner",)
    _owner: Any

    __td_source__ = "ParCollection_Class"

    def __init__(self, owner: Any) -> None:
        object.__setattr__(self, "_owner", owner)

    @property
    def owner(self) -> Any:
        """The OP whose parameters these are (no parameter can be called ``owner``)."""
        return _collection_owner(self)

    def __getattribute__(self, name: str) -> Any:
        # ``op.par.X`` is the hottest lookup in TD scripts: look in the owner's dict before the normal
        # attribute machinery (whose miss-then-__getattr__ path costs 3x more). Par names never
        # start with ``_``, so no member of this class is shadowed.
        if name[:1] != "_":
            par = _collection_owner(self)._parDict.get(name)
            if par is not None:
                return par
        return object.__getattribute__(self, name)

    def __getattr__(self, name: str) -> Par:
        if name.startswith("__"):
            raise AttributeError(name)
        _refuse_unmodelled(_collection_owner(self), name)
        raise no_attribute_error("ParCollection", name)

    def __setattr__(self, name: str, value: Any) -> None:
        owner = _collection_owner(self)
        par = owner._parDict.get(name)
        if par is None:
            _refuse_unmodelled(owner, name)
            raise no_attribute_error("ParCollection", name)
        par.val = value

    def __getitem__(self, name: str) -> Par | None:
        owner = _collection_owner(self)
        par = owner._parDict.get(name)
        if par is None:
            _refuse_unmodelled(owner, name)
        return par

    def __setitem__(self, name: str, value: Any) -> None:
        self.__setattr__(name, value)

    def __iter__(self) -> Iterator[Par]:
        return iter(_collection_owner(self)._allPars())

    def __len__(self) -> int:
        return len(_collection_owner(self)._parDict)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in _collection_owner(self)._parDict

    def __dir__(self) -> list[str]:
        return list(_collection_owner(self)._parDict)

    def __repr__(self) -> str:
        return f"td.ParCollection({getattr(_collection_owner(self), 'path', '?')})"


def _refuse_unmodelled(owner: Any, name: str) -> None:
    symbol = documented_not_modelled(owner, name) if isinstance(name, str) else None
    if symbol is not None:
        not_modelled(symbol, msg.HINT_BUILTIN_PAR)


#: Reads a ParCollection's owner straight from its slot (``self._owner`` would go through
#: ``ParCollection.__getattribute__``).
_collection_owner: Callable[[ParCollection], Any] = ParCollection.__dict__["_owner"].__get__
