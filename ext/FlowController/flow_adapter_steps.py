"""The Step sequence <-> the engine's definition: per-block reads, one shared Then menu, renames, findings.

- ``rows`` mirrors the Step sequence as ``(label, duration, then)``; a parameter change re-reads only
  its own block parameter. A different block count (noticed on an edit, a pulse, an API call, a frame
  or the watcher) re-reads every block.
- Loading into the engine is immediate while this frame's reload work stays under
  ``RELOAD_BUDGET_ROWS`` rows (the first load of a frame always runs; a handful of a 1,000-step flow); after
  that the rows are loaded once at the next frame start (``pending``), or earlier when an API call
  needs them (``apply_pending``). A script filling a big flow therefore costs O(steps), not O(steps^2).
- Every ``Step{n}then`` parameter takes its menu from ONE object, ``then_menu`` (menuSource
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

Row = tuple[str, float, str]
_BLOCK_PAR = re.compile(rf"^{flow_spec.STEP_SEQUENCE}(\d+)(label|duration|then)$")
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
            for label, _duration, _then in rows:
                name = flow_steps.step_name(label)
                if name and name not in entries:
                    entries[name] = label.strip()
            for _label, _duration, then in rows:
                if then and then not in entries:
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

    def read_all(self) -> list[Row]:
        """Every block of the Step sequence as a row (3 parameter reads per block)."""
        par = self._comp.par
        prefix = flow_spec.STEP_SEQUENCE
        return [(str(par[f"{prefix}{i}label"].eval()), float(par[f"{prefix}{i}duration"].eval()),
                 str(par[f"{prefix}{i}then"].eval())) for i in range(self._sequence().numBlocks)]

    def install_menu_source(self) -> None:
        """Point every Then parameter at the shared menu (only when block 0 does not already)."""
        if self._menu_installed:
            return
        self._menu_installed = True
        par = self._comp.par
        prefix = flow_spec.STEP_SEQUENCE
        first = par[f"{prefix}0then"]
        if first is None or first.menuSource == flow_spec.THEN_MENU_SOURCE:
            return
        for i in range(self._sequence().numBlocks):
            par[f"{prefix}{i}then"].menuSource = flow_spec.THEN_MENU_SOURCE

    def on_par_change(self, par: Any) -> None:
        """A Step parameter changed: re-read that block parameter (or every block) and load."""
        if self._writing:
            return
        self.install_menu_source()
        match = _BLOCK_PAR.match(par.name)
        if match is None or int(match.group(1)) >= len(self.rows):
            self._reread_all()
        else:
            index, field = int(match.group(1)), match.group(2)
            value = par.eval()
            label, duration, then = self.rows[index]
            if field == "label":
                label = str(value)
                self.then_menu.invalidate()
            elif field == "duration":
                duration = float(value)
            else:
                then = str(value)
                if not self.then_menu.holds(then):
                    self.then_menu.invalidate()
            self.rows[index] = (label, duration, then)
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
        for index, (_label, _duration, then) in enumerate(self.rows):
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
                label, duration, _then = self.rows[index]
                self.rows[index] = (label, duration, resolved)
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
