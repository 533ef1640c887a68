"""``absTime``: the one clock, frozen until the session advances it.

``absTime.frame`` is the number of frames played since the (emulated) process started, so it is 0
before the first ``Session.advance()`` and 1 during the first frame; ``absTime.seconds`` is
``frame / project.cookRate``. ``step`` is 1 once a frame has run (mock_td never drops frames) and 0
before; ``stepSeconds`` is ``step / cookRate``.
* The docs define ``frame`` as the frames played since the process started, so the first frame
  reports 1 (UNCONFIRMED: TD's exact value during its very first frame). AbsTime has no ``rate`` member (TD has none).
"""

from __future__ import annotations

from mock_td import messages as msg
from mock_td.errors import tdAttributeError
from mock_td.process import world as _world


class AbsTime:
    """TD's ``absTime`` object: read-only ``frame``, ``seconds``, ``step``, ``stepSeconds``."""

    __slots__ = ()
    __td_source__ = "AbsTime_Class"

    @property
    def frame(self) -> float:
        """Absolute total number of frames played since the process started."""
        return float(_world.current().frame)

    @property
    def seconds(self) -> float:
        """Absolute total seconds played since the process started."""
        return _world.current().seconds

    @property
    def step(self) -> float:
        """Absolute frames elapsed between the start of the previous frame and this one."""
        return _world.current().step

    @property
    def stepSeconds(self) -> float:  # noqa: N802 - TD's name
        """``step`` in seconds."""
        w = _world.current()
        return w.step / w.cook_rate

    def __setattr__(self, name: str, value: object) -> None:
        raise tdAttributeError(msg.READ_ONLY_ATTRIBUTE.format(cls="AbsTime", name=name))

    def __repr__(self) -> str:
        return f"absTime(frame={self.frame}, seconds={self.seconds})"


absTime = AbsTime()
