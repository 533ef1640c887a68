"""Conformance fixtures: each test gets a fresh emulated TouchDesigner project.

Only ``mock_td.install`` / ``advance`` / ``advance_seconds`` / ``reload`` are mock-specific; everything
else goes through the public ``td`` API, so these tests could one day run inside real TD.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import mock_td

# Make ``import td`` work at collection time (test modules import it at the top, as TD code does);
# every test then gets its own fresh project from the ``session`` fixture.
mock_td.install()


@pytest.fixture
def session(tmp_path: Path) -> mock_td.Session:
    """A fresh project whose folder is the test's tmp_path."""
    return mock_td.install(project_folder=str(tmp_path))


@pytest.fixture
def project1(session: mock_td.Session):  # noqa: ANN201 - a td.containerCOMP
    """``/project1`` of the fresh project."""
    import td

    return td.op("/project1")
