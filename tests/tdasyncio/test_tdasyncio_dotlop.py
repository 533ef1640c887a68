"""DotLOPUtils: finding the TDAsyncIO component and forwarding run_async_task to Run (on mock_td)."""

from __future__ import annotations

import asyncio

import build_toxes
import pytest
from DotLOPUtils import DotLOPUtils


class UserExt(DotLOPUtils):
    def __init__(self, ownerComp) -> None:  # noqa: N803 - TD's extension signature
        self.ownerComp = ownerComp


async def answer() -> int:
    await asyncio.sleep(0)
    return 42


@pytest.fixture
def setup(td_session):
    container = td_session.root.create("baseCOMP", "app")
    user = container.create("baseCOMP", "user")
    asyncio_comp = build_toxes.build_tdasyncio(td_session.root, name="Async")
    asyncio_comp.par.Framebudget = 10_000  # one frame finishes the work, however loaded the machine
    yield container, user, asyncio_comp
    asyncio_comp.destroy()
    td_session.advance(2)


def test_no_tdasyncio_gives_a_clear_error(setup) -> None:
    _, user, _ = setup
    with pytest.raises(LookupError, match="No TDAsyncIO component found for /app/user.*Tdasyncio.*TDAsyncIO"):
        _ = UserExt(user).asyncio_comp


def test_global_shortcut_is_found_and_run_async_task_forwards(setup, td_session) -> None:
    _, user, asyncio_comp = setup
    asyncio_comp.par.opshortcut = "TDAsyncIO"
    ext = UserExt(user)
    assert ext.asyncio_comp == asyncio_comp
    seen: list = []
    task_id = ext.run_async_task(answer(), description="answer", completion_callback=lambda t: seen.append(t.result),
                                 info={"k": 1}, timeout=5)
    td_session.advance()
    assert seen == [42] and asyncio_comp.GetTaskInfo(task_id)["description"] == "answer"


def test_internal_shortcut_wins_over_the_global_one(setup, td_session) -> None:
    container, user, asyncio_comp = setup
    other = build_toxes.build_tdasyncio(container, name="Local")
    asyncio_comp.par.opshortcut = "TDAsyncIO"
    container.par.iop0shortcut = "TDAsyncIO"
    container.par.iop0op = other
    assert UserExt(user).asyncio_comp == other
    other.destroy()
    td_session.advance(2)


def test_op_parameter_wins_and_a_dangling_one_is_reported(setup, td_session) -> None:
    container, user, asyncio_comp = setup
    other = build_toxes.build_tdasyncio(container, name="Local")
    container.par.iop0shortcut = "TDAsyncIO"
    container.par.iop0op = other
    user.appendCustomPage("Async").appendCOMP("Tdasyncio")
    user.par.Tdasyncio = asyncio_comp
    assert UserExt(user).asyncio_comp == asyncio_comp
    user.par.Tdasyncio = "/nowhere"
    with pytest.raises(LookupError, match="'Tdasyncio' parameter is set to '/nowhere'"):
        _ = UserExt(user).asyncio_comp
    other.destroy()
    td_session.advance(2)
