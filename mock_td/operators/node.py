"""How an OP sits in its network (``NodeMixin``): tags, node position and size, colour, comment,
docking and the node flags.

* Layout values are whole numbers (a float is rounded); ``nodeCenterX``/``nodeCenterY`` move the node.
* An OP can only be docked to another OP of the same network; destroying an OP destroys the OPs
  docked to it (see ``op``).
* Only COMPs can turn ``allowCooking`` off (tdError otherwise).

DOCS DISAGREE: OP Class gives ``tags`` the type ``list`` in its header but calls it "a regular python
set" in the text; the mock keeps a set (what current TD returns).
"""

from __future__ import annotations

from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError


class NodeMixin:
    """The network-editor members of TD's ``OP`` (state set up by ``OP.__init__``)."""

    __td_source__ = "OP_Class"

    _parent: Any
    _valid: bool
    _tags: set[str]
    _nodeX: int
    _nodeY: int
    _nodeWidth: int
    _nodeHeight: int
    _color: tuple[float, float, float]
    _comment: str
    _dock: NodeMixin | None
    _flags: dict[str, bool]
    isCOMP: bool

    def _checkValid(self) -> None:  # pragma: no cover - provided by OP
        raise NotImplementedError

    @property
    def tags(self) -> set[str]:
        """The OP's tags (a set; assign any iterable of strings)."""
        return self._tags

    @tags.setter
    def tags(self, value: Any) -> None:
        if isinstance(value, str):
            value = [value]
        self._tags = {str(t) for t in value}

    def _num(self, value: Any) -> int:
        return int(round(float(value)))

    def _layout(attr: str, doc: str) -> property:  # type: ignore[misc]  # noqa: N805
        def get(self: NodeMixin) -> int:
            return int(getattr(self, attr))

        def set_(self: NodeMixin, value: float) -> None:
            setattr(self, attr, self._num(value))

        return property(get, set_, doc=doc)

    nodeX = _layout("_nodeX", "Node x position in the network editor.")
    nodeY = _layout("_nodeY", "Node y position in the network editor.")
    nodeWidth = _layout("_nodeWidth", "Node width.")
    nodeHeight = _layout("_nodeHeight", "Node height.")
    del _layout

    @property
    def nodeCenterX(self) -> float:  # noqa: N802
        """Node centre x (setting it moves the node)."""
        return self._nodeX + self._nodeWidth / 2

    @nodeCenterX.setter
    def nodeCenterX(self, value: float) -> None:  # noqa: N802
        self._nodeX = self._num(float(value) - self._nodeWidth / 2)

    @property
    def nodeCenterY(self) -> float:  # noqa: N802
        """Node centre y (setting it moves the node)."""
        return self._nodeY + self._nodeHeight / 2

    @nodeCenterY.setter
    def nodeCenterY(self, value: float) -> None:  # noqa: N802
        self._nodeY = self._num(float(value) - self._nodeHeight / 2)

    @property
    def color(self) -> tuple[float, float, float]:
        """Node colour (r, g, b)."""
        return self._color

    @color.setter
    def color(self, value: Any) -> None:
        r, g, b = (float(v) for v in value)
        self._color = (r, g, b)

    @property
    def comment(self) -> str:
        """Node comment."""
        return str(self._comment)

    @comment.setter
    def comment(self, value: str) -> None:
        self._comment = str(value)

    @property
    def dock(self) -> NodeMixin | None:
        """The OP this one is docked to (set None to undock); must be in the same network."""
        d = self._dock
        return d if d is not None and d._valid else None

    @dock.setter
    def dock(self, value: NodeMixin | None) -> None:
        if value is None:
            self._dock = None
            return
        if not isinstance(value, NodeMixin):
            raise TypeError(msg.DOCK_TYPE)
        value._checkValid()
        if value is self or value._parent is not self._parent:
            raise tdError(msg.DOCK_NETWORK)
        self._dock = value

    @property
    def docked(self) -> list[Any]:
        """The OPs docked to this one."""
        return self._dockedOps()

    def _dockedOps(self) -> list[Any]:
        parent = self._parent
        if parent is None:
            return []
        return [o for o in parent._children.values() if o._dock is self and o._valid]

    def _flag(name: str, doc: str) -> property:  # type: ignore[misc]  # noqa: N805
        def get(self: NodeMixin) -> bool:
            return bool(self._flags[name])

        def set_(self: NodeMixin, value: bool) -> None:
            if name == "allowCooking" and not self.isCOMP and not value:
                raise tdError(msg.ALLOW_COOKING_COMP_ONLY)
            self._flags[name] = bool(value)

        return property(get, set_, doc=doc)

    bypass = _flag("bypass", "Bypass flag.")
    lock = _flag("lock", "Lock flag.")
    display = _flag("display", "Display flag.")
    render = _flag("render", "Render flag.")
    allowCooking = _flag("allowCooking", "Cooking flag (only COMPs can turn it off).")
    cloneImmune = _flag("cloneImmune", "Clone immune flag.")
    current = _flag("current", "Whether this is the current OP of its network.")
    expose = _flag("expose", "Whether the node is shown in the network.")
    selected = _flag("selected", "Selected state in the network editor.")
    showCustomOnly = _flag("showCustomOnly", "Show only custom pars in the parameter dialog.")
    showDocked = _flag("showDocked", "Show docked OPs.")
    python = _flag("python", "Python (vs tscript) expression language.")
    del _flag
