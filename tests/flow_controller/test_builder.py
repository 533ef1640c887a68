"""build_flow_controller: the parameters v0.1.1 users expect, on the pages they expect, and the inner network."""

from __future__ import annotations

import os

import build_toxes
import flow_controller_pars
import FlowControllerExt
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

EXPECTED_PAGES = {
    "Control": ["Start", "Stop", "Nextstep", "Pause", "Resume", "Back", "Signal", "Signalname", "Signalpayload",
                "Status", "Currentstep", "Waiting", "Lastresult"],
    "Setup": ["Targetcomp", "Flowname", "Setup", "Cleanup", "Setupstatus", "Activeprocessid", "Exposeprocess",
              "Exposeflowdetails", "Asynciocomp", "Callbackdat"],
    "Steps": ["Step", "Step0label", "Step0duration", "Step0then", "Step0timeout", "Step0ontimeout",
              "Step0until", "Step0signal", "Step0onerror", "Step0alert"],
    "Advanced": ["Maxtransitions", "Historysize", "Godebounce", "Chanresultlength", "Chanstepdatalength",
                 "Chanlastupdatetime"],
    "Recovery": ["Journal", "Journalfolder", "Journalfsync", "Restoreonstart", "Restore", "Restoretimed"],
    "About": ["Version"],
}
READ_ONLY = {"Status", "Currentstep", "Waiting", "Lastresult", "Setupstatus", "Activeprocessid", "Version"}


@pytest.fixture
def fc(td_session):
    return build_toxes.build_flow_controller(td_session.root.op("project1"))


def test_pages_and_parameter_names(fc):
    pages = {page.name: [par.name for par in page.pars] for page in fc.customPages}
    assert pages == EXPECTED_PAGES
    for name in READ_ONLY:
        assert fc.par[name].readOnly, name
    assert fc.par.Start.isPulse and fc.par.Exposeprocess.isToggle and not fc.par.Exposeprocess.eval()
    assert fc.par.Step0then.menuNames[:2] == ["next", "end"]
    assert fc.par.Version.eval() == build_toxes.LOPFLOW_VERSION
    assert fc.par.Status.eval() == "Not Setup"


def test_every_parameter_has_help_text():
    for spec in flow_controller_pars.FLOW_CONTROLLER_PARS:
        assert spec.help, spec.name
        for block in getattr(spec, "block", ()):
            assert block.help, block.name


def test_inner_network_and_promoted_extension(fc):
    folder = os.path.join(ROOT, "ext", "FlowController")
    for stem in (name[:-3] for name in os.listdir(folder) if name.endswith(".py")):
        with open(os.path.join(folder, stem + ".py"), encoding="utf-8") as handle:
            assert fc.op(stem).text == handle.read(), stem
    assert fc.op("flow_channels").par.callbacks.eval() is fc.op("flow_channels_scriptchop")
    assert fc.op("step_name_history").numRows == 1
    assert fc.op("frame_execute").par.framestart.eval()
    assert fc.IsRunning is False and fc.CurrentStepIndex == -1  # promoted members


def test_build_rejects_an_unknown_mode(td_session):
    with pytest.raises(ValueError, match="mode"):
        build_toxes.build_flow_controller(td_session.root.op("project1"), mode="copied")


def test_every_parameter_the_extension_reads_exists():
    names = set(flow_controller_pars.par_names())
    assert {par for par, _channel in FlowControllerExt.OPTIONAL_CHANNELS} <= names
    assert set(FlowControllerExt._SETTING_PARS) <= names


def test_the_component_holds_what_the_extension_looks_up(fc):
    folder = os.path.join(ROOT, "ext", "FlowController")
    dats = {name[:-3] for name in os.listdir(folder) if name.endswith(".py")}
    assert dats <= {child.name for child in fc.children}  # else `import flow_x` fails inside TD
    for name in (FlowControllerExt.CHANNELS_CHOP, FlowControllerExt.TEMPLATE_DAT, FlowControllerExt.NAME_HISTORY_DAT):
        assert fc.op(name) is not None, name
    header = [cell.val for cell in fc.op(FlowControllerExt.NAME_HISTORY_DAT).row(0)]
    assert header == FlowControllerExt.NAME_HISTORY_HEADER
