"""TD's ``Cell``: one cell of a Table DAT, bound to a (row, col) position.

A Cell reads whatever is at its position now; ``valid`` is False when the position is outside the
table (a choice listed with the table's in ``table_data``). Values are strings (``str(v)`` when set).
In expressions a Cell casts to its value, numeric when the text is a number (see ``values``).
"""

from __future__ import annotations

from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError
from mock_td.unsupported import not_modelled_members
from mock_td.values import CastsToValue, number_or_text


@not_modelled_members("Cell", "run")
class Cell(CastsToValue):
    """One table cell (``td.Cell``). Casts to its value: ``cell + 1``, ``float(cell)``, ``str(cell)``."""

    __hash__ = object.__hash__
    __td_source__ = "Cell_Class"

    def __init__(self, owner: Any, row: int, col: int) -> None:
        self._owner = owner
        self._row = row
        self._col = col

    @property
    def owner(self) -> Any:
        """The DAT holding the cell."""
        return self._owner

    @property
    def row(self) -> int:
        """Row index."""
        return self._row

    @property
    def col(self) -> int:
        """Column index."""
        return self._col

    @property
    def valid(self) -> bool:
        """True while the cell's position is inside the table."""
        rows = self._owner._tableRows()
        return bool(getattr(self._owner, "valid", True) and rows and self._row < len(rows)
                    and self._col < len(rows[0]))

    @property
    def val(self) -> str:
        """The cell's string value (settable; stored as ``str(v)``)."""
        if not self.valid:
            raise tdError(msg.CELL_OUTSIDE.format(row=self._row, col=self._col))
        return self._owner._tableRows()[self._row][self._col]

    @val.setter
    def val(self, value: Any) -> None:
        if not self.valid:
            raise tdError(msg.CELL_OUTSIDE.format(row=self._row, col=self._col))
        self._owner._tableRows()[self._row][self._col] = str(value)
        self._owner._tableChanged()

    def offset(self, r: int, c: int) -> Cell | None:
        """The cell ``r`` rows and ``c`` columns away, or None outside the table."""
        return self._owner._cellAt(self._row + r, self._col + c)

    def _castValue(self) -> Any:
        return number_or_text(self.val)

    def __str__(self) -> str:
        return self.val

    def __eq__(self, other: object) -> bool:
        other_val = other.val if isinstance(other, Cell) else other
        return self.val == str(other_val)

    def __repr__(self) -> str:
        return f"type:Cell cell:({self._row}, {self._col}) owner:{getattr(self._owner, 'path', '?')} val:{self.val!r}"
