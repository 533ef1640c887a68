"""Random API sequences against FlowEngine (hypothesis state machine), with callbacks that call back in.

The GO guard is on (the engine's default): NextStep calls made by the rules come from outside callbacks.
Steps may have watchdogs; the rules pause, resume and go back too."""

from __future__ import annotations

import itertools
from typing import Any

import flow_callbacks
import flow_engine
import flow_steps
import hypothesis.strategies as st
import pytest
from flow_engine import FlowError, FlowStatus
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

NAMES = ["s0", "s1", "s2", "s3"]
DURATIONS = [0.0, -1.0, 0.5, 1.0]
REACTIONS = ["none", "next", "next_twice", "wait", "set", "raise", "finish", "goto"]


@st.composite
def definitions(draw: Any) -> list[tuple[str, float, str, float, str]]:
    count = draw(st.integers(1, 4))
    names = NAMES[:count]
    routes = st.sampled_from(["next", "next", "end", *names])
    return [(name, draw(st.sampled_from(DURATIONS)), draw(routes), draw(st.sampled_from([0.0, 0.0, 0.3, 2.0])),
             draw(routes)) for name in names]


class FlowMachine(RuleBasedStateMachine):
    """Model-free checks: the invariants below hold whatever the users and callbacks do."""

    @initialize(rows=definitions(), reactions=st.dictionaries(
        st.sampled_from(NAMES), st.sampled_from(REACTIONS), max_size=4),
        budget=st.integers(1, 6), history=st.integers(1, 40))
    def setup(self, rows: list[tuple[str, float, str, float, str]], reactions: dict[str, str], budget: int,
              history: int) -> None:
        self.time = 0.0
        self.frame = 1
        self.max_depth = 0
        self.sources = itertools.count()
        self.called_for: dict[str, int | None] = {}
        self.reactions = reactions
        self.definition = flow_steps.FlowDefinition.from_rows(rows)
        self.dispatcher = flow_callbacks.CallbackDispatcher(lookup=self.lookup)
        self.engine = flow_engine.FlowEngine(
            self.definition, now=lambda: self.time, frame=lambda: self.frame, dispatcher=self.dispatcher,
            max_transitions_per_frame=budget, history_size=history, budget_clock=lambda: 0.0)
        self.go_frame = -1  # the frame of the last NextStep (from outside callbacks) that advanced
        self.current_entry: int | None = None  # the entry token of the current step, from the history events
        self.engine.add_event_listener(self.follow_entry)

    def follow_entry(self, event: Any) -> None:
        if event.event == "step_enter":
            self.current_entry = event.data["entry"]
        elif event.event == "flow_finish":
            self.current_entry = None

    def lookup(self, name: str) -> Any:
        def callback(info: dict[str, Any]) -> None:
            self.max_depth = max(self.max_depth, len(self.dispatcher.active))
            if name != "onStepEnter":
                return
            reaction = self.reactions.get(info["step_name"], "none")
            engine = self.engine
            if reaction == "next":
                engine.next_step(source=self.tag())
            elif reaction == "next_twice":
                engine.next_step(source=self.tag())
                engine.next_step(source=self.tag())
            elif reaction == "wait":
                engine.wait_for_continue("held")
            elif reaction == "set":
                engine.set("entered", info["step_name"])
            elif reaction == "raise":
                raise RuntimeError("callback failed")
            elif reaction == "finish":
                engine.finish("from callback")
            elif reaction == "goto":
                engine.go_to_step(NAMES[0])
        return callback

    def tag(self, prefix: str = "api") -> str:
        """A unique source for one call, remembering the step entry that was current when it was made."""
        source = f"{prefix}#{next(self.sources)}"
        self.called_for[source] = self.current_entry
        return source

    # -- rules ------------------------------------------------------------------------------------------
    @rule()
    def start(self) -> None:
        self.engine.start()

    @rule(times=st.integers(1, 3), expect=st.none() | st.sampled_from(NAMES[:2]))
    def next_step(self, times: int, expect: str | None) -> None:
        """GO from outside callbacks, ``times`` calls in one frame: at most one advances; never raises
        while not running; with ``expect``, only from that step."""
        for _ in range(times):
            running = self.engine.is_running
            current = self.engine.current_step_name
            if running and expect is not None and expect not in self.definition.names:
                with pytest.raises(FlowError, match="names no step"):
                    self.engine.next_step(expect, source=self.tag("go"))
                continue
            result = self.engine.next_step(expect, source=self.tag("go"))
            assert result is (running and self.go_frame != self.frame and expect in (None, current))
            if result:
                self.go_frame = self.frame

    @rule()
    def pause(self) -> None:
        self.call(self.engine.pause)
        if self.engine.is_running:
            assert self.engine.is_paused and self.engine.state.status_label == "Paused"

    @rule()
    def resume(self) -> None:
        self.call(self.engine.resume)
        assert not self.engine.is_paused

    @rule()
    def back(self) -> None:
        self.call(lambda: self.engine.back())

    @rule(data=st.none() | st.integers())
    def wait_for_continue(self, data: int | None) -> None:
        self.call(lambda: self.engine.wait_for_continue(data))

    @rule(advance=st.booleans())
    def update(self, advance: bool) -> None:
        self.call(lambda: self.engine.update(1, advance_step=advance, source=self.tag()))

    @rule(kind=st.sampled_from(["success", "error"]))
    def finish(self, kind: str) -> None:
        self.call(lambda: self.engine.finish("r", kind))

    @rule()
    def stop(self) -> None:
        self.call(self.engine.stop)

    @rule(name=st.sampled_from([*NAMES, "missing"]))
    def go_to_step(self, name: str) -> None:
        if self.engine.is_running and name not in self.definition.names:
            before = self.engine.state
            try:
                self.engine.go_to_step(name)
            except FlowError as exc:
                assert "no step named" in str(exc)
                assert self.engine.state == before
                return
            raise AssertionError("GoToStep with an unknown name must raise")
        self.call(lambda: self.engine.go_to_step(name))

    @rule(key=st.sampled_from(["a", "b"]), value=st.integers())
    def set_context(self, key: str, value: int) -> None:
        before = self.engine.context.last_change_id
        self.engine.set(key, value)
        assert self.engine.context.last_change_id > before
        assert self.engine.get(key) == value

    @rule(seconds=st.sampled_from([0.0, 0.1, 0.5, 1.0]), frames=st.integers(1, 3))
    def advance(self, seconds: float, frames: int) -> None:
        for _ in range(frames):
            self.time += seconds / frames
            self.frame += 1
            self.engine.tick()

    @rule(size=st.integers(1, 40))
    def resize_history(self, size: int) -> None:
        self.engine.history_size = size

    def call(self, action: Any) -> None:
        """Run an API call; while not running it must raise FlowError and change nothing."""
        running = self.engine.is_running
        before = self.engine.state
        try:
            action()
        except FlowError:
            assert not running, "a FlowError while running"
            assert self.engine.state == before
            return
        assert running, "an API call while not running must raise FlowError"

    # -- invariants -------------------------------------------------------------------------------------
    @invariant()
    def exactly_one_status(self) -> None:
        if not hasattr(self, "engine"):
            return
        values = dict(self.engine.channel_values())
        assert sum(values[c] for c in flow_engine.STATUS_CHANNELS) == 1.0
        assert isinstance(self.engine.state.status, FlowStatus)
        assert values["flow_active"] == (1.0 if self.engine.is_running else 0.0)

    @invariant()
    def progress_in_range_and_step_consistent(self) -> None:
        if not hasattr(self, "engine"):
            return
        assert 0.0 <= self.engine.state.progress <= 1.0
        assert self.engine.is_running == (self.engine.current_step_index >= 0)
        assert not self.engine._queue.busy

    @invariant()
    def history_bounded(self) -> None:
        if hasattr(self, "engine"):
            assert len(self.engine.history) <= self.engine.history_size

    @invariant()
    def queued_calls_never_recurse(self) -> None:
        if hasattr(self, "engine"):
            assert self.max_depth <= 1
            assert self.dispatcher.active == ()

    @invariant()
    def one_next_step_enters_at_most_one_step(self) -> None:
        if not hasattr(self, "engine"):
            return
        enters = [e.source for e in self.engine.history.events("step_enter") if e.source[:4] in ("api#", "go#")]
        assert len(enters) == len(set(enters))
        entries = [e.data["entry"] for e in self.engine.history.events("step_enter")]
        assert len(entries) == len(set(entries))
        for event in self.engine.history.events("step_exit"):
            if event.source[:4] in ("api#", "go#"):  # a call only ever ends the entry it was made during
                assert event.data["entry"] == self.called_for[event.source], event

    @invariant()
    def outside_next_steps_advance_at_most_once_per_frame(self) -> None:
        if not hasattr(self, "engine"):
            return
        frames = [e.frame for e in self.engine.history.events("step_exit") if e.source.startswith("go#")]
        assert len(frames) == len(set(frames))

    @invariant()
    def nothing_moves_by_itself_while_paused(self) -> None:
        if not hasattr(self, "engine"):
            return
        paused = False
        for event in self.engine.history.events():
            if event.event == "pause":
                paused = True
            elif event.event in ("resume", "flow_finish", "flow_start"):
                paused = False
            elif paused and event.event == "step_exit":
                assert event.source not in ("timer", "auto", "timeout"), event
        if self.engine.is_paused:
            assert self.engine.next_due in (None, 0.0)

    @invariant()
    def timers_never_advance_early_or_a_waiting_step(self) -> None:
        if not hasattr(self, "engine"):
            return
        for event in self.engine.history.events("step_exit"):
            if event.source == "timer":
                assert event.data["duration"] > 0
                assert event.data["elapsed"] >= event.data["duration"] - 1e-9
                assert not event.data["waiting"]
        for event in self.engine.history.events("timeout"):
            assert event.data["elapsed"] >= event.data["timeout"] - 1e-9


TestFlowMachine = FlowMachine.TestCase
