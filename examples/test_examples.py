"""Testing flows headless: the walk-throughs and the installation, as a user would test their own callbacks in CI.

``td_session`` (mock_td's pytest fixture) gives each test a fresh emulated TouchDesigner project whose
folder is the test's ``tmp_path``; ``load_flow`` builds a FlowController for a flow file (steps,
callbacks DAT, Setup, and TDAsyncIO when the flow asks for it) and returns the component, with the
same promoted API as in TouchDesigner.
"""

from pathlib import Path

import td

from lopflow.headless import load_flow, play_until_finished

HERE = Path(__file__).parent


def _events(flow, event, step_name):
    return [entry for entry in flow.History if entry["event"] == event and entry["step_name"] == step_name]


def _visited(flow):
    return [entry["step_name"] for entry in flow.History if entry["event"] == "step_enter"]


def test_process_counts_the_input_file_in_a_worker_thread(td_session):
    # The callbacks read poems.txt from the project folder (td_session's folder is tmp_path).
    poems = Path(td.project.folder) / "poems.txt"
    poems.write_text("one\ntwo\n\nthree\n", encoding="utf-8")
    flow = load_flow(td_session, HERE / "walkthrough_process" / "flow.toml")

    flow.Start()
    assert flow.CurrentStepName == "process"  # Initialize noted the file's path and moved on at once
    # Deterministic: play frames until the worker-thread read is back (at most 5 s of wall time).
    td_session.advance_until(lambda: td.op.TDAsyncIO.ActiveThreadJobs == 0, timeout=5)
    assert play_until_finished(td_session, flow, seconds=5) == "Completed"
    assert flow.Get("line_count") == 3
    assert flow.par.Lastresult.eval() == "3 lines in poems.txt"
    assert [task["status"] for task in td.op.TDAsyncIO.GetAllTasksInfo()] == ["completed"]
    # Process left by itself when its task completed (until = "tasks"), not by a NextStep() call.
    process_exit = _events(flow, "step_exit", "process")
    assert [(event["source"], event["data"]["reason"]) for event in process_exit] == [("tasks", "next")]


def test_process_reports_a_missing_input_file_as_error(td_session):
    flow = load_flow(td_session, HERE / "walkthrough_process" / "flow.toml")
    flow.Start()
    assert play_until_finished(td_session, flow, seconds=1) == "Error"
    assert "poems.txt is missing" in flow.par.Lastresult.eval()
    # The task failed in its worker thread and Process followed its error route (onerror = "end").
    assert [task["status"] for task in td.op.TDAsyncIO.GetAllTasksInfo()] == ["failed"]
    assert [event["data"]["onerror"] for event in _events(flow, "error_route", "process")] == ["end"]
    assert flow.Get("line_count") is None


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


# -- the installation: attract loop, visitor signal, loading task, show ---------------------------------------
INSTALLATION = HERE / "installation" / "flow.toml"


def test_installation_loops_the_attract_clip_until_a_visitor_comes(td_session):
    flow = load_flow(td_session, INSTALLATION)
    flow.Start()
    td_session.advance_seconds(17)  # the attract step's watchdog (8 s) restarts the clip twice
    assert flow.par.Status.eval() == "Running"
    assert flow.CurrentStepName == "attract" and flow.Get("scene") == "attract"
    assert flow.Get("attract_loops") == 3
    assert _visited(flow) == ["attract"] * 3


def test_installation_visitor_loads_content_shows_it_and_returns_to_attract(td_session):
    flow = load_flow(td_session, INSTALLATION)
    flow.Start()
    td_session.advance_seconds(2)
    assert flow.Signal("visitor", "v002") is True  # consumed at once by the waiting attract step
    assert flow.CurrentStepName == "load_content" and flow.Get("scene") == "loading"
    td_session.advance_seconds(1.1)  # the simulated download takes 1 s of TD time
    assert flow.CurrentStepName == "show"
    assert flow.Get("content") == "Hello, Grace" and flow.Get("visitor") == "v002"
    td_session.advance_seconds(5.1)  # 1 s before the show's end its alert asks to preload the attract clip
    assert flow.CurrentStepName == "show" and flow.Get("preload") == "attract"
    td_session.advance_seconds(1)
    assert flow.CurrentStepName == "attract" and flow.Get("scene") == "attract"
    assert [task["status"] for task in td.op.TDAsyncIO.GetAllTasksInfo()] == ["completed"]


def test_installation_queues_a_visitor_during_the_show_and_skips_loading_content_it_has(td_session):
    flow = load_flow(td_session, INSTALLATION)
    flow.Start()
    flow.Signal("visitor", "v001")
    td_session.advance_seconds(1.1)
    assert flow.CurrentStepName == "show"
    # Detected again during the show: nobody waits for it, so it is queued for the next attract step.
    assert flow.Signal("visitor", "v001") is False
    td_session.advance_seconds(6)
    # Attract took the queued signal when entered, and the conditional route (onRoute: content for v001
    # is still loaded) went straight to the show: no second download.
    assert flow.CurrentStepName == "show"
    assert _visited(flow) == ["attract", "load_content", "show", "attract", "show"]
    assert len(td.op.TDAsyncIO.GetAllTasksInfo()) == 1


def test_installation_gives_up_on_slow_content_and_cancels_the_download(td_session):
    flow = load_flow(td_session, INSTALLATION)
    flow.Start()
    flow.Set("load_seconds", 10)  # a slow network: longer than Load Content's 5 s watchdog
    flow.Signal("visitor", "v003")
    td_session.advance_seconds(5.1)
    assert flow.CurrentStepName == "attract" and flow.Get("scene") == "attract"
    assert [event["data"]["reason"] for event in _events(flow, "step_exit", "load_content")] == ["timeout"]
    assert [task["status"] for task in td.op.TDAsyncIO.GetAllTasksInfo()] == ["cancelled"]
    td_session.advance_seconds(6)  # past the time the download would have ended: nothing changes
    assert flow.Get("content") is None
    assert _visited(flow) == ["attract", "load_content", "attract"]


def test_installation_unknown_visitor_follows_the_error_route_back_to_attract(td_session):
    flow = load_flow(td_session, INSTALLATION)
    flow.Start()
    flow.Signal("visitor", "v999")
    td_session.advance_seconds(1.1)
    assert flow.CurrentStepName == "attract" and flow.par.Status.eval() == "Running"
    assert [event["data"]["onerror"] for event in _events(flow, "error_route", "load_content")] == ["attract"]
    assert [task["status"] for task in td.op.TDAsyncIO.GetAllTasksInfo()] == ["failed"]
    assert flow.Get("content") is None
