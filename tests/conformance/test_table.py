"""Table DAT contents and Cell through the public td API."""

from __future__ import annotations

import pytest
import td


@pytest.fixture
def table(project1):
    t = project1.create(td.tableDAT, "t")
    t.text = "name\tage\nann\t31\nbob\t42\n"
    return t


def test_text_round_trip_and_size(table):
    assert (table.numRows, table.numCols) == (3, 2)
    assert table.text == "name\tage\nann\t31\nbob\t42\n"
    table.text = "a\tb\tc\nd"
    assert table.numCols == 3 and [c.val for c in table.row(1)] == ["d", "", ""]


def test_index_and_name_access(table):
    assert table[1, 1].val == "31"
    assert table["bob", "age"].val == "42"
    assert table["bob", 0].val == "bob"
    assert table[9, 0] is None and table["nobody", "age"] is None and table[0, "missing"] is None
    assert table["b*", "age"] is None  # no pattern matching with []
    table["ann", "age"] = 32
    assert table[1, 1].val == "32"
    with pytest.raises(td.tdError, match="no row"):
        table[9, 0] = "x"


def test_cell_members(table):
    cell = table["ann", "age"]
    assert (cell.row, cell.col, cell.owner) == (1, 1, table)
    assert int(cell) == 31 and float(cell) == 31.0 and str(cell) == "31"
    assert cell.offset(1, 0).val == "42" and cell.offset(5, 0) is None
    cell.val = 7
    assert table[1, 1].val == "7" and cell.valid
    table.deleteRow(2)
    table.deleteRow(1)
    assert not cell.valid


def test_pattern_lookups(table):
    assert table.cell("b*", "a*").val == "42"
    assert table.cell("zz", 0) is None
    assert [c.val for c in table.cells("*", "age")] == ["age", "31", "42"]
    assert table.row("bob", val=True) == ["bob", "42"]
    assert table.row("nobody") is None
    assert [r[0].val for r in table.rows()] == ["name", "ann", "bob"]
    assert table.col("age", val=True) == ["age", "31", "42"]
    assert len(table.cols()) == 2
    assert table.findCell("4*").val == "42"
    assert table.findCell("ANN").row == 1  # case-insensitive by default
    assert table.findCell("ann", caseSensitive=True, cols=["age"]) is None
    assert [c.val for c in table.findCells("*", rows=["bob"])] == ["bob", "42"]
    assert [c.val for c in table.findCells("4*", rows=["BOB"], rowPattern=False)] == ["42"]  # exact name, any case
    assert table.findCells("*", rows=["BOB"], rowPattern=False, caseSensitive=True) == []


def test_append_insert_replace_delete_rows(table):
    assert table.appendRow(["cy", 5]) == 3
    assert table.appendRow(["al", 1], "name") == 1  # after the named row
    assert table.insertRow(["top", 0]) == 0
    assert table.insertRow(["mid"], "bob") == 4
    assert table.col(0, val=True) == ["top", "name", "al", "ann", "mid", "bob", "cy"]
    assert table.replaceRow("mid", ["MID", "9"]) == 4
    assert table.row(4, val=True) == ["MID", "9"]
    table.replaceRow("MID", ["x"], entireRow=False)
    assert table.row(4, val=True) == ["x", "9"]
    table.replaceRow("x", ["y"])
    assert table.row(4, val=True) == ["y", ""]
    assert table.deleteRow("y") is None  # DAT Class: deleteRow returns None
    table.deleteRows(["top", 1])
    assert table.col(0, val=True) == ["al", "ann", "bob", "cy"]
    assert table.appendRows([["d", 1], ["e", 2]]) == 5
    with pytest.raises(td.tdError, match="no row"):
        table.deleteRow(42)
    with pytest.raises(td.tdError, match="no row"):
        table.replaceRow("ghost", ["a"])


def test_append_rows_keeps_the_table_rectangular(table):
    width = table.numCols
    assert table.appendRows([["short"], ["wide", 1, 2, 3], [4.5, "x"]]) == table.numRows - 1
    assert table.numCols == 4 and all(len(table.row(r, val=True)) == 4 for r in range(table.numRows))
    assert table.row("short", val=True) == ["short", "", "", ""]
    assert table.row("wide", val=True) == ["wide", "1", "2", "3"]
    assert table.row("4.5", val=True) == ["4.5", "x", "", ""]
    assert table.row(0, val=True)[width:] == ["", ""]
    assert table.appendRows([]) == table.numRows - 1


def test_sorted_append_and_widening(table):
    table.appendRow(["bea", 1], sort="name")
    assert table.col("name", val=True)[1:] == ["ann", "bea", "bob"]
    table.appendRow(["zed", 1, "extra"])
    assert table.numCols == 3 and table.row("ann", val=True) == ["ann", "31", ""]


def test_delete_rows_and_cols_without_values_do_nothing(table):
    """DAT Class: "If no vals is provided deleteRows does nothing" (and the same for deleteCols)."""
    before = table.text
    assert table.deleteRows() is None
    table.deleteRows([])
    table.deleteCols()
    assert table.text == before and table.numRows == 3
    assert table.deleteCol("age") is None


def test_columns(table):
    assert table.appendCol(["city", "rome", "oslo"]) == 2
    assert table.insertCol(["id", 1, 2]) == 0
    assert table.row(0, val=True) == ["id", "name", "age", "city"]
    table.replaceCol("city", ["town"], entireCol=False)
    assert table.col(3, val=True) == ["town", "rome", "oslo"]
    table.deleteCol("id")
    table.deleteCols(["age", 2])
    assert table.row(0, val=True) == ["name"]
    with pytest.raises(td.tdError, match="no column"):
        table.deleteCol("ghost")


def test_clear_and_set_size(table):
    table.clear(keepFirstRow=True)
    assert table.text == "name\tage\n"
    table.setSize(3, 3)
    assert (table.numRows, table.numCols) == (3, 3) and table[2, 2].val == ""
    table[2, 2] = "x"
    table.clear(keepSize=True)
    assert (table.numRows, table.numCols) == (3, 3) and table[2, 2].val == ""
    table.clear()
    assert table.numRows == 0 and table.numCols == 0 and table.text == ""


def test_table_contents_survive_copy(project1, table):
    copy = project1.copy(table, name="t2")
    assert copy.text == table.text
    copy[1, 1] = "99"
    assert table[1, 1].val == "31"


def test_cells_cast_to_number_or_text(table):
    """Cell Class, "Casting to a Value": ``n[1,2] + 1`` autocasts; ``n[1,2] + n[1,2]`` is 6 for "3" and
    "aa" for "a"."""
    table.text = "3\ta\t2.5\n"
    three, a, half = table[0, 0], table[0, 1], table[0, 2]
    assert three + 1 == 4 and three + three == 6 and a + a == "aa" and 1 + three == 4
    assert half * 2 == 5.0 and three > 2 and -three == -3 and round(half) == 2
    assert three.val + three.val == "33"  # .val is the string
    assert float(three) == 3.0 and int(three) == 3 and str(a) == "a"


def test_text_dat_clear_and_copy(project1, table):
    """DAT Class, "Modifying Content": clear() and copy(DAT) work on a Text DAT too."""
    text = project1.create(td.textDAT, "notes")
    text.text = "first\nsecond\n"
    text.clear(keepFirstRow=True)
    assert text.text == "first\n"
    text.clear()
    assert text.text == ""
    text.copy(table)
    assert text.text == table.text
    other = project1.create(td.tableDAT, "copy")
    other.copy(text)
    assert other.numRows == 3 and other[2, 1].val == "42"
    assert text.write("!") == "!" and text.text.endswith("!")
    with pytest.raises(NotImplementedError):
        text.clear(keepSize=True)
