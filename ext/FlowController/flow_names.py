"""Step-name rename history: old step names keep working after a label is renamed.

A step's name comes from its label (see ``flow_steps.step_name``). When the user renames a label, the
old name is recorded here as ``old -> new`` so ``GoToStep('old_name')`` and ``then`` menus that still
hold the old name keep pointing at the same step. FlowController shows this history in its
``step_name_history`` table DAT and empties it with ``ClearNameHistory()``.

Rules:

- Chains collapse: ``a -> b`` then ``b -> c`` leaves ``a -> c`` and ``b -> c``; ``resolve('a')`` is ``c``.
- Renaming back removes the redirect of the name that is live again: ``a -> b`` then ``b -> a`` leaves
  ``b -> a`` only (``a`` is a real step name again, it must not redirect anywhere).
- A name that is a live step name always means that step; the history is only consulted for names
  that no step has (``FlowDefinition.index_of`` does that).

``detect_renames(old_names, new_names)`` finds renames between two versions of the step list by block
index: the same block holding a different name is a rename, unless the old name still exists elsewhere
in the new list or the new name existed before (that is a reorder, insertion or deletion, not a rename).

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence


class NameHistory:
    """Old step name -> current step name, with chains collapsed so every lookup is one step.

    Build it empty, from a mapping, or from ``(old, new)`` pairs (for example the rows of the
    ``step_name_history`` table DAT when the extension re-initialises).
    """

    def __init__(self, entries: Mapping[str, str] | Iterable[tuple[str, str]] | None = None) -> None:
        self._map: dict[str, str] = {}
        pairs = entries.items() if isinstance(entries, Mapping) else (entries or ())
        for old, new in pairs:
            self.record(str(old), str(new))

    def record(self, old: str, new: str) -> bool:
        """Record that step ``old`` is now called ``new``. Returns False when nothing changed (old == new)."""
        if not old or not new or old == new:
            return False
        # ``new`` is a live name now: it must not redirect anywhere (this handles renaming back).
        self._map.pop(new, None)
        for key, value in list(self._map.items()):
            if value == old:
                self._map[key] = new
        self._map[old] = new
        return True

    def resolve(self, name: str) -> str:
        """The current name for ``name``: its rename target if it was renamed, else ``name`` itself."""
        seen = {name}
        current = name
        while current in self._map:
            current = self._map[current]
            if current in seen:  # cannot happen through record(); guards hand-made tables
                break
            seen.add(current)
        return current

    def forget(self, name: str) -> bool:
        """Drop the redirect of ``name`` (for example because a step is called ``name`` again)."""
        return self._map.pop(name, None) is not None

    def clear(self) -> None:
        """Forget every rename."""
        self._map.clear()

    def entries(self) -> list[tuple[str, str]]:
        """Every ``(old, new)`` pair, in the order the old names were first recorded."""
        return list(self._map.items())

    def as_dict(self) -> dict[str, str]:
        """A copy of the history as a plain dict ``{old: new}``."""
        return dict(self._map)

    def __contains__(self, name: object) -> bool:
        return name in self._map

    def __len__(self) -> int:
        return len(self._map)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._map))

    def __repr__(self) -> str:
        return f"NameHistory({self._map!r})"


def detect_renames(old_names: Sequence[str], new_names: Sequence[str]) -> list[tuple[str, str]]:
    """Renames between two step lists, compared block by block: ``[(old, new), ...]``.

    Block ``i`` is a rename when its name changed, the old name is gone from the new list and the new
    name was not in the old list. Inserting, deleting or reordering blocks is therefore never mistaken
    for a rename. Empty names are ignored.
    """
    old_set = set(old_names)
    new_set = set(new_names)
    renames: list[tuple[str, str]] = []
    for old, new in zip(old_names, new_names, strict=False):
        if old and new and old != new and old not in new_set and new not in old_set:
            renames.append((old, new))
    return renames


def apply_renames(history: NameHistory, old_names: Sequence[str], new_names: Sequence[str]) -> list[tuple[str, str]]:
    """Detect renames between two step lists, record them in ``history`` and return them.

    Live names of the new list are also dropped from the history, so a step that is called ``x`` again
    is found as ``x`` and not redirected.
    """
    renames = detect_renames(old_names, new_names)
    for old, new in renames:
        history.record(old, new)
    for name in new_names:
        history.forget(name)
    return renames
