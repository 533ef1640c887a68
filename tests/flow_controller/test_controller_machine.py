"""Random API and pulse sequences through the built FlowController on mock_td, with invariants checked after each."""

from __future__ import annotations

import tempfile

from flow_controller_helpers import make_flow
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import mock_td

LABELS = ["Alpha", "Beta", "Gamma", "Delta"]
STATUS_FOR_CHANNEL = {"status_idle": "Ready", "status_running": "Running", "status_completed": "Completed",
                      "status_stopped": "Ready", "status_error": "Error"}
#: Not Setup (the current target has no Setup) counts as idle on the channels.
NOT_SETUP = "Not Setup"


class FlowControllerMachine(RuleBasedStateMachine):
    """One built FlowController per example; steps wait (-1) or are timed (0.5 s); the last may be instant."""

    @initialize(data=st.data())
    def build(self, data: st.DataObject) -> None:
        count = data.draw(st.integers(1, 4), label="steps")
        names = [label.lower() for label in LABELS[:count]]
        rows = []
        for i in range(count):
            last = i == count - 1
            duration = data.draw(st.sampled_from([-1.0, 0.5, 0.0] if last else [-1.0, 0.5]), label=f"duration{i}")
            choices = ["next", "end"] if last and duration == 0 else ["next", "end", *names]
            rows.append((LABELS[i], duration, data.draw(st.sampled_from(choices), label=f"then{i}")))
        self.session = mock_td.install(project_folder=tempfile.mkdtemp(prefix="lopflow_test_"))
        self.flow = make_flow(self.session, rows)
        self.fc = self.flow.fc
        self.fc.par.Historysize = 20
        self.names = names
        self.targets = [self.flow.target, self.flow.target.parent().create("baseCOMP", "other_target")]
        self.entered: list[str] = []
        self.fc.ext.FlowControllerExt.engine.add_event_listener(
            lambda event: self.entered.append(event.step_name) if event.event == "step_enter" else None)

    def _api(self, call, *args, **kwargs):
        running = self.fc.IsRunning
        try:
            call(*args, **kwargs)
        except self.fc.FlowError as exc:
            assert not running or "Can't GoToStep" in str(exc), f"{call.__name__} raised while running: {exc}"

    @rule(pulse=st.booleans())
    def start(self, pulse):
        setup = self.flow.status() != NOT_SETUP
        if pulse:
            self.fc.par.Start.pulse()
        else:
            try:
                self.fc.Start()
            except self.fc.FlowError as exc:
                assert not setup, f"Start raised although Setup was done: {exc}"
        assert self.fc.IsRunning or self.flow.status() == ("Completed" if setup else NOT_SETUP)

    @rule(pulse=st.booleans())
    def next_step(self, pulse):
        before = len(self.entered)
        if pulse:
            self.fc.par.Nextstep.pulse()
        else:
            self._api(self.fc.NextStep)
        new = self.entered[before:]
        assert len(new) == len(set(new)) <= 2, f"one NextStep entered {new}"

    @rule(pulse=st.booleans())
    def stop(self, pulse):
        if pulse:
            self.fc.par.Stop.pulse()
        else:
            self._api(self.fc.Stop)
        assert not self.fc.IsRunning

    @rule(data=st.none() | st.integers(0, 100))
    def wait_for_continue(self, data):
        self._api(self.fc.WaitForContinue, data)

    @rule(data=st.none() | st.text(max_size=5), advance=st.booleans())
    def update(self, data, advance):
        self._api(self.fc.Update, data, advance_step=advance)

    @rule(result_type=st.sampled_from(["success", "error"]))
    def finish(self, result_type):
        self._api(self.fc.Finish, "r", result_type=result_type)

    @rule(name=st.sampled_from(["alpha", "beta", "gamma", "delta", "nowhere"]))
    def go_to_step(self, name):
        self._api(self.fc.GoToStep, name)

    @rule(key=st.sampled_from(["a", "b"]), value=st.integers())
    def set_context(self, key, value):
        change = self.fc.Set(key, value)
        assert self.fc.Get(key) == value and self.fc.OnContextChange.val == change

    @rule(which=st.integers(0, 1), setup=st.booleans())
    def retarget(self, which, setup):
        self.fc.par.Targetcomp = self.targets[which]  # a change mid-run ends the run
        if setup:
            self.fc.par.Setup.pulse()

    @rule(frames=st.integers(1, 40))
    def advance(self, frames):
        self.session.advance(frames)

    @precondition(lambda self: hasattr(self, "fc"))
    @invariant()
    def one_status_channel_and_consistent_pars(self):
        values = self.flow.channels()
        on = [name for name in STATUS_FOR_CHANNEL if values[name] == 1.0]
        assert len(on) == 1
        status = self.flow.status()
        assert status == STATUS_FOR_CHANNEL[on[0]] or (status == NOT_SETUP and on == ["status_idle"])
        assert self.fc.IsRunning == (status == "Running") == (values["flow_active"] == 1.0)
        assert 0.0 <= values["progress"] <= 1.0
        assert values["current_step"] == self.fc.CurrentStepIndex
        assert (self.fc.par.Waiting.eval() == "Yes") == (values["waiting_for_continue"] == 1.0)
        index = self.fc.CurrentStepIndex
        assert self.flow.current() == (f"{self.names[index]} ({index})" if index >= 0 else "")
        assert len(self.fc.History) <= 20
        assert self.session.take_script_exceptions() == []


TestFlowControllerMachine = FlowControllerMachine.TestCase
TestFlowControllerMachine.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
