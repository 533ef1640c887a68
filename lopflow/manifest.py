"""Component manifests: what each built component contains, read back from the component itself.

``toxes/FlowController.manifest.json``, ``toxes/TDAsyncIO.manifest.json`` and
``toxes/FlowDashboard.manifest.json`` list the operators inside
the component, its custom parameters (page, style, label, default, menu, help, read-only) and its
promoted API (the extension's Capitalized members with signature and first docstring line). They
are produced by building the component on mock_td with the real builder and reading it back through
the td API (not from the parameter tables), so they show what a user gets when they drop the .tox.

``python -m lopflow.regenerate`` writes them (with every other generated file); a test fails when the
committed files differ.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lopflow.repo import REPO_ROOT, TOXES_DIR, toxes_module

MANIFEST_VERSION = 1
COMPONENTS = ("FlowController", "TDAsyncIO", "FlowDashboard")


def manifest_path(component: str) -> Path:
    """Where the manifest of ``component`` lives: ``toxes/<component>.manifest.json``."""
    return TOXES_DIR / f"{component}.manifest.json"


def _builders() -> dict[str, Callable[..., Any]]:
    builder = toxes_module("build_toxes")
    return {"FlowController": builder.build_flow_controller, "TDAsyncIO": builder.build_tdasyncio,
            "FlowDashboard": builder.build_flow_dashboard}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return str(value)


def _parameter(par: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": par.name,
        "page": par.page.name,
        "style": par.style,
        "label": par.label,
        "default": _jsonable(par.default),
    }
    if par.isMenu:
        entry["menu"] = {"names": list(par.menuNames or []), "labels": list(par.menuLabels or [])}
    if par.isNumber:
        entry["range"] = [par.normMin, par.normMax]
    if par.readOnly:
        entry["readOnly"] = True
    entry["help"] = par.help
    return entry


def _annotation(annotation: Any) -> str:
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def _signature(member: Any) -> str:
    """``(name: type = default, ...) -> type`` without ``self``; string annotations shown unquoted."""
    try:
        signature = inspect.signature(member)
    except (TypeError, ValueError):
        return "(...)"
    parts = []
    for name, param in signature.parameters.items():
        if name == "self":
            continue
        text = ("*" if param.kind is param.VAR_POSITIONAL else "**" if param.kind is param.VAR_KEYWORD else "") + name
        if param.annotation is not param.empty:
            text += f": {_annotation(param.annotation)}"
        if param.default is not param.empty:
            text += f" = {param.default!r}"
        parts.append(text)
    result = f"({', '.join(parts)})"
    if signature.return_annotation is not signature.empty:
        result += f" -> {_annotation(signature.return_annotation)}"
    return result


def _doc_parts(doc: str | None) -> tuple[str, str]:
    """(first paragraph without its ``Fires:`` part, the ``Fires:`` text) of a docstring."""
    text = " ".join(inspect.cleandoc(doc or "").split())
    first = " ".join(inspect.cleandoc(doc or "").split("\n\n")[0].split())
    fires = ""
    if "Fires:" in text:
        fires = text.split("Fires:", 1)[1].strip().rstrip(".")
    return first.split("Fires:", 1)[0].strip(), fires


def _first_line(doc: str | None) -> str:
    return _doc_parts(doc)[0]


def _fires(doc: str | None) -> str:
    return _doc_parts(doc)[1]


def promoted_api(extension_class: type) -> list[dict[str, Any]]:
    """The promoted members of an extension class: Capitalized names, in source order."""
    members = []
    for name, member in vars(extension_class).items():
        if not name[:1].isupper():
            continue
        if isinstance(member, type):
            members.append({"name": name, "kind": "class", "doc": _first_line(member.__doc__)})
        elif isinstance(member, property):
            members.append({"name": name, "kind": "property", "doc": _first_line(member.__doc__)})
        elif callable(member):
            members.append({"name": name, "kind": "method", "signature": _signature(member),
                            "doc": _first_line(member.__doc__), "fires": _fires(member.__doc__)})
        else:
            members.append({"name": name, "kind": "attribute", "doc": ""})
    return members


def component_manifest(comp: Any) -> dict[str, Any]:
    """The manifest of a built component, read through the td API."""
    extension = comp.extensions[0] if comp.extensions else None
    if extension is None:
        raise RuntimeError(f"{comp.path}: its extension did not initialise, so no promoted API can be read")
    operators = sorted(({"name": child.name, "type": child.OPType} for child in comp.children),
                       key=lambda entry: entry["name"])
    return {
        "manifest_version": MANIFEST_VERSION,
        "component": comp.name,
        "type": comp.OPType,
        "generated_by": "python -m lopflow.regenerate",
        "operators": operators,
        "custom_pages": [page.name for page in comp.customPages],
        "parameters": [_parameter(par) for page in comp.customPages for par in page.pars],
        "extension": type(extension).__name__,
        "promoted_api": promoted_api(type(extension)),
    }


def build_manifests() -> dict[str, dict[str, Any]]:
    """Build every component on a fresh mock_td session (embedded mode) and return their manifests."""
    import io
    from contextlib import redirect_stdout

    import mock_td

    session = mock_td.install(project_folder=str(REPO_ROOT))
    parent = session.root.op("project1")
    manifests = {}
    with redirect_stdout(io.StringIO()):
        for name, build in _builders().items():
            manifests[name] = component_manifest(build(parent, name, mode="embedded", repo_folder=str(REPO_ROOT)))
    return manifests


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as it is written to disk (stable key order, 2-space indent, final newline)."""
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
