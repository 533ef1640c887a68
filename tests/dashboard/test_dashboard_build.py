"""The builder and the loader know FlowDashboard: ``.html`` files are Text DATs (never modules), the
``webservers`` declaration makes the Web Server DAT, and the parameters follow TD's naming rule."""

from __future__ import annotations

from pathlib import Path

import build_toxes
import component_files
import flowdashboard_pars
import par_specs
import pytest

from lopflow.repo import REPO_ROOT

FOLDER = REPO_ROOT / "ext" / "FlowDashboard"


def test_the_page_is_a_dat_of_the_component_but_not_a_module() -> None:
    files = component_files.dat_files("FlowDashboard", str(REPO_ROOT))
    assert files["dashboard_page"] == str(FOLDER / "dashboard_page.html")
    assert files["FlowDashboardExt"] == str(FOLDER / "FlowDashboardExt.py")
    with pytest.raises(ImportError, match="dashboard_page.html is a Text DAT the component serves, not a module"):
        component_files.load("FlowDashboard", "dashboard_page", str(REPO_ROOT))
    assert component_files.forwarder_names("FlowDashboard", str(REPO_ROOT)) == {
        "frame_execute", "par_execute", "webserver_callbacks"}


def test_two_files_for_one_dat_name_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ext" / "FlowDashboard"
    folder.mkdir(parents=True)
    (folder / "page.py").write_text("", encoding="utf-8")
    (folder / "page.html").write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match=r"two files for the DAT 'page' \(page.html and page.py\)"):
        component_files.dat_files("FlowDashboard", str(tmp_path))


def test_linked_mode_syncs_the_page_to_its_file(td_session) -> None:
    dash = build_toxes.build_flow_dashboard(td_session.root.op("project1"), mode="linked", repo_folder=str(REPO_ROOT))
    page = dash.op("dashboard_page")
    assert Path(page.par.file.eval()) == FOLDER / "dashboard_page.html" and page.par.syncfile.eval() is True
    assert page.text == (FOLDER / "dashboard_page.html").read_text(encoding="utf-8")
    assert dash.op("webserver_callbacks").par.file.eval() == ""  # forwarders are embedded in both modes


def test_parameters_follow_tds_naming_rule_and_every_one_has_help() -> None:
    specs = flowdashboard_pars.flowdashboard_par_specs("0.0.0")
    for spec in specs:
        par_specs.check_custom_name(spec.name)
        assert spec.help, spec.name
    by_name = {spec.name: spec for spec in specs}
    assert by_name["Address"].default == "127.0.0.1" and by_name["Port"].default == 9980
    assert by_name["Token"].default == "" and by_name["Active"].default is False
    watched = set(component_files.spec("FlowDashboard", str(REPO_ROOT)).WATCHED_PARS.split())
    assert watched <= set(by_name)


def test_build_all_builds_and_names_the_dashboard_tox(td_session) -> None:
    built = build_toxes.build_all(td_session.root.op("project1"), save=False, repo_folder=str(REPO_ROOT))
    assert built["FlowDashboard"].par.Version.eval() == build_toxes.LOPFLOW_VERSION
    assert build_toxes.tox_path("FlowDashboard", str(REPO_ROOT)).endswith("/toxes/FlowDashboard.tox")
