"""mock_td: a headless stand-in for TouchDesigner's Python API (see SUPPORTED.md).

``mock_td.install()`` resets the emulated world to a new TD project and returns a
:class:`~mock_td.session.Session`; then ``import td`` works like inside TouchDesigner.

The package is grouped by TD concept family, lowest first: ``messages``/``errors``/``unsupported``/``values``
(texts, TD's exceptions, the loud not-modelled marker, and the value rules every family shares), ``process`` (the world, the clock, the run queue), ``parameters``,
``operators``, ``libraries`` (tdu, TDStoreTools, TDFunctions); ``td_module`` assembles the ``td``
namespace and ``session`` installs a world and wires it. A module only imports from its own family
or the ones below it; notifications that go up pass through the world (see ``process.world``).
"""

from mock_td.process.world import ReportedScriptError, ScriptException
from mock_td.session import AdvanceLimitError, Session, install

__all__ = ["AdvanceLimitError", "ReportedScriptError", "ScriptException", "Session", "install"]
