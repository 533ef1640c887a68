"""The built-in parameters of each modelled operator type, as data.

Keys are class names: ``ParOwnerMixin._initPars`` walks the owner's MRO from the most general
class, so ``'COMP'`` gives every COMP type the COMP common pars and ``'containerCOMP'`` adds the
container's layout pars. Names and defaults come from TD's docs (td_api_facts.md §3, §8, §9, §11);
everything a doc did not state is marked UNCONFIRMED in the comment next to it and listed in
SUPPORTED.md. Only what LOPflow and the docs need is modelled; the other built-in pars the types' doc
pages list are in ``DOCUMENTED_NOT_MODELLED`` and raise NotImplementedError naming them
(``scriptCHOP.par.timeslice``). A name on no page raises tdAttributeError like any missing par.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class BuiltinPar:
    """One built-in parameter: name, style (a ``Page.append<Style>`` suffix), default and menu."""

    name: str
    style: str
    default: Any = None
    label: str | None = None
    menu: tuple[str, ...] = ()
    menu_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuiltinSequence:
    """A built-in sequence: header ``name`` and block pars named ``<name><index><base>``."""

    name: str
    label: str
    block: tuple[BuiltinPar, ...]
    blocks: int = 1
    max_blocks: int | None = None  # UNCONFIRMED: no doc found gives a limit for iop/ext


@dataclass(frozen=True)
class BuiltinPage:
    """A built-in page and its entries in display order."""

    name: str
    entries: tuple[BuiltinPar | BuiltinSequence, ...] = field(default_factory=tuple)


_FILE_PAGE = BuiltinPage("File", (
    BuiltinPar("file", "File", "", "File"),
    BuiltinPar("syncfile", "Toggle", False, "Sync to File"),
    BuiltinPar("loadonstart", "Toggle", False, "Load on Start"),
    BuiltinPar("loadonstartpulse", "Pulse", None, "Load File"),
    BuiltinPar("write", "Toggle", False, "Write on Toe Save"),
    BuiltinPar("writepulse", "Pulse", None, "Write File"),
))

# UNCONFIRMED: menu items and defaults of the DAT Common page (the docs list only the names).
_DAT_COMMON_PAGE = BuiltinPage("Common", (
    BuiltinPar("language", "Menu", "python", "Language",
               ("input", "node", "text", "python", "cplusplus", "glsl", "json", "tscript", "xml")),
    BuiltinPar("extension", "StrMenu", "", "Edit/View Extension"),
    BuiltinPar("customext", "Str", "", "Custom Extension"),
    BuiltinPar("wordwrap", "Menu", "input", "Word Wrap", ("input", "on", "off")),
))

_EXECUTE_LOCATION = (
    BuiltinPar("executeloc", "Menu", "here", "Execute from", ("current", "here", "op")),  # UNCONFIRMED items
    BuiltinPar("fromop", "OP", "", "From Operator"),
)

BUILTIN_PAGES: dict[str, tuple[BuiltinPage, ...]] = {
    "COMP": (
        BuiltinPage("Extensions", (
            BuiltinSequence("ext", "Extension", (
                BuiltinPar("object", "Python", "", "Extension Object"),
                BuiltinPar("name", "Str", "", "Extension Name"),
                BuiltinPar("promote", "Toggle", False, "Promote Extension"),
            )),
            BuiltinPar("reinitextensions", "Pulse", None, "Re-Init Extensions"),
            BuiltinPar("initextonstart", "Toggle", True, "Init Extensions on Start"),
        )),
        BuiltinPage("Common", (
            BuiltinPar("parentshortcut", "Str", "", "Parent Shortcut"),
            BuiltinPar("opshortcut", "Str", "", "Global OP Shortcut"),
            BuiltinSequence("iop", "Internal OP", (
                BuiltinPar("shortcut", "Str", "", "Internal OP Shortcut"),
                BuiltinPar("op", "OP", "", "Internal OP"),
            )),
            BuiltinPar("externaltox", "File", "", "External .tox Path"),
            BuiltinPar("enableexternaltox", "Toggle", True, "Enable External .tox"),
            BuiltinPar("enableexternaltoxpulse", "Pulse", None, "Re-Init Network"),
            BuiltinPar("reloadcustom", "Toggle", True, "Reload Custom Parameters"),  # UNCONFIRMED default
            BuiltinPar("clone", "COMP", "", "Clone Master"),
            BuiltinPar("enablecloning", "Toggle", True, "Enable Cloning"),  # UNCONFIRMED default
            BuiltinPar("enablecloningpulse", "Pulse", None, "Enable Cloning Pulse"),
            BuiltinPar("loadondemand", "Toggle", False, "Load on Demand"),  # UNCONFIRMED default
            BuiltinPar("opviewer", "OP", "", "Operator Viewer"),
        )),
    ),
    "baseCOMP": (),
    # UNCONFIRMED: container layout defaults (TD shows a new Container COMP as 100x100 at 0,0).
    "containerCOMP": (
        BuiltinPage("Layout", (
            BuiltinPar("x", "Int", 0, "X"),
            BuiltinPar("y", "Int", 0, "Y"),
            BuiltinPar("w", "Int", 100, "Width"),
            BuiltinPar("h", "Int", 100, "Height"),
        )),
    ),
    "textDAT": (_FILE_PAGE, _DAT_COMMON_PAGE),
    "tableDAT": (BuiltinPage("File", tuple(p for p in _FILE_PAGE.entries if isinstance(p, BuiltinPar)
                                           and p.name != "syncfile")),),
    "executeDAT": (
        BuiltinPage("Execute", (
            BuiltinPar("active", "Toggle", True, "Active"),
            *_EXECUTE_LOCATION,
            BuiltinPar("start", "Toggle", False, "Start"),
            BuiltinPar("create", "Toggle", False, "Create"),
            BuiltinPar("exit", "Toggle", False, "Exit"),
            BuiltinPar("framestart", "Toggle", False, "Frame Start"),
            BuiltinPar("frameend", "Toggle", False, "Frame End"),
            BuiltinPar("playstatechange", "Toggle", False, "Play State Change"),
            BuiltinPar("devicechange", "Toggle", False, "Device Change"),
        )),
        _FILE_PAGE, _DAT_COMMON_PAGE,
    ),
    # UNCONFIRMED: the defaults of the Parameter Execute DAT's toggles and of ``pars``.
    "parameterexecuteDAT": (
        BuiltinPage("Parameter", (
            BuiltinPar("active", "Toggle", True, "Active"),
            *_EXECUTE_LOCATION,
            BuiltinPar("op", "OP", "", "OPs"),
            BuiltinPar("pars", "Str", "*", "Parameters"),
            BuiltinPar("valuechange", "Toggle", True, "Value Change"),
            BuiltinPar("valueschanged", "Toggle", False, "Values Changed"),
            BuiltinPar("onpulse", "Toggle", True, "On Pulse"),
            BuiltinPar("expressionchange", "Toggle", False, "Expression Change"),
            BuiltinPar("exportchange", "Toggle", False, "Export Change"),
            BuiltinPar("enablechange", "Toggle", False, "Enable Change"),
            BuiltinPar("modechange", "Toggle", False, "Mode Change"),
            BuiltinPar("custom", "Toggle", True, "Custom"),
            BuiltinPar("builtin", "Toggle", True, "Built-In"),
        )),
        _FILE_PAGE, _DAT_COMMON_PAGE,
    ),
    "scriptCHOP": (
        BuiltinPage("Script", (
            BuiltinPar("callbacks", "DAT", "", "Callbacks DAT"),
            BuiltinPar("setuppars", "Pulse", None, "Setup Parameters"),
        )),
    ),
    "nullCHOP": (),
}


#: Built-in parameters the operator's doc page lists but mock_td does not model: reading or setting one
#: raises NotImplementedError naming it (``scriptCHOP.par.timeslice``), instead of tdAttributeError
#: claiming TD has no such parameter. From the pages Script_CHOP, Null_CHOP, Text_DAT, Table_DAT,
#: Execute_DAT, Parameter_Execute_DAT, Base_COMP and Container_COMP (2023.11280 copy).
DOCUMENTED_NOT_MODELLED: dict[str, tuple[str, ...]] = {
    "COMP": ("reloadbuiltin", "relpath", "savebackup", "subcompname"),
    "containerCOMP": (
        "align", "alignallow", "alignmax", "alignorder", "anchordrag", "aspect", "bgalpha", "bgcolor", "bordera",
        "borderaalpha", "borderb", "borderbalpha", "borderover", "bottomanchor", "bottomborder", "bottomborderi",
        "bottomoffset", "clickthrough", "composite", "constraincursor", "crop", "cursor", "disablealpha",
        "disablecolor", "display", "dodisablecolor", "drag", "dragscript", "drop", "dropdestscript", "dropscript",
        "droptypescript", "enable", "fit", "fixedaspect", "helpdat", "hfillweight", "hmode", "horigin",
        "justifyh", "justifymethod", "justifyv", "keepmemory", "layer", "leftanchor", "leftborder",
        "leftborderi", "leftoffset", "margin", "mouserel", "mousewheel", "multitouch", "multrgb", "nodeview",
        "offset", "opacity", "paneldragop", "phscrollbar", "postoffset", "pvscrollbar", "repocomp", "reposition",
        "repositionx", "repositiony", "resize", "resizeh", "resizew", "rightanchor", "rightborder",
        "rightborderi", "rightoffset", "scale", "scrollbarthickness", "scrolloverlay", "sizefromwindow",
        "spacing", "top", "topanchor", "topborder", "topborderi", "topfill", "topoffset", "topsmoothness",
        "uvbuttons", "vfillweight", "vmode", "vorigin",
    ),
    "textDAT": ("edit",),
    "executeDAT": ("edit",),
    "parameterexecuteDAT": ("edit",),
    "tableDAT": ("syncfile", "edit", "fill", "rows", "cols", "cellexpr", "includenames", "removeblank",
                 "defaultreadencoding", "language", "extension", "customext", "wordwrap"),
    "scriptCHOP": ("timeslice", "scope", "srselect", "exportmethod", "autoexportroot", "exporttable"),
    "nullCHOP": ("cooktype", "checkvalues", "checknames", "checkrange", "timeslice", "scope", "srselect",
                 "exportmethod", "autoexportroot", "exporttable"),
}


def documented_not_modelled(owner: Any, name: str) -> str | None:
    """``'<type>.par.<name>'`` when ``name`` is a built-in parameter of ``owner``'s type that TD documents
    and mock_td does not model, else None."""
    for cls in type(owner).__mro__:
        if name in DOCUMENTED_NOT_MODELLED.get(cls.__name__, ()):
            return f"{type(owner).__name__}.par.{name}"
    return None


def pages_for_classes(class_names: list[str]) -> list[BuiltinPage]:
    """Built-in pages for an owner whose MRO (most general first) has ``class_names``."""
    pages: list[BuiltinPage] = []
    for name in class_names:
        pages.extend(BUILTIN_PAGES.get(name, ()))
    return pages
