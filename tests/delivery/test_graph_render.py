"""The Mermaid / DOT renderings of a flow graph (tooling: ``lopflow/graphs.py``, not shipped in a .tox)."""

from __future__ import annotations

import flow_graph
from flow_steps import FlowDefinition

from lopflow.graphs import to_dot, to_mermaid

REVIEW = [("Draft", -1), ("Review", 0.25), ("Retry", 0, "draft"), ("Publish", 0, "end")]


def test_mermaid_text() -> None:
    text = to_mermaid(flow_graph.build_graph(FlowDefinition.from_rows(REVIEW + [('Say "hi"', -1)])),
                      current="review")
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    assert '    s1{{"Draft (wait)"}}' in lines
    assert '    s2("Review (0.25s)")' in lines
    assert "    s3 -.->|jump| s1" in lines
    assert "    s4 --> finish" in lines
    assert "#quot;hi#quot;" in text
    assert "    class s2 current" in lines


def test_dot_text() -> None:
    text = to_dot(flow_graph.build_graph(FlowDefinition.from_rows(REVIEW + [('Say "hi"', -1)])),
                  name="review", current="draft")
    assert text.startswith('digraph "review" {')
    assert '"retry" -> "draft" [style=dashed, label="jump"];' in text
    assert '"draft" [label="Draft (wait)", shape=hexagon, penwidth=3];' in text
    assert '\\"hi\\"' in text
    assert text.rstrip().endswith("}")


KIOSK = [("Attract", 10, "attract"), ("Visitor", -1, "next", 60, "attract"), ("Thanks", 3, "end", 2.5, "end")]


def test_timeout_edges_are_drawn_apart_from_the_others() -> None:
    graph = flow_graph.build_graph(FlowDefinition.from_rows(KIOSK))
    mermaid = to_mermaid(graph).splitlines()
    assert "    s2 ==>|timeout 60s| s1" in mermaid and "    s2 --> s3" in mermaid
    assert "    s3 ==>|timeout 2.5s| finish" in mermaid
    dot = to_dot(graph)
    assert '"visitor" -> "attract" [style=dotted, penwidth=2, label="timeout 60s"];' in dot
    assert '"visitor" -> "thanks";' in dot


def test_shipped_graph_module_has_no_renderers() -> None:
    assert not hasattr(flow_graph, "to_mermaid") and not hasattr(flow_graph, "to_dot")


INSTALLATION = [("Attract", -1, "next", 0, "next", "signal", "visitor"),
                ("Load", 0, "next", 0, "next", "tasks", "", "attract"),
                ("Review", -1, "='show' if ctx['ok'] else 'attract'"), ("Show", 8.0, "=ctx['next_scene']", 0,
                                                                         "next", "duration", "", "continue", 2.0)]


def test_waits_error_routes_and_conditional_routes_are_drawn() -> None:
    graph = flow_graph.build_graph(FlowDefinition.from_rows(INSTALLATION))
    mermaid = to_mermaid(graph).splitlines()
    assert '    s1>"Attract (until signal: visitor)"]' in mermaid
    assert '    s2[["Load (until tasks)"]]' in mermaid and '    s4("Show (8s, alert 2s)")' in mermaid
    assert "    s2 -->|error| s1" in mermaid
    assert "    s3 -.->|then?| s4" in mermaid and "    s3 -.->|then?| s1" in mermaid
    assert '    unknown{"?"}' in mermaid and "    s4 -.->|then?| unknown" in mermaid
    dot = to_dot(graph)
    assert '"attract" [label="Attract (until signal: visitor)", shape=cds];' in dot
    assert '"load" [label="Load (until tasks)", shape=box3d];' in dot
    assert '"load" -> "attract" [color=red, fontcolor=red, label="error"];' in dot
    assert '"review" -> "show" [style=dashed, color=blue, fontcolor=blue, label="then?"];' in dot
    assert '"__unknown__" [label="?", shape=diamond];' in dot
