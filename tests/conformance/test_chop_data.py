"""Script CHOP / CHOP channel data and Channel through the public td API."""

from __future__ import annotations

import pytest
import td


@pytest.fixture
def chop(project1):
    return project1.create(td.scriptCHOP, "s")


def test_append_chan_and_lookup(chop):
    chop.numSamples = 3
    a = chop.appendChan("tx")
    b = chop.appendChan()
    c = chop.appendChan()
    assert (b.name, c.name) == ("chan1", "chan2")
    assert chop.numChans == 3 and len(a) == 3 and a.vals == [0.0, 0.0, 0.0]
    assert chop["tx"] is a and chop[1] is b and chop[7] is None and chop["nope"] is None
    assert chop.chan("chan*") is b and chop.chan("nope") is None
    assert chop.chans("chan*") == [b, c] and chop.chans() == [a, b, c]
    assert (a.index, a.owner, a.valid) == (0, chop, True)


def test_values_and_statistics(chop):
    chop.numSamples = 4
    ch = chop.appendChan("v")
    ch.vals = [1, 2, 3, 6]
    ch[0] = 0
    assert ch.vals == [0.0, 2.0, 3.0, 6.0] and ch[3] == 6.0
    assert (ch.average(), ch.min(), ch.max()) == (2.75, 0.0, 6.0)
    assert ch.eval(2) == 3.0 and ch.eval(99) == 6.0
    with pytest.raises(td.tdError, match="values for 4 samples"):
        ch.vals = [1, 2]


def test_clear_keeps_length_and_rate(chop):
    chop.rate = 30
    chop.numSamples = 5
    old = chop.appendChan("x")
    chop.clear()
    assert chop.numChans == 0 and chop.numSamples == 5 and chop.rate == 30 and not old.valid
    assert len(chop.appendChan("y")) == 5


def test_length_changes_resize_channels(chop):
    chop.numSamples = 2
    ch = chop.appendChan("x")
    ch.vals = [1, 2]
    chop.numSamples = 3
    assert ch.vals == [1.0, 2.0, 0.0]
    chop.start = 10
    assert chop.end == 12
    chop.end = 10
    assert chop.numSamples == 1 and ch.vals == [1.0]
    chop.isTimeSlice = True
    assert chop.isTimeSlice


def test_destroy_channel(chop):
    a = chop.appendChan("a")
    b = chop.appendChan("b")
    a.destroy()
    assert chop.chans() == [b] and b.index == 0 and not a.valid
    with pytest.raises(td.tdError):
        a.vals  # noqa: B018
    with pytest.raises(td.tdError):
        list(a)  # iterating reads the samples like vals


def test_casts_and_single_sample(chop):
    chop.numSamples = 1
    ch = chop.appendChan("x")
    ch.vals = [2.5]
    assert float(ch) == 2.5 and int(ch) == 2


def test_null_chop_is_read_only(project1):
    null = project1.create(td.nullCHOP, "n")
    assert null.numChans == 0
    with pytest.raises(td.tdError, match="Script CHOP"):
        null.numSamples = 4
    assert not hasattr(null, "appendChan")


def test_numpy_members(chop):
    np = pytest.importorskip("numpy")
    chop.copyNumpyArray(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    assert [c.name for c in chop.chans()] == ["chan1", "chan2"] and chop.numSamples == 3
    assert chop.numpyArray().shape == (2, 3) and chop["chan2"].numpyArray().tolist() == [4, 5, 6]


def test_copy_numpy_array_needs_float32(chop):
    """scriptCHOP / Channel Class: "The data type must be float32"."""
    np = pytest.importorskip("numpy")
    with pytest.raises(td.tdError, match="float32"):
        chop.copyNumpyArray(np.array([[1, 2, 3]]))
    chop.numSamples = 3
    chan = chop.appendChan("a")
    chan.copyNumpyArray(np.array([7, 8, 9], dtype=np.float32))
    assert chan.vals == [7.0, 8.0, 9.0]
    with pytest.raises(td.tdError, match="float32"):
        chan.copyNumpyArray(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(td.tdError, match="shape"):
        chan.copyNumpyArray(np.array([1, 2], dtype=np.float32))


def test_channel_casts_to_its_value(chop):
    """Channel Class: ``n['chan1'] + 1`` implicitly casts the channel to a number."""
    chop.numSamples = 1
    chan = chop.appendChan("a")
    chan.vals = [2.5]
    assert chan + 1 == 3.5 and 1 + chan == 3.5 and chan * 2 == 5.0 and -chan == -2.5
    assert chan > 2 and chan <= 2.5 and round(chan) == 2 and abs(-chan) == 2.5
    assert chan + chan == 5.0 and float(chan) == 2.5


def test_copy_from_other_chop(project1, chop):
    chop.numSamples = 2
    chop.appendChan("a").vals = [1, 2]
    other = project1.create(td.scriptCHOP, "o")
    other.copy(chop)
    assert [c.name for c in other.chans()] == ["a"] and other["a"].vals == [1.0, 2.0]
