"""CHOP channel data (``ChopDataMixin``, ``ScriptChopDataMixin``) and TD's ``Channel`` class.

``ChopDataMixin`` gives every CHOP the read members (``numChans``, ``numSamples``, ``rate``,
``start``, ``end``, ``isTimeSlice``, ``chan()``, ``chans()``, ``chop['name']``, ``chop[i]``).
``ScriptChopDataMixin`` adds what only a Script CHOP can do: set ``numSamples``/``rate``/``start``/
``end``/``isTimeSlice``, ``clear()``, ``appendChan()``, ``copy()``, ``copyNumpyArray()``, and writing
``Channel.vals`` / ``chan[i]`` / ``Channel.destroy()``. On other CHOPs those raise ``tdError``.
Every mutation calls ``self._dataChanged()`` (the operator's hook).

numpy: ``numpyArray()`` and ``copyNumpyArray()`` work when numpy is importable and raise
NotImplementedError (naming the TD member) when it is not. ``copyNumpyArray`` (Script CHOP, and
``Channel.copyNumpyArray`` for one channel of shape (numSamples,)) takes float32 arrays only, as the
pages say; any other data type raises tdError. A Channel casts to ``eval()`` in expressions
(``chan + 1``; see ``values``).

Choices not confirmed by TD's docs (listed in SUPPORTED.md): a new CHOP has 1 sample, rate 60,
start 0 and ``isTimeSlice`` False; ``appendChan()`` without a name uses the first free ``chan1``,
``chan2``, ...; ``chop[i]`` / ``chop['x']`` return None when missing; setting ``vals`` with a list of
another length raises ``tdError``; ``eval()`` with no index reads the sample at the current frame
(``owner._chopFrame()`` if the owner provides it, else sample 0), clamped to the channel.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError
from mock_td.unsupported import not_modelled, not_modelled_members
from mock_td.values import CastsToValue


def _need_float32(np: Any, array: Any, member: str) -> None:
    """scriptCHOP / Channel Class: "The data type must be float32"."""
    if not isinstance(array, np.ndarray) or array.dtype != np.float32:
        raise tdError(msg.CHOP_ARRAY_DTYPE.format(member=member, dtype=getattr(array, "dtype", type(array).__name__)))


def _numpy(symbol: str) -> Any:
    try:
        import numpy
    except ImportError:  # pragma: no cover - depends on the environment
        not_modelled(symbol, msg.HINT_NO_NUMPY)
    return numpy


@not_modelled_members("Channel", "exports", "evalFrame", "evalSeconds")
class Channel(CastsToValue):
    """One CHOP channel (``td.Channel``): a name and a list of float samples; casts to ``eval()``."""

    __hash__ = object.__hash__
    __td_source__ = "Channel_Class"

    def __init__(self, owner: Any, name: str, num_samples: int) -> None:
        self._owner = owner
        self._name = name
        self._vals = [0.0] * num_samples

    def _read(self) -> None:
        self._owner._chopRead()
        self._check()

    def _check(self) -> None:
        if not self.valid:
            raise tdError(msg.CHANNEL_GONE.format(name=self._name))

    def _checkWritable(self, what: str) -> None:
        self._check()
        if not self._owner._chopWritable():
            raise tdError(msg.CHANNEL_SCRIPT_ONLY.format(member=what, type=type(self._owner).__name__))

    @property
    def name(self) -> str:
        """Channel name."""
        return self._name

    @property
    def owner(self) -> Any:
        """The CHOP holding the channel."""
        return self._owner

    @property
    def index(self) -> int:
        """Position of the channel in its CHOP."""
        self._check()
        return self._owner._chopChans().index(self)

    @property
    def valid(self) -> bool:
        """False once the channel was removed (clear, destroy)."""
        return self in self._owner._chopChans()  # Channel has no __eq__: ``in`` compares identity

    @property
    def vals(self) -> list[float]:
        """All samples (settable in a Script CHOP only, same length)."""
        self._read()
        return list(self._vals)

    @vals.setter
    def vals(self, values: Any) -> None:
        self._checkWritable("vals")
        new = [float(v) for v in values]
        if len(new) != len(self._vals):
            raise tdError(msg.CHANNEL_LENGTH.format(name=self._name, got=len(new), samples=len(self._vals)))
        self._vals = new
        self._owner._chopChanged()

    def __len__(self) -> int:
        self._read()
        return len(self._vals)

    def __getitem__(self, index: int) -> float:
        self._read()
        return self._vals[index]

    def __setitem__(self, index: int, value: float) -> None:
        self._checkWritable("[index]")
        self._vals[index] = float(value)
        self._owner._chopChanged()

    def __iter__(self) -> Iterator[float]:
        return iter(self.vals)

    def eval(self, index: int | None = None) -> float:
        """The sample at ``index`` (default: the current frame's sample)."""
        self._read()
        if not self._vals:
            raise tdError(msg.CHANNEL_EMPTY.format(name=self._name))
        if index is None:
            frame_of = getattr(self._owner, "_chopFrame", None)
            index = int(frame_of() - self._owner._chopState()["start"]) if frame_of is not None else 0
        return self._vals[max(0, min(int(index), len(self._vals) - 1))]

    def average(self) -> float:
        """Mean of the samples."""
        self._read()
        return sum(self._vals) / len(self._vals) if self._vals else 0.0

    def min(self) -> float:
        """Smallest sample."""
        self._read()
        return min(self._vals) if self._vals else 0.0

    def max(self) -> float:
        """Largest sample."""
        self._read()
        return max(self._vals) if self._vals else 0.0

    def numpyArray(self) -> Any:
        """The samples as a float32 numpy array (needs numpy)."""
        np = _numpy("Channel.numpyArray")
        self._read()
        return np.array(self._vals, dtype=np.float32)

    def destroy(self) -> None:
        """Remove this channel from its (Script) CHOP."""
        self._checkWritable("destroy")
        self._owner._chopChans().remove(self)
        self._owner._chopChanged()

    def copyNumpyArray(self, numpyArray: Any) -> None:  # noqa: N803 - TD's name
        """Copy a float32 array of shape (numSamples,) into the samples (Script CHOP only)."""
        self._checkWritable("copyNumpyArray")
        np = _numpy("Channel.copyNumpyArray")
        _need_float32(np, numpyArray, "Channel.copyNumpyArray")
        if numpyArray.shape != (len(self._vals),):
            raise tdError(msg.CHANNEL_ARRAY_SHAPE.format(name=self._name, shape=numpyArray.shape,
                                                         samples=len(self._vals)))
        self._vals = [float(v) for v in numpyArray]
        self._owner._chopChanged()

    def _castValue(self) -> Any:
        return self.eval()

    def __repr__(self) -> str:
        return f"type:Channel name:{self._name} owner:{getattr(self._owner, 'path', '?')}"


class ChopDataMixin:
    """Channel storage and the read members of TD's CHOP class."""

    __td_source__ = "CHOP_Class"

    def _chopState(self) -> dict[str, Any]:
        state = self.__dict__.get("_chopData")
        if state is None:
            state = {"chans": [], "numSamples": 1, "rate": 60.0, "start": 0, "timeSlice": False}
            object.__setattr__(self, "_chopData", state)
        return state

    def _chopChans(self) -> list[Channel]:
        chans: list[Channel] = self._chopState()["chans"]
        return chans

    def _chopWritable(self) -> bool:
        return False

    def _chopRead(self) -> None:
        """Let the operator cook a dirty Script CHOP before its data is read (``_beforeChopRead``)."""
        hook = getattr(self, "_beforeChopRead", None)
        if hook is not None:
            hook()

    def _chopChanged(self) -> None:
        notify = getattr(self, "_dataChanged", None)
        if notify is not None:
            notify()

    def _chopCheck(self) -> None:
        check = getattr(self, "_checkValid", None)
        if check is not None:
            check()

    def _dataSnapshot(self) -> dict[str, Any]:
        """Channels, length, rate, start and time-slice flag as plain data."""
        state = self._chopState()
        return {"chans": [(c._name, list(c._vals)) for c in state["chans"]],
                **{k: state[k] for k in ("numSamples", "rate", "start", "timeSlice")}}

    def _dataRestore(self, data: dict[str, Any]) -> None:
        """Replace the channel data with :meth:`_dataSnapshot` data (no change callback)."""
        state = self._chopState()
        for key in ("numSamples", "rate", "start", "timeSlice"):
            if key in data:
                state[key] = data[key]
        chans = []
        for name, vals in data.get("chans", []):
            chan = Channel(self, name, 0)
            chan._vals = [float(v) for v in vals]
            chans.append(chan)
        state["chans"] = chans

    # ------------------------------------------------------------------ read members
    @property
    def numChans(self) -> int:
        """Number of channels."""
        self._chopRead()
        return len(self._chopChans())

    def _setState(self, key: str, value: Any, member: str) -> None:
        self._chopCheck()
        if not self._chopWritable():
            raise tdError(msg.CHOP_SCRIPT_ONLY.format(member=member, type=type(self).__name__))
        self._chopState()[key] = value
        self._chopChanged()

    @property
    def numSamples(self) -> int:
        """Number of samples per channel (settable on a Script CHOP)."""
        self._chopRead()
        return int(self._chopState()["numSamples"])

    @numSamples.setter
    def numSamples(self, value: int) -> None:
        count = int(value)
        if count < 0:
            raise tdError(msg.CHOP_SAMPLES_NEGATIVE.format(count=count))
        self._setState("numSamples", count, "numSamples")
        for chan in self._chopChans():
            chan._vals = (chan._vals + [0.0] * count)[:count]

    @property
    def rate(self) -> float:
        """Sample rate (settable on a Script CHOP)."""
        self._chopRead()
        return float(self._chopState()["rate"])

    @rate.setter
    def rate(self, value: float) -> None:
        self._setState("rate", float(value), "rate")

    @property
    def start(self) -> float:
        """Start sample index (settable on a Script CHOP)."""
        self._chopRead()
        return self._chopState()["start"]

    @start.setter
    def start(self, value: float) -> None:
        self._setState("start", value, "start")

    @property
    def end(self) -> float:
        """Last sample index, ``start + numSamples - 1`` (settable on a Script CHOP: changes numSamples)."""
        return self.start + self.numSamples - 1

    @end.setter
    def end(self, value: float) -> None:
        self.numSamples = int(value - self._chopState()["start"] + 1)

    @property
    def isTimeSlice(self) -> bool:
        """Whether the CHOP is time-sliced (settable on a Script CHOP)."""
        self._chopRead()
        return bool(self._chopState()["timeSlice"])

    @isTimeSlice.setter
    def isTimeSlice(self, value: bool) -> None:
        self._setState("timeSlice", bool(value), "isTimeSlice")

    def chans(self, *nameOrIndex: Any, caseSensitive: bool = True) -> list[Channel]:
        """Channels matching names/patterns/indexes (every channel when none given)."""
        self._chopRead()
        every = self._chopChans()
        if not nameOrIndex:
            return list(every)
        found: list[Channel] = []
        for key in nameOrIndex:
            if isinstance(key, int) and not isinstance(key, bool):
                hits = [every[key]] if 0 <= key < len(every) else []
            else:
                patterns = str(key).split()
                hits = [c for c in every if any(
                    fnmatch.fnmatchcase(c._name, p) if caseSensitive else fnmatch.fnmatch(c._name.lower(), p.lower())
                    for p in patterns)]
            found.extend(c for c in hits if c not in found)
        return found

    def chan(self, *nameOrIndex: Any, caseSensitive: bool = True) -> Channel | None:
        """The first channel matching, or None."""
        found = self.chans(*nameOrIndex, caseSensitive=caseSensitive) if nameOrIndex else []
        return found[0] if found else None

    def __getitem__(self, key: int | str) -> Channel | None:
        self._chopRead()
        if isinstance(key, int) and not isinstance(key, bool):
            every = self._chopChans()
            return every[key] if 0 <= key < len(every) else None
        return next((c for c in self._chopChans() if c._name == key), None)

    def numpyArray(self) -> Any:
        """All channels as a (numChans, numSamples) float32 numpy array (needs numpy)."""
        np = _numpy("CHOP.numpyArray")
        self._chopRead()
        return np.array([c._vals for c in self._chopChans()], dtype=np.float32).reshape(
            self.numChans, self.numSamples)


class ScriptChopDataMixin(ChopDataMixin):
    """The channel-writing members only a Script CHOP has."""

    __td_source__ = "scriptCHOP Class (docs.derivative.ca/ScriptCHOP_Class; not in the 2023 crawl)"

    def _chopWritable(self) -> bool:
        return True

    def clear(self) -> None:
        """Remove every channel; length and rate stay."""
        self._chopCheck()
        self._chopChans().clear()
        self._chopChanged()

    def appendChan(self, name: str | None = None) -> Channel:
        """Add a channel of ``numSamples`` zeros (named ``chanN`` when no name is given)."""
        self._chopCheck()
        if name is None:
            taken = {c._name for c in self._chopChans()}
            n = 1
            while f"chan{n}" in taken:
                n += 1
            name = f"chan{n}"
        chan = Channel(self, str(name), int(self._chopState()["numSamples"]))
        self._chopChans().append(chan)
        self._chopChanged()
        return chan

    def copy(self, chop: Any) -> None:
        """Match ``chop``'s rate, length, start, channel names and data."""
        self._chopCheck()
        state = self._chopState()
        state.update(numSamples=chop.numSamples, rate=chop.rate, start=chop.start)
        chans = []
        for source in chop.chans():
            chan = Channel(self, source.name, 0)
            chan._vals = [float(v) for v in source.vals]
            chans.append(chan)
        state["chans"] = chans
        self._chopChanged()

    def copyNumpyArray(self, numpyArray: Any, baseName: str = "chan") -> None:  # noqa: N803 - TD's names
        """Replace the channels with the rows of a (numChans, numSamples) array: ``chan1``, ``chan2``, ..."""
        np = _numpy("scriptCHOP.copyNumpyArray")
        _need_float32(np, numpyArray, "scriptCHOP.copyNumpyArray")
        array = numpyArray
        if array.ndim != 2:
            raise tdError(msg.CHOP_ARRAY_SHAPE.format(shape=array.shape))
        self._chopCheck()
        state = self._chopState()
        state["numSamples"] = int(array.shape[1])
        chans = []
        for i, row in enumerate(array, start=1):
            chan = Channel(self, f"{baseName}{i}", 0)
            chan._vals = [float(v) for v in row]
            chans.append(chan)
        state["chans"] = chans
        self._chopChanged()
