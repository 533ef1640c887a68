"""Fixtures for FlowController tests (helpers in ``flow_controller_helpers``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from flow_controller_helpers import Flow, make_flow


@pytest.fixture
def flow_factory(td_session: Any) -> Any:
    """``flow_factory(rows, setup=True)`` -> Flow on a fresh mock_td project."""

    def factory(rows: Iterable[tuple[Any, ...]] | None = None, **kwargs: Any) -> Flow:
        return make_flow(td_session, rows, **kwargs)

    return factory
