"""What the adapter costs, counted in operations (never timed): TD calls per NextStep, work per label
edit, one shared Then menu, frame callbacks only while something is due."""

from __future__ import annotations

import tempfile

import flow_adapter_steps
import flow_spec
from flow_controller_helpers import TDCallCounter, make_flow

import mock_td


def _chain(count, duration=-1.0):
    return [(f"Step {i}", duration, "next") for i in range(count)]


def _next_step_calls(steps):
    session = mock_td.install(project_folder=tempfile.mkdtemp(prefix="lopflow_test_"))
    flow = make_flow(session, _chain(steps))
    fc = flow.fc
    fc.Start()
    session.advance()
    calls = 0
    for _ in range(10):
        with TDCallCounter(fc) as counter:
            fc.NextStep()
        calls += counter.calls
        session.advance()  # one per frame: the engine's frame budget never defers one (profiling is slow)
    assert fc.CurrentStepIndex == 10
    return calls / 10


def test_a_next_step_makes_few_td_calls_whatever_the_flow_size():
    small, big = _next_step_calls(12), _next_step_calls(300)
    assert small <= 20
    assert big == small


def _label_edit(steps):
    session = mock_td.install(project_folder=tempfile.mkdtemp(prefix="lopflow_test_"))
    flow = make_flow(session, _chain(steps))
    fc = flow.fc
    ext = fc.ext.FlowControllerExt
    menu = getattr(ext, "thenMenu", None)
    _ = fc.par.Step0then.menuNames  # the menu was built once for the UI
    session.advance()
    writes, built = ext._pars.writes, getattr(menu, "entries_built", 0)
    with TDCallCounter(fc) as counter:
        fc.par[f"Step{steps // 2}label"] = "Renamed Step"
    assert fc.ext.FlowControllerExt.CurrentStepName == "" and len(fc.op("step_name_history").rows()) == 2
    return counter.calls, ext._pars.writes - writes, getattr(menu, "entries_built", 0) - built


def test_editing_one_label_does_work_independent_of_the_step_count():
    small, big = _label_edit(10), _label_edit(400)
    assert big == small  # TD calls, parameter writes, menu entries built
    assert small[2] == 0  # no menu is built until TD shows one


def test_every_then_parameter_shares_one_menu_source(flow_factory):
    flow = flow_factory(_chain(5))
    fc = flow.fc
    assert {fc.par[f"Step{i}then"].menuSource for i in range(5)} == {flow_spec.THEN_MENU_SOURCE}
    fc.seq.Step.numBlocks = 6  # a new block copies the first block's definition, menu source included
    assert fc.par.Step5then.menuSource == flow_spec.THEN_MENU_SOURCE
    fc.par.Step5label = "Six"
    assert fc.par.Step0then.menuNames == fc.par.Step5then.menuNames
    assert fc.par.Step0then.menuNames[-1] == "six"


def test_filling_a_flow_loads_it_a_bounded_number_of_times():
    session = mock_td.install(project_folder=tempfile.mkdtemp(prefix="lopflow_test_"))
    flow = make_flow(session, None, setup=False)
    loads = []
    engine = flow.fc.ext.FlowControllerExt.engine
    original = engine.load_rows

    def counting(rows):
        loads.append(len(rows))
        return original(rows)

    engine.load_rows = counting
    flow.set_steps(_chain(600))  # 1,800 parameter edits in one frame
    session.advance()
    # at once while the frame's reload budget lasts (not once per edit), then once at the frame start
    assert len(loads) <= flow_adapter_steps.RELOAD_BUDGET_ROWS // 600 + 2
    assert engine.definition.names[-1] == "step_599" and flow.fc.par.Status.eval() == "Not Setup"


def test_a_waiting_controller_switches_its_frame_callbacks_off(flow_factory):
    flow = flow_factory([("Wait", -1, "next"), ("Timed", 0.2, "next"), ("Last", -1, "next")])
    fc = flow.fc
    active = fc.op("frame_execute").par.active
    fc.Start()
    flow.session.advance(2)
    assert not active.eval()
    with TDCallCounter(fc) as counter:
        flow.session.advance(flow_spec.WATCH_FRAMES)
    assert counter.calls <= 8  # one watcher check in WATCH_FRAMES frames, nothing else
    fc.NextStep()  # into the timed step: its timer needs frames
    assert active.eval()
    flow.session.advance_seconds(0.3)
    assert fc.CurrentStepName == "last" and not active.eval()


def test_many_next_steps_in_one_frame_write_one_revision_and_store_nothing(flow_factory):
    flow = flow_factory(_chain(30))
    fc = flow.fc
    chop = fc.op("flow_channels")
    fc.Start()
    flow.session.advance()
    flow.channels()
    revision = chop.par.Revision.eval()
    with TDCallCounter(fc) as counter:
        for _ in range(5):
            fc.NextStep()
    assert fc.CurrentStepIndex >= 1  # (the engine's frame budget may leave some for the next frame)
    assert chop.par.Revision.eval() == revision + 1
    assert counter.by_name.get("OP.store", 0) == 0 and counter.by_name.get("OP.cook", 0) == 0


def _rows_read_while_filling_block_by_block(count):
    """Fill ``count`` steps the way lopflow's write_steps does (one block added and labelled at a time)
    and count the block rows the adapter reads from the Step parameters."""
    session = mock_td.install(project_folder=tempfile.mkdtemp(prefix="lopflow_test_"))
    flow = make_flow(session, None, setup=False)
    fc = flow.fc
    steps = fc.ext.FlowControllerExt._steps
    read = []
    original = steps.read_all

    def counting(start=0):
        rows = original(start) if start else original()
        read.append(len(rows))
        return rows

    steps.read_all = counting
    sequence = fc.seq["Step"]
    for index in range(count):
        if index >= sequence.numBlocks:
            sequence.numBlocks = index + 1
        setattr(fc.par, f"Step{index}label", f"Step {index}")
    session.advance()
    assert fc.ext.FlowControllerExt.engine.definition.names[-1] == f"step_{count - 1}"
    return sum(read)


def test_filling_steps_block_by_block_reads_each_new_block_once():
    small, big = _rows_read_while_filling_block_by_block(20), _rows_read_while_filling_block_by_block(200)
    assert big <= 10 * small + 20  # linear in the step count (re-reading every block each time: ~100x)


def test_adding_a_block_at_the_end_renames_only_the_new_block_pars():
    session = mock_td.install(project_folder=tempfile.mkdtemp(prefix="lopflow_test_"))

    def registrations(blocks):
        flow = make_flow(session, None, setup=False)
        fc = flow.fc
        fc.seq["Step"].numBlocks = blocks
        registered = []
        original = fc._registerPar
        fc._registerPar = lambda par: (registered.append(par.name), original(par))[1]
        fc.seq["Step"].numBlocks = blocks + 1
        del fc._registerPar
        return registered

    assert len(registrations(5)) == len(registrations(100))  # the new block's pars, not every block's
