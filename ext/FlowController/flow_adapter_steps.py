"""The Step sequence <-> the engine's definition: per-block reads, one shared Then menu, renames, findings.

- ``rows`` mirrors the Step sequence as ``(label, duration, then, timeout, ontimeout, until, signal, onerror,
  alert)`` (a component built without some of these parameters reads their defaults); a parameter change
  re-reads only its own block parameter. A different block count (noticed on an edit, a pulse, an API call, a frame
  or the watcher) re-reads every block.
- Loading into the engine is immediate while this frame's reload work stays under
  ``RELOAD_BUDGET_ROWS`` rows (the first load of a frame always runs; a handful of a 1,000-step flow); after
  that the rows are loaded once at the next frame start (``pending``), or earlier when an API call
  needs them (``apply_pending``). A script filling a big flow therefore costs O(steps), not O(steps^2).
- Every ``Step{n}then`` and ``Step{n}ontimeout`` parameter takes its menu from ONE object, ``then_menu`` (menuSource
  ``flow_spec.THEN_MENU_SOURCE``), built lazily from ``rows`` when TD asks for it: next, end, every
  step name, then any value a then holds that names no step (so a bad then stays visible).
- After a load: thens that hold a renamed step's old name are set to its new name (only those pars are
  written), the ``step_name_history`` table is extended (rewritten only when an entry changed), and the
  findings are shown as script errors on the component. A step list that became valid is cleared at
  once; errors are shown at the next frame start (or at once when loaded during a frame callback), so a
  script filling the steps one parameter at a time never flashes transient errors.

Never imports ``td``: the component, the engine and the reporter are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import flow_adapter_report
import flow_spec
import flow_steps

Row = tuple[Any, ...]
#: The row fields in order (``flow_steps``' row order), the type each is read as, and the default a
#: component built without that parameter gets.
_FIELDS: tuple[tuple[str, type, Any], ...] = (
    ("label", str, ""), ("duration", float, flow_spec.DEFAULT_DURATION), ("then", str, flow_spec.THEN_NEXT),
    ("timeout", float, flow_spec.DEFAULT_TIMEOUT), ("ontimeout", str, flow_spec.DEFAULT_ONTIMEOUT),
    ("until", str, flow_spec.DEFAULT_UNTIL), ("signal", str, ""), ("onerror", str, flow_spec.DEFAULT_ONERROR),
    ("alert", float, flow_spec.DEFAULT_ALERT))
_FIELD_NAMES = tuple(name for name, _kind, _default in _FIELDS)
_BLOCK_PAR = re.compile(rf"^{flow_spec.STEP_SEQUENCE}(\d+)({'|'.join(_FIELD_NAMES)})$")
#: The route parameters: they take the shared menus, and may be in expression mode (read when the step is left).
_MENU_FIELDS = ("then", "ontimeout")
ROUTE_FIELDS = ("then", "ontimeout", "onerror")
#: The menu source of every Step{n}onerror parameter: ``continue`` plus the Then menu.
ONERROR_MENU_SOURCE = "me.ext.FlowControllerExt.onerrorMenu"
#: Immediate reloads per frame stop once this many rows were loaded in the frame (then: next frame start).
RELOAD_BUDGET_ROWS = 5_000


class ThenMenu:
    """The one menu source of every Then parameter (``menuNames`` / ``menuLabels``, built when read)."""

    def __init__(self, rows: Callable[[], list[Row]]) -> None:
        self._rows = rows
        self._menu: tuple[list[str], list[str]] | None = None
        self._offered: frozenset[str] = frozenset()
        #: How many menu entries were built in total (tests check a label edit builds none).
        self.entries_built = 0

    def invalidate(self) -> None:
        """The rows changed: build the menu again when it is next read."""
        self._menu = None

    def holds(self, value: str) -> bool:
        """True when the built menu already offers ``value`` (a then set to it needs no new menu)."""
        return self._menu is not None and value in self._offered

    def _build(self) -> tuple[list[str], list[str]]:
        if self._menu is None:
            rows = self._rows()
            entries = dict(zip(flow_spec.THEN_KEYWORDS, flow_spec.THEN_KEYWORD_LABELS, strict=True))
            for row in rows:
                name = flow_steps.step_name(row[0])
                if name and name not in entries:
                    entries[name] = row[0].strip()
            for row in rows:
                for then in (row[2], row[4], row[7]):
                    if then and then not in entries and then != flow_spec.ONERROR_CONTINUE:
                        entries[then] = f"{then} (no such step)"
            self._menu = (list(entries), list(entries.values()))
            self._offered = frozenset(entries)
            self.entries_built += len(entries)
        return self._menu

    @property
    def menuNames(self) -> list[str]:  # noqa: N802 - TD's menu source protocol
        """next, end, every step name, then values naming no step."""
        return self._build()[0]

    @property
    def menuLabels(self) -> list[str]:  # noqa: N802 - TD's menu source protocol
        """The labels of ``menuNames``."""
        return self._build()[1]


class OnerrorMenu:
    """The menu source of every Onerror parameter: ``continue``, then the shared Then menu's entries."""

    def __init__(self, then_menu: ThenMenu) -> None:
        self._then = then_menu

    @property
    def menuNames(self) -> list[str]:  # noqa: N802 - TD's menu source protocol
        """continue, next, end, every step name."""
        return [flow_spec.ONERROR_CONTINUE, *self._then.menuNames]

    @property
    def menuLabels(self) -> list[str]:  # noqa: N802 - TD's menu source protocol
        """The labels of ``menuNames``."""
        return ["Continue", *self._then.menuLabels]


class StepPars:
    """Keeps the engine's definition equal to the Step sequence, writing back only what must change."""

    def __init__(self, comp: Any, reporter: flow_adapter_report.Reporter, frame: Callable[[], int]) -> None:
        self._comp = comp
        self._reporter = reporter
        self._frame = frame
        self.engine: Any = None
        self._seq: Any = None
        #: The definition the rows gave at the last load (a rejected one included: its errors are shown).
        self.definition: Any = None
        #: Called after every load (the adapter rewrites its state parameters).
        self.on_loaded: Callable[[], None] | None = None
        self.rows: list[Row] = self.read_all()
        self.then_menu = ThenMenu(lambda: self.rows)
        self.onerror_menu = OnerrorMenu(self.then_menu)
        #: TD's ``ParMode.EXPRESSION`` (given by the extension: this module never imports td).
        self.expression_mode: Any = None
        self._loaded: list[Row] | None = None
        self._writing = False
        self._menu_installed = False
        self._budget_frame = -1
        self._budget_used = 0
        #: A load waits for the next frame start / a display of errors waits for the next frame start.
        self.pending = False
        self.display_pending = False
        self._history_shown: list[tuple[str, str]] | None = None
        self._warnings_logged: tuple[str, ...] = ()

    def attach(self, engine: Any) -> None:
        """Use ``engine``, whose definition was built from ``rows``."""
        self.engine = engine
        self.definition = engine.definition
        self._loaded = list(self.rows)

    # ------------------------------------------------------------------ reading
    def _sequence(self) -> Any:
        seq = self._seq
        if seq is None or not seq.valid:  # looked up once: the Step sequence lives as long as the component
            seq = self._seq = self._comp.seq[flow_spec.STEP_SEQUENCE]
        return seq

    def read_all(self, start: int = 0) -> list[Row]:
        """The blocks of the Step sequence from ``start`` on, as rows (one parameter read per field and block)."""
        par = self._comp.par
        prefix = flow_spec.STEP_SEQUENCE
        present = [(name, kind, default, par[f"{prefix}0{name}"] is not None) for name, kind, default in _FIELDS]
        return [tuple(kind(par[f"{prefix}{i}{name}"].eval()) if there else default
                      for name, kind, default, there in present)
                for i in range(start, self._sequence().numBlocks)]

    def expression_routes(self) -> bool:
        """True when some Then / Ontimeout / Onerror parameter is in expression mode (read when the step is left)."""
        par = self._comp.par
        prefix = flow_spec.STEP_SEQUENCE
        for i in range(len(self.rows)):
            for field in ROUTE_FIELDS:
                route_par = par[f"{prefix}{i}{field}"]
                if route_par is not None and route_par.mode == self.expression_mode:
                    return True
        return False

    def resolve_route(self, index: int, field: str) -> str | None:
        """The engine's ``route_resolver``: the route parameter's value now when it is in expression mode."""
        route_par = self._comp.par[f"{flow_spec.STEP_SEQUENCE}{index}{field}"]
        if route_par is None or route_par.mode != self.expression_mode:
            return None
        return str(route_par.eval())

    def install_menu_source(self) -> None:
        """Point every Then / Ontimeout parameter at the shared menu (only when block 0 does not already)."""
        if self._menu_installed:
            return
        self._menu_installed = True
        par = self._comp.par
        prefix = flow_spec.STEP_SEQUENCE
        first = par[f"{prefix}0then"]
        if first is None or first.menuSource == flow_spec.THEN_MENU_SOURCE:
            return
        for i in range(self._sequence().numBlocks):
            for field in ROUTE_FIELDS:
                menu_par = par[f"{prefix}{i}{field}"]
                if menu_par is not None:
                    menu_par.menuSource = ONERROR_MENU_SOURCE if field == "onerror" else flow_spec.THEN_MENU_SOURCE

    def on_par_change(self, par: Any) -> None:
        """A Step parameter changed: re-read that block parameter (or every block) and load."""
        if self._writing:
            return
        self.install_menu_source()
        match = _BLOCK_PAR.match(par.name)
        if match is not None and int(match.group(1)) == len(self.rows) and self.rows:
            # Blocks appended at the end (a sequence filled block by block): read only the new ones.
            self.rows.extend(self.read_all(len(self.rows)))
            self.then_menu.invalidate()
        elif match is None or int(match.group(1)) >= len(self.rows):
            self._reread_all()
        else:
            index, field = int(match.group(1)), match.group(2)
            value = par.eval()
            row: list[Any] = list(self.rows[index])
            position = _FIELD_NAMES.index(field)
            row[position] = _FIELDS[position][1](value)
            if field == "label" or (field in ROUTE_FIELDS and not self.then_menu.holds(str(value))):
                self.then_menu.invalidate()
            self.rows[index] = tuple(row)
        self.request_load()

    def unsettled(self) -> bool:
        """True when the block count changed, or a load or an error display waits (``settle`` work)."""
        return self.pending or self.display_pending or self._sequence().numBlocks != len(self.rows)

    def check_count(self) -> bool:
        """Re-read every block when the block count changed; True when it did (a load was requested)."""
        if self._sequence().numBlocks == len(self.rows):
            return False
        self._reread_all()
        self.request_load(settled=True)
        return True

    def refresh(self, settled: bool = False) -> None:
        """Re-read every block and load now (Start, GoToStep, re-initialisation: blocks may have moved)."""
        self._reread_all()
        self._load(settled)

    def _reread_all(self) -> None:
        self.rows = self.read_all()
        self.then_menu.invalidate()

    # ------------------------------------------------------------------ loading
    def request_load(self, settled: bool = False) -> None:
        """Load now if this frame's reload budget allows, else at the next frame start."""
        if self.rows == self._loaded:
            self.pending = False
            return
        frame = self._frame()
        if frame != self._budget_frame:
            self._budget_frame, self._budget_used = frame, 0
        if self._budget_used and self._budget_used + len(self.rows) > RELOAD_BUDGET_ROWS:
            self.pending = True
            return
        self._load(settled)

    def apply_pending(self, settled: bool = False) -> None:
        """Load the rows a deferred edit left (before an API call uses the steps, or at a frame start)."""
        if self.pending:
            self._load(settled)

    def _load(self, settled: bool) -> None:
        self.pending = False
        if self.rows == self._loaded:
            return
        self._budget_used += len(self.rows)
        definition = self.engine.load_rows(self.rows)
        self.definition = definition
        self._loaded = list(self.rows)
        self._follow_renames(definition)
        self._write_name_history()
        if definition.errors and not settled:
            self.display_pending = True
        else:
            self.display_findings()
        if self.on_loaded is not None:
            self.on_loaded()

    def _follow_renames(self, definition: Any) -> None:
        """Set every then that holds an old name (or a label) to the current step name it resolves to."""
        changes = []
        for index, row in enumerate(self.rows):
            then = row[2]
            resolved = definition.resolved_then(index)
            if then and resolved != then and (resolved in flow_spec.THEN_KEYWORDS
                                              or definition.index_of(resolved) is not None):
                changes.append((index, resolved))
        if not changes:
            return
        self._writing = True
        try:
            par = self._comp.par
            for index, resolved in changes:
                par[f"{flow_spec.STEP_SEQUENCE}{index}then"].val = resolved
                updated = list(self.rows[index])
                updated[2] = resolved
                self.rows[index] = tuple(updated)
        finally:
            self._writing = False
        self._loaded = list(self.rows)
        self.then_menu.invalidate()

    # ------------------------------------------------------------------ showing
    def display_findings(self) -> None:
        """Show the loaded definition's errors as script errors (warnings go to the log, once)."""
        self.display_pending = False
        definition = self.definition
        errors = [finding.message for finding in definition.errors]
        shown = errors[:flow_spec.MAX_SHOWN_FINDINGS]
        if len(errors) > len(shown):
            shown.append(f"... and {len(errors) - len(shown)} more step errors")
        self._reporter.show(flow_spec.STEPS_ERROR_PREFIX, shown)
        warnings = tuple(finding.message for finding in definition.warnings)
        if warnings != self._warnings_logged:
            for message in warnings:
                self._reporter.warn(f"steps warning: {message}")
            self._warnings_logged = warnings

    def problem(self) -> str:
        """The first error of the loaded steps (naming the step), with how many more; '' when valid."""
        errors = self.definition.errors
        if not errors:
            return ""
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"{errors[0].message}{more}"

    def read_name_history(self) -> list[tuple[str, str]]:
        """The ``(old, new)`` rows of the ``step_name_history`` table."""
        table = self._comp.op(flow_spec.NAME_HISTORY_DAT)
        if table is None:
            return []
        rows = []
        for index in range(1, table.numRows):
            old, new = table[index, 0], table[index, 1]
            if old is not None and new is not None and old.val and new.val:
                rows.append((old.val, new.val))
        self._history_shown = rows
        return rows

    def _write_name_history(self) -> None:
        entries = self.engine.names.entries()
        shown = self._history_shown
        if entries == shown:
            return
        table = self._comp.op(flow_spec.NAME_HISTORY_DAT)
        if table is None:
            return
        if shown is not None and entries[:len(shown)] == shown:
            for old, new in entries[len(shown):]:
                table.appendRow([old, new])
        else:
            table.clear()
            table.appendRow(list(flow_spec.NAME_HISTORY_HEADER))
            for old, new in entries:
                table.appendRow([old, new])
        self._history_shown = entries

    def clear_name_history(self) -> None:
        """After the engine forgot its renames: reload (old names stop resolving) and empty the table."""
        self._loaded = None
        self._load(settled=True)
        self._write_name_history()
