"""A whole show day on mock_td: an attract loop, a bouncing GO sensor, a code edit, a crash and a restore,
a pause and the watchdog that brings an abandoned visitor step back to the attract loop."""

from __future__ import annotations

import flow_journal
import td
from flow_controller_helpers import Flow

SHOW = [
    ("Attract", -1, "next", 2.0, "attract"),    # waits for GO, replaying its 2 s loop (the watchdog) meanwhile
    ("Welcome", -1, "next", 5.0, "attract"),    # waits for GO; nobody for 5 s: back to the attract loop
    ("Show", 4.0, "attract", 0.0, "next"),      # the show, then the attract loop again
]
SENSOR = '''
def bounce(times):
    return sum(1 for _ in range(times) if iop.LOPflow.NextStep(source="sensor"))
'''


def entered(flow: Flow) -> list[str]:
    return [info["step_name"] for name, info in flow.calls() if name == "onStepEnter"]


def test_show_day(flow_factory, tmp_path):
    flow = flow_factory(SHOW)
    flow.use_recording_callbacks()
    flow.fc.par.Journalfolder = str(tmp_path / "journal")
    sensor = flow.target_code(SENSOR, "sensor")
    session = flow.session
    session.advance()
    td.project.save()  # the installation as it was set up; the show runs from here

    # Morning: the attract loop.
    flow.fc.par.Start.pulse()
    session.advance_seconds(4.5)
    assert entered(flow) == ["attract"] * 3

    # A visitor presses GO; the sensor bounces 1,000 times in one frame: exactly one step advances.
    assert sensor.bounce(1000) == 1
    assert flow.current() == "welcome (1)"
    ignored = [e for e in flow.fc.History if e["event"] == "ignored"]
    assert sum(e["data"]["count"] for e in ignored) == 999
    flow.fc.Set("visitor", "ann")
    session.advance()
    assert sensor.bounce(1) == 1
    assert flow.current() == "show (2)"
    pid = flow.fc.ProcessId

    # The technician edits the extension's code during the show: the run goes on.
    session.advance_seconds(1.0)
    dat = flow.fc.op("FlowControllerExt")
    dat.text = dat.text + "\n# hot fix\n"
    session.advance_seconds(0.5)
    assert flow.current() == "show (2)" and flow.fc.ProcessId == pid and flow.fc.Get("visitor") == "ann"
    assert entered(flow).count("show") == 1

    # TD crashes in the middle of the show; the project reopens at its last save (the run is not in it).
    journal = flow.fc.ext.FlowControllerExt._recovery.path()
    elapsed = flow_journal.read_state(journal)[0]["timer"]["elapsed"]
    assert 0.0 < elapsed < 4.0
    session.crash()
    session.take_script_exceptions()
    flow = Flow(session, session.root.op("/project1/FlowController"), session.root.op("/project1/process"))
    session.advance()
    assert flow.status() == "Ready"
    sensor = flow.target.op("sensor").module

    # The operator restores: the same step entry, the context back, no onStepEnter again.
    assert flow.fc.Restore() is True
    assert flow.current() == "show (2)" and flow.fc.ProcessId == pid and flow.fc.Get("visitor") == "ann"
    restored_at = session.seconds
    session.advance_until(lambda: flow.current() != "show (2)", max_frames=600)
    assert abs(session.seconds - restored_at - (4.0 - elapsed)) <= 1.5 / 60  # its remaining time
    names = flow.names()
    assert names.index("onFlowRestore") < names.index("onStepEnter")
    assert entered(flow) == ["attract"]  # the show was not entered again

    # A pause for an announcement: the attract loop stands still, then goes on.
    flow.fc.par.Pause.pulse()
    session.advance_seconds(6.0)
    assert flow.status() == "Paused" and entered(flow) == ["attract"]
    flow.fc.par.Resume.pulse()
    session.advance_seconds(2.1)
    assert flow.status() == "Running" and entered(flow) == ["attract", "attract"]

    # A visitor presses GO and walks away: the watchdog brings the attract loop back.
    session.advance()
    assert sensor.bounce(3) == 1
    session.advance_seconds(5.1)
    assert flow.current() == "attract (0)"
    fallbacks = [info for name, info in flow.calls() if name == "onStepTimeout" and info["step_name"] == "welcome"]
    assert len(fallbacks) == 1 and fallbacks[0]["ontimeout"] == "attract"
    assert flow.status() == "Running" and flow.fc.ProcessId == pid
