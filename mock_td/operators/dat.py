"""TD's ``DAT`` class and the modelled DAT types ``textDAT`` and ``tableDAT``.

Text-like DATs (Text, Execute, Parameter Execute) hold ``text`` and give it as a module
(``dat.module``, see dat_modules). The File page works like TD's:
* ``file`` holds a path (relative to ``project.folder``); turning ``syncfile`` on (or setting
  ``file`` while it is on) loads the file at once; a missing file is created from the DAT's text;
* while ``syncfile`` is on, text edits are written to the file at once, and a change to the file on
  disk is picked up at the start of the next frame (its modification time is checked once per frame);
* ``loadonstartpulse`` loads the file now, ``writepulse`` writes it; when the project is saved a DAT with
  ``write`` (Write on Toe Save) on writes its file; when it is opened (``Session.reload()``,
  ``Session.crash()``) a DAT with ``syncfile`` or ``loadonstart`` on reloads its file.
Text DATs also have ``clear()`` (DAT Class "Modifying Content") and every DAT ``copy(DAT)`` (copies the
other DAT's text or table), ``flush()`` and ``isatty()`` (so a DAT can stand in for ``sys.stdout``).
Table DATs keep their data through ``TableDataMixin`` (table_data).
A change of a text DAT's text is passed up to its world (``world.dat_text_changed``): extensions
that loaded its module re-initialise and Script CHOPs using it as callbacks DAT become dirty.
"""

from __future__ import annotations

import os
from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError
from mock_td.operators.dat_modules import build_module
from mock_td.operators.extensions import track_module_use
from mock_td.operators.op import OP
from mock_td.operators.registry import register
from mock_td.operators.table_data import TableDataMixin
from mock_td.process.runqueue import Run
from mock_td.unsupported import not_modelled, not_modelled_members


@not_modelled_members(
    "DAT", "csv", "jsonObject", "locals", "isEditable", "export", "detectLanguage", "editingFile", "scroll",
)
class DAT(OP):
    """TD's DAT class."""

    __td_source__ = "DAT_Class"
    __td_member_sources__ = {"csv": "td_api_facts §6 (current DAT Class page; not on the 2023 page)"}
    family = "DAT"
    isDAT = True
    isTable = False
    isText = True

    def run(self, *args: Any, endFrame: bool = False, fromOP: Any = None, asParameter: bool = False,  # noqa: N803
            group: str | None = None, delayFrames: int = 0, delayMilliSeconds: float = 0,  # noqa: N803
            wallTime: bool = False, delayRef: Any = None) -> Any:  # noqa: N803
        """Run the DAT's text as a script (``me`` = this DAT, extra args as ``args``); returns a Run."""
        self._checkValid()
        if wallTime:
            not_modelled("DAT.run(wallTime=True)", msg.HINT_TD_TIME_ONLY)
        w = self._world
        frames = int(delayFrames) + round(float(delayMilliSeconds) / 1000.0 * w.cook_rate)
        r = Run(w, self, tuple(args), fromOP if fromOP is not None else self, bool(asParameter), group, frames,
                bool(endFrame))
        return w.run_queue.submit(r)

    def write(self, *args: Any) -> str:
        """Append text (``print(x, file=dat)`` works); returns the text appended (UNCONFIRMED: DAT Class
        says only that it returns a str)."""
        added = "".join(str(a) for a in args)
        self.text = self.text + added
        return added

    def flush(self) -> None:
        """Does nothing: it lets a DAT stand in for ``sys.stdout``."""

    def isatty(self) -> bool:
        """False: it lets a DAT stand in for ``sys.stdout``."""
        return False

    def copy(self, DAT: Any) -> None:  # noqa: N803 - TD's name
        """Copy the text (or table) of ``DAT`` into this DAT."""
        self._checkValid()
        DAT._checkValid()
        if not getattr(DAT, "isDAT", False):
            raise tdError(msg.DAT_COPY_TYPE.format(what=DAT))
        self.text = DAT.text

    def save(self, filepath: str | None = None, append: bool = False, createFolders: bool = False) -> str:  # noqa: N803
        """Write the DAT's text to ``filepath`` (relative to project.folder); returns the path used."""
        self._checkValid()
        if not filepath:
            filepath = self.name + (".txt" if self.isText else ".dat")
        full = _abs(self, filepath)
        if createFolders:
            os.makedirs(os.path.dirname(full) or ".", exist_ok=True)
        with open(full, "a" if append else "w", encoding="utf-8") as f:
            f.write(self.text)
        return filepath

    def _textValue(self) -> str:
        return str(self.text)

    @property
    def text(self) -> str:  # pragma: no cover - overridden
        """The DAT's contents as text."""
        return ""

    @text.setter
    def text(self, value: str) -> None:  # pragma: no cover - overridden
        raise tdError(msg.DAT_TEXT_NOT_SETTABLE)


def _abs(op: Any, path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(op._world.project_folder, path)


class TextLikeDAT(DAT):
    """A DAT holding free text that TD can run as Python (Text, Execute, Parameter Execute DATs)."""

    __td_source__ = "DAT_Class"

    def __init__(self, world: Any, parent: Any, name: str) -> None:
        self._text = ""
        self._mod: Any = None
        self._modText: str | None = None
        self._fileMtime: float | None = None
        super().__init__(world, parent, name)

    @property
    def text(self) -> str:
        """The DAT's contents (settable); a change rebuilds the module the next time it is used."""
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._checkValid()
        self._setText(str(value), write_file=True)

    def _setText(self, value: str, write_file: bool) -> None:
        if value == self._text:
            return
        self._text = value
        if write_file and self._synced():
            self._writeFile()
        self._world.dat_text_changed(self)

    @property
    def module(self) -> Any:
        """The DAT's text as a Python module (cached until the text changes)."""
        self._checkValid()
        w = self._world
        if w.ext_tracking:
            track_module_use(w, self)
        text = self._text
        if self._mod is None or (self._modText is not text and self._modText != text):
            self._mod = None
            mod = w.module_resolver(self) if w.module_resolver is not None else None
            if mod is None:
                try:
                    mod = build_module(self, text)
                except AttributeError as exc:
                    self._propertyError = ("module", exc)
                    raise
            self._mod, self._modText = mod, text
        return self._mod

    def clear(self, keepSize: bool = False, keepFirstRow: bool = False, keepFirstCol: bool = False) -> None:  # noqa: N803
        """Empty the text; ``keepFirstRow`` keeps the first line (UNCONFIRMED for text DATs)."""
        self._checkValid()
        if keepSize or keepFirstCol:
            not_modelled("DAT.clear(keepSize/keepFirstCol) on a text DAT", msg.HINT_TEXT_CLEAR)
        lines = self._text.splitlines(True)
        self.text = lines[0] if keepFirstRow and lines else ""

    @property
    def numRows(self) -> int:  # noqa: N802
        """Number of lines of text."""
        return len(self._text.splitlines())

    @property
    def numCols(self) -> int:  # noqa: N802
        """1 when there is text (UNCONFIRMED for Text DATs)."""
        return 1 if self._text else 0

    # ---- file sync -----------------------------------------------------------------------------
    def _synced(self) -> bool:
        return bool(self._parValue("syncfile", False)) and bool(self._parValue("file", ""))

    def _filePath(self) -> str:
        return _abs(self, str(self._parValue("file", "")))

    def _writeFile(self) -> None:
        path = self._filePath()
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self._text)
        self._fileMtime = os.path.getmtime(path)

    def _loadFile(self, create_missing: bool) -> None:
        path = self._filePath()
        if not os.path.exists(path):
            if create_missing:
                self._writeFile()
            return
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self._fileMtime = os.path.getmtime(path)
        self._setText(text, write_file=False)

    def _checkFile(self) -> None:
        """Frame-start check of a synced file: reload it when it changed on disk."""
        path = self._filePath()
        try:
            mtime = os.path.getmtime(path)
        except OSError:
            return
        if mtime != self._fileMtime:
            self._loadFile(create_missing=False)

    def _updateSyncRegistration(self) -> None:
        w = self._world
        if self._synced():
            w.synced_dats[self._id] = self
        else:
            w.synced_dats.pop(self._id, None)

    def _onParChanged(self, par: Any, prev: Any) -> None:  # noqa: N802
        if par.name in ("file", "syncfile"):
            self._updateSyncRegistration()
            if self._synced():
                self._loadFile(create_missing=True)

    def _onParPulsed(self, par: Any) -> None:  # noqa: N802
        if par.name == "loadonstartpulse" and self._parValue("file", ""):
            self._loadFile(create_missing=False)
        elif par.name == "writepulse" and self._parValue("file", ""):
            self._writeFile()

    def _onProjectSave(self) -> None:
        """``project.save()``: with Write on Toe Save (``write``) on, write the text to ``file``."""
        if self._parValue("write", False) and self._parValue("file", ""):
            self._writeFile()

    def _onProjectOpen(self) -> None:
        """Session.reload(): reload the file when ``syncfile`` or ``loadonstart`` is on."""
        self._updateSyncRegistration()
        if self._parValue("file", "") and (self._synced() or self._parValue("loadonstart", False)):
            self._loadFile(create_missing=self._synced())


@register
class textDAT(TextLikeDAT):  # noqa: N801 - TD type name
    """TD's Text DAT."""

    _label = "Text"
    _defaultName = "text1"


@register
@not_modelled_members("tableDAT", "subRow", "subCol", "fillName", "module")
class tableDAT(TableDataMixin, DAT):  # noqa: N801 - TD type name
    """TD's Table DAT (data API from TableDataMixin)."""

    __td_source__ = "TableDAT_Class"

    _label = "Table"
    _defaultName = "table1"
    isTable = True
    isText = False
