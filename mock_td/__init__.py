"""mock_td: a headless stand-in for TouchDesigner's Python API (see SUPPORTED.md).

``mock_td.install()`` resets the emulated world to a new TD project and returns a
:class:`~mock_td.session.Session`; then ``import td`` works like inside TouchDesigner.
"""

from .session import Session, install

__all__ = ["Session", "install"]
