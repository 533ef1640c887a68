"""Routes computed when a step is left: ``then``, ``ontimeout`` and ``onerror`` as values or expressions.

A route value is one of:

- ``next`` (the following step; from the last step: end) or ``end`` (finish the run), in any case;
- ``continue`` (``onerror`` only: a failure changes nothing, the step goes on as it would have);
- a step name;
- in a flow file, a Python expression string that starts with ``=``, evaluated when the step is left
  and returning one of the above: ``then = "='publish' if ctx['score'] > 0.8 else 'retry'"``.

``parse_route`` checks a value once, when the flow is built (an expression is compiled then, so a
syntax error or a name the expression cannot use is a ``RouteError`` before the run starts).
``RouteEvaluator.route`` evaluates an expression against the context and checks the target it gives;
``validate_target`` checks any target, also one returned by the ``onRoute`` callback. An unknown target
or an expression that raises is a ``RouteError`` naming the step, the field, the expression and the
valid targets; the engine reports it through onError and follows the step's error route.

**What an expression can use.** ``ctx``, a read-only view of the run's context (``ctx['score']``,
``ctx.get('score', 0)``; the view is shallow: a list stored in the context is the list itself), and the
builtins ``len``, ``min``, ``max``, ``abs``, ``round``, ``str``, ``int``, ``float``, ``bool``. Names
starting with ``__`` and attributes starting with ``_`` are refused. This keeps expressions to routing;
it is not a sandbox against a hostile flow file, which is trusted like the callbacks DAT. Each expression
text is compiled once and cached by the evaluator.

**The graph.** ``referenced_steps(expression, step_names)`` lists the step names an expression can give,
read from its string literals (``'publish' if ctx['score'] > 0.8 else 'retry'`` -> publish, retry: the
key ``'score'`` is not a target even when a step has that name). ``lopflow check`` and the graph draw a
``conditional`` edge to each (or to a ``?`` node when there is none), since the target itself is only
known when the step is left.

Routing in TouchDesigner
------------------------
On FlowController, ``Step{n}then``, ``Step{n}ontimeout`` and ``Step{n}onerror`` are read when the step
is left, so a route can depend on the context by putting the parameter in expression mode (click the
parameter's mode indicator, or type into its expression field) and entering a Python expression that
returns ``'next'``, ``'end'`` or a step name::

    'publish' if me.Get('score') > 0.8 else 'retry'

Inside a parameter expression ``me`` is the operator that owns the parameter: the FlowController COMP
itself. Its extension is promoted, so ``me.Get('score')`` reads the context value ``score`` (use
``me.Get('score', 0)`` when the key may be missing). FlowController evaluates the parameter at the
moment the step is left, so the route sees the context as it is then. A flow file writes the same route
as a string starting with ``=`` that reads ``ctx``: ``then = "='publish' if ctx['score'] > 0.8 else
'retry'"``. In both cases the ``onRoute`` callback sees the proposed target and may return another one.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from types import CodeType, MappingProxyType
from typing import Any, Literal

from flow_spec import THEN_END, THEN_NEXT

#: The step fields that hold a route.
ROUTE_FIELDS = ("then", "ontimeout", "onerror")
#: ``onerror`` only: a failure changes nothing (the behaviour before error routes existed).
ONERROR_CONTINUE = "continue"
#: A flow file's route starting with this is an expression.
EXPRESSION_PREFIX = "="
#: The builtins an expression may call.
SAFE_BUILTIN_NAMES = ("len", "min", "max", "abs", "round", "str", "int", "float", "bool")
#: The ``origin`` of the ``error`` info when a route fails.
ORIGIN_ROUTE = "route"
#: How many compiled expressions one evaluator keeps (the oldest is dropped past it).
DEFAULT_MAX_CACHED = 256

RouteKind = Literal["next", "end", "continue", "step", "expression"]


class RouteError(Exception):
    """A route that cannot be followed: bad syntax, an expression that raised, or an unknown target."""

    def __init__(self, message: str, *, step: str = "", field: str = "", expression: str | None = None,
                 target: Any = None, valid: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.step = step
        self.field = field
        self.expression = expression
        self.target = target
        self.valid = valid

    def error_info(self) -> dict[str, str]:
        """The ``error`` info the next step gets: ``{'origin': 'route', 'message', 'step'}``."""
        return {"origin": ORIGIN_ROUTE, "message": str(self), "step": self.step}


@dataclass(frozen=True)
class Route:
    """A parsed route: its kind and value (the keyword, the step name as written, or the expression
    text without its ``=``)."""

    kind: RouteKind
    value: str

    @property
    def is_conditional(self) -> bool:
        """True for an expression (its target is known only when the step is left)."""
        return self.kind == "expression"


def _where(step: str, field: str) -> str:
    return f"Step '{step}' {field}" if step else (field or "A route")


def is_expression(value: Any) -> bool:
    """True when ``value`` is a flow file's expression route (a string starting with ``=``)."""
    return isinstance(value, str) and value.lstrip().startswith(EXPRESSION_PREFIX)


def _strip(expression: str) -> str:
    text = expression.strip()
    return text[1:].strip() if text.startswith(EXPRESSION_PREFIX) else text


def check_expression(expression: str, step: str = "", field: str = "then") -> ast.Expression:
    """Parse an expression (with or without its ``=``) and check the names it uses; RouteError if bad."""
    text = _strip(expression)
    where = _where(step, field)
    if not text:
        raise RouteError(f"{where} is an empty expression; write a Python expression after '='",
                         step=step, field=field, expression=text)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise RouteError(f"{where} expression {text!r} is not valid Python: {exc.msg}",
                         step=step, field=field, expression=text) from exc
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    allowed = {"ctx", *SAFE_BUILTIN_NAMES} | stored
    for node in ast.walk(tree):
        bad = None
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            bad = f"the attribute {node.attr!r}"
        elif isinstance(node, ast.Name) and (node.id.startswith("__") or node.id not in allowed):
            bad = f"the name {node.id!r}"
        if bad:
            raise RouteError(f"{where} expression {text!r} uses {bad}; an expression can use ctx and "
                             f"{', '.join(SAFE_BUILTIN_NAMES)}", step=step, field=field, expression=text)
    return tree


def parse_route(value: Any, field: str = "then", step: str = "", allow_expression: bool = True) -> Route:
    """Check a route value of ``field`` once (see the module docstring); RouteError when it is invalid.

    None or an empty string is the field's default (``continue`` for onerror, else ``next``). A step
    name is returned as written (the definition resolves labels and old names and checks it exists).
    """
    if field not in ROUTE_FIELDS:
        raise ValueError(f"A route field is one of {', '.join(ROUTE_FIELDS)}, got {field!r}")
    if value is None or (isinstance(value, str) and not value.strip()):
        return Route("continue", ONERROR_CONTINUE) if field == "onerror" else Route("next", THEN_NEXT)
    if not isinstance(value, str):
        raise RouteError(f"{_where(step, field)} must be a string, got {type(value).__name__} {value!r}",
                         step=step, field=field, target=value)
    if is_expression(value):
        if not allow_expression:
            raise RouteError(f"{_where(step, field)} {value!r} is an expression, which is not allowed here",
                             step=step, field=field, expression=_strip(value))
        check_expression(value, step, field)
        return Route("expression", _strip(value))
    text = value.strip()
    keyword = text.lower()
    if keyword == THEN_NEXT:
        return Route("next", THEN_NEXT)
    if keyword == THEN_END:
        return Route("end", THEN_END)
    if keyword == ONERROR_CONTINUE and field == "onerror":
        return Route("continue", ONERROR_CONTINUE)
    return Route("step", text)


def valid_targets(step_names: Collection[str], field: str = "then") -> tuple[str, ...]:
    """Every target ``field`` accepts: next, end (continue for onerror), then the step names."""
    return (*_keywords(field), *[name for name in step_names if name])


def _keywords(field: str) -> tuple[str, ...]:
    return (THEN_NEXT, THEN_END, ONERROR_CONTINUE) if field == "onerror" else (THEN_NEXT, THEN_END)


def validate_target(target: Any, step_names: Collection[str], *, step: str = "", field: str = "then",
                    index_of: Callable[[str], int | None] | None = None, origin: str = "the route") -> str:
    """``target`` as ``next``, ``end``, ``continue`` (onerror only) or a current step name; RouteError else.

    ``index_of`` (e.g. ``FlowDefinition.index_of``) also accepts labels and old names; without it only
    exact names do. ``origin`` says where the target came from in the message (``"onRoute"``, ...).
    """
    valid = valid_targets(step_names, field)
    if isinstance(target, str):
        text = target.strip()
        if text.lower() in _keywords(field):
            return text.lower()
        if text in step_names:
            return text
        if index_of is not None and text:
            index = index_of(text)
            names = list(step_names)
            if index is not None and 0 <= index < len(names):
                return names[index]
        problem = f"{target!r}, but no step has that name"
    else:
        problem = f"{type(target).__name__} {target!r}, but a route is a string"
    raise RouteError(f"{_where(step, field)}: {origin} gave {problem}; valid targets: {', '.join(valid)}",
                     step=step, field=field, target=target, valid=valid)


def _outcomes(node: ast.expr) -> list[ast.expr]:
    """The sub-expressions the value of ``node`` can come from (``x if c else y``: x and y; ``a or b``: a
    and b; ``{...}[k]``: the dict's values), down to the leaves."""
    if isinstance(node, ast.IfExp):
        return _outcomes(node.body) + _outcomes(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [leaf for value in node.values for leaf in _outcomes(value)]
    if isinstance(node, ast.NamedExpr):
        return _outcomes(node.value)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict):
        return [leaf for value in node.value.values for leaf in _outcomes(value)]
    if isinstance(node, ast.Subscript) and isinstance(node.value, (ast.List, ast.Tuple)):
        return [leaf for value in node.value.elts for leaf in _outcomes(value)]
    return [node]


def referenced_steps(expression: str, step_names: Collection[str], include_keywords: bool = False) -> tuple[str, ...]:
    """The step names an expression can give, found from its string literals, in source order, each once.

    The literals looked at are those the value can come from: both branches of ``x if c else y``, the
    operands of ``and`` / ``or``, the values of a dict or list literal indexed by a key. So a context key
    that happens to be a step name (``ctx['score']``, ``me.Get('score')``) is not taken for a target.
    When no such literal names a step, every string literal naming a step counts. With
    ``include_keywords`` the literals ``next`` and ``end`` count too. An expression that does not parse
    references nothing (``parse_route`` reports it). Works on a TD parameter's expression as well.
    """
    try:
        tree = ast.parse(_strip(expression), mode="eval")
    except SyntaxError:
        return ()
    wanted = set(step_names)
    if include_keywords:
        wanted |= {THEN_NEXT, THEN_END}

    def named(nodes: Iterable[ast.AST]) -> list[ast.Constant]:
        return [n for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in wanted]

    found = named(_outcomes(tree.body)) or named(ast.walk(tree))
    found.sort(key=lambda node: (node.lineno, node.col_offset))
    return tuple(dict.fromkeys(str(node.value) for node in found))


class RouteEvaluator:
    """Evaluates route expressions, compiling each expression text once (a bounded cache per evaluator)."""

    def __init__(self, max_cached: int = DEFAULT_MAX_CACHED) -> None:
        self._max = max(1, int(max_cached))
        self._cache: dict[str, CodeType] = {}
        self._builtins = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
        #: How many times an expression was compiled (a cache miss).
        self.compiled = 0

    def compile(self, expression: str, step: str = "", field: str = "then") -> CodeType:
        """The code of ``expression`` (with or without ``=``), from the cache or checked and compiled now."""
        text = _strip(expression)
        code = self._cache.get(text)
        if code is None:
            tree = check_expression(text, step, field)
            code = compile(tree, f"<route {field} of {step or '?'}>", "eval")
            if len(self._cache) >= self._max:
                del self._cache[next(iter(self._cache))]
            self._cache[text] = code
            self.compiled += 1
        return code

    def evaluate(self, expression: str, context: Mapping[str, Any], step: str = "", field: str = "then") -> Any:
        """The value of ``expression`` with ``ctx`` a read-only view of ``context``; RouteError if it raises."""
        code = self.compile(expression, step, field)
        namespace: dict[str, Any] = {"__builtins__": self._builtins, "ctx": MappingProxyType(context)}
        try:
            return eval(code, namespace)  # checked names, restricted builtins (see the module docstring)
        except BaseException as exc:  # user code: SystemExit too
            text = _strip(expression)
            raise RouteError(f"{_where(step, field)} expression {text!r} raised {type(exc).__name__}: {exc}",
                             step=step, field=field, expression=text) from exc

    def route(self, expression: str, context: Mapping[str, Any], step_names: Collection[str], *,
              step: str = "", field: str = "then", index_of: Callable[[str], int | None] | None = None) -> str:
        """Evaluate ``expression`` and check its target (``validate_target``); RouteError when either fails."""
        target = self.evaluate(expression, context, step, field)
        try:
            return validate_target(target, step_names, step=step, field=field, index_of=index_of,
                                   origin=f"expression {_strip(expression)!r}")
        except RouteError as exc:
            exc.expression = _strip(expression)
            raise

    def __len__(self) -> int:
        return len(self._cache)
