"""The flow graph: nodes and edges (its Mermaid / DOT renderings are tested in tests/delivery)."""

from __future__ import annotations

import json

import flow_graph
from flow_steps import FlowDefinition

REVIEW = [("Draft", -1), ("Review", 0.25), ("Retry", 0, "draft"), ("Publish", 0, "end")]


def test_nodes_are_start_steps_end() -> None:
    graph = flow_graph.build_graph(FlowDefinition.from_rows(REVIEW))
    assert [n.id for n in graph.nodes] == ["__start__", "draft", "review", "retry", "publish", "__end__"]
    review = graph.node("review")
    assert (review.index, review.label, review.type, review.duration) == (1, "Review", "timed", 0.25)
    assert graph.node("draft").type == "wait" and graph.node("retry").type == "auto"


def test_edges_are_next_jump_and_end() -> None:
    graph = flow_graph.build_graph(FlowDefinition.from_rows(REVIEW))
    edges = {(e.source, e.target, e.kind) for e in graph.edges}
    assert edges == {("__start__", "draft", "next"), ("draft", "review", "next"), ("review", "retry", "next"),
                     ("retry", "draft", "jump"), ("publish", "__end__", "end")}
    assert graph.successors("retry") == ["draft"]


def test_as_dict_is_json_with_from_to_kind() -> None:
    data = flow_graph.build_graph(FlowDefinition.from_rows([("Only", -1)])).as_dict()
    json.dumps(data)
    assert data["edges"][-1] == {"from": "only", "to": "__end__", "kind": "end"}


def test_bad_then_has_no_edge_and_duplicates_get_unique_ids() -> None:
    graph = flow_graph.build_graph(FlowDefinition.from_rows([("A", -1, "nowhere"), ("a", -1)]))
    assert [n.id for n in graph.nodes][1:3] == ["a", "a__block1"]
    assert graph.successors("a") == []


def test_empty_definition_goes_from_start_to_end() -> None:
    graph = flow_graph.build_graph(FlowDefinition.from_rows([]))
    assert [(e.source, e.target, e.kind) for e in graph.edges] == [("__start__", "__end__", "end")]
