"""Testing flows headless: the three walk-throughs, as a user would test their own callbacks in CI.

``td_session`` (mock_td's pytest fixture) gives each test a fresh emulated TouchDesigner project whose
folder is the test's ``tmp_path``; ``load_flow`` builds a FlowController for a flow file (steps,
callbacks DAT, Setup, and TDAsyncIO when the flow asks for it) and returns the component, with the
same promoted API as in TouchDesigner.
"""

from pathlib import Path

import td

from lopflow.headless import load_flow, play_until_finished

HERE = Path(__file__).parent


def test_process_counts_the_input_file_in_a_worker_thread(td_session):
    # The callbacks read poems.txt from the project folder (td_session's folder is tmp_path).
    poems = Path(td.project.folder) / "poems.txt"
    poems.write_text("one\ntwo\n\nthree\n", encoding="utf-8")
    flow = load_flow(td_session, HERE / "walkthrough_process" / "flow.toml")

    flow.Start()
    assert flow.CurrentStepName == "process"  # Initialize found the file and moved on at once
    # Deterministic: play frames until the worker-thread read is back (at most 5 s of wall time).
    td_session.advance_until(lambda: td.op.TDAsyncIO.ActiveThreadJobs == 0, timeout=5)
    assert play_until_finished(td_session, flow, seconds=5) == "Completed"
    assert flow.Get("line_count") == 3
    assert flow.par.Lastresult.eval() == "3 lines in poems.txt"
    assert [task["status"] for task in td.op.TDAsyncIO.GetAllTasksInfo()] == ["completed"]


def test_process_reports_a_missing_input_file_as_error(td_session):
    flow = load_flow(td_session, HERE / "walkthrough_process" / "flow.toml")
    flow.Start()
    assert play_until_finished(td_session, flow, seconds=1) == "Error"
    assert "poems.txt is missing" in flow.par.Lastresult.eval()


def test_timed_steps_advance_on_their_own(td_session):
    flow = load_flow(td_session, HERE / "timed_steps" / "flow.toml")
    flow.Start()
    td_session.advance_seconds(1.0)
    assert flow.CurrentStepName == "hold"
    assert flow.Get("opacity") == 1.0
    assert play_until_finished(td_session, flow, seconds=5) == "Completed"
    assert flow.Get("opacity") == 0.0
    assert flow.Get("entered_fade_out") - flow.Get("entered_hold") == 1.5


def test_review_retries_until_a_draft_is_good_enough(td_session):
    flow = load_flow(td_session, HERE / "review_retry" / "flow.toml")
    flow.Start()
    assert play_until_finished(td_session, flow, seconds=10) == "Completed"
    assert flow.Get("attempt") == 3
    assert flow.par.Lastresult.eval() == "Published draft 3"
    visited = [event["step_name"] for event in flow.History if event["event"] == "step_enter"]
    assert visited == ["draft", "review"] * 3 + ["publish"]
