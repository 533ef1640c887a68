"""TouchDesigner's exception classes, as the ``td`` module exposes them."""


class tdError(Exception):  # noqa: N801 - TD's own name
    """TD's general error (``td.tdError``): raised for invalid operations on OPs, pars, runs, ..."""


class tdAttributeError(AttributeError):  # noqa: N801 - TD's own name
    """Raised by TD for a missing attribute, e.g. ``'td.ParCollection' object has no attribute 'X'``."""


def invalid_op_error(path: str) -> tdError:
    """The error TD raises when a destroyed OP is used."""
    return tdError(f"Invalid OP object: {path}")
