"""The operator-type registry: TD type name (``'baseCOMP'``) -> mock class.

Every concrete operator class registers itself with :func:`register`; the class ``__name__`` is the
TD type name, so ``OP.OPType`` and ``COMP.create('textDAT')`` agree. ``mock_td.coverage`` reads this
registry to publish SUPPORTED.md. Whatever order the type modules were imported in,
:func:`registered_types` lists the types by family (COMP, DAT, CHOP, ...) and then by name.
"""

from __future__ import annotations

from typing import Any, TypeVar

from mock_td import messages as msg
from mock_td.errors import tdError
from mock_td.unsupported import not_modelled

T = TypeVar("T", bound=type)

#: TD type name -> class, in registration order.
OP_TYPES: dict[str, type] = {}

#: The order families are listed in.
FAMILY_ORDER = ("COMP", "TOP", "CHOP", "SOP", "POP", "MAT", "DAT")


def register(cls: T) -> T:
    """Class decorator: make ``cls`` creatable by its TD type name."""
    OP_TYPES[cls.__name__] = cls
    return cls


def registered_types() -> dict[str, type]:
    """The registered types, by family (:data:`FAMILY_ORDER`) and then by name."""
    def key(item: tuple[str, type]) -> tuple[int, str]:
        family = getattr(item[1], "family", "")
        return (FAMILY_ORDER.index(family) if family in FAMILY_ORDER else len(FAMILY_ORDER), item[0])

    return dict(sorted(OP_TYPES.items(), key=key))


def resolve_type(optype: Any) -> type:
    """The class for ``optype`` given as a registered class or its TD type name; raises tdError otherwise."""
    if isinstance(optype, type) and OP_TYPES.get(optype.__name__) is optype:
        return optype
    if isinstance(optype, str) and optype in OP_TYPES:
        return OP_TYPES[optype]
    name = optype.__name__ if isinstance(optype, type) else str(optype)
    if isinstance(optype, str | type) and name.endswith(("COMP", "DAT", "CHOP", "TOP", "SOP", "MAT", "POP")):
        not_modelled(name, msg.HINT_OP_TYPE.format(types=", ".join(registered_types())))
    raise tdError(msg.OP_TYPE_INVALID.format(name=name))
