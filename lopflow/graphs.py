"""``lopflow graph``: a flow file's step graph as Mermaid or DOT text, or as an SVG picture via Graphviz.

The graph itself (steps; next, jump and end edges) and its text renderers are the engine's
(``ext/flow_graph.py``), the same the FlowController component publishes; this module only reads the
flow file into a definition and, for SVG, pipes the DOT text through Graphviz's ``dot``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from lopflow.flowcheck import build_definition
from lopflow.flowfile import FlowFile
from lopflow.repo import ext_module

TEXT_FORMATS = ("mermaid", "dot")

GRAPHVIZ_INSTALL_HINT = (
    "Graphviz's 'dot' program is not installed (or not on PATH), so no SVG can be drawn. Install Graphviz: "
    "Debian/Ubuntu 'sudo apt install graphviz', Fedora 'sudo dnf install graphviz', macOS 'brew install graphviz', "
    "Windows 'winget install graphviz' (then open a new terminal). Or print the graph as text with "
    "--format mermaid or --format dot."
)


class GraphError(RuntimeError):
    """The graph could not be produced (Graphviz missing or failing, or a flow that has no graph)."""


def render_text(flow: FlowFile, fmt: str) -> str:
    """The flow's graph as Mermaid (``fmt='mermaid'``) or Graphviz DOT (``fmt='dot'``) text."""
    if fmt not in TEXT_FORMATS:
        raise GraphError(f"unknown graph format {fmt!r}; use one of {', '.join(TEXT_FORMATS)} (or svg)")
    flow_graph = ext_module("flow_graph")
    graph = flow_graph.build_graph(build_definition(flow))
    renderer = flow_graph.to_mermaid if fmt == "mermaid" else flow_graph.to_dot
    return str(renderer(graph)).rstrip("\n")


def write_svg(flow: FlowFile, target: Path) -> Path:
    """Draw the flow's graph with Graphviz's ``dot`` into ``target`` (an .svg file); returns ``target``."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphError(GRAPHVIZ_INSTALL_HINT)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        completed = subprocess.run(
            [dot, "-Tsvg", "-o", str(target)],
            input=render_text(flow, "dot") + "\n", text=True, capture_output=True, timeout=60, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GraphError(f"Graphviz 'dot' ({dot}) could not be run: {exc}") from None
    if completed.returncode != 0:
        detail = completed.stderr.strip() or f"exit code {completed.returncode}"
        raise GraphError(f"Graphviz 'dot' ({dot}) failed: {detail}")
    return target
