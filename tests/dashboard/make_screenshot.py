"""Make ``docs/dashboard.png``: the dashboard page serving the three walk-throughs (run by hand).

    python tests/dashboard/make_screenshot.py [--phone]

Loads ``examples/*/flow.toml`` on one mock_td session, exposes them, serves FlowDashboard, starts the
flows, plays 1.1 s in real time, selects "Review and retry" in a headless Chromium and saves the page.
``--phone`` saves a 390 px wide view to ``/tmp/dashboard_phone.png`` instead (to check the narrow layout).
"""

from __future__ import annotations

import socket
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

from browser import Browser, Pacer, play_until  # noqa: E402

import mock_td  # noqa: E402
from lopflow.headless import DashboardOptions, expose, load_flow, serve_dashboard  # noqa: E402
from lopflow.repo import EXAMPLES_DIR, REPO_ROOT  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main(phone: bool = False) -> Path:
    session = mock_td.install(project_folder=str(EXAMPLES_DIR / "walkthrough_process"), cook_rate=60)
    flows = [expose(load_flow(session, EXAMPLES_DIR / name / "flow.toml", mode="embedded"))
             for name in ("walkthrough_process", "timed_steps", "review_retry")]
    port = free_port()
    dashboard = serve_dashboard(session, DashboardOptions(port, token="demo"), mode="embedded")
    dashboard.par.Machinename = "stage-pc"
    for flow in flows:
        flow.Start()
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(Path(profile), width=390 if phone else 1280, height=1400 if phone else 1010)
        browser.pacer = Pacer(session)
        try:
            browser.open(f"http://127.0.0.1:{port}/")
            play_until(session, browser, "document.querySelectorAll('button.flow').length === 3")
            browser.evaluate(f"document.querySelector('button.flow[data-key=\"{flows[2].path}\"]').click(); true")
            while session.seconds < 1.1:
                browser.pacer.tick()
            play_until(session, browser, "document.querySelector('#currentStep') !== null")
            target = Path("/tmp/dashboard_phone.png") if phone else REPO_ROOT / "docs" / "dashboard.png"
            browser.screenshot(target)
        finally:
            browser.close()
    dashboard.par.Active = False
    session.advance(1)
    return target


if __name__ == "__main__":
    print(main(phone="--phone" in sys.argv))
