"""One command for every generated file: ``python -m lopflow.regenerate`` writes them, ``--check`` verifies.

Generated files, each from the code that owns the facts:

- ``README.md``'s generated sections (parameters, promoted API, callbacks; ``lopflow.docs``);
- ``toxes/<Component>.manifest.json`` for FlowController, TDAsyncIO and FlowDashboard (``lopflow.manifest``);
- ``callbacks_templates/flow_callbacks_template.py`` (``lopflow.callback_docs``);
- ``mock_td/SUPPORTED.md`` (mock_td's own generator, ``mock_td.coverage``).

``--check`` writes nothing and exits 1 naming every stale file; ``tests/delivery/test_regenerate.py``
runs it, so the suite fails on drift.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

from lopflow import callback_docs, docs, manifest
from lopflow.repo import CALLBACKS_TEMPLATES_DIR, README, REPO_ROOT

EXIT_OK = 0
EXIT_STALE = 1


@dataclass(frozen=True)
class GeneratedFile:
    """A file whose whole text comes from ``produce()``; ``command`` regenerates it alone."""

    path: Path
    produce: Callable[[], str]

    def current(self) -> str | None:
        """The committed text, or None when the file is missing."""
        return self.path.read_text(encoding="utf-8") if self.path.is_file() else None

    def is_stale(self) -> bool:
        """True when the committed file differs from what ``produce()`` gives (a missing file is stale)."""
        return self.current() != self.produce()

    def write(self) -> bool:
        """Write the fresh text when it differs; True when the file changed."""
        fresh = self.produce()
        if self.current() == fresh:
            return False
        self.path.write_text(fresh, encoding="utf-8", newline="\n")
        return True


class _Manifests:
    """Every manifest's text from one build (building the components is the slow part), made on first use."""

    def __init__(self) -> None:
        self._texts: dict[str, str] | None = None

    def text(self, component: str) -> str:
        """The fresh manifest text of ``component``."""
        if self._texts is None:
            self._texts = {name: manifest.manifest_text(data) for name, data in manifest.build_manifests().items()}
        return self._texts[component]


def _readme() -> str:
    return docs.render_readme(README.read_text(encoding="utf-8"))


def _supported_md() -> str:
    from mock_td import coverage

    return str(coverage.generate())


def _supported_path() -> Path:
    from mock_td import coverage

    return Path(coverage.TARGET)


def generated_files() -> list[GeneratedFile]:
    """Every generated file of the repository, with the function that produces its text."""
    files = [GeneratedFile(README, _readme)]
    manifests = _Manifests()
    files += [GeneratedFile(manifest.manifest_path(name), partial(manifests.text, name)) for name in manifest.COMPONENTS]
    files.append(GeneratedFile(CALLBACKS_TEMPLATES_DIR / "flow_callbacks_template.py", callback_docs.template_text))
    files.append(GeneratedFile(_supported_path(), _supported_md))
    return files


def _shown(path: Path) -> str:
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def stale_files(files: Sequence[GeneratedFile] | None = None) -> list[Path]:
    """The paths of the generated files that differ from their fresh text."""
    return [item.path for item in (files if files is not None else generated_files()) if item.is_stale()]


def regenerate(files: Sequence[GeneratedFile] | None = None, out: TextIO | None = None) -> list[Path]:
    """Write every generated file that changed; returns their paths and prints one line per file."""
    out = out if out is not None else sys.stdout
    changed = []
    for item in files if files is not None else generated_files():
        if item.write():
            changed.append(item.path)
        print(f"{'updated' if item.path in changed else 'unchanged'}: {_shown(item.path)}", file=out)
    return changed


def main(argv: Sequence[str] | None = None, files: Sequence[GeneratedFile] | None = None,
         stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """``python -m lopflow.regenerate [--check]``: rewrite every generated file, or exit 1 when one is stale."""
    parser = argparse.ArgumentParser(prog="python -m lopflow.regenerate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 naming every stale file")
    args = parser.parse_args(argv)
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    if not args.check:
        regenerate(files, out)
        return EXIT_OK
    stale = stale_files(files)
    for path in stale:
        print(f"{_shown(path)} is stale: run python -m lopflow.regenerate", file=err)
    return EXIT_STALE if stale else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
