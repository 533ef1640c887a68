"""The flow as a graph: nodes and edges from a FlowDefinition (``GetFlowGraph()``, ``lopflow graph``).

Nodes: a ``start`` node (id ``__start__``), one ``step`` node per step (id = step name; with index,
label, name, type ``auto``/``wait``/``timed``/``tasks``/``signal``, duration, timeout, until, the signal
names it waits for, its alert and its onerror), an ``unknown`` node (id ``__unknown__``, label ``?``) when
an expression route names no step, and an ``end`` node (id ``__end__``).
Edges (``source`` -> ``target``, ``kind``):

- ``next``: start -> first step, and a step whose ``then`` is ``next`` -> the following step;
- ``jump``: a step whose ``then`` names a step -> that step (loops and branches);
- ``end``: a step whose ``then`` is ``end``, or the last step with ``then`` ``next`` -> end;
- ``timeout``: a step with a watchdog (timeout above 0) -> where its ``ontimeout`` leads (the next step,
  a named step, or end). It follows the step's ``then`` edge;
- ``error``: a step with an error route (``onerror`` not ``continue``) -> where it leads (a step, or end);
- ``conditional``: a route written as an expression (``then``, ``ontimeout`` or ``onerror`` starting with
  ``=``), whose target is only known when the step is left -> every step (or end, for ``'end'``, or the
  next step, for ``'next'``) named by a string literal the expression can give, or the ``?`` node when it
  names none. Its ``field`` says which route, ``expression`` holds the expression.

A step whose ``then`` (or ``ontimeout``, ``onerror``) names no step has no such edge (the definition reports
it as an error).
``FlowGraph.as_dict()`` is what ``GetFlowGraph()`` returns: ``{"nodes": [...], "edges": [...]}`` with edge
keys ``from``, ``to``, ``kind`` (plus ``field`` and ``expression`` for a conditional edge). Its Mermaid /
DOT renderings are tooling (``lopflow/graphs.py``).

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import flow_routes
import flow_steps

START_ID = "__start__"
END_ID = "__end__"
UNKNOWN_ID = "__unknown__"

NodeKind = Literal["start", "step", "unknown", "end"]
EdgeKind = Literal["next", "jump", "end", "timeout", "error", "conditional"]


@dataclass(frozen=True)
class GraphNode:
    """A node: the start, a step, the unknown target of an expression route, or the end."""

    id: str
    kind: NodeKind
    label: str
    index: int = -1
    name: str = ""
    type: str = ""
    duration: float | None = None
    #: The step's watchdog in seconds (0: none).
    timeout: float = 0.0
    #: What ends the step: 'duration', 'tasks' or 'signal' ('' for a node that is not a step).
    until: str = ""
    #: The signal names a step with until = signal waits for.
    signals: tuple[str, ...] = ()
    #: The step's end alert in seconds (0: none).
    alert: float = 0.0
    #: The step's error route as written ('continue' when it has none).
    onerror: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The node as a JSON-friendly dict."""
        return {"id": self.id, "kind": self.kind, "label": self.label, "index": self.index, "name": self.name,
                "type": self.type, "duration": self.duration, "timeout": self.timeout, "until": self.until,
                "signals": list(self.signals), "alert": self.alert, "onerror": self.onerror}


@dataclass(frozen=True)
class GraphEdge:
    """A directed edge ``source`` -> ``target`` of kind next, jump, end, timeout, error or conditional."""

    source: str
    target: str
    kind: EdgeKind
    #: For a conditional edge: the route it comes from ('then', 'ontimeout' or 'onerror') and its expression.
    field: str = ""
    expression: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The edge as a dict with keys ``from``, ``to``, ``kind`` (and ``field``, ``expression`` when
        conditional)."""
        edge: dict[str, Any] = {"from": self.source, "to": self.target, "kind": self.kind}
        if self.kind == "conditional":
            edge["field"] = self.field
            edge["expression"] = self.expression
        return edge


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
    count = len(definition)
    for i, step in enumerate(definition.steps):
        duration = step.duration if step.kind != "invalid" else None
        nodes.append(GraphNode(ids[i], "step", step.label, i, step.name, step.kind, duration,
                               step.timeout if step.has_timeout else 0.0,
                               (step.until or flow_steps.UNTIL_DURATION).lower(), step.signals,
                               step.alert if step.alert > 0 else 0.0,
                               (step.onerror or flow_steps.ONERROR_CONTINUE)))
    edges.append(GraphEdge(START_ID, ids[0] if ids else END_ID, "next" if ids else "end"))
    unknown = False
    for i, step in enumerate(definition.steps):
        expression = definition.expression(i, "then")
        if expression is not None:
            unknown |= _conditional(edges, definition, ids, i, "then", expression)
        else:
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
            expression = definition.expression(i, "ontimeout")
            if expression is not None:
                unknown |= _conditional(edges, definition, ids, i, "ontimeout", expression)
            else:
                _route_edge(edges, ids, i, count, step.ontimeout, definition.timeout_targets[i], "timeout")
        if step.catches:
            expression = definition.expression(i, "onerror")
            if expression is not None:
                unknown |= _conditional(edges, definition, ids, i, "onerror", expression)
            else:
                _route_edge(edges, ids, i, count, step.onerror, definition.error_targets[i], "error")
    if unknown:
        nodes.append(GraphNode(UNKNOWN_ID, "unknown", "?"))
    nodes.append(GraphNode(END_ID, "end", "End"))
    return FlowGraph(tuple(nodes), tuple(edges))


def _route_edge(edges: list[GraphEdge], ids: list[str], index: int, count: int, raw: str, target: int | None,
                kind: EdgeKind) -> None:
    """The edge of a plain ``ontimeout`` / ``onerror`` route: to its step, or to the end."""
    route = (raw or flow_steps.THEN_NEXT).lower()
    if target is not None:
        edges.append(GraphEdge(ids[index], ids[target], kind))
    elif route == flow_steps.THEN_END or (route == flow_steps.THEN_NEXT and index == count - 1):
        edges.append(GraphEdge(ids[index], END_ID, kind))


def _conditional(edges: list[GraphEdge], definition: flow_steps.FlowDefinition, ids: list[str], index: int,
                 route_field: str, expression: str) -> bool:
    """The conditional edges of an expression route; True when it names no target (an edge to ``?``)."""
    referenced = flow_routes.referenced_steps(expression, definition.names, include_keywords=True)
    targets: list[str] = []
    for name in referenced:
        if name == flow_steps.THEN_END:
            target = END_ID
        elif name == flow_steps.THEN_NEXT:
            target = ids[index + 1] if index + 1 < len(ids) else END_ID
        else:
            target = ids[definition.names.index(name)]
        if target not in targets:
            targets.append(target)
    for target in targets or [UNKNOWN_ID]:
        edges.append(GraphEdge(ids[index], target, "conditional", route_field, expression))
    return not targets


def _step_ids(steps: tuple[flow_steps.StepDef, ...]) -> list[str]:
    """Node ids: the step name, made unique (empty or duplicate names get the block index)."""
    ids: list[str] = []
    for index, step in enumerate(steps):
        node_id = step.name or f"__block{index}__"
        if node_id in ids or node_id in (START_ID, END_ID, UNKNOWN_ID):
            node_id = f"{node_id}__block{index}"
        ids.append(node_id)
    return ids
