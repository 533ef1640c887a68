"""TouchDesigner's exception classes, as the ``td`` module exposes them."""

from __future__ import annotations

from mock_td import messages as msg


class tdError(Exception):  # noqa: N801 - TD's own name
    """TD's general error (``td.tdError``): raised for invalid operations on OPs, pars, runs, ..."""


class tdAttributeError(AttributeError):  # noqa: N801 - TD's own name
    """Raised by TD for a missing attribute, e.g. ``'td.ParCollection' object has no attribute 'X'``."""


def invalid_op_error(path: str) -> tdError:
    """The error TD raises when a destroyed OP is used."""
    return tdError(msg.INVALID_OP.format(path=path))


def no_attribute_error(cls: str, name: str, why: str = "") -> tdAttributeError:
    """TD's error for a missing member ``name`` of ``td.<cls>`` (``why``, when given, says what was searched)."""
    text = msg.NO_ATTRIBUTE.format(cls=cls, name=name)
    return tdAttributeError(f"{text} ({why})" if why else text)
