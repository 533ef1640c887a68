"""pytest plugin for mock_td (entry point ``pytest11``): the ``td_session`` fixture.

``td_session`` gives each test a fresh ``mock_td.install()`` whose project folder is the test's
``tmp_path``. At teardown the test fails if script code raised exceptions that TD would have caught
and printed (a broken callback, run() script or extension), or a component added a script error
(``addScriptError``, e.g. for an exception it caught and reported), and the test did not acknowledge
them with ``td_session.take_script_exceptions()`` — so a broken callback never passes silently.
``clearScriptErrors()`` does not acknowledge: an error that was reported stays recorded until taken.
To wait for work on worker threads, use ``td_session.advance_until(condition, max_frames, timeout)``.
Loading the plugin registers the ``td``/``tdu``/``TDStoreTools``/``TDFunctions`` modules, so test
modules can ``import td`` at the top.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_td import messages as msg
from mock_td.session import Session, install
from mock_td.td_module import install_modules

# Test modules import td at the top, as TD code does: make ``import td`` work at collection time.
# Context-dependent names (td.op, td.me, ...) need a world, which td_session installs per test.
install_modules()


@pytest.fixture
def td_session(tmp_path: Path) -> Iterator[Session]:
    """A fresh emulated TouchDesigner project (``import td`` works) for one test."""
    session = install(project_folder=str(tmp_path))
    yield session
    leftover = session.take_script_exceptions() if session._world.valid else []
    if leftover:
        details = "\n\n".join(msg.UNTAKEN_SCRIPT_EXCEPTION_ITEM.format(op_path=e.op_path, where=e.where,
                                                                     traceback=e.traceback) for e in leftover)
        pytest.fail(msg.UNTAKEN_SCRIPT_EXCEPTIONS.format(count=len(leftover), details=details), pytrace=False)
