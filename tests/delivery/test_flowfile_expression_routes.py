"""A flow file's expression route (``then = "=..."``) runs headless as it is checked: the Then parameter
goes into expression mode and is read when the step is left."""

from __future__ import annotations

from pathlib import Path

from lopflow.headless import load_flow

FLOW = '''name = "route test"
[[steps]]
label = "Score"
duration = -1
then = "='publish' if ctx.get('score', 0) > 0.8 else 'retry'"
[[steps]]
label = "Retry"
duration = -1
then = "end"
[[steps]]
label = "Publish"
duration = -1
then = "end"
'''


def _flow(td_session, tmp_path: Path):
    path = tmp_path / "flow.toml"
    path.write_text(FLOW, encoding="utf-8")
    return load_flow(td_session, path)


def test_an_expression_route_follows_the_context(td_session, tmp_path: Path) -> None:
    flow = _flow(td_session, tmp_path)
    flow.Start()
    flow.Set("score", 0.9)
    assert flow.NextStep() is True
    assert flow.CurrentStepName == "publish"


def test_the_same_route_takes_the_other_branch(td_session, tmp_path: Path) -> None:
    flow = _flow(td_session, tmp_path)
    flow.Start()
    flow.Set("score", 0.2)
    flow.NextStep()
    assert flow.CurrentStepName == "retry"
    assert flow.par.Step0then.mode.name == "EXPRESSION"
