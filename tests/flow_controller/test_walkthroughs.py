"""The three LOPflow walk-throughs, run through the real parameters and ``iop.LOPflow`` on mock_td."""

from __future__ import annotations

TARGET_LOGIC = '''
def initialize_done(config):
    iop.LOPflow.Set("config", config)
    iop.LOPflow.NextStep()

def start_processing():
    iop.LOPflow.WaitForContinue({"done": 0})

def report(done):
    iop.LOPflow.Update({"done": done})

def processing_finished():
    iop.LOPflow.Update({"done": 100}, advance_step=True)
'''


def test_walkthrough_1_wait_steps_driven_from_inside_the_target(flow_factory):
    flow = flow_factory([("Initialize", -1, "next"), ("Process", -1, "next"), ("Complete", 0, "end")])
    flow.use_recording_callbacks()
    logic = flow.target_code(TARGET_LOGIC)
    fc = flow.fc
    assert flow.status() == "Ready"

    fc.par.Start.pulse()
    assert flow.status() == "Running"
    assert flow.current() == "initialize (0)"
    assert fc.par.Waiting.eval() == "Yes"
    assert fc.par.Activeprocessid.eval() == fc.ProcessId != ""

    flow.session.advance(10)  # a waiting step stays
    assert flow.current() == "initialize (0)"

    logic.initialize_done({"mode": "fast"})
    assert flow.current() == "process (1)"
    assert fc.Get("config") == {"mode": "fast"}

    logic.start_processing()
    logic.report(50)
    assert fc.par.Waiting.eval() == "Yes"
    assert fc.ext.FlowControllerExt.engine.step_data == {"done": 50}
    logic.processing_finished()

    assert flow.status() == "Completed"
    assert flow.current() == ""
    assert fc.par.Waiting.eval() == "No"
    assert not fc.IsRunning and fc.CurrentStepIndex == -1
    entered = [info["step_name"] for name, info in flow.calls() if name == "onStepEnter"]
    assert entered == ["initialize", "process", "complete"]
    assert flow.names()[-1] == "onFlowFinish"
    assert flow.calls()[-1][1]["result_type"] == "success"


def test_walkthrough_1_finish_with_a_result_from_the_last_step(flow_factory):
    flow = flow_factory([("Initialize", -1, "next"), ("Complete", 0, "end")])
    flow.use_recording_callbacks('''
def onStepEnter(info):
    _record(info)
    if info["step_name"] == "complete":
        info["ownerComp"].Finish({"score": 7})
''')
    flow.fc.par.Start.pulse()
    flow.target_code("def go():\n    iop.LOPflow.NextStep()\n").go()
    assert flow.status() == "Completed"
    assert flow.fc.par.Lastresult.eval() == str({"score": 7})


def test_walkthrough_2_timed_step_advances_after_its_duration(flow_factory):
    flow = flow_factory([("Show", 2.0, "next"), ("Done", -1, "next")])
    flow.fc.par.Start.pulse()
    started = flow.session.seconds
    flow.session.advance(119)
    assert flow.current() == "show (0)"
    flow.session.advance(1)
    assert flow.session.seconds - started >= 2.0
    assert flow.current() == "done (1)"


def test_walkthrough_2_timed_step_advances_early_on_trigger(flow_factory):
    flow = flow_factory([("Show", 2.0, "next"), ("Done", -1, "next"), ("After", -1, "next")])
    flow.fc.par.Start.pulse()
    flow.session.advance_seconds(1.0)
    flow.fc.par.Nextstep.pulse()
    assert flow.current() == "done (1)"
    flow.session.advance_seconds(3.0)  # the old timer must not advance the next step
    assert flow.current() == "done (1)"


REVIEW_CALLBACKS = '''
def onStepEnter(info):
    _record(info)
    flow = info["ownerComp"]
    if info["step_name"] == "attempt":
        flow.Set("attempts", flow.Get("attempts", 0) + 1)
    elif info["step_name"] == "review":
        if flow.Get("attempts") >= 3:
            flow.GoToStep("accept")
        else:
            flow.NextStep()   # then 'attempt': jump back and retry
'''


def test_walkthrough_3_review_step_jumps_back_to_retry(flow_factory):
    flow = flow_factory([("Attempt", -1, "next"), ("Review", -1, "attempt"), ("Accept", 0, "end")])
    flow.use_recording_callbacks(REVIEW_CALLBACKS)
    logic = flow.target_code("def attempt_done():\n    iop.LOPflow.NextStep()\n")
    flow.fc.par.Start.pulse()
    for expected_attempt in (1, 2):
        assert flow.fc.Get("attempts") == expected_attempt
        flow.session.advance()  # the GO guard: one outside NextStep per frame (the operator's next press)
        logic.attempt_done()
        assert flow.current() == "attempt (0)"
    flow.session.advance()
    logic.attempt_done()
    assert flow.status() == "Completed"
    entered = [info["step_name"] for name, info in flow.calls() if name == "onStepEnter"]
    assert entered == ["attempt", "review"] * 3 + ["accept"]
    jumps = [info["transition"] for name, info in flow.calls() if name == "onNextStep"]
    assert jumps == ["next", "jump", "next", "jump", "next", "goto"]
