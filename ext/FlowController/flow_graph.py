"""The flow as a graph: nodes and edges from a FlowDefinition (``GetFlowGraph()``, ``lopflow graph``).

Nodes: a ``start`` node (id ``__start__``), one ``step`` node per step (id = step name; with index,
label, name, type ``auto``/``wait``/``timed``, duration and timeout) and an ``end`` node (id ``__end__``).
Edges (``source`` -> ``target``, ``kind``):

- ``next``: start -> first step, and a step whose ``then`` is ``next`` -> the following step;
- ``jump``: a step whose ``then`` names a step -> that step (loops and branches);
- ``end``: a step whose ``then`` is ``end``, or the last step with ``then`` ``next`` -> end;
- ``timeout``: a step with a watchdog (timeout above 0) -> where its ``ontimeout`` leads (the next step,
  a named step, or end). It follows the step's ``then`` edge.

A step whose ``then`` (or ``ontimeout``) names no step has no such edge (the definition reports it as an
error).
``FlowGraph.as_dict()`` is what ``GetFlowGraph()`` returns: ``{"nodes": [...], "edges": [...]}`` with edge
keys ``from``, ``to``, ``kind``. Its Mermaid / DOT renderings are tooling (``lopflow/graphs.py``).

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import flow_steps

START_ID = "__start__"
END_ID = "__end__"

NodeKind = Literal["start", "step", "end"]
EdgeKind = Literal["next", "jump", "end", "timeout"]


@dataclass(frozen=True)
class GraphNode:
    """A node: the start, a step, or the end."""

    id: str
    kind: NodeKind
    label: str
    index: int = -1
    name: str = ""
    type: str = ""
    duration: float | None = None
    #: The step's watchdog in seconds (0: none).
    timeout: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The node as a JSON-friendly dict."""
        return {"id": self.id, "kind": self.kind, "label": self.label, "index": self.index, "name": self.name,
                "type": self.type, "duration": self.duration, "timeout": self.timeout}


@dataclass(frozen=True)
class GraphEdge:
    """A directed edge ``source`` -> ``target`` of kind next, jump, end or timeout."""

    source: str
    target: str
    kind: EdgeKind

    def as_dict(self) -> dict[str, Any]:
        """The edge as a dict with keys ``from``, ``to``, ``kind``."""
        return {"from": self.source, "to": self.target, "kind": self.kind}


@dataclass(frozen=True)
class FlowGraph:
    """Nodes (start first, end last) and edges of a flow."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]

    def as_dict(self) -> dict[str, Any]:
        """``{"nodes": [...], "edges": [...]}``, JSON-serialisable."""
        return {"nodes": [n.as_dict() for n in self.nodes], "edges": [e.as_dict() for e in self.edges]}

    def node(self, node_id: str) -> GraphNode:
        """The node with id ``node_id`` (KeyError naming the known ids when there is none)."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(f"no graph node {node_id!r}; nodes: {', '.join(n.id for n in self.nodes)}")

    def successors(self, node_id: str) -> list[str]:
        """The ids the edges from ``node_id`` lead to."""
        return [e.target for e in self.edges if e.source == node_id]


def build_graph(definition: flow_steps.FlowDefinition) -> FlowGraph:
    """The graph of ``definition`` (works for definitions with errors too: bad edges are left out)."""
    nodes: list[GraphNode] = [GraphNode(START_ID, "start", "Start")]
    edges: list[GraphEdge] = []
    ids = _step_ids(definition.steps)
    for i, step in enumerate(definition.steps):
        duration = step.duration if step.kind != "invalid" else None
        nodes.append(GraphNode(ids[i], "step", step.label, i, step.name, step.kind, duration,
                               step.timeout if step.has_timeout else 0.0))
    nodes.append(GraphNode(END_ID, "end", "End"))
    edges.append(GraphEdge(START_ID, ids[0] if ids else END_ID, "next" if ids else "end"))
    for i, step in enumerate(definition.steps):
        then = (step.then or flow_steps.THEN_NEXT).lower()
        target = definition.target_of(i)
        if then == flow_steps.THEN_NEXT:
            edges.append(GraphEdge(ids[i], ids[target], "next") if target is not None
                         else GraphEdge(ids[i], END_ID, "end"))
        elif then == flow_steps.THEN_END:
            edges.append(GraphEdge(ids[i], END_ID, "end"))
        elif target is not None:
            edges.append(GraphEdge(ids[i], ids[target], "jump"))
        if step.has_timeout:
            route = (step.ontimeout or flow_steps.THEN_NEXT).lower()
            fallback = definition.timeout_targets[i]
            if fallback is not None:
                edges.append(GraphEdge(ids[i], ids[fallback], "timeout"))
            elif route == flow_steps.THEN_END or (route == flow_steps.THEN_NEXT and i == len(definition) - 1):
                edges.append(GraphEdge(ids[i], END_ID, "timeout"))
    return FlowGraph(tuple(nodes), tuple(edges))


def _step_ids(steps: tuple[flow_steps.StepDef, ...]) -> list[str]:
    """Node ids: the step name, made unique (empty or duplicate names get the block index)."""
    ids: list[str] = []
    for index, step in enumerate(steps):
        node_id = step.name or f"__block{index}__"
        if node_id in ids or node_id in (START_ID, END_ID):
            node_id = f"{node_id}__block{index}"
        ids.append(node_id)
    return ids
