"""Conformance fixtures: each test gets a fresh emulated TouchDesigner project from ``td_session``.

``td_session`` is mock_td's pytest fixture (plugin ``mock_td.pytest_plugin``): a fresh project whose
folder is the test's ``tmp_path``, and a test fails at teardown when script code raised an exception
TD would have caught, or a component added a script error, unless the test took it with
``td_session.take_script_exceptions()``. The plugin also makes ``import td`` work at collection time.

Only ``mock_td.install`` / ``advance`` / ``advance_seconds`` / ``advance_until`` / ``reload`` / ``crash`` /
``take_script_exceptions`` are mock-specific; everything else goes through the public ``td`` API, so
these tests could one day run inside real TD.
"""

from __future__ import annotations

import pytest
import td

import mock_td


@pytest.fixture
def project1(td_session: mock_td.Session):  # noqa: ANN201 - a td.containerCOMP
    """``/project1`` of the fresh project."""
    return td.op("/project1")
