"""The dashboard page in a real headless Chromium (Debian's ``chromium``, over the DevTools protocol),
served by FlowDashboard on mock_td with frames played in real time (60 fps)."""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, Pacer, find_chromium, play_until
from dashboard_helpers import build_dashboard, free_port
from test_dashboard_component import make_flow

pytestmark = pytest.mark.skipif(find_chromium() is None,
                                reason="needs Debian's chromium (apt-get install chromium; .ci/run installs it)")


@pytest.fixture
def browser(td_session, tmp_path: Path):
    chrome = Browser(tmp_path / "profile")
    chrome.pacer = Pacer(td_session)
    yield chrome
    chrome.close()


def shown_step(key: str) -> str:
    return f"(document.querySelector('button.flow[data-key=\"{key}\"]') || {{dataset: {{}}}}).dataset.step"


def test_the_page_loads_and_shows_each_exposed_flow(td_session, tmp_path, browser) -> None:
    port = free_port()
    show = make_flow(td_session, tmp_path, "Show")
    lobby = make_flow(td_session, tmp_path, "Lobby")
    make_flow(td_session, tmp_path, "Backstage", exposed=False)
    build_dashboard(td_session, port)
    show.Start()
    browser.open(f"http://127.0.0.1:{port}/")
    play_until(td_session, browser, "document.querySelectorAll('button.flow').length === 2")
    names = browser.evaluate("[...document.querySelectorAll('button.flow .name')].map(e => e.textContent)")
    assert sorted(names) == ["Lobby", "Show"]
    assert browser.evaluate(shown_step(show.path)) == "intro"
    assert browser.evaluate(f"document.querySelector('button.flow[data-key=\"{lobby.path}\"]').dataset.status") == "Ready"
    assert browser.evaluate("document.querySelector('.machine').textContent").startswith("stage")
    assert browser.evaluate("document.querySelector('#detail svg') !== null")  # the step graph of the selection


def test_a_step_change_appears_on_the_page_within_100_ms(td_session, tmp_path, browser) -> None:
    port = free_port()
    flow = make_flow(td_session, tmp_path)
    build_dashboard(td_session, port)
    flow.Start()
    browser.open(f"http://127.0.0.1:{port}/")
    play_until(td_session, browser, f"{shown_step(flow.path)} === 'intro'")
    delays = []
    gc.collect()
    for expected in ("review", "outro"):
        start = time.monotonic()
        flow.GoToStep(expected)
        play_until(td_session, browser, f"{shown_step(flow.path)} === '{expected}'", timeout=2)
        delays.append(time.monotonic() - start)
    assert max(delays) < 0.1, delays  # frame end -> socket -> page render, with frames at 60 fps


def test_go_pressed_in_the_page_advances_the_flow_once(td_session, tmp_path, browser) -> None:
    port = free_port()
    flow = make_flow(td_session, tmp_path)
    build_dashboard(td_session, port, token="t0k")
    flow.Start()
    browser.open(f"http://127.0.0.1:{port}/")
    play_until(td_session, browser, "document.querySelector('#go') && !document.querySelector('#go').disabled")
    browser.evaluate("document.querySelector('#token').value = 't0k';"
                     "document.querySelector('#tokenForm').requestSubmit(); true")
    browser.evaluate("document.querySelector('#go').click(); document.querySelector('#go').click(); true")  # a double press
    play_until(td_session, browser, f"{shown_step(flow.path)} === 'review'")
    play_until(td_session, browser, "document.querySelectorAll('#toast div').length >= 2")
    td_session.advance(10)
    assert flow.CurrentStepName == "review"  # once, not twice
    moves = [e for e in flow.History if e["event"] == "next_step"]
    assert len(moves) == 1 and moves[0]["source"].startswith("dashboard:127.0.0.1:")
    toasts = browser.evaluate("[...document.querySelectorAll('#toast div')].map(e => e.textContent)")
    assert any(t.startswith("✓ next") for t in toasts) and any(t.startswith("✗ next") for t in toasts)


def test_control_without_the_token_is_refused_in_the_page(td_session, tmp_path, browser) -> None:
    port = free_port()
    flow = make_flow(td_session, tmp_path)
    build_dashboard(td_session, port, token="t0k")
    flow.Start()
    browser.open(f"http://127.0.0.1:{port}/")
    play_until(td_session, browser, "document.querySelector('#go') && !document.querySelector('#go').disabled")
    browser.evaluate("document.querySelector('#go').click(); true")
    play_until(td_session, browser, "[...document.querySelectorAll('#toast div')].some(e => "
                                    "e.textContent.includes('wrong token'))")
    td_session.advance(5)
    assert flow.CurrentStepName == "intro"


def test_a_read_only_dashboard_shows_no_controls(td_session, tmp_path, browser) -> None:
    port = free_port()
    make_flow(td_session, tmp_path)
    build_dashboard(td_session, port)
    browser.open(f"http://127.0.0.1:{port}/")
    play_until(td_session, browser, "document.querySelector('.controls .readonly') !== null")
    assert browser.evaluate("document.querySelector('#go') === null")


def test_the_page_reconnects_after_td_restarts(td_session, tmp_path, browser) -> None:
    port = free_port()
    key = make_flow(td_session, tmp_path).path
    build_dashboard(td_session, port)
    browser.open(f"http://127.0.0.1:{port}/")
    play_until(td_session, browser, f"{shown_step(key)} === ''")
    td_session.reload()  # TD closes and reopens the project: the server goes away and comes back
    play_until(td_session, browser, "document.querySelector('.machine.online') === null", timeout=5)
    td_session.root.op(key).Start()
    play_until(td_session, browser, f"{shown_step(key)} === 'intro' && "
                                    "document.querySelector('.machine.online') !== null", timeout=20)
    connections = browser.evaluate("window.lopflow.conns.size")
    assert connections == 1


def test_the_page_shows_flows_from_several_machines(td_session, tmp_path, browser) -> None:
    first, second = free_port(), free_port()
    make_flow(td_session, tmp_path, "Show")
    build_dashboard(td_session, first, Machines=f"127.0.0.1:{second}")
    build_dashboard(td_session, second, name="Second", Machinename="annex")  # stands for a second machine
    browser.open(f"http://127.0.0.1:{first}/")
    play_until(td_session, browser, "document.querySelectorAll('.machine.online').length === 2 && "
                                    "window.lopflow.flows.size === 2 && document.body.textContent.includes('annex')")
    chips: Any = browser.evaluate("[...document.querySelectorAll('.machine')].map(e => e.textContent)")
    assert chips[0].startswith("stage") and chips[1].startswith("annex")
    assert json.loads(browser.evaluate("JSON.stringify([...window.lopflow.flows.values()].map(f => f.machine))")) \
        == ["stage", "annex"]  # one process, two dashboards: each shows the same registry as its machine
