"""The README's generated sections: parameters, promoted APIs and callbacks, from the code itself.

Each section sits between markers in README.md::

    <!-- BEGIN generated:parameters -->
    ...
    <!-- END generated:parameters -->

Sections: ``parameters`` (the parameter tables ``toxes/flow_controller_pars.py``,
``toxes/tdasyncio_pars.py`` and ``toxes/flowdashboard_pars.py``), ``api`` (the promoted members of
``FlowControllerExt``, ``TDAsyncIOExt`` and ``FlowDashboardExt``, with their docstrings) and ``callbacks`` (the registry and order table of
``ext/FlowController/flow_callbacks.py``, through ``lopflow.callback_docs``) and ``exit_codes`` (the
``lopflow`` command's exit codes, ``lopflow.cli.EXIT_CODES``). Regenerate with
``python -m lopflow.regenerate``; a test fails when the README is stale.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lopflow import callback_docs
from lopflow.manifest import promoted_api
from lopflow.repo import ext_module, toxes_module

_MARKER = re.compile(r"(<!-- BEGIN generated:(?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- END generated:(?P=name) -->)",
                     re.DOTALL)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _default(spec: Any) -> str:
    if spec.style in ("Pulse", "Momentary", "Header"):
        return ""
    if spec.default is None or spec.default == "":
        return ""
    return f"`{spec.default!r}`" if isinstance(spec.default, str) else f"`{spec.default}`"


def _par_rows(specs: Sequence[Any]) -> list[str]:
    par_specs = toxes_module("par_specs")
    rows = []
    for spec in specs:
        if isinstance(spec, par_specs.SequenceSpec):
            rows.append(f"| {spec.page} | `{spec.name}` (sequence) | {_cell(spec.label)} | Sequence | "
                        f"{spec.default_blocks} block | {_cell(spec.help)} |")
            for block in spec.block:
                name = spec.block_par_name(0, block.name).replace("0", "{n}", 1)
                menu = f" Menu: {', '.join(block.menu_names)}." if block.menu_names else ""
                rows.append(f"| {block.page} | `{name}` | {_cell(block.label)} | {block.style} | {_default(block)} | "
                            f"{_cell(block.help)}{menu} |")
            continue
        menu = f" Menu: {', '.join(spec.menu_names)}." if spec.menu_names else ""
        read_only = " (read-only)" if spec.read_only else ""
        rows.append(f"| {spec.page} | `{spec.name}` | {_cell(spec.label)} | {spec.style}{read_only} | {_default(spec)} | "
                    f"{_cell(spec.help)}{menu} |")
    return rows


def parameters_section() -> str:
    """Markdown tables of the components' custom parameters."""
    builder = toxes_module("build_toxes")
    header = ["| Page | Parameter | Label | Style | Default | What it does |", "| --- | --- | --- | --- | --- | --- |"]
    lines = ["#### FlowController", "", *header, *_par_rows(toxes_module("flow_controller_pars").FLOW_CONTROLLER_PARS),
             "", "#### TDAsyncIO", "", *header,
             *_par_rows(toxes_module("tdasyncio_pars").tdasyncio_par_specs(builder.LOPFLOW_VERSION)),
             "", "#### FlowDashboard", "", *header,
             *_par_rows(toxes_module("flowdashboard_pars").flowdashboard_par_specs(builder.LOPFLOW_VERSION))]
    return "\n".join(lines)


def _api_rows(cls: type, prefix: str) -> list[str]:
    lines = ["| Member | What it does | Fires |", "| --- | --- | --- |"]
    for member in promoted_api(cls):
        if member["kind"] == "method":
            name = f"`{prefix}.{member['name']}{member['signature']}`"
        else:
            name = f"`{prefix}.{member['name']}` ({member['kind']})"
        lines.append(f"| {name} | {_cell(member['doc'])} | {_cell(member.get('fires', ''))} |")
    return lines


def api_section() -> str:
    """Markdown tables of the promoted members of FlowControllerExt, TDAsyncIOExt and FlowDashboardExt."""
    flow = ext_module("FlowControllerExt").FlowControllerExt
    tasks = ext_module("TDAsyncIOExt").TDAsyncIOExt
    dashboard = ext_module("FlowDashboardExt").FlowDashboardExt
    return "\n".join(["#### `iop.LOPflow` (FlowController)", "", *_api_rows(flow, "iop.LOPflow"), "",
                      "#### `op.TDAsyncIO` (TDAsyncIO)", "", *_api_rows(tasks, "op.TDAsyncIO"), "",
                      "#### `op('FlowDashboard')` (FlowDashboard)", "", *_api_rows(dashboard, "op('FlowDashboard')")])


def callbacks_section() -> str:
    """The callbacks table and the callback order table from the engine's registry."""
    return "\n".join([callback_docs.callbacks_table_markdown().rstrip(), "", "Order of callbacks:", "",
                      callback_docs.order_table_markdown().rstrip()])


def exit_codes_section() -> str:
    """The ``lopflow`` command's exit codes (``lopflow.cli.EXIT_CODES``) as a Markdown table."""
    from lopflow.cli import EXIT_CODES

    rows = ["| Exit code | Meaning |", "| --- | --- |"]
    rows += [f"| {code} | {_cell(meaning)} |" for code, meaning in EXIT_CODES.items()]
    return "\n".join(rows)


SECTIONS = {"parameters": parameters_section, "api": api_section, "callbacks": callbacks_section,
            "exit_codes": exit_codes_section}


def render_readme(text: str) -> str:
    """``text`` (the README) with every generated section replaced by its fresh content."""
    missing = [name for name in SECTIONS if f"<!-- BEGIN generated:{name} -->" not in text]
    if missing:
        raise ValueError(f"README has no generated section(s) {', '.join(missing)}; add "
                         f"'<!-- BEGIN generated:NAME -->' / '<!-- END generated:NAME -->' markers")

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in SECTIONS:
            raise ValueError(f"README has an unknown generated section {name!r}; known: {', '.join(SECTIONS)}")
        return f"{match.group(1)}{SECTIONS[name]()}\n{match.group(4)}"

    return _MARKER.sub(replace, text)
