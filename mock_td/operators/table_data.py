"""Table contents of a Table DAT (``TableDataMixin``); the ``Cell`` class is in ``cell``.

Values are stored as strings (``str(v)``). Rows and columns are addressed by int index or by
exact name (the row name is the cell in column 0, the column name the cell in row 0);
``cell``/``row``/``col``/``findCell`` also take wildcard patterns. Every mutation calls
``self._dataChanged()`` (the operator's hook).

Choices not confirmed by TD's docs (listed in SUPPORTED.md):
- reads that miss (``dat[9, 9]``, ``dat['nope', 0]``, ``row('x')``, ``cell(...)``) return None, as the
  docs say; mutations that name a row/column that does not exist (``deleteRow(9)``,
  ``replaceRow('x')``, ``dat[9, 0] = v``, ``appendRow(v, 9)``) raise ``tdError``;
- negative indexes count as missing;
- ``text`` joins rows with ``\\n`` and ends with a newline; setting it splits on newlines and tabs;
- ``appendRow`` with more values than columns widens the table (other rows get empty cells);
- a Cell is bound to a (row, col) position: it reads whatever is there, and ``valid`` is False when
  the position is outside the table.
"""

from __future__ import annotations

import bisect
import csv
import fnmatch
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mock_td import messages as msg
from mock_td.errors import tdError
from mock_td.operators.cell import Cell


def _pattern_match(name: str, pattern: str, case_sensitive: bool) -> bool:
    if not case_sensitive:
        return fnmatch.fnmatch(name.lower(), pattern.lower())
    return fnmatch.fnmatchcase(name, pattern)


def _first_name_index(names: list[str], key: str, case_sensitive: bool) -> int | None:
    """Index of the first of ``names`` equal to ``key``, else None."""
    if not case_sensitive:
        key = key.lower()
        names = [name.lower() for name in names]
    try:
        return names.index(key)
    except ValueError:
        return None


class TableDataMixin:
    """Table storage and the table members of TD's DAT class (for ``tableDAT``)."""

    __td_source__ = "DAT_Class"
    __td_member_sources__ = {"csv": "td_api_facts §6 (current DAT Class page; not on the 2023 page)"}

    # ------------------------------------------------------------------ storage
    def _tableRows(self) -> list[list[str]]:
        rows = self.__dict__.get("_tableData")
        if rows is None:
            rows = []
            object.__setattr__(self, "_tableData", rows)
        return rows

    # The mixin is only used by tableDAT, whose OP base provides these two (declared for type checkers
    # only: a runtime definition here would shadow the OP's in the method resolution order).
    if TYPE_CHECKING:
        def _checkValid(self) -> None: ...  # noqa: N802

        def _dataChanged(self) -> None: ...  # noqa: N802

    def _tableChanged(self) -> None:
        self._dataChanged()

    def _tableCheck(self) -> None:
        self._checkValid()

    def _dataSnapshot(self) -> dict[str, Any]:
        """The table contents as plain data."""
        return {"rows": [list(r) for r in self._tableRows()]}

    def _dataRestore(self, data: dict[str, Any]) -> None:
        """Replace the table contents with :meth:`_dataSnapshot` data (no change callback)."""
        rows = self._tableRows()
        rows[:] = [[str(v) for v in r] for r in data.get("rows", [])]

    def _width(self) -> int:
        rows = self._tableRows()
        return len(rows[0]) if rows else 0

    def _padAll(self, width: int) -> None:
        """Make every row ``width`` cells wide (after the rows were replaced wholesale)."""
        for r in self._tableRows():
            if len(r) < width:
                r.extend([""] * (width - len(r)))

    def _widen(self, width: int) -> None:
        # Rows are kept rectangular (every row as wide as row 0), so only a wider row costs a pass.
        if width > self._width():
            self._padAll(width)

    # ------------------------------------------------------------------ addressing
    def _rowIndex(self, key: Any, case_sensitive: bool = True) -> int | None:
        rows = self._tableRows()
        if type(key) is int:  # the common case first: cell writes address rows by index
            return key if 0 <= key < len(rows) else None
        if isinstance(key, Cell):
            return self._rowIndex(key.row)
        if isinstance(key, bool) or not isinstance(key, int | str):
            raise TypeError(msg.TABLE_KEY_TYPE.format(what="row", key=key))
        if isinstance(key, int):
            return self._rowIndex(int(key))
        return _first_name_index([r[0] if r else "" for r in rows], key, case_sensitive)

    def _colIndex(self, key: Any, case_sensitive: bool = True) -> int | None:
        rows = self._tableRows()
        if type(key) is int:
            return key if 0 <= key < (len(rows[0]) if rows else 0) else None
        if isinstance(key, Cell):
            return self._colIndex(key.col)
        if isinstance(key, bool) or not isinstance(key, int | str):
            raise TypeError(msg.TABLE_KEY_TYPE.format(what="column", key=key))
        if isinstance(key, int):
            return self._colIndex(int(key))
        return _first_name_index(rows[0] if rows else [], key, case_sensitive)

    def _rowIndexes(self, key: Any, case_sensitive: bool) -> list[int]:
        if isinstance(key, int | Cell):
            found = self._rowIndex(key)
            return [] if found is None else [found]
        rows = self._tableRows()
        return [i for i, r in enumerate(rows) if _pattern_match(r[0] if r else "", str(key), case_sensitive)]

    def _colIndexes(self, key: Any, case_sensitive: bool) -> list[int]:
        if isinstance(key, int | Cell):
            found = self._colIndex(key)
            return [] if found is None else [found]
        header = self._tableRows()[0] if self._tableRows() else []
        return [i for i, name in enumerate(header) if _pattern_match(name, str(key), case_sensitive)]

    def _needRow(self, key: Any) -> int:
        index = self._rowIndex(key)
        if index is None:
            raise tdError(msg.TABLE_NO_ROW.format(path=getattr(self, "path", "table"), key=key, count=self.numRows))
        return index

    def _needCol(self, key: Any) -> int:
        index = self._colIndex(key)
        if index is None:
            raise tdError(msg.TABLE_NO_COL.format(path=getattr(self, "path", "table"), key=key, count=self.numCols))
        return index

    def _cellAt(self, r: int, c: int) -> Cell | None:
        rows = self._tableRows()
        if 0 <= r < len(rows) and 0 <= c < self._width():
            return Cell(self, r, c)
        return None

    # ------------------------------------------------------------------ size and text
    @property
    def numRows(self) -> int:
        """Number of rows."""
        return len(self._tableRows())

    @property
    def numCols(self) -> int:
        """Number of columns."""
        return self._width()

    @property
    def text(self) -> str:
        """The table as tab-separated columns and newline-separated rows (settable)."""
        rows = self._tableRows()
        return "".join("\t".join(r) + "\n" for r in rows)

    @text.setter
    def text(self, value: str) -> None:
        self._tableCheck()
        lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        new = [line.split("\t") for line in lines]
        self._tableRows()[:] = new
        self._padAll(max((len(r) for r in new), default=0))
        self._tableChanged()

    @property
    def csv(self) -> str:
        """The table as comma-separated values (settable)."""
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(self._tableRows())
        return out.getvalue()

    @csv.setter
    def csv(self, value: str) -> None:
        self._tableCheck()
        new = [[str(v) for v in row] for row in csv.reader(io.StringIO(str(value)))]
        self._tableRows()[:] = new
        self._padAll(max((len(r) for r in new), default=0))
        self._tableChanged()

    # ------------------------------------------------------------------ access
    def __getitem__(self, key: Any) -> Cell | None:
        if not isinstance(key, tuple) or len(key) != 2:
            raise TypeError(msg.TABLE_INDEX_FORM)
        r = self._rowIndex(key[0])
        c = self._colIndex(key[1])
        return None if r is None or c is None else Cell(self, r, c)

    def __setitem__(self, key: Any, value: Any) -> None:
        if not isinstance(key, tuple) or len(key) != 2:
            raise TypeError(msg.TABLE_INDEX_FORM)
        self._tableCheck()
        r = self._needRow(key[0])
        c = self._needCol(key[1])
        self._tableRows()[r][c] = str(value)
        self._tableChanged()

    def cell(self, rowNameOrIndex: Any, colNameOrIndex: Any, caseSensitive: bool = True,
             val: bool = False) -> Any:
        """The first cell matching the row and column (names may be patterns), or None."""
        found = self.cells(rowNameOrIndex, colNameOrIndex, caseSensitive=caseSensitive, val=val)
        return found[0] if found else None

    def cells(self, rowNameOrIndex: Any, colNameOrIndex: Any, caseSensitive: bool = True,
              val: bool = False) -> list[Any]:
        """Every cell matching the row and column (names may be patterns)."""
        result = [Cell(self, r, c) for r in self._rowIndexes(rowNameOrIndex, caseSensitive)
                  for c in self._colIndexes(colNameOrIndex, caseSensitive)]
        return [c.val for c in result] if val else result

    def _line(self, index: int, is_row: bool, val: bool) -> list[Any]:
        if is_row:
            cells = [Cell(self, index, c) for c in range(self._width())]
        else:
            cells = [Cell(self, r, index) for r in range(self.numRows)]
        return [c.val for c in cells] if val else cells

    def row(self, *nameOrIndex: Any, caseSensitive: bool = True, val: bool = False) -> list[Any] | None:
        """The first row matching any of ``nameOrIndex`` (patterns allowed), as Cells (or strings), or None."""
        for key in nameOrIndex:
            found = self._rowIndexes(key, caseSensitive)
            if found:
                return self._line(found[0], True, val)
        return None

    def rows(self, *nameOrIndex: Any, caseSensitive: bool = True, val: bool = False) -> list[list[Any]]:
        """Every row matching ``nameOrIndex`` (all rows when none given)."""
        if not nameOrIndex:
            indexes = list(range(self.numRows))
        else:
            indexes = []
            for key in nameOrIndex:
                indexes.extend(i for i in self._rowIndexes(key, caseSensitive) if i not in indexes)
        return [self._line(i, True, val) for i in indexes]

    def col(self, *nameOrIndex: Any, caseSensitive: bool = True, val: bool = False) -> list[Any] | None:
        """The first column matching any of ``nameOrIndex``, as Cells (or strings), or None."""
        for key in nameOrIndex:
            found = self._colIndexes(key, caseSensitive)
            if found:
                return self._line(found[0], False, val)
        return None

    def cols(self, *nameOrIndex: Any, caseSensitive: bool = True, val: bool = False) -> list[list[Any]]:
        """Every column matching ``nameOrIndex`` (all columns when none given)."""
        if not nameOrIndex:
            indexes = list(range(self.numCols))
        else:
            indexes = []
            for key in nameOrIndex:
                indexes.extend(i for i in self._colIndexes(key, caseSensitive) if i not in indexes)
        return [self._line(i, False, val) for i in indexes]

    def findCells(self, pattern: Any, rows: Iterable[Any] | None = None, cols: Iterable[Any] | None = None,
                  valuePattern: bool = True, rowPattern: bool = True, colPattern: bool = True,
                  caseSensitive: bool = False, val: bool = False) -> list[Any]:
        """Every cell whose value matches ``pattern``, within the given rows/columns."""
        def select(keys: Iterable[Any] | None, count: int, lookup: Any, use_pattern: bool) -> list[int]:
            if keys is None:
                return list(range(count))
            if isinstance(keys, str | int):
                keys = [keys]
            chosen: list[int] = []
            for key in keys:
                if use_pattern:
                    found = lookup(key, caseSensitive)
                else:
                    single = (self._rowIndex if lookup == self._rowIndexes else self._colIndex)(key, caseSensitive)
                    found = [] if single is None else [single]
                chosen.extend(i for i in found if i not in chosen)
            return chosen

        row_ids = select(rows, self.numRows, self._rowIndexes, rowPattern)
        col_ids = select(cols, self.numCols, self._colIndexes, colPattern)
        text = str(pattern)
        table = self._tableRows()
        result = []
        for r in sorted(row_ids):
            for c in sorted(col_ids):
                value = table[r][c]
                hit = (_pattern_match(value, text, caseSensitive) if valuePattern
                       else (value == text if caseSensitive else value.lower() == text.lower()))
                if hit:
                    result.append(value if val else Cell(self, r, c))
        return result

    def findCell(self, pattern: Any, rows: Iterable[Any] | None = None, cols: Iterable[Any] | None = None,
                 valuePattern: bool = True, rowPattern: bool = True, colPattern: bool = True,
                 caseSensitive: bool = False, val: bool = False) -> Any:
        """The first cell whose value matches ``pattern`` (row by row), or None."""
        found = self.findCells(pattern, rows, cols, valuePattern, rowPattern, colPattern, caseSensitive, val)
        return found[0] if found else None

    # ------------------------------------------------------------------ rows
    @staticmethod
    def _values(vals: Any) -> list[str]:
        """A new list of the cell texts of ``vals`` (a value, or an iterable of values or Cells)."""
        if vals is None:
            return []
        if isinstance(vals, str) or not isinstance(vals, Iterable):
            return [str(vals)]
        return [v if type(v) is str else str(v.val if isinstance(v, Cell) else v) for v in vals]

    def _sortedRowPosition(self, values: list[str], sort: Any, default: int) -> int:
        if sort is None:
            return default
        c = self._needCol(sort)
        keys = [r[c] for r in self._tableRows()]
        return bisect.bisect_right(keys, values[c] if c < len(values) else "")

    def _insertRow(self, vals: Any, position: int, sort: Any) -> int:
        values = self._values(vals)
        rows = self._tableRows()
        width = len(rows[0]) if rows else 0
        if len(values) > width:
            self._padAll(len(values))
        elif len(values) < width:
            values.extend([""] * (width - len(values)))
        position = self._sortedRowPosition(values, sort, position)
        if position == len(rows):
            rows.append(values)
        else:
            rows.insert(position, values)
        return position

    def appendRow(self, vals: Any = None, nameOrIndex: Any = None, sort: Any = None) -> int:
        """Append a row (after row ``nameOrIndex`` if given); returns its index."""
        self._tableCheck()
        position = len(self._tableRows()) if nameOrIndex is None else self._needRow(nameOrIndex) + 1
        index = self._insertRow(vals, position, sort)
        self._tableChanged()
        return index

    def appendRows(self, listOfLists: Iterable[Any], nameOrIndex: Any = None, sort: Any = None) -> int:
        """Append several rows; returns the index of the last one."""
        self._tableCheck()
        position = len(self._tableRows()) if nameOrIndex is None else self._needRow(nameOrIndex) + 1
        index = position - 1
        for vals in listOfLists:
            index = self._insertRow(vals, position, sort)
            position = index + 1
        self._tableChanged()
        return index

    def insertRow(self, vals: Any = None, nameOrIndex: Any = None, sort: Any = None) -> int:
        """Insert a row at the top (or before row ``nameOrIndex``); returns its index."""
        self._tableCheck()
        position = 0 if nameOrIndex is None else self._needRow(nameOrIndex)
        index = self._insertRow(vals, position, sort)
        self._tableChanged()
        return index

    def replaceRow(self, nameOrIndex: Any, vals: Any = None, entireRow: bool = True) -> int:
        """Replace row ``nameOrIndex`` with ``vals`` (only ``len(vals)`` cells if not entireRow)."""
        self._tableCheck()
        r = self._needRow(nameOrIndex)
        values = self._values(vals)
        self._widen(len(values))
        row = self._tableRows()[r]
        if entireRow:
            row[:] = values + [""] * (len(row) - len(values))
        else:
            row[:len(values)] = values
        self._tableChanged()
        return r

    def deleteRow(self, nameOrIndex: Any) -> None:
        """Delete one row."""
        self._tableCheck()
        r = self._needRow(nameOrIndex)
        del self._tableRows()[r]
        self._tableChanged()

    def deleteRows(self, vals: Iterable[Any] | None = None) -> None:
        """Delete several rows (names or indexes); with no ``vals`` nothing happens (DAT Class)."""
        self._tableCheck()
        indexes = sorted({self._needRow(v) for v in vals or ()}, reverse=True)
        if not indexes:
            return
        for r in indexes:
            del self._tableRows()[r]
        self._tableChanged()

    # ------------------------------------------------------------------ columns
    def _insertCol(self, vals: Any, position: int, sort: Any) -> int:
        values = self._values(vals)
        rows = self._tableRows()
        while len(rows) < len(values):
            rows.append([""] * self._width())
        if sort is not None:
            r = self._needRow(sort)
            keys = rows[r]
            position = bisect.bisect_right(keys, values[r] if r < len(values) else "")
        for i, row in enumerate(rows):
            row.insert(position, values[i] if i < len(values) else "")
        return position

    def appendCol(self, vals: Any = None, nameOrIndex: Any = None, sort: Any = None) -> int:
        """Append a column (after column ``nameOrIndex`` if given); returns its index."""
        self._tableCheck()
        position = self.numCols if nameOrIndex is None else self._needCol(nameOrIndex) + 1
        index = self._insertCol(vals, position, sort)
        self._tableChanged()
        return index

    def appendCols(self, listOfLists: Iterable[Any], nameOrIndex: Any = None, sort: Any = None) -> int:
        """Append several columns; returns the index of the last one."""
        self._tableCheck()
        position = self.numCols if nameOrIndex is None else self._needCol(nameOrIndex) + 1
        index = position - 1
        for vals in listOfLists:
            index = self._insertCol(vals, position, sort)
            position = index + 1
        self._tableChanged()
        return index

    def insertCol(self, vals: Any = None, nameOrIndex: Any = None, sort: Any = None) -> int:
        """Insert a column at the left (or before column ``nameOrIndex``); returns its index."""
        self._tableCheck()
        position = 0 if nameOrIndex is None else self._needCol(nameOrIndex)
        index = self._insertCol(vals, position, sort)
        self._tableChanged()
        return index

    def replaceCol(self, nameOrIndex: Any, vals: Any = None, entireCol: bool = True) -> int:
        """Replace column ``nameOrIndex`` with ``vals`` (only ``len(vals)`` cells if not entireCol)."""
        self._tableCheck()
        c = self._needCol(nameOrIndex)
        values = self._values(vals)
        rows = self._tableRows()
        while len(rows) < len(values):
            rows.append([""] * self._width())
        for i, row in enumerate(rows):
            if i < len(values):
                row[c] = values[i]
            elif entireCol:
                row[c] = ""
        self._tableChanged()
        return c

    def deleteCol(self, nameOrIndex: Any) -> None:
        """Delete one column."""
        self._tableCheck()
        c = self._needCol(nameOrIndex)
        for row in self._tableRows():
            del row[c]
        if self._width() == 0:
            self._tableRows().clear()
        self._tableChanged()

    def deleteCols(self, vals: Iterable[Any] | None = None) -> None:
        """Delete several columns (names or indexes); with no ``vals`` nothing happens (DAT Class)."""
        self._tableCheck()
        indexes = sorted({self._needCol(v) for v in vals or ()}, reverse=True)
        if not indexes:
            return
        for c in indexes:
            for row in self._tableRows():
                del row[c]
        if self._width() == 0:
            self._tableRows().clear()
        self._tableChanged()

    # ------------------------------------------------------------------ whole table
    def clear(self, keepSize: bool = False, keepFirstRow: bool = False, keepFirstCol: bool = False) -> None:
        """Empty the table, optionally keeping its size, first row and/or first column."""
        self._tableCheck()
        rows = self._tableRows()
        if keepSize:
            for r, row in enumerate(rows):
                for c in range(len(row)):
                    if not ((keepFirstRow and r == 0) or (keepFirstCol and c == 0)):
                        row[c] = ""
        else:
            first_row = list(rows[0]) if keepFirstRow and rows else None
            first_col = [row[0] for row in rows] if keepFirstCol and rows and rows[0] else None
            if first_row is not None and first_col is not None:
                rows[:] = [first_row] + [[v] + [""] * (len(first_row) - 1) for v in first_col[1:]]
            elif first_row is not None:
                rows[:] = [first_row]
            elif first_col is not None:
                rows[:] = [[v] for v in first_col]
            else:
                rows.clear()
        self._tableChanged()

    def setSize(self, numrows: int, numcols: int) -> None:
        """Resize the table, cutting or padding with empty cells."""
        self._tableCheck()
        if numrows < 0 or numcols < 0:
            raise tdError(msg.TABLE_SIZE_NEGATIVE.format(rows=numrows, cols=numcols))
        rows = self._tableRows()
        del rows[numrows:]
        while len(rows) < numrows:
            rows.append([""] * numcols)
        for row in rows:
            del row[numcols:]
            row.extend([""] * (numcols - len(row)))
        if numcols == 0:
            rows.clear()
        self._tableChanged()
