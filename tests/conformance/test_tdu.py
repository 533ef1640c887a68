"""tdu utility functions through the public td API."""

from __future__ import annotations

import pytest
import td


def test_rand_is_deterministic_per_seed():
    tdu = td.tdu
    assert tdu.rand(5) == tdu.rand(5) == tdu.rand(5.0)
    assert tdu.rand(5) != tdu.rand(6)
    assert all(0 <= tdu.rand(s) < 1 for s in range(50))


def test_numbers():
    tdu = td.tdu
    assert (tdu.clamp(5, 0, 3), tdu.clamp(-1, 0, 3), tdu.clamp(2, 0, 3)) == (3, 0, 2)
    assert tdu.remap(5, 0, 10, 100, 200) == 150


def test_names():
    tdu = td.tdu
    assert (tdu.base("arm123"), tdu.digits("arm123")) == ("arm", 123)
    assert (tdu.base("arm"), tdu.digits("arm")) == ("arm", None)
    assert tdu.validName("my op!") == "my_op_"
    assert tdu.validPath("/a b/c.d") == "/a_b/c.d"


def test_patterns():
    tdu = td.tdu
    assert tdu.expand("A[1-3] B") == ["A1", "A2", "A3", "B"]
    assert tdu.expand("x[a,bb]") == ["xa", "xbb"]
    assert tdu.split('a "b c" 3') == ["a", "b c", "3"]
    assert tdu.split('a "b c" 3', eval=True) == ["a", "b c", 3]
    assert tdu.match("a* ^ab*", ["abc", "axe", "b"]) == ["axe"]
    assert tdu.match("A*", ["abc"], caseSensitive=False) == ["abc"]


def test_try_except():
    tdu = td.tdu
    assert tdu.tryExcept(lambda: 1 / 0, 7) == 7
    assert tdu.tryExcept(lambda: 1 / 0, lambda: 8) == 8
    assert tdu.tryExcept(lambda: 2, 7) == 2


def test_menus(project1):
    tdu = td.tdu
    menu = tdu.ParMenu(["a", "b"])
    assert menu.menuNames == ["a", "b"] and menu.menuLabels == ["a", "b"]
    table = project1.create(td.tableDAT, "m")
    table.text = "name\tlabel\nx\tEx\ny\tWhy\n"
    tm = tdu.TableMenu(table, labelCol="label")
    assert tm.menuNames == ["x", "y"] and tm.menuLabels == ["Ex", "Why"]
    assert tdu.TableMenu(table, includeFirstRow=True).menuNames == ["name", "x", "y"]


def test_unmodelled_members_raise():
    with pytest.raises(NotImplementedError, match="tdu.Matrix"):
        td.tdu.Matrix  # noqa: B018
