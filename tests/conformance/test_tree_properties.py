"""Property test: random create/destroy/par/storage/run/advance sequences keep the tree's invariants."""

from __future__ import annotations

import td
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import mock_td

TYPES = ["baseCOMP", "containerCOMP", "textDAT", "tableDAT", "executeDAT", "scriptCHOP"]
NAMES = st.sampled_from(["a", "b", "node1", "node2", "x"])


class TreeMachine(RuleBasedStateMachine):
    """Drive the public td API and compare it with a tiny model: live OPs, destroyed OPs, storage."""

    def __init__(self) -> None:
        super().__init__()
        self.session = mock_td.install()
        self.live = {o.id: o for o in [td.root, *td.root.findChildren()]}
        self.dead: list[tuple[object, int, str]] = []
        self.storage: dict[int, dict[str, object]] = {i: {} for i in self.live}

    def _comps(self):
        return sorted((o for o in self.live.values() if o.isCOMP), key=lambda o: o.id)

    def _nonroot(self):
        return sorted((o for o in self.live.values() if o is not td.root), key=lambda o: o.id)

    @rule(data=st.data(), optype=st.sampled_from(TYPES), name=NAMES)
    def create(self, data, optype, name):
        parent = data.draw(st.sampled_from(self._comps()))
        before = {c.name for c in parent.children}
        new = parent.create(optype, name)
        assert new.name not in before
        assert new.name == name or new.name.rstrip("0123456789") == name.rstrip("0123456789")
        self.live[new.id] = new
        self.storage[new.id] = {}

    @precondition(lambda self: len(self.live) > 3)
    @rule(data=st.data())
    def destroy(self, data):
        victim = data.draw(st.sampled_from(self._nonroot()))
        gone = [victim, *(victim.findChildren() if victim.isCOMP else []), *victim.docked]
        self.dead.extend((o, o.id, o.path) for o in gone)
        ids = [o.id for o in gone]
        victim.destroy()
        for ident in ids:
            self.live.pop(ident)

    @rule(data=st.data(), key=st.sampled_from(["k1", "k2", "k3"]), value=st.integers() | st.text(max_size=3))
    def store(self, data, key, value):
        target = data.draw(st.sampled_from(sorted(self.live.values(), key=lambda o: o.id)))
        target.store(key, value)
        self.storage[target.id][key] = value

    @rule(data=st.data(), key=st.sampled_from(["k1", "k*", "zz"]))
    def unstore(self, data, key):
        target = data.draw(st.sampled_from(sorted(self.live.values(), key=lambda o: o.id)))
        target.unstore(key)
        model = self.storage[target.id]
        for k in [k for k in model if (k.startswith("k") if key == "k*" else k == key)]:
            del model[k]

    @rule(data=st.data(), x=st.integers(-500, 500))
    def move_and_tag(self, data, x):
        target = data.draw(st.sampled_from(self._nonroot() or [td.root]))
        target.nodeX = x
        target.tags = [f"t{x % 3}"]
        assert target.nodeX == x and target.tags == {f"t{x % 3}"}

    @rule(data=st.data(), value=st.sampled_from(["", "Short", "Other"]))
    def set_par(self, data, value):
        comp = data.draw(st.sampled_from(self._comps()))
        comp.par.parentshortcut = value
        assert comp.par.parentshortcut.eval() == value

    @rule(data=st.data(), delay=st.integers(0, 3))
    def run_script(self, data, delay):
        target = data.draw(st.sampled_from(sorted(self.live.values(), key=lambda o: o.id)))
        td.run("o = op(args[0])\nif o is not None:\n    o.store('ran', absTime.frame)", target.id, delayFrames=delay)

    @rule(frames=st.integers(1, 3))
    def advance(self, frames):
        self.session.advance(frames)

    @invariant()
    def tree_is_consistent(self):
        walked = [td.root, *td.root.findChildren()]
        assert {o.id for o in walked} == set(self.live)
        paths = [o.path for o in walked]
        assert len(paths) == len(set(paths))
        ids = [o.id for o in walked]
        assert len(ids) == len(set(ids))
        for o in walked:
            assert o.valid
            assert td.op(o.path) is o and td.op(o.id) is o
            if o is not td.root:
                parent = o.parent()
                assert o.path == (parent.path.rstrip("/") + "/" + o.name)
                assert parent.op(o.name) is o
            got = {k: v for k, v in o.storage.items() if k != "ran"}
            assert got == self.storage[o.id]
        assert self.session.take_script_exceptions() == []

    @invariant()
    def destroyed_ops_are_invalid_and_unreachable(self):
        for o, ident, path in self.dead:
            assert not o.valid
            assert td.op(ident) is None
            assert td.op(path) is not o


# max_examples comes from the profile in tests/conftest.py; short programs keep the suite fast.
TreeMachine.TestCase.settings = settings(settings.default, stateful_step_count=15)
test_tree_invariants = TreeMachine.TestCase
