"""The engine's action queue, its frame budget (the runaway guard) and its clock.

Run to completion. Every action (start, next_step, timers, auto-advance, callbacks that fire later,
...) is an ``Action`` in one FIFO ``ActionQueue``. An action queued while the queue is draining (from
inside a callback or a listener) runs after the current action, never nested. After each batch the
queue calls its ``after_batch`` hook (the engine tells its state listeners there).

Frame budget (the runaway guard). Actions that enter a step (``transitions=True``) run only while
the ``FrameBudget`` allows:

- at most ``max_transitions`` steps per frame;
- once a drain (one API call or one frame's ``tick``, with everything it causes) loops, that is,
  enters a step of an instant loop (``FlowDefinition.instant_loop_steps``) or a step it already
  entered without waiting (a loop driven by callbacks), about ``budget_ms`` milliseconds of that
  drain (measured with ``budget_clock``, a real-time clock such as ``time.perf_counter``): the next
  step change runs only when the budget has room for it, judging by how long the previous one took.
  A drain that continues a loop cut short earlier counts as looping from its start.

So an instant loop takes at most about ``budget_ms`` of any frame, a flow that does not loop never
depends on timing, and separate calls made in one frame never defer each other. When the budget is spent the rest of the queue waits for the next
frame and the queue reports a runaway once for that frame, naming the first steps entered in it.

Hand-over. ``export()`` gives the waiting actions as plain tuples ``(kind, transitions, function name,
args)`` and ``adopt()`` queues such tuples in another queue, binding each function name anew: an
engine made by re-initialised code takes over the old engine's pending work (``FlowEngine.import_run``).

Clock. TD time stands still while Python runs, so ``Clock`` reads the injected ``now()`` and
``frame()`` once per action and serves those values to everything the action records.

Pure Python: no ``td`` import, no module-level state.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

#: How many step names a runaway report lists.
RUNAWAY_STEPS_SHOWN = 50


class Action:
    """One queued piece of work: ``function(*args)``; ``transitions`` when it may enter a step."""

    __slots__ = ("kind", "transitions", "function", "args")

    def __init__(self, kind: str, transitions: bool, function: Callable[..., Any], *args: Any) -> None:
        self.kind = kind
        self.transitions = transitions
        self.function = function
        self.args = args

    def __repr__(self) -> str:
        return f"<Action {self.kind}>"


class Clock:
    """TD time (seconds) and frame number, read once per action: ``hold()`` reads them, and until
    ``held`` is set False again (when the action is over) ``now()`` and ``frame_number()`` serve them."""

    __slots__ = ("_now", "_frame", "time", "frame", "held")

    def __init__(self, now: Callable[[], float], frame: Callable[[], int]) -> None:
        self._now = now
        self._frame = frame
        self.time = 0.0
        self.frame = 0
        self.held = False

    def hold(self) -> int:
        """Read TD time and frame for the action about to run; returns the frame."""
        self.time = float(self._now())
        self.frame = int(self._frame())
        self.held = True
        return self.frame

    def now(self) -> float:
        """TD time in seconds."""
        return self.time if self.held else float(self._now())

    def frame_number(self) -> int:
        """The TD frame number."""
        return self.frame if self.held else int(self._frame())


class FrameBudget:
    """How many more steps may be entered: a count limit per frame, a time budget per looping drain."""

    def __init__(self, max_transitions: int, budget_ms: float | None, budget_clock: Callable[[], float]) -> None:
        self.max_transitions = max_transitions
        self.budget_ms = budget_ms
        self._clock = budget_clock
        self._frame: int | None = None
        self.used = 0  # steps entered in the frame
        self._drain_steps: set[int] = set()  # the step indices entered in the current drain
        self._looping = False  # the current drain entered a step twice (or continues a loop cut short)
        self._carry = False  # the last drain stopped in a loop: the next one continues it
        self._started = 0.0  # when the current drain started (budget clock)
        self._checked = 0.0  # when allows() last read the budget clock
        self._names: dict[str, None] = {}  # the first RUNAWAY_STEPS_SHOWN step names of the frame, in order
        self._runaway_frame: int | None = None
        self.runaways = 0

    @property
    def max_transitions(self) -> int:
        """At most this many steps are entered per frame (at least 1)."""
        return self._max

    @max_transitions.setter
    def max_transitions(self, value: int) -> None:
        if isinstance(value, bool) or int(value) != value or int(value) < 1:
            raise ValueError(f"max_transitions_per_frame must be a whole number of at least 1, not {value!r}")
        self._max = int(value)

    @property
    def budget_ms(self) -> float | None:
        """Milliseconds a looping drain may spend entering steps (None: no time limit)."""
        return None if self._budget_s is None else self._budget_s * 1000.0

    @budget_ms.setter
    def budget_ms(self, value: float | None) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0):
            raise ValueError(f"frame_budget_ms must be a number above 0 (or None for no limit), not {value!r}")
        self._budget_s = None if value is None else float(value) / 1000.0

    def begin(self) -> None:
        """A drain starts: its time budget starts now."""
        if self._drain_steps:
            self._drain_steps = set()
        self._looping, self._carry = self._carry, False
        if self._budget_s is not None:
            self._started = self._checked = self._clock()

    def allows(self, frame: int) -> bool:
        """True when one more step may be entered in ``frame``.

        The time budget counts the step about to be entered too, guessing it lasts as long as the time
        since the previous check, so a drain of slow callbacks stops before the budget, not after.
        """
        if frame != self._frame:
            return True
        if self.used >= self._max:
            self._carry = self._looping
            return False
        if not self._looping or self._budget_s is None:
            return True
        now = self._clock()
        last, self._checked = self._checked, now
        if (now - self._started) + (now - last) < self._budget_s:
            return True
        self._carry = True
        return False

    def count(self, frame: int, index: int, name: str, in_loop: bool) -> None:
        """Step ``index``, called ``name``, was entered in ``frame``; ``in_loop``: it is on an instant loop."""
        if frame != self._frame:
            self._frame = frame
            self.used = 0
            self._names = {}
        self.used += 1
        if not self._looping:
            seen = self._drain_steps
            if in_loop or index in seen:
                self._looping = True
            seen.add(index)
        if len(self._names) < RUNAWAY_STEPS_SHOWN:
            self._names[name] = None

    def runaway(self, frame: int) -> dict[str, Any] | None:
        """The runaway report for ``frame``'s spent budget, once per frame (None when already made)."""
        if self._runaway_frame == frame:
            return None
        self._runaway_frame = frame
        self.runaways += 1
        steps = list(self._names)
        elapsed_ms = (self._clock() - self._started) * 1000.0 if self._budget_s is not None else 0.0
        by_count = self.used >= self._max
        why = (f"(limit {self._max})" if by_count
               else f"in {elapsed_ms:.2f} ms (budget {self.budget_ms:g} ms)")
        return {"transitions": self.used, "limit": self._max, "budget_ms": self.budget_ms,
                "elapsed_ms": round(elapsed_ms, 3), "reason": "count" if by_count else "time", "steps": steps,
                "message": f"{self.used} steps entered in frame {frame} {why}; the rest continues next "
                           f"frame. Steps: {' -> '.join(steps)}"}


class ActionQueue:
    """A FIFO of actions, drained to completion under a frame budget (see the module docstring)."""

    def __init__(self, clock: Clock, budget: FrameBudget, *, on_runaway: Callable[[dict[str, Any]], None],
                 on_error: Callable[[BaseException], None], after_batch: Callable[[], None]) -> None:
        self._clock = clock
        self._budget = budget
        self._on_runaway = on_runaway
        self._on_error = on_error
        self._after_batch = after_batch
        self._actions: deque[Action] = deque()
        self.busy = False

    @property
    def pending(self) -> int:
        """How many actions wait (non-zero after a runaway until the next frame)."""
        return len(self._actions)

    def export(self) -> list[tuple[str, bool, str, tuple[Any, ...]]]:
        """The waiting actions as ``(kind, transitions, function name, args)``, oldest first."""
        return [(a.kind, a.transitions, getattr(a.function, "__name__", ""), a.args) for a in self._actions]

    def adopt(self, items: Any, bind: Callable[[str], Callable[..., Any] | None],
              translate: Callable[[Any], Any]) -> list[str]:
        """Queue exported actions (after those waiting): ``bind(name)`` gives the function to call (None:
        the action is dropped), ``translate(arg)`` each argument. Returns the kinds of the dropped ones."""
        dropped = []
        for kind, transitions, name, args in items:
            function = bind(name)
            if function is None:
                dropped.append(str(kind))
                continue
            self._actions.append(Action(str(kind), bool(transitions), function, *(translate(a) for a in args)))
        return dropped

    def append(self, action: Action) -> None:
        """Queue ``action`` without draining (it runs in the current or the next drain)."""
        self._actions.append(action)

    def submit(self, action: Action) -> None:
        """Queue ``action`` and drain, unless a drain is already running (then it runs there)."""
        self._actions.append(action)
        if not self.busy:
            self.drain()

    def submit_now(self, action: Action) -> None:
        """Like ``submit``, but from outside a drain ``action`` goes before the actions waiting for the next
        frame (a Pause stops a runaway loop at once); inside a drain it is queued like any other."""
        if self.busy:
            self._actions.append(action)
            return
        self._actions.appendleft(action)
        self.drain()

    def drain(self) -> None:
        """Run queued actions until none is left or the frame budget is spent (no-op while busy)."""
        if self.busy:
            return
        self.busy = True
        self._budget.begin()
        try:
            while self._run_batch():
                pass
        finally:
            self.busy = False
            self._clock.held = False

    def _run_batch(self) -> bool:
        """Run actions until the queue is empty or blocked; True when more was queued meanwhile."""
        actions, clock, budget = self._actions, self._clock, self._budget
        blocked = False
        while actions:
            action = actions[0]
            frame = clock.hold()
            if action.transitions and not budget.allows(frame):
                clock.held = False
                report = budget.runaway(frame)
                if report is not None:
                    self._on_runaway(report)
                blocked = True
                break
            actions.popleft()
            try:
                action.function(*action.args)
            except Exception as exc:  # an engine bug must never break TD's frame
                self._on_error(exc)
            clock.held = False
        self._after_batch()
        return not blocked and bool(actions)
