"""The operator-type registry: TD type name (``'baseCOMP'``) -> mock class.

Every concrete operator class registers itself with :func:`register`; the class ``__name__`` is the
TD type name, so ``OP.OPType`` and ``COMP.create('textDAT')`` agree. ``mock_td.coverage`` reads this
registry to publish SUPPORTED.md.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T", bound=type)

#: TD type name -> class, in registration order.
OP_TYPES: dict[str, type] = {}


def register(cls: T) -> T:
    """Class decorator: make ``cls`` creatable by its TD type name."""
    OP_TYPES[cls.__name__] = cls
    return cls


def resolve_type(optype: Any) -> type:
    """The class for ``optype`` given as a registered class or its TD type name; raises tdError otherwise."""
    from .errors import tdError

    if isinstance(optype, type) and OP_TYPES.get(optype.__name__) is optype:
        return optype
    if isinstance(optype, str) and optype in OP_TYPES:
        return OP_TYPES[optype]
    name = optype.__name__ if isinstance(optype, type) else str(optype)
    from .unsupported import not_modelled

    if isinstance(optype, str | type) and name.endswith(("COMP", "DAT", "CHOP", "TOP", "SOP", "MAT", "POP")):
        not_modelled(name, "operator type not modelled; supported types are " + ", ".join(OP_TYPES))
    raise tdError(f"Invalid OP type: {name}")
