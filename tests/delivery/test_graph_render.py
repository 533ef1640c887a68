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
