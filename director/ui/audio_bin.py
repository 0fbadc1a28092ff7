"""The Audio bin: the project's imported sounds (name, duration, rate), Import…, and drags to the timeline.

An import decodes and stores the file on a pool thread (store.audio.prepare_import: PyAV decoding,
the 48 kHz WAV written into the media folder) while a busy bar says so; the row is added back on the
UI thread, the writer's (record_import). A file that is not sound is refused with the decoder's
reason and nothing is written. Dragging a sound out carries MIME_SOUND, which the timeline's audio
lanes accept (`director cut audio add` is the same edit from the command line).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from director.core.audio import SAMPLE_RATE
from director.core.changes import Changes
from director.core.errors import DirectorError
from director.store import audio as store_audio
from director.store.audio_media import IMPORTABLE

MIME_SOUND = "application/x-director-sound"
COLUMNS = ("Name", "Duration", "Rate")


def sound_mime(audio_id: int) -> QMimeData:
    data = QMimeData()
    data.setData(MIME_SOUND, json.dumps({"audio_id": int(audio_id)}).encode())
    return data


def sound_of(mime: QMimeData) -> int | None:
    """The sound id a drop carries, or None when it carries none (or garbage)."""
    if not mime.hasFormat(MIME_SOUND):
        return None
    try:
        return int(json.loads(bytes(mime.data(MIME_SOUND)).decode())["audio_id"])
    except (ValueError, KeyError, TypeError):
        return None


def duration_text(samples: int) -> str:
    seconds = samples / SAMPLE_RATE
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:06.3f}"


class AudioBinModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.sounds: list[store_audio.AudioFile] = []

    def set_sounds(self, sounds) -> None:
        self.beginResetModel()
        self.sounds = list(sounds)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.sounds)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        sound = self.sounds[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (sound.name, duration_text(sound.samples), f"{SAMPLE_RATE / 1000:g} kHz stereo")[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{sound.name}: imported from {sound.source_name or '?'}; drag it onto the timeline"
        if role == Qt.ItemDataRole.UserRole:
            return sound.id
        return None

    def flags(self, index):
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return [MIME_SOUND]

    def mimeData(self, indexes) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return sound_mime(self.sounds[rows[0]].id) if rows else QMimeData()

    def supportedDragActions(self):
        return Qt.DropAction.CopyAction


class _Relay(QObject):
    done = Signal(str, object)  # source path, prepared AudioFile or the DirectorError


class AudioBin(QWidget):
    """Signals: imported(AudioFile) once a sound is in the bin, import_failed(str) with the reason."""

    imported = Signal(object)
    import_failed = Signal(str)

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.model = AudioBinModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().hide()
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Import WAV, FLAC, MP3 or AAC files (decoded to 48 kHz stereo)")
        self.import_button.clicked.connect(self.choose_files)
        self.import_button.setEnabled(not session.project.readonly)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: decoding has no reliable fraction to show
        self.progress.setMaximumWidth(120)
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.import_button)
        bar.addWidget(self.progress)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="director-audio-import")
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_prepared)
        self.importing = 0
        session.changed.connect(self._on_changes)
        self.reload()

    def reload(self) -> None:
        self.model.set_sounds(store_audio.list_audio(self.session.project))

    def _on_changes(self, changes: Changes) -> None:
        if changes.timeline or changes.project:
            self.reload()

    def choose_files(self) -> None:
        patterns = " ".join(f"*{s}" for s in IMPORTABLE)
        paths, _ = QFileDialog.getOpenFileNames(self, "Import sound", "", f"Sound ({patterns});;All files (*)")
        self.import_files(paths)

    def import_files(self, paths) -> None:
        """Decode and store each file off the UI thread; each lands in the bin when done."""
        project, relay = self.session.project, self._relay
        for path in paths:
            self.importing += 1

            def work(path=str(path)) -> None:
                try:
                    result = store_audio.prepare_import(project, path)
                except DirectorError as exc:
                    result = exc
                except Exception as exc:  # an unexpected decoder failure is still this file's problem
                    result = DirectorError(f"{Path(path).name} could not be imported: {exc}")
                try:
                    relay.done.emit(path, result)
                except RuntimeError:
                    pass  # the bin closed with the project

            self._pool.submit(work)
        self._show_busy()

    def _on_prepared(self, path: str, result) -> None:
        self.importing -= 1
        self._show_busy()
        if isinstance(result, Exception):
            self.status.setText(str(result))
            self.session.error_raised.emit(str(result))
            self.import_failed.emit(str(result))
            return
        try:
            found, changes = store_audio.record_import(self.session.project, result)
        except DirectorError as exc:
            self.status.setText(str(exc))
            self.session.error_raised.emit(str(exc))
            self.import_failed.emit(str(exc))
            return
        self.status.setText(f"imported {found.name} ({duration_text(found.samples)})")
        self.session.announce(changes)
        self.imported.emit(found)

    def _show_busy(self) -> None:
        self.progress.setVisible(self.importing > 0)
        self.import_button.setText(f"Importing {self.importing}…" if self.importing else "Import…")

    def closeEvent(self, event) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        super().closeEvent(event)
