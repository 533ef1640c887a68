"""Text generated from FlowController's callback registry: the callbacks template and the README tables.

The registry (``CALLBACKS``, ``COMMON_KEYS``, ``CALLBACK_ORDER``) ships inside FlowController
(``ext/FlowController/flow_callbacks.py``); what is only written from it lives here, in the tooling:

- ``template_text()``: ``callbacks_templates/flow_callbacks_template.py``, the text a new callbacks DAT
  starts with;
- ``callbacks_table_markdown()`` / ``order_table_markdown()``: the README's callback tables.

``python -m lopflow.regenerate`` writes them all.
"""

from __future__ import annotations

from types import ModuleType

from lopflow.repo import component_module

#: The template's word on reaching the FlowController from this DAT (issue: ``iop`` does not resolve here).
IOP_NOTE = (
    "To call the FlowController from here, use info['ownerComp']: info['ownerComp'].NextStep(),",
    "info['ownerComp'].GoToStep('name'), info['ownerComp'].Set('key', value). Do not write",
    "iop.LOPflow here: LOPflow is an Internal OP shortcut of the target COMP, which only code inside",
    "the target can resolve, and this DAT is docked next to the target, outside it. iop.LOPflow is",
    "for scripts inside the target (a Panel Execute DAT, a button's callback, ...).",
)

#: Commented examples shown in the template's callbacks (the template itself does nothing).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "onStepEnter": (
        "# flow = info['ownerComp']  # the FlowController (iop.LOPflow does not resolve in this DAT)",
        "# if info['step_name'] == 'intro':",
        "#     flow.Set('visitor', None)",
    ),
    "onWaitForContinue": (
        "# Something outside this DAT usually continues the flow: code inside the target calls",
        "# iop.LOPflow.NextStep(). From here it is info['ownerComp'].NextStep().",
    ),
    "onFlowFinish": (
        "# print(info['ownerComp'].name, 'finished:', info['result_type'], info['result'])",
    ),
}


def _registry() -> ModuleType:
    return component_module("FlowController", "flow_callbacks")


def template_text() -> str:
    """The contents of the callbacks template: one documented, empty function per registered callback."""
    registry = _registry()
    lines = [
        '"""FlowController callbacks.',
        "",
        "Each function is called with one argument, info, a dict. Every info dict holds:",
        "",
    ]
    lines += [f"- {key}: {meaning}" for key, meaning in registry.COMMON_KEYS]
    lines += [
        "",
        "An assigned callback (AssignCallback) runs first; then the function here. When this function",
        "returns something other than None it becomes info['returnValue'] (this DAT has the last word).",
        "Calls to the FlowController made in here (NextStep, GoToStep, Set, ...) are queued and run",
        "after this callback returns. An exception here fires onError and shows a script error on the",
        "FlowController; the flow keeps running.",
        "",
        *IOP_NOTE,
        '"""',
        "",
    ]
    for item in registry.CALLBACKS:
        lines += ["", f"def {item.name}(info):", f'    """Fires when {item.fires}.', "", "    info keys:"]
        lines += [f"    - {key}: {meaning}" for key, meaning in item.keys]
        if item.uses_return:
            lines += ["", f"    Return value: {item.returns}."]
        lines += ['    """', *(f"    {line}" for line in EXAMPLES.get(item.name, ())), "    return", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def callbacks_table_markdown() -> str:
    """A Markdown table of every callback: name, when it fires, info keys, return value."""
    rows = ["| Callback | Fires when | Info keys | returnValue |", "|---|---|---|---|"]
    for item in _registry().CALLBACKS:
        keys = ", ".join(f"`{k}`" for k in item.key_names)
        rows.append(f"| `{item.name}` | {item.fires} | {keys} | {item.returns or 'not used'} |")
    return "\n".join(rows) + "\n"


def order_table_markdown() -> str:
    """A Markdown table of what each action fires, in order (``CALLBACK_ORDER``)."""
    rows = ["| Action | Callbacks, in order |", "|---|---|"]
    rows += [f"| {action} | {order} |" for action, order in _registry().CALLBACK_ORDER]
    return "\n".join(rows) + "\n"
