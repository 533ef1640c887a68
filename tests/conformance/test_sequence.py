"""Sequences built the way TD builds them by script, and their blocks."""

from __future__ import annotations

import pytest
import td
from hypothesis import given
from hypothesis import strategies as st

import mock_td


@pytest.fixture
def comp(project1):
    return project1.create(td.baseCOMP, "c")


def build_steps(comp, blocks=1):
    page = comp.appendCustomPage("Steps")
    page.appendSequence("Step", label="Steps")
    page.appendStr("Label")
    page.appendFloat("Duration")
    seq = comp.seq.Step
    seq.blockSize = 2
    seq.numBlocks = blocks
    return page, seq


def test_append_sequence_makes_only_the_header(comp):
    page = comp.appendCustomPage("Steps")
    header = page.appendSequence("Step")
    assert header[0].isSequence and header[0].style == "Sequence"
    seq = comp.seq.Step
    assert comp.seq["Step"] is seq and comp.seq["Nope"] is None
    with pytest.raises(td.tdAttributeError):
        comp.seq.Nope  # noqa: B018
    page.appendStr("Label")
    assert seq.numBlocks == 0 and seq.blockSize == 0 and seq.blocks == []
    assert comp.par.Label.sequence is None  # still a plain page par
    assert seq.sequencePar.isSamePar(header[0]) and seq.owner is comp and seq.name == "Step"


def test_block_size_takes_the_following_groups_and_renames_them(comp):
    page, seq = build_steps(comp)
    assert [p.name for p in page.pars] == ["Step", "Step0label", "Step0duration"]
    assert comp.par["Label"] is None and comp.par.Step0label.sequence is seq
    assert seq.numBlocks == 1 and len(seq) == 1 and seq.blockSize == 2
    assert comp.par.Step0duration.sequenceBlock is seq[0]


def test_block_size_needs_enough_following_pars(comp):
    page = comp.appendCustomPage("P")
    page.appendSequence("Step")
    page.appendStr("Label")
    with pytest.raises(td.tdError, match="needs 2 parameters"):
        comp.seq.Step.blockSize = 2
    with pytest.raises(td.tdError, match="blockSize"):
        comp.seq.Step.numBlocks = 3


def test_num_blocks_adds_and_removes_at_the_end(comp):
    page, seq = build_steps(comp, blocks=3)
    assert [p.name for p in page.pars] == [
        "Step", "Step0label", "Step0duration", "Step1label", "Step1duration", "Step2label", "Step2duration"]
    assert seq.sequencePar.eval() == 3
    seq.blockPars.Label[2].val = "last"
    seq.numBlocks = 2
    assert comp.par["Step2label"] is None and len(seq.blocks) == 2
    seq.sequencePar.val = 4
    assert seq.numBlocks == 4 and comp.par.Step3label.eval() == ""


def test_new_blocks_copy_the_template_definition(comp):
    page = comp.appendCustomPage("P")
    page.appendSequence("Step")
    page.appendMenu("Then", label="Then what")
    comp.par.Then.menuNames = ["next", "stop"]
    comp.par.Then.default = "stop"
    comp.seq.Step.blockSize = 1
    comp.parGroup.Step0then.help = "After the step"
    comp.par.Step0then.val = "next"
    comp.seq.Step.numBlocks = 2
    new = comp.par.Step1then
    assert new.menuNames == ["next", "stop"] and new.label == "Then what" and new.help == "After the step"
    assert new.eval() == "stop" and new.default == "stop"  # default value, not block 0's value


def test_values_move_with_their_blocks(comp):
    _, seq = build_steps(comp, blocks=4)
    for i in range(4):
        seq.blockPars.Label[i].val = f"s{i}"
    seq.destroyBlock(1)
    assert [p.eval() for p in seq.blockPars.Label] == ["s0", "s2", "s3"]
    assert comp.par.Step1label.eval() == "s2"
    block = seq.insertBlock(0)
    assert block.index == 0 and block.sequence is seq and block.owner is comp
    assert [p.eval() for p in seq.blockPars.label] == ["", "s0", "s2", "s3"]
    assert [p.name for p in seq.blockPars.Label] == [f"Step{i}label" for i in range(4)]


def test_block_members_and_lookup(comp):
    _, seq = build_steps(comp, blocks=3)
    block = seq[2]
    assert block.par.Label.name == "Step2label" and block.par.duration.name == "Step2duration"
    assert block.par["Nope"] is None
    with pytest.raises(td.tdAttributeError):
        block.par.Nope  # noqa: B018
    assert [g.name for g in block] == ["Step2label", "Step2duration"]
    assert block.parGroup.Label.name == "Step2label"
    assert [g.name for g in seq.blockParGroups.Duration] == ["Step0duration", "Step1duration", "Step2duration"]
    assert seq.blockPars["Nope"] is None
    assert block.name is None and block.namePar is None
    assert list(seq) == seq.blocks and [b.index for b in seq] == [0, 1, 2]
    block.destroy()
    assert not block.valid and seq.numBlocks == 2
    with pytest.raises(td.tdError):
        block.index  # noqa: B018


def test_block_par_sets_values_and_finds_full_names(comp):
    """Sequential Parameters: ``block.par.weight = 3``, ``block.par['weight'] = 4`` and
    ``seq.point[1].par.point1posx`` (the full name through the block) all work."""
    _, seq = build_steps(comp, blocks=2)
    block = seq[1]
    block.par.Label = "intro"
    assert comp.par.Step1label.eval() == "intro"
    block.par["Duration"] = 4
    assert comp.par.Step1duration.eval() == 4.0
    assert block.par.Step1label is comp.par.Step1label and block.par["Step1duration"] is comp.par.Step1duration
    assert block.par["Step0label"] is None  # another block's parameter is not in this block
    block.parGroup.Duration = 6
    assert comp.par.Step1duration.eval() == 6.0
    with pytest.raises(td.tdAttributeError):
        block.par.Nope = 1
    with pytest.raises(td.tdAttributeError):
        block.par["Nope"] = 1
    with pytest.raises(td.tdAttributeError):
        seq.blockPars.Label = ["a", "b"]  # a per-base-name list, not a parameter
    assert comp.par.Step0label.eval() == ""


def test_pargroup_block_and_sequence_index(comp):
    """ParGroup Class: blockIndex is the group's index within its block, sequenceIndex its block's index
    in the sequence; both None outside a block."""
    _, seq = build_steps(comp, blocks=3)
    duration = comp.parGroup.Step2duration
    assert (duration.sequenceIndex, duration.blockIndex) == (2, 1)
    assert (comp.parGroup.Step0label.sequenceIndex, comp.parGroup.Step0label.blockIndex) == (0, 0)
    assert comp.parGroup.Step.blockIndex is None and comp.parGroup.Step.sequenceIndex is None


def test_bad_block_indexes_raise(comp):
    _, seq = build_steps(comp, blocks=2)
    with pytest.raises(td.tdError, match="out of range"):
        seq.destroyBlock(5)
    with pytest.raises(td.tdError, match="out of range"):
        seq.insertBlock(3)
    with pytest.raises(td.tdError, match="negative"):
        seq.numBlocks = -1


def test_move_reorder_sort_blocks(comp):
    _, seq = build_steps(comp, blocks=4)
    for i, label in enumerate("dbca"):
        seq.blockPars.Label[i].val = label
    seq.moveBlock(0, 3)
    assert [p.eval() for p in seq.blockPars.Label] == list("bcad")
    seq.reorderBlocks(3, 2)
    assert [p.eval() for p in seq.blockPars.Label] == list("dabc")
    seq.sortBlocks(baseName="Label")
    assert [p.eval() for p in seq.blockPars.Label] == list("abcd")
    seq.sortBlocks(key=lambda b: b.par.Label.eval(), reverse=True)
    assert [p.eval() for p in seq.blockPars.Label] == list("dcba")
    with pytest.raises(td.tdError, match="not both"):
        seq.sortBlocks(key=lambda b: 0, baseName="Label")


def test_blockname_increments_and_finds_blocks(comp):
    page = comp.appendCustomPage("P")
    page.appendSequence("Cue")
    page.appendStr("Blockname")
    seq = comp.seq.Cue
    seq.blockSize = 1
    seq[0].name = "A7"
    seq.numBlocks = 3
    assert [b.name for b in seq] == ["A7", "A8", "A9"]
    assert seq["A8"].index == 1 and seq["Z"] is None and seq.blockName == "Blockname"


def test_rename_sequence_renames_block_pars(comp):
    _, seq = build_steps(comp, blocks=2)
    seq.name = "Cue"
    assert comp.seq.Cue is seq and comp.seq["Step"] is None
    assert [p.name for p in comp.customPars] == ["Cue", "Cue0label", "Cue0duration", "Cue1label", "Cue1duration"]


def test_destroying_a_block_par_destroys_its_block(comp):
    _, seq = build_steps(comp, blocks=3)
    comp.par.Step1duration.destroy()
    assert seq.numBlocks == 2 and comp.par["Step2label"] is None


def test_builtin_ext_and_iop_sequences(comp):
    ext = comp.seq.ext
    assert ext.numBlocks == 1 and ext.maxBlocks is None and ext.blockName == "blockname"
    ext.numBlocks = 2
    assert comp.par.ext1object.isPython and comp.par.ext1name.isString and comp.par.ext1promote.isToggle
    assert [p.name for p in comp.seq.iop[0]] == ["iop0shortcut", "iop0op"]


def test_sequence_survives_copy(project1, comp):
    _, seq = build_steps(comp, blocks=3)
    seq.blockPars.Label[2].val = "end"
    comp.seq.ext.numBlocks = 2
    copy = project1.copy(comp, name="c2")
    assert copy.seq.Step.numBlocks == 3 and copy.par.Step2label.eval() == "end"
    assert copy.seq.ext.numBlocks == 2
    copy.seq.Step.insertBlock(0)
    assert copy.par.Step3label.eval() == "end" and comp.par.Step2label.eval() == "end"


operations = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), st.integers(0, 8)),
        st.tuples(st.just("destroy"), st.integers(0, 8)),
        st.tuples(st.just("num"), st.integers(0, 6)),
        st.tuples(st.just("move"), st.integers(0, 8), st.integers(0, 8)),
    ),
    max_size=12,
)


@given(ops=operations)
def test_random_block_operations_keep_names_and_values(ops):
    session = mock_td.install()
    comp = session.root.op("/project1").create(td.baseCOMP, "c")
    _, seq = build_steps(comp, blocks=2)
    model: list[str] = []
    counter = iter(range(10_000))

    def tag_new_blocks() -> None:
        # Give every block a unique label so we can follow values.
        for par in seq.blockPars.Label:
            if par.eval() == "":
                par.val = f"v{next(counter)}"

    tag_new_blocks()
    model = [p.eval() for p in seq.blockPars.Label]
    for op in ops:
        n = len(model)
        if op[0] == "insert" and op[1] <= n:
            seq.insertBlock(op[1])
            model.insert(op[1], "")
        elif op[0] == "destroy" and op[1] < n:
            seq.destroyBlock(op[1])
            del model[op[1]]
        elif op[0] == "num":
            seq.numBlocks = op[1]
            model = (model + [""] * op[1])[:op[1]]
        elif op[0] == "move" and op[1] < n and op[2] < n:
            seq.moveBlock(op[1], op[2])
            moving = model.pop(op[1])
            model.insert(op[2], moving)
        else:
            continue
        assert [p.eval() for p in seq.blockPars.Label] == model
        tag_new_blocks()
        model = [p.eval() for p in seq.blockPars.Label]
        assert seq.numBlocks == len(seq.blocks) == len(model)
        assert [p.name for p in comp.customPars] == ["Step"] + [
            f"Step{i}{base}" for i in range(len(model)) for base in ("label", "duration")]
        assert [b.index for b in seq.blocks] == list(range(len(model)))
