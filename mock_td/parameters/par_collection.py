"""TD's ``ParCollection``: ``op.par``, an OP's parameters by exact name.

``op.par.X`` raises tdAttributeError when the OP has no parameter ``X``; ``op.par['X']`` gives None.
Assigning ``op.par.X = v`` sets the parameter's value (``par.val = v``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mock_td.errors import no_attribute_error
from mock_td.parameters.par import Par


class ParCollection:
    """``op.par``: attribute access to an OP's parameters by exact name."""

    __slots__ = ("_owner",)
    _owner: Any

    def __init__(self, owner: Any) -> None:
        object.__setattr__(self, "_owner", owner)

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
        raise no_attribute_error("ParCollection", name)

    def __setattr__(self, name: str, value: Any) -> None:
        par = _collection_owner(self)._parDict.get(name)
        if par is None:
            raise no_attribute_error("ParCollection", name)
        par.val = value

    def __getitem__(self, name: str) -> Par | None:
        return _collection_owner(self)._parDict.get(name)

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


#: Reads a ParCollection's owner straight from its slot (``self._owner`` would go through
#: ``ParCollection.__getattribute__``).
_collection_owner: Callable[[ParCollection], Any] = ParCollection.__dict__["_owner"].__get__
