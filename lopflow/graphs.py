"""``lopflow graph``: a flow file's step graph as Mermaid or DOT text, or as an SVG picture via Graphviz.

The graph itself (steps; next, jump, end, watchdog timeout, error-route and conditional edges) is the
engine's
(``ext/FlowController/flow_graph.py``),
the same the FlowController component publishes with ``GetFlowGraph()``. Drawing it is tooling, so the
renderers live here: ``to_mermaid`` and ``to_dot`` turn a ``FlowGraph`` into text, and ``write_svg``
pipes the DOT text through Graphviz's ``dot``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from lopflow.flowcheck import build_definition
from lopflow.flowfile import FlowFile
from lopflow.repo import component_module

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
    graph = component_module("FlowController", "flow_graph").build_graph(build_definition(flow))
    return (to_mermaid(graph) if fmt == "mermaid" else to_dot(graph)).rstrip("\n")


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


def _node_text(node: Any) -> str:
    if node.kind != "step":
        return str(node.label)
    if node.type == "wait":
        return f"{node.label} (wait)"
    if node.type == "timed" and node.duration is not None:
        alert = f", alert {node.alert:g}s" if getattr(node, "alert", 0) else ""
        return f"{node.label} ({node.duration:g}s{alert})"
    if node.type == "tasks":
        return f"{node.label} (until tasks)"
    if node.type == "signal":
        return f"{node.label} (until signal: {' '.join(node.signals)})"
    return str(node.label)


def _edge_text(graph: Any, edge: Any) -> str:
    """An edge's label ('' for none): jump, the watchdog's seconds, error, or a conditional route's field."""
    if edge.kind == "timeout":
        return _timeout_text(graph, edge)
    if edge.kind == "conditional":
        return f"{edge.field}?"
    return edge.kind if edge.kind in ("jump", "error") else ""


def _timeout_text(graph: Any, edge: Any) -> str:
    """The label of a timeout edge: ``timeout 60s`` (the step's watchdog)."""
    for node in graph.nodes:
        if node.id == edge.source:
            return f"timeout {node.timeout:g}s"
    return "timeout"


def _mermaid_escape(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", " ")


def to_mermaid(graph: Any, current: str | None = None) -> str:
    """Mermaid ``flowchart TD`` text of a ``FlowGraph``: wait steps hexagons, timed steps rounded, steps waiting
    for tasks as subroutines, steps waiting for a signal as flags, jumps dotted, watchdog timeouts thick
    arrows labelled with their seconds, error routes labelled ``error``, conditional routes dotted and
    labelled with their field (``then?``) to every step they can give (or to ``?``), ``current`` bold."""
    mermaid_ids = {node.id: ("start" if node.kind == "start" else "finish" if node.kind == "end"
                             else "unknown" if node.kind == "unknown" else f"s{i}")
                   for i, node in enumerate(graph.nodes)}
    lines = ["flowchart TD"]
    for node in graph.nodes:
        text = _mermaid_escape(_node_text(node))
        mid = mermaid_ids[node.id]
        if node.kind in ("start", "end"):
            lines.append(f'    {mid}(("{text}"))')
        elif node.kind == "unknown":
            lines.append(f'    {mid}{{"{text}"}}')
        elif node.type == "wait":
            lines.append(f'    {mid}{{{{"{text}"}}}}')
        elif node.type == "timed":
            lines.append(f'    {mid}("{text}")')
        elif node.type == "tasks":
            lines.append(f'    {mid}[["{text}"]]')
        elif node.type == "signal":
            lines.append(f'    {mid}>"{text}"]')
        else:
            lines.append(f'    {mid}["{text}"]')
    for edge in graph.edges:
        label = _mermaid_escape(_edge_text(graph, edge))
        if edge.kind == "timeout":
            arrow = f"==>|{label}|"
        elif edge.kind in ("jump", "conditional"):
            arrow = f"-.->|{label}|"
        elif edge.kind == "error":
            arrow = f"-->|{label}|"
        else:
            arrow = "-->"
        lines.append(f"    {mermaid_ids[edge.source]} {arrow} {mermaid_ids[edge.target]}")
    if current is not None and current in mermaid_ids:
        lines.append("    classDef current stroke-width:4px")
        lines.append(f"    class {mermaid_ids[current]} current")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: Any, name: str = "flow", current: str | None = None) -> str:
    """Graphviz DOT text (``digraph``) of a ``FlowGraph``: wait steps hexagons, steps waiting for tasks 3D boxes,
    steps waiting for a signal flags (``cds``), jumps dashed, watchdog timeouts dotted and labelled with their
    seconds, error routes red, conditional routes dashed blue and labelled with their field, ``current``
    bold."""
    lines = [f"digraph {_dot_quote(name)} {{", "    rankdir=TB;", "    node [shape=box, style=rounded];"]
    shapes = {"start": "circle", "end": "doublecircle", "unknown": "diamond", "wait": "hexagon", "timed": "box",
              "auto": "box", "tasks": "box3d", "signal": "cds"}
    for node in graph.nodes:
        shape = shapes.get(node.kind if node.kind != "step" else node.type, "box")
        attrs = [f"label={_dot_quote(_node_text(node))}", f"shape={shape}"]
        if node.id == current:
            attrs.append("penwidth=3")
        lines.append(f"    {_dot_quote(node.id)} [{', '.join(attrs)}];")
    for edge in graph.edges:
        if edge.kind == "timeout":
            style = f" [style=dotted, penwidth=2, label={_dot_quote(_timeout_text(graph, edge))}]"
        elif edge.kind == "error":
            style = ' [color=red, fontcolor=red, label="error"]'
        elif edge.kind == "conditional":
            style = f" [style=dashed, color=blue, fontcolor=blue, label={_dot_quote(_edge_text(graph, edge))}]"
        else:
            style = ' [style=dashed, label="jump"]' if edge.kind == "jump" else ""
        lines.append(f"    {_dot_quote(edge.source)} -> {_dot_quote(edge.target)}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"
