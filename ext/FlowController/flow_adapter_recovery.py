"""Show-safe runs on the TD side: the live engine across re-initialisation, the journal file, Restore.

- Re-initialisation: the live ``FlowEngine`` is kept in the component's storage under ``ENGINE_KEY`` with
  a startup value of None (like TDAsyncIO's runtime), so it lives as long as the session and never goes
  into a saved project. ``adopt(new_engine)`` finds the previous instance's engine there and hands its
  run over (``export_run`` -> ``import_run(state, source='reinit')``), then stores the new engine.
- Journal: one file per controller, ``<Journalfolder>/<controller path with '/' as '_'>.jsonl``
  (empty folder: ``lopflow_journal`` in the project folder), written by ``flow_journal.Journal`` from
  the engine's ``on_record`` with the wall clock added. A failed write is one script error on the
  component per failure streak (cleared when writing works again); the run goes on.
- Restore: the journal's run is imported (``source='restore'``); the result is the ``onFlowRestore``
  info, or None with a script error saying why it was refused.

Never imports ``td``: the component, the wall clock and the project folder are passed in.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import flow_adapter_report
import flow_journal
from flow_state import FlowError

#: Storage key of the live engine on the FlowController (startup value None: session only).
ENGINE_KEY = "lopflow_engine"
#: Script error topics: journal writes, and restores.
JOURNAL_PREFIX = "LOPflow journal"
RESTORE_PREFIX = "LOPflow restore"
DEFAULT_FOLDER = "lopflow_journal"


def journal_file_name(comp_path: str) -> str:
    """The journal's file name for a controller at ``comp_path``: '/' becomes '_', plus ``.jsonl``."""
    return comp_path.replace("/", "_") + ".jsonl"


class Recovery:
    """The FlowController's engine hand-over, journal and restore."""

    def __init__(self, comp: Any, reporter: flow_adapter_report.Reporter, wall: Callable[[], float],
                 project_folder: Callable[[], str]) -> None:
        self._comp = comp
        self._reporter = reporter
        self._wall = wall
        self._project_folder = project_folder
        #: The open journal (None while the Journal toggle is off).
        self.journal: flow_journal.Journal | None = None

    def par(self, name: str, default: Any) -> Any:
        """The value of parameter ``name``, or ``default`` on a component built without it."""
        par = self._comp.par[name]
        return par.eval() if par is not None else default

    # ------------------------------------------------------------------ re-initialisation
    def adopt(self, engine: Any) -> bool:
        """Take over the run of the engine the previous extension instance left in storage; store ``engine``.

        Returns True when there was one (a re-initialisation). Fires no callback."""
        comp = self._comp
        previous = comp.fetch(ENGINE_KEY, None, search=False)
        comp.store(ENGINE_KEY, engine)
        comp.storeStartupValue(ENGINE_KEY, None)
        if previous is None or previous is engine or not hasattr(previous, "export_run"):
            return False
        self.detach(previous)
        try:
            engine.import_run(previous.export_run(), source="reinit")
        except (FlowError, ValueError, TypeError, KeyError, AttributeError) as exc:
            self._reporter.error(f"the run could not be taken over after re-initialising: {exc}", exc)
        return True

    def detach(self, engine: Any) -> None:
        """Stop ``engine`` writing the journal or warning through this instance."""
        engine.on_record = None
        engine.on_warning = None

    # ------------------------------------------------------------------ journal
    def path(self) -> str:
        """The journal file of this controller."""
        folder = str(self.par("Journalfolder", "") or "").strip()
        if not folder:
            folder = os.path.join(self._project_folder(), DEFAULT_FOLDER)
        return os.path.join(folder, journal_file_name(self._comp.path))

    def open_journal(self, engine: Any) -> None:
        """(Re)open the journal from the Recovery parameters and make ``engine`` write to it (or stop)."""
        if not self.par("Journal", False):
            self.journal = None
            engine.on_record = None
            self._reporter.clear(JOURNAL_PREFIX)
            return
        path = self.path()
        wall = self._wall
        journal = flow_journal.Journal(path, lambda: engine.journal_state(wall()), self._report,
                                       fsync=bool(self.par("Journalfsync", False)))
        self.journal = journal
        append = journal.append

        def first_record(record: dict[str, Any]) -> None:
            """The folder is made when the first record comes (a controller that never runs makes none)."""
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
            except OSError:
                pass  # the write below fails and reports it
            engine.on_record = write
            write(record)

        def write(record: dict[str, Any]) -> None:
            append({**record, "wall": wall()})

        engine.on_record = first_record

    def _report(self, message: str, exc: BaseException | None) -> None:
        if exc is None:
            self._reporter.clear(JOURNAL_PREFIX)
            self._reporter.warn(message)
        else:
            self._reporter.show(JOURNAL_PREFIX, [message])
            self._reporter.warn(message)

    def has_run(self) -> bool:
        """True when the journal holds a run that was going on (running or paused)."""
        state, _notes = flow_journal.read_state(self.path())
        return state is not None and state.get("status") == "running"

    # ------------------------------------------------------------------ restore
    def restore(self, engine: Any, timed: str) -> dict[str, Any] | None:
        """Bring back the journal's run into ``engine``; the onFlowRestore info, or None (refused, shown why)."""
        path = self.path()
        state, notes = flow_journal.read_state(path)
        for note in notes:
            self._reporter.warn(note)
        try:
            if state is None:
                raise FlowError(f"Can't restore the run: there is no journal at {path}")
            report = engine.import_run(state, timed=timed, source="restore")
        except (FlowError, ValueError) as exc:
            self._reporter.show(RESTORE_PREFIX, [str(exc)])
            self._reporter.warn(str(exc))
            return None
        self._reporter.clear(RESTORE_PREFIX)
        written = state.get("wall") or 0.0
        return {"process_id": report.process_id, "step_name": report.step_name, "step_index": report.step_index,
                "downtime": max(0.0, self._wall() - float(written)) if written else 0.0,
                "context_keys": list(report.context_keys), "lost_keys": list(report.lost_keys),
                "waiting": report.waiting, "paused": report.paused}
