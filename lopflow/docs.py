"""The README's generated sections: parameters, promoted APIs and callbacks, from the code itself.

Each section sits between markers in README.md::

    <!-- BEGIN generated:parameters -->
    ...
    <!-- END generated:parameters -->

Sections: ``parameters`` (the parameter tables ``toxes/flow_controller_pars.py`` and
``toxes/tdasyncio_pars.py``), ``api`` (the promoted members of ``FlowControllerExt`` and
``TDAsyncIOExt``, with their docstrings) and ``callbacks`` (``ext/flow_callbacks.py``'s registry and
order table). A test fails when the README is stale; regenerate with ``python -m lopflow.docs --write``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import Any

from lopflow.manifest import promoted_api
from lopflow.repo import README, ext_module, toxes_module

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
    """Markdown tables of both components' custom parameters."""
    builder = toxes_module("build_toxes")
    header = ["| Page | Parameter | Label | Style | Default | What it does |", "| --- | --- | --- | --- | --- | --- |"]
    lines = ["#### FlowController", "", *header, *_par_rows(toxes_module("flow_controller_pars").FLOW_CONTROLLER_PARS),
             "", "#### TDAsyncIO", "", *header,
             *_par_rows(toxes_module("tdasyncio_pars").tdasyncio_par_specs(builder.LOPFLOW_VERSION))]
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
    """Markdown tables of the promoted members of FlowControllerExt and TDAsyncIOExt."""
    flow = ext_module("FlowControllerExt").FlowControllerExt
    tasks = ext_module("TDAsyncIOExt").TDAsyncIOExt
    return "\n".join(["#### `iop.LOPflow` (FlowController)", "", *_api_rows(flow, "iop.LOPflow"), "",
                      "#### `op.TDAsyncIO` (TDAsyncIO)", "", *_api_rows(tasks, "op.TDAsyncIO")])


def callbacks_section() -> str:
    """The callbacks table and the callback order table from the engine's registry."""
    registry = ext_module("flow_callbacks")
    return "\n".join([registry.callbacks_table_markdown().rstrip(), "", "Order of callbacks:", "",
                      registry.order_table_markdown().rstrip()])


SECTIONS = {"parameters": parameters_section, "api": api_section, "callbacks": callbacks_section}


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


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lopflow.docs [--write|--check]``: print, write or check README.md's generated sections."""
    parser = argparse.ArgumentParser(prog="python -m lopflow.docs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite README.md's generated sections")
    parser.add_argument("--check", action="store_true", help="exit 1 when README.md is stale")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    fresh = render_readme(current)
    if args.write:
        if fresh != current:
            README.write_text(fresh, encoding="utf-8")
        print(f"{'updated' if fresh != current else 'unchanged'}: {README}")
        return 0
    if args.check:
        if fresh != current:
            print(f"{README} is stale: run python -m lopflow.docs --write", file=sys.stderr)
            return 1
        return 0
    print(fresh, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
