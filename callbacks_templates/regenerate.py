"""Regenerate ``flow_callbacks_template.py`` from the callback registry (``ext/flow_callbacks.py``).

Run ``python3 callbacks_templates/regenerate.py`` after changing ``flow_callbacks.CALLBACKS``;
``tests/flow_controller/test_callbacks_component.py`` fails while the file is out of date.
"""

from __future__ import annotations

import os
import sys

TEMPLATE_NAME = "flow_callbacks_template.py"


def template_path() -> str:
    """Path of the FlowController callbacks template in this folder."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), TEMPLATE_NAME)


def generated_text() -> str:
    """The template text the registry gives now."""
    ext_folder = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ext", "FlowController")
    if ext_folder not in sys.path:
        sys.path.insert(0, ext_folder)
    import flow_callbacks

    return flow_callbacks.template_text()


def main() -> int:
    """Write the template; prints whether it changed."""
    text = generated_text()
    path = template_path()
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
    if old == text:
        print(f"{path} is up to date")
        return 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
