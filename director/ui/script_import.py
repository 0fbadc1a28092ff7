"""File ▸ Import Screenplay…: read and parse a Fountain file off the UI thread, preview exactly what
the import will do, and merge it into the project on OK.

The preview is `store.script.import_script(..., dry_run=True)`: the real import inside a savepoint
that is rolled back, so what the dialog lists is what OK does. It runs on the UI thread, which owns
the project's SQLite connection (a dry run of a feature-length script is milliseconds); only
reading the file and parsing it run on a pool thread.

An import is a merge, not an edit on the undo stack: new scenes and shots are added, a shot whose
script changed gets a new prompt draft only if the director never edited the imported one, and
shots whose paragraph is gone go to the shot bin, from where they can be restored.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from director.core.errors import DirectorError, InvalidInput, NotFound
from director.core.screenplay import Breakdown, parse_fountain
from director.store.script import ImportPlan, import_script
from director.store.shots import find_shot
from director.ui.undo import ProjectSession

FOUNTAIN_FILTER = "Fountain screenplays (*.fountain *.spmd *.txt);;All files (*)"
MERGE_NOTE = (
    "Importing merges the screenplay into this project. New scenes and shots are added. A shot whose "
    "action or dialogue changed gets a new prompt draft, unless you edited its prompt: your edits are "
    "kept, and the shot is marked 'script changed' with the difference. Shots whose paragraph is gone "
    "go to the shot bin (Shot ▸ Shot Bin…), where you can restore them. The import is one merge, not a "
    "step that Undo takes back."
)


def read_screenplay(path: Path) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else Windows-1252."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise InvalidInput(f"no screenplay at {file}")
    data = file.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(f"{file.name} is not a text file")


class _ParseRelay(QObject):
    """Carries the pool thread's answer to the UI thread; Qt drops it if the importer is gone."""

    parsed = Signal(object, object)  # path, Breakdown
    failed = Signal(object, str)  # path, why


class _ParseJob(QRunnable):
    def __init__(self, path: Path, relay: _ParseRelay):
        super().__init__()
        self.path = path
        self.relay = relay  # held here so it outlives the importer while the parse runs

    def run(self) -> None:
        try:
            # No title given: the script's own title page names it (the file name when it has none).
            breakdown = parse_fountain(read_screenplay(self.path))
        except DirectorError as exc:
            outcome = (self.relay.failed, (self.path, str(exc)))
        except Exception as exc:  # the boundary of a pool thread: a parser bug is a message, not a crash
            outcome = (self.relay.failed, (self.path, f"{exc.__class__.__name__}: {exc}"))
        else:
            outcome = (self.relay.parsed, (self.path, breakdown))
        try:
            outcome[0].emit(*outcome[1])
        except RuntimeError:  # the application quit while we parsed
            pass


class ImportPreviewDialog(QDialog):
    """What the import will do, by category; Import merges, Cancel changes nothing."""

    CATEGORIES = (
        ("scenes_added", "Scenes added"),
        ("scenes_flagged", "Scenes flagged (heading changed or gone from the script)"),
        ("shots_added", "Shots added"),
        ("shots_changed", "Shots changed (new prompt draft)"),
        ("shots_kept", "Shots changed in the script, your prompt kept"),
        ("shots_binned", "Shots to the bin (restorable)"),
        ("cast_added", "Cast added"),
    )

    def __init__(self, session: ProjectSession, path: Path, breakdown: Breakdown, plan: ImportPlan, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("importScreenplayDialog")
        self.setWindowTitle("Import Screenplay")
        self.path = path
        self.breakdown = breakdown
        self.plan = plan
        title = breakdown.title or path.stem
        head = QLabel(
            f"<b>{_esc(title)}</b> ({_esc(path.name)}): {_n(len(breakdown.scenes), 'scene')}, {_n(breakdown.shot_count, 'shot')}, "
            f"{_n(len(breakdown.cast), 'speaking character')}.",
            self,
        )
        head.setWordWrap(True)
        self.summary = QLabel(self._summary_text(), self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("importPlanTree")
        self.tree.setHeaderLabels(["What", "Detail"])
        self.tree.setRootIsDecorated(True)
        self._fill(session)
        note = QLabel(MERGE_NOTE, self)
        note.setObjectName("importMergeNote")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setDefault(True)
        self.import_button.setEnabled(self.has_work())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.resize(640, 520)

    def has_work(self) -> bool:
        p = self.plan
        return any((p.scenes_added, p.scenes_flagged, p.shots_added, p.shots_changed, p.shots_kept, p.shots_binned, p.cast_added))

    def _summary_text(self) -> str:
        p = self.plan
        if not self.has_work():
            return f"Nothing to import: the project already matches this screenplay ({_n(p.unchanged, 'shot')} unchanged)."
        parts = [
            f"add {_n(len(p.scenes_added), 'scene')} and {_n(len(p.shots_added), 'shot')}",
            f"give {_n(len(p.shots_changed), 'shot')} a new prompt draft",
            f"flag {_n(len(p.shots_kept), 'shot')} changed in the script, keeping your prompt",
            f"move {_n(len(p.shots_binned), 'shot')} to the bin",
            f"flag {_n(len(p.scenes_flagged), 'scene')}",
            f"add {_n(len(p.cast_added), 'cast member')}",
            f"leave {_n(p.unchanged, 'shot')} unchanged",
        ]
        return "This import will: " + "; ".join(parts) + "."

    def _fill(self, session: ProjectSession) -> None:
        headings = {s.number: s.heading for s in self.breakdown.scenes}
        for attr, label in self.CATEGORIES:
            codes = getattr(self.plan, attr)
            if not codes:
                continue
            top = QTreeWidgetItem(self.tree, [f"{label} ({len(codes)})", ""])
            top.setData(0, Qt.ItemDataRole.UserRole, attr)
            for code in codes:
                QTreeWidgetItem(top, [code, self._detail(session, attr, code, headings)])
            top.setExpanded(True)
        self.tree.resizeColumnToContents(0)

    def _detail(self, session: ProjectSession, attr: str, code: str, headings: dict[str, str]) -> str:
        if attr.startswith("scenes"):
            return headings.get(code, "")
        if attr in ("shots_changed", "shots_kept", "shots_binned"):
            try:  # the dry run was rolled back: these shots are live in the project as they are now
                return find_shot(session.project, code).title
            except NotFound:
                return ""
        return ""

    def codes(self, attr: str) -> list[str]:
        """The codes listed under one category (tests and tools read the dialog with this)."""
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top.data(0, Qt.ItemDataRole.UserRole) == attr:
                return [top.child(k).text(0) for k in range(top.childCount())]
        return []


class ScriptImporter(QObject):
    """One per window. `preview_shown(dialog)` once the preview is open; `imported(plan)` after an
    import was written; `failed(text)` when the file cannot be read or parsed or the import is refused."""

    preview_shown = Signal(object)
    imported = Signal(object)
    failed = Signal(str)

    def __init__(self, window, parent: QObject | None = None):
        super().__init__(parent or window)
        self.window = window
        self.dialog: ImportPreviewDialog | None = None
        self._relay = _ParseRelay()
        self._relay.parsed.connect(self._on_parsed)
        self._relay.failed.connect(self._on_failed)
        self._pending: tuple[Path, ProjectSession] | None = None

    def ask(self) -> bool:
        """Pick a file (a modal file dialog), then import it."""
        chosen, _ = QFileDialog.getOpenFileName(self.window, "Import Screenplay", str(Path.home()), FOUNTAIN_FILTER)
        return self.start(chosen) if chosen else False

    def start(self, path: str | Path) -> bool:
        """Parse the file on a pool thread; the preview opens when it is done."""
        session = self.window.session
        if session is None or session.project.readonly:
            self.window.notify("open a project you can write to before importing a screenplay", error=True)
            return False
        path = Path(path)
        self._pending = (path, session)
        self.window.notify(f"Reading {path.name}…")
        QThreadPool.globalInstance().start(_ParseJob(path, self._relay))
        return True

    def _current(self, path: Path) -> ProjectSession | None:
        """The session this parse was for, if it is still the open one and still wanted."""
        if self._pending is None or self._pending[0] != path or self._pending[1] is not self.window.session:
            return None
        return self._pending[1]

    def _on_failed(self, path: Path, text: str) -> None:
        if self._current(path) is None:
            return
        self._pending = None
        self._say_failed(f"Cannot import {path.name}: {text}")

    def _say_failed(self, text: str) -> None:
        self.window.notify(text, error=True)
        self.failed.emit(text)

    def _on_parsed(self, path: Path, breakdown: Breakdown) -> None:
        session = self._current(path)
        if session is None:  # the project closed (or another import began) while the file was parsed
            return
        self._pending = None
        try:
            plan, _ = import_script(session.project, breakdown, dry_run=True)
        except DirectorError as exc:
            self._say_failed(f"Cannot import {path.name}: {exc}")
            return
        dialog = ImportPreviewDialog(session, path, breakdown, plan, self.window)
        dialog.accepted.connect(lambda: self._apply(session, dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()  # window-modal, non-blocking
        self.preview_shown.emit(dialog)

    def _apply(self, session: ProjectSession, dialog: ImportPreviewDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        if session is not self.window.session:
            return
        try:
            plan, changes = import_script(session.project, dialog.breakdown)
        except DirectorError as exc:
            self._say_failed(f"Cannot import {dialog.path.name}: {exc}")
            return
        session.announce(changes)
        self.window.notify(f"Imported {dialog.path.name}: {plan.summary()}")
        first = (plan.shots_added or plan.shots_changed or plan.shots_kept or [None])[0]
        if first is not None:
            try:
                self.window.select_shot(find_shot(session.project, first).id)
            except NotFound:
                pass
        self.imported.emit(plan)


def _esc(text: str) -> str:
    return html.escape(text)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
