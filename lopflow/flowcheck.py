"""``lopflow check``: a flow file's steps checked by the engine's own validation, as readable findings.

The checks are ``ext/flow_steps.py``'s (the ones FlowController runs on its Step parameters), so a flow
that passes here loads in TouchDesigner the same way. Pure: no mock_td, no ``td``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lopflow.flowfile import FlowFile
from lopflow.repo import ext_module


@dataclass(frozen=True)
class CheckFinding:
    """One finding of ``lopflow check``: the engine's finding plus the step labels it is about."""

    severity: str
    code: str
    message: str
    steps: tuple[str, ...]

    @property
    def is_error(self) -> bool:
        """True when the finding makes the flow unrunnable."""
        return self.severity == "error"


def build_definition(flow: FlowFile) -> Any:
    """The engine's ``FlowDefinition`` for the flow file's steps (checked as it is built)."""
    return ext_module("flow_steps").FlowDefinition.from_rows(flow.rows())


def check_flow(flow: FlowFile) -> list[CheckFinding]:
    """Every finding for the flow file's steps, errors first."""
    return [
        CheckFinding(finding.severity, finding.code, finding.message, tuple(finding.steps))
        for finding in build_definition(flow).findings
    ]


def format_findings(flow: FlowFile, findings: list[CheckFinding]) -> str:
    """The report ``lopflow check`` prints: one line per finding, then a verdict line."""
    lines = [f"{flow.path}: {finding.severity}: {finding.message} [{finding.code}]" for finding in findings]
    errors = sum(1 for finding in findings if finding.is_error)
    warnings = len(findings) - errors
    steps = len(flow.steps)
    if errors:
        verdict = f"{flow.path}: {errors} error(s), {warnings} warning(s) in {steps} step(s): the flow cannot run"
    elif warnings:
        verdict = f"{flow.path}: OK with {warnings} warning(s): {steps} step(s)"
    else:
        verdict = f"{flow.path}: OK: {steps} step(s), no problems found"
    return "\n".join([*lines, verdict])
