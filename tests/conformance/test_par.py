"""Par, ParMode, ParCollection and ParGroup through the public td API."""

from __future__ import annotations

import pytest
import td


@pytest.fixture
def comp(project1):
    return project1.create(td.baseCOMP, "c")


@pytest.fixture
def page(comp):
    return comp.appendCustomPage("Settings")


def test_par_collection_access_and_assignment(comp, page):
    page.appendFloat("Speed")
    assert comp.par.Speed.name == "Speed"
    assert comp.par["Speed"] is comp.par.Speed
    assert comp.par["Nope"] is None
    with pytest.raises(td.tdAttributeError, match="Nope"):
        comp.par.Nope  # noqa: B018
    with pytest.raises(AttributeError):
        comp.par.Nope  # noqa: B018
    assert not hasattr(comp.par, "Nope")
    comp.par.Speed = 2.5
    assert comp.par.Speed.val == 2.5
    with pytest.raises(td.tdAttributeError):
        comp.par.Nope = 3
    assert "Speed" in [p.name for p in comp.par]


def test_value_types_casting_and_arithmetic(comp, page):
    page.appendFloat("F")
    page.appendInt("I")
    page.appendToggle("T")
    page.appendStr("S")
    comp.par.F = "1.5"
    comp.par.I = 2.6
    comp.par.T = 1
    comp.par.S = 12
    assert comp.par.F.eval() == 1.5 and isinstance(comp.par.F.eval(), float)
    assert comp.par.I.eval() == 3 and isinstance(comp.par.I.eval(), int)
    assert comp.par.T.eval() is True
    assert comp.par.S.eval() == "12"
    assert comp.par.F + 1 == 2.5 and 1 + comp.par.F == 2.5
    assert comp.par.F * 2 == 3.0 and comp.par.I - 1 == 2
    assert float(comp.par.I) == 3.0 and int(comp.par.F) == 1 and str(comp.par.S) == "12"
    assert comp.par.F == 1.5 and comp.par.F != 2 and comp.par.I > comp.par.F
    with pytest.raises(td.tdError, match="expected a number"):
        comp.par.F = "fast"
    assert comp.par.F.eval() == 1.5


def test_identity_is_not_equality(comp, page):
    page.appendFloat("A")
    page.appendFloat("B")
    assert comp.par.A == comp.par.B  # equal values
    assert not comp.par.A.isSamePar(comp.par.B)
    assert comp.par.A.isSamePar(comp.par.A)


def test_modes_expr_bind_and_prev_mode(comp, page):
    page.appendFloat("Base")
    page.appendFloat("Derived")
    derived = comp.par.Derived
    assert derived.mode == td.ParMode.CONSTANT
    derived.expr = "me.par.Base * 2 + 1"
    assert derived.mode == td.ParMode.EXPRESSION and derived.prevMode == td.ParMode.CONSTANT
    comp.par.Base = 4
    assert derived.eval() == 9.0
    assert derived.val == 0.0  # the constant is kept separately
    derived.val = 3
    assert derived.mode == td.ParMode.CONSTANT and derived.eval() == 3.0
    assert derived.expr == "me.par.Base * 2 + 1"
    derived.mode = td.ParMode.EXPRESSION
    assert derived.eval() == 9.0
    derived.bindExpr = "me.par.Base"
    assert derived.mode == td.ParMode.BIND and derived.eval() == 4.0
    with pytest.raises(NotImplementedError, match="ParMode.EXPORT"):
        derived.mode = td.ParMode.EXPORT


def test_broken_expression_raises_on_eval(comp, page):
    page.appendFloat("Bad")
    comp.par.Bad.expr = "1 / 0"
    with pytest.raises(ZeroDivisionError):
        comp.par.Bad.eval()


def test_defaults_reset_and_is_default(comp, page):
    par = page.appendInt("Count")[0]
    assert par.isDefault and par.default == 0
    par.default = 5
    assert not par.isDefault
    par.reset()
    assert par.eval() == 5 and par.isDefault
    par.expr = "5"
    assert not par.isDefault
    assert par.reset() is True and par.mode == td.ParMode.CONSTANT


def test_range_and_clamping(comp, page):
    par = page.appendFloat("Gain")[0]
    par.min, par.max = -1, 2
    par.val = 10
    assert par.eval() == 10  # no clamping until asked
    par.clampMin = par.clampMax = True
    par.val = 10
    assert par.eval() == 2
    par.val = -5
    assert par.eval() == -1
    par.expr = "100"
    assert par.eval() == 2
    par.normMin, par.normMax = 0, 4
    par.val = 1
    assert par.normVal == 0.25


def test_builtin_definition_is_read_only(comp):
    with pytest.raises(td.tdError, match="custom"):
        comp.par.initextonstart.default = False
    with pytest.raises(td.tdError, match="custom"):
        comp.par.opshortcut.label = "x"
    with pytest.raises(td.tdError, match="built-in"):
        comp.par.opshortcut.destroy()
    assert comp.par.initextonstart.eval() is True and not comp.par.initextonstart.isCustom


def test_menus_by_name_index_and_source(project1, comp, page):
    par = page.appendMenu("Mode")[0]
    par.menuNames = ["slow", "fast", "auto"]
    par.menuLabels = ["Slow", "Fast", "Auto"]
    assert par.eval() == "slow" and par.menuIndex == 0 and par.default == "slow"
    par.val = "auto"
    assert par.menuIndex == 2
    par.val = 1
    assert par.eval() == "fast"
    par.menuIndex = 2
    assert par.eval() == "auto"
    with pytest.raises(td.tdError, match="Invalid menu value"):
        par.val = "warp"
    with pytest.raises(td.tdError, match="out of range"):
        par.menuIndex = 7
    assert par.isMenu and not par.isString
    sm = page.appendStrMenu("Preset")[0]
    sm.menuNames = ["a", "b"]
    sm.val = "anything"  # a StrMenu accepts any string
    assert sm.eval() == "anything" and sm.isString and sm.isMenu
    src = page.appendMenu("Pick")[0]
    src.menuSource = "tdu.ParMenu(['x', 'y'], ['X', 'Y'])"
    assert src.menuNames == ["x", "y"] and src.menuLabels == ["X", "Y"]
    assert page.appendFloat("Num")[0].menuNames is None


def test_type_flags_and_style(page):
    flags = {
        "Float": page.appendFloat("Fl")[0], "Int": page.appendInt("In")[0], "Toggle": page.appendToggle("To")[0],
        "Pulse": page.appendPulse("Pu")[0], "Str": page.appendStr("St")[0], "OP": page.appendOP("Op")[0],
        "Python": page.appendPython("Py")[0], "Momentary": page.appendMomentary("Mo")[0],
    }
    assert {s: p.style for s, p in flags.items()} == {s: s for s in flags}
    assert flags["Float"].isFloat and flags["Float"].isNumber and not flags["Float"].isInt
    assert flags["Int"].isInt and flags["Int"].isNumber
    assert flags["Toggle"].isToggle and flags["Pulse"].isPulse and flags["Momentary"].isMomentary
    assert flags["Str"].isString and flags["OP"].isOP and flags["Python"].isPython
    assert all(p.isCustom and not p.isSequence for p in flags.values())


def test_op_par_resolves_through_owner(project1, comp, page):
    target = comp.create(td.textDAT, "notes")
    par = page.appendOP("Target")[0]
    assert par.eval() is None
    par.val = "./notes"  # inside the COMP needs ./ (Internal Operators page)
    assert par.eval() is target
    par.val = target
    assert par.eval() is target and isinstance(par.val, str)
    par.val = "missing"
    assert par.eval() is None
    dat_par = page.appendDAT("Dat")[0]
    dat_par.val = target
    assert dat_par.eval() is target
    comp_par = page.appendCOMP("Box")[0]
    with pytest.raises(td.tdError, match="COMP"):
        comp_par.val = target
    comp_par.val = "./notes"  # a path to a DAT does not resolve on a COMP par
    assert comp_par.eval() is None


def test_op_par_bare_name_on_a_comp_is_a_sibling(project1, comp, page):
    """ParCollection Class: ``op('geo1').par.lookat = 'null1'`` names geo1's sibling null1."""
    sibling = project1.create(td.textDAT, "notes")
    child = comp.create(td.textDAT, "notes")
    par = page.appendOP("Target")[0]
    par.val = "notes"
    assert par.eval() is sibling and par.evalOPs() == [sibling]
    par.expr = "'notes'"  # an expression returning the bare name resolves the same way
    assert par.eval() is sibling
    par.val = "./notes"
    assert par.eval() is child
    comp.par.iop0shortcut = "Notes"
    comp.par.iop0op = "notes"
    assert comp.internalOPs == {"Notes": sibling}


def test_python_par_evaluates_its_text(comp, page):
    par = page.appendPython("Obj")[0]
    assert par.eval() is None
    par.val = "[me.name, 1 + 1]"
    assert par.eval() == ["c", 2]
    assert par.val == "[me.name, 1 + 1]"


def test_read_only_is_still_settable_from_script(comp, page):
    par = page.appendStr("Status")[0]
    par.readOnly = True
    par.val = "ok"
    assert par.eval() == "ok" and par.readOnly


def test_enable_label_help_page_order(comp, page):
    group = page.appendFloat("Speed", label="Speed (m/s)")
    par = group[0]
    assert par.label == "Speed (m/s)" and par.page is page and par.owner is comp
    group.help = "How fast"
    assert par.help == "How fast" and group.help == "How fast"
    par.enable = False
    assert par.enable is False
    par.label = "Velocity"
    assert group.label == "Velocity"
    page.appendFloat("Other")
    comp.par.Other.order = 0
    assert [p.name for p in page.pars] == ["Other", "Speed"]
    other = comp.appendCustomPage("Other")
    par.page = other
    assert par.page is other and [p.name for p in other.pars] == ["Speed"]


def test_destroy_custom_par_invalidates_it(comp, page):
    par = page.appendFloat("Temp")[0]
    par.destroy()
    assert not par.valid
    assert comp.par["Temp"] is None
    with pytest.raises(td.tdError):
        par.eval()


def test_pulse_par_and_pulse_on_value_par(comp, page):
    par = page.appendPulse("Go")[0]
    par.pulse()  # no value, no error
    assert par.eval() is False
    flag = page.appendToggle("Flag")[0]
    flag.pulse(1)
    assert flag.eval() is False  # restored after the pulse
    with pytest.raises(NotImplementedError, match="Par.pulse"):
        flag.pulse(1, frames=2)


def test_value_change_callbacks_only_on_real_changes(project1, comp, page):
    page.appendFloat("Speed")
    page.appendPulse("Go")
    pex = project1.create(td.parameterexecuteDAT, "watch")
    pex.par.op = comp
    pex.par.pars = "*"
    pex.text = (
        "def onValueChange(par, prev):\n"
        "    me.parent().storage.setdefault('log', []).append((par.name, prev, par.eval()))\n"
        "def onPulse(par):\n"
        "    me.parent().storage.setdefault('log', []).append(('pulse', par.name))\n"
    )
    comp.par.Speed = 1
    comp.par.Speed = 1  # same value: no callback
    comp.par.Speed.expr = "1.0"  # same value through an expression: no callback
    comp.par.Speed.expr = "2.0"
    comp.par.Go.pulse()
    assert project1.storage["log"] == [("Speed", 0.0, 1.0), ("Speed", 1.0, 2.0), ("pulse", "Go")]


def test_pargroup_tuple_behaviour(comp, page):
    group = page.appendFloat("Value", size=3)
    assert [p.name for p in group] == ["Value1", "Value2", "Value3"]
    assert len(group) == 3 and group[0].name == "Value1" and group.name == "Value"
    group.val = (1, 2, 3)
    assert group.eval() == (1.0, 2.0, 3.0) and group.val == (1.0, 2.0, 3.0)
    comp.parGroup.Value = (4, 5, 6)
    assert comp.par.Value2.eval() == 5.0
    with pytest.raises(td.tdError, match="3 parameters"):
        group.val = (1, 2)
    assert comp.parGroup["Value"] is group and comp.parGroup["Nope"] is None
    with pytest.raises(td.tdAttributeError):
        comp.parGroup.Nope  # noqa: B018
    assert comp.par.Value1.parGroup is group
    group.reset()
    assert group.eval() == (0.0, 0.0, 0.0)
    xyz = page.appendXYZ("Pos")
    assert [p.name for p in xyz] == ["Posx", "Posy", "Posz"] and xyz.style == "XYZ"
    rgba = page.appendRGBA("Tint")
    assert [p.name for p in rgba] == ["Tintr", "Tintg", "Tintb", "Tinta"]


def test_owner_par_queries(comp, page):
    page.appendFloat("Alpha")
    page.appendFloat("Beta")
    assert [p.name for p in comp.pars("A*")] == ["Alpha"]
    assert [p.name for p in comp.pars("Alpha Beta")] == ["Alpha", "Beta"]
    assert [p.name for p in comp.customPars] == ["Alpha", "Beta"]
    assert "parentshortcut" in [p.name for p in comp.builtinPars]
    assert {"Alpha", "Beta", "opshortcut"} <= {p.name for p in comp.pars()}
    assert [g.name for g in comp.customParGroups] == ["Alpha", "Beta"]
    assert all(not p.isCustom for p in comp.pages)
    comp.par.Alpha = 3
    comp.par.opshortcut = "x"
    assert comp.resetPars(includeBuiltin=False) is True
    assert comp.par.Alpha.eval() == 0.0 and comp.par.opshortcut.eval() == "x"
    assert comp.resetPars(includeBuiltin=False) is False


def test_builtin_pars_of_types(project1):
    comp = project1.create(td.baseCOMP, "b")
    assert comp.par.ext0object.isPython and comp.par.ext0promote.isToggle and comp.par.iop0op.isOP
    assert comp.seq.ext.numBlocks == 1 and comp.seq.iop.numBlocks == 1
    assert comp.par.reinitextensions.isPulse and comp.par.initextonstart.eval() is True
    container = project1.create(td.containerCOMP, "ui")
    assert (container.par.w.eval(), container.par.h.eval()) == (100, 100)
    text = project1.create(td.textDAT, "t")
    assert text.par.file.style == "File" and text.par.syncfile.eval() is False
    with pytest.raises(AttributeError):
        text.appendCustomPage  # noqa: B018 - only COMPs and script OPs have it
    ex = project1.create(td.executeDAT, "e")
    assert {p.name for p in ex.pars("start create exit framestart frameend")} == {
        "start", "create", "exit", "framestart", "frameend"}
    pex = project1.create(td.parameterexecuteDAT, "p")
    assert pex.par.onpulse.isToggle and pex.par.valuechange.isToggle
    chop = project1.create(td.scriptCHOP, "s")
    assert chop.par.callbacks.style == "DAT" and chop.par.setuppars.isPulse


def test_snapshot_survives_copy(project1, comp, page):
    page.appendFloat("Speed")
    comp.par.Speed = 3
    comp.par.Speed.expr = "me.digits or 7"
    page.appendMenu("Mode")[0].menuNames = ["a", "b"]
    comp.par.Mode = "b"
    copy = project1.copy(comp, name="c2")
    assert copy.par.Speed.val == 3.0 and copy.par.Speed.expr == "me.digits or 7"
    assert copy.par.Speed.eval() == 2.0  # evaluated on the copy: its digits
    assert copy.par.Mode.eval() == "b" and copy.par.Mode.menuNames == ["a", "b"]
    assert not copy.par.Speed.isSamePar(comp.par.Speed)


def test_builtin_sequence_block_pars_can_be_destroyed(comp):
    comp.seq.iop.numBlocks = 3
    comp.par.iop1shortcut.destroy()
    assert comp.seq.iop.numBlocks == 2 and comp.par["iop2op"] is None


def test_copy_parameters_and_par_copy(project1, comp, page):
    page.appendFloat("Speed")
    comp.par.Speed = 4
    comp.par.opshortcut = "here"
    other = project1.create(td.baseCOMP, "other")
    other.copyParameters(comp)
    assert other.par.Speed.eval() == 4.0 and other.par.opshortcut.eval() == "here"
    other.par.Speed.val = 1
    assert comp.par.Speed.eval() == 4.0
    third = project1.create(td.baseCOMP, "third")
    third.copyParameters(comp, custom=False)
    assert third.customPars == [] and third.par.opshortcut.eval() == "here"
    page.appendFloat("Mirror")
    comp.par.Speed.expr = "2 + 3"
    comp.par.Mirror.copy(comp.par.Speed)
    assert comp.par.Mirror.mode == td.ParMode.EXPRESSION and comp.par.Mirror.eval() == 5.0


def test_binding_is_two_way(project1, comp, page):
    """Binding page: "changing the value of any one of the bound parameters changes all of them"; a bind
    reference "can only be changed via its UI, its val property, or its bind master"; a master changed by
    its references "will enter Constant Parameter Mode"."""
    page.appendFloat("Master")
    page.appendFloat("Ref")
    page.appendFloat("Ref2")
    master, ref, ref2 = comp.par.Master, comp.par.Ref, comp.par.Ref2
    ref.bindExpr = "me.par.Master"
    ref2.bindExpr = "me.par.Ref"  # a chain: Ref2 -> Ref -> Master
    master.val = 2
    assert ref.eval() == 2.0 and ref2.eval() == 2.0
    ref.val = 5
    assert master.eval() == 5.0 and ref.mode == td.ParMode.BIND and ref2.eval() == 5.0
    master.expr = "1 + 1"
    ref2.val = 7  # up the chain to the master, which leaves expression mode
    assert master.mode == td.ParMode.CONSTANT and master.eval() == 7.0 and ref.eval() == 7.0
    assert ref.mode == td.ParMode.BIND and ref2.mode == td.ParMode.BIND


def test_bind_masters_cells_dependencies_tuples_and_none(project1, comp, page):
    """Binding page: table cells, Dependency objects and bind tuples ``(object, 'attribute')`` can be bind
    masters; "When bind expressions evaluate to None they always return None"."""
    table = project1.create(td.tableDAT, "t")
    table.text = "3\n"
    text = project1.create(td.textDAT, "txt")
    text.text = "hello"
    page.appendFloat("Fromcell")
    page.appendFloat("Fromdep")
    page.appendStr("Fromtuple")
    page.appendFloat("Fromnone")
    comp.par.Fromcell.bindExpr = "op('t')[0, 0]"
    assert comp.par.Fromcell.eval() == 3.0
    comp.par.Fromcell.val = 8
    assert float(table[0, 0].val) == 8.0
    comp.store("dep", td.tdu.Dependency(1.5))
    comp.par.Fromdep.bindExpr = "me.fetch('dep')"
    assert comp.par.Fromdep.eval() == 1.5
    comp.par.Fromdep.val = 2
    assert comp.fetch("dep").val == 2.0
    comp.par.Fromtuple.bindExpr = "(op('txt'), 'text')"
    assert comp.par.Fromtuple.eval() == "hello"
    comp.par.Fromtuple.val = "bye"
    assert text.text == "bye"
    comp.par.Fromnone.bindExpr = "None"
    assert comp.par.Fromnone.eval() is None


def test_renaming_a_custom_parameter(comp, page):
    """Par Class: ``op('myOperator').par.Custompar.name = 'Translate'``; "Can only be set on Custom
    Parameters". ParGroup Class: ``name`` and ``baseName`` are settable too."""
    page.appendFloat("Speed")
    comp.par.Speed = 3
    par = comp.par.Speed
    par.name = "Rate"
    assert comp.par["Speed"] is None and comp.par.Rate is par and par.eval() == 3.0
    assert comp.parGroup.Rate.name == "Rate"
    pos = page.appendXY("Pos")
    pos.name = "Place"
    assert [p.name for p in pos] == ["Placex", "Placey"] and comp.par.Placey is pos[1]
    pos.baseName = "Spot"
    assert comp.parGroup.Spot is pos and comp.par["Placex"] is None
    page.appendFloat("Other")
    with pytest.raises(td.tdError, match="already used"):
        comp.par.Other.name = "Rate"
    with pytest.raises(td.tdError, match="Invalid custom parameter name"):
        par.name = "rate"
    with pytest.raises(td.tdError, match="custom"):
        comp.par.parentshortcut.name = "Parent"
    with pytest.raises(NotImplementedError):
        pos[0].name = "Alone"


def test_pargroup_tuple_members(project1, comp, page):
    """ParGroup Class: copy(), evalExpression(), evalNorm(), evalOPs(), menuIndex, normVal, isSequence; the
    bind and export members are not modelled."""
    pos = page.appendXY("Pos")
    other = page.appendXY("Other")
    other.val = (1, 2)
    other.expr = ("1 + 2", "3 + 4")
    pos.copy(other)
    assert pos.eval() == (3.0, 7.0) and pos.evalExpression() == (3.0, 7.0)
    pos.val = (0.5, 0.25)
    assert pos.evalNorm() == (0.5, 0.25) and pos.normVal == (0.5, 0.25)
    pos.normVal = (1, 0)
    assert pos.eval() == (1.0, 0.0)
    menu = page.appendMenu("Choice")
    menu.menuNames = ["a", "b"]
    menu.menuIndex = (1,)
    assert menu.eval() == ("b",) and menu.menuIndex == (1,)
    target = page.appendOP("Target")
    target.val = ("./",)
    assert target.evalOPs() == ([comp],) and not pos.isSequence
    with pytest.raises(NotImplementedError, match="ParGroup.bindMaster"):
        pos.bindMaster  # noqa: B018
    with pytest.raises(NotImplementedError, match="ParGroup.size"):
        pos.size = 3


def test_reset_reports_whether_anything_changed(comp, page):
    """Par / ParGroup / Page Class: reset() and resetPars() return "true if anything was changed"."""
    par = page.appendFloat("Speed")[0]
    assert par.reset() is False and page.resetPars() is False
    par.val = 2
    assert par.reset() is True and par.reset() is False
    par.val = 2
    assert comp.parGroup.Speed.reset() is True and page.resetPars() is False
    par.val = 3
    assert page.resetPars() is True
    assert par.isPar(comp.par.Speed) and not par.isPar(comp.par.parentshortcut)
