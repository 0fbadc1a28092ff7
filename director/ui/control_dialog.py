"""Generate ▸ With Control Video…: queue takes of the current shot guided by a control video (Wan
VACE), the window's `director control render`.

The source is a take of the shot (the chosen take first) or a video file; the mode is pose, depth,
edges or layout (Director makes edges and depth; pose and layout come prepared); depth is made by
OpenCV's model from the engine settings or, in the worker, by a depth-model preset. References are
the cast members' images, those of the cast the shot uses checked, plus files added here. Only
presets whose family takes a control video are offered.

Queue makes and stores the guide on a pool thread (`engine.control_jobs.prepare_guide`: decoding
and encoding a clip takes seconds), then queues on the UI thread (`queue_controlled`: rows) and
announces the Changes. A refusal is said in the dialog and nothing is queued. Queueing is a fact,
never undone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from director.core.enums import MediaKind
from director.core.errors import DirectorError, InvalidInput

MODES = ("pose", "depth", "edges", "layout")  # engine.control.MODES, in the order a director meets them
MADE_HERE = ("edges", "depth")  # engine.control.MADE_HERE: the others come prepared
VIDEO_FILTER = "Videos (*.mp4 *.mov *.mkv *.webm *.avi);;All files (*)"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"
THUMB = QSize(64, 64)
OPENCV_DEPTH = None  # "Depth made by": the OpenCV model named in engine.json
PathRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2  # "cast" (a media path in the store) or "file" (to import)


class _Relay(QObject):
    done = Signal(object, object)  # ((PreparedGuide, stored reference paths) or None, error text or None)


class _Prepare(QRunnable):
    """Make and store the guide and copy added reference files into the store, off the UI thread."""

    def __init__(self, work: Callable[[], tuple], relay: _Relay):
        super().__init__()
        self.work, self.relay = work, relay

    def run(self) -> None:
        try:
            result, error = self.work(), None
        except DirectorError as exc:
            result, error = None, str(exc)
        except Exception as exc:  # a pool thread is a boundary: say it, never lose it
            result, error = None, f"the guide could not be made: {type(exc).__name__}: {exc}"
        try:
            self.relay.done.emit(result, error)
        except RuntimeError:
            pass  # the dialog was deleted meanwhile


class ControlDialog(QDialog):
    """The control job's options for one shot. `queued(Queued)` once its jobs are queued,
    `failed(str)` when a refusal was said (tests and the window wait on either)."""

    queued = Signal(object)
    failed = Signal(str)

    def __init__(self, session, shot_id: int, parent: QWidget | None = None, *, take_id: int | None = None,
                 camera_id: int | None = None):
        super().__init__(parent)
        from director.store.shots import get_shot

        self.setObjectName("controlDialog")
        self.session = session
        self.shot = get_shot(session.project, shot_id)
        self.camera_id = camera_id
        self.busy = False
        self.setWindowTitle(f"Generate shot {self.shot.code} with a control video")

        self.from_take = QRadioButton("A &take of the shot:", self)
        self.takes = QComboBox(self)
        self.takes.setObjectName("controlTake")
        self.from_file = QRadioButton("A video &file:", self)
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("controlFile")
        self.file_edit.setPlaceholderText("a video to guide with")
        self.browse = QPushButton("&Browse…", self)
        self.browse.setAutoDefault(False)
        self.browse.clicked.connect(self._ask_video)
        group = QButtonGroup(self)
        group.addButton(self.from_take)
        group.addButton(self.from_file)
        self.file_edit.textEdited.connect(lambda _text: self.from_file.setChecked(True))
        self.takes.activated.connect(lambda _i: self.from_take.setChecked(True))

        self.mode = QComboBox(self)
        self.mode.setObjectName("controlMode")
        for m in MODES:
            self.mode.addItem(m, m)
        self.prepared = QCheckBox("Already a guide (&prepared)", self)
        self.prepared.setToolTip("The video already is a pose, depth or layout render; it is used as it is")
        self.depth_by = QComboBox(self)
        self.depth_by.setObjectName("controlDepthBy")
        self.depth_label = QLabel("&Depth made by:", self)
        self.depth_label.setBuddy(self.depth_by)
        self.strength = QDoubleSpinBox(self)
        self.strength.setObjectName("controlStrength")
        self.strength.setDecimals(2)
        self.strength.setSingleStep(0.05)
        self.strength.setValue(1.0)
        self.strength.setToolTip("How strongly the guide steers the picture")

        self.references = QListWidget(self)
        self.references.setWordWrap(True)
        self.references.setObjectName("controlReferences")
        self.references.setIconSize(THUMB)
        self.references.setToolTip("Checked images go with the guide as reference images (the cast the shot uses is checked)")
        self.add_image = QPushButton("&Add Image…", self)
        self.add_image.setAutoDefault(False)
        self.add_image.clicked.connect(self._ask_image)

        self.preset = QComboBox(self)
        self.preset.setObjectName("controlPreset")
        self.preset.setToolTip("Presets whose family takes a control video and reference images")
        self.variants = QSpinBox(self)
        self.variants.setObjectName("controlVariants")
        self.variants.setValue(1)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: decoding and encoding have no reliable fraction to show
        self.progress.setVisible(False)
        self.progress.setFormat("Making the guide…")
        self.message = QLabel(self)
        self.message.setObjectName("controlMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, parent=self)
        self.queue_button = self.buttons.addButton("&Queue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.queue_button.setDefault(True)
        self.buttons.accepted.connect(self.queue)
        self.buttons.rejected.connect(self.reject)

        self._lay_out()
        self._fill(take_id)
        self._own_prepared = False  # the director's own tick, put back when leaving pose or layout
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.prepared.clicked.connect(self._prepared_clicked)
        session.thumbnails.loaded.connect(self._on_thumbnail)
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_prepared)
        self._mode_changed()
        self.resize(560, 620)

    def _lay_out(self) -> None:
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse)
        source = QFormLayout()
        source.addRow(self.from_take, self.takes)
        source.addRow(self.from_file, file_row)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode)
        mode_row.addWidget(self.prepared)
        mode_row.addStretch(1)
        form = QFormLayout()
        mode_label = QLabel("&Mode:", self)
        mode_label.setBuddy(self.mode)  # a row of widgets: the form cannot pick the buddy itself
        form.addRow(mode_label, mode_row)
        form.addRow(self.depth_label, self.depth_by)
        form.addRow("&Strength:", self.strength)
        form.addRow("P&reset:", self.preset)
        form.addRow("&Variants:", self.variants)
        refs_row = QHBoxLayout()
        refs_row.addWidget(QLabel("Reference images:", self))
        refs_row.addStretch(1)
        refs_row.addWidget(self.add_image)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Guide with:", self))
        layout.addLayout(source)
        layout.addLayout(form)
        layout.addLayout(refs_row)
        layout.addWidget(self.references, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    # -- filling ---------------------------------------------------------------------------------

    def _fill(self, take_id: int | None) -> None:
        from director.engine import control
        from director.engine.presets import VARIANTS_MAX, all_presets

        lo, hi = control.STRENGTH_RANGE
        self.strength.setRange(lo, hi)
        self.variants.setRange(1, VARIANTS_MAX)
        try:
            presets = all_presets()
        except DirectorError as exc:  # a broken settings file: said, the rest still works
            self.message.setText(str(exc))
            presets = []
        for p in presets:
            if control.takes_control(p) == "" and not p.retired:
                self.preset.addItem(p.listing_label, p.id)
        self.depth_by.addItem("OpenCV depth model from engine settings", OPENCV_DEPTH)
        for p in presets:
            if p.kind == "depth":
                self.depth_by.addItem(p.listing_label, p.id)
        self._fill_takes(take_id)
        self._fill_references()
        if self.preset.count() == 0:
            self.message.setText("No preset here takes a control video; a Wan VACE preset does (see director models list).")

    def _fill_takes(self, take_id: int | None) -> None:
        """The shot's video takes, newest first; the given take, else the chosen one, is current."""
        from director.store.choice import chosen_take
        from director.store.takes import list_takes

        project = self.session.project
        found = [t for t in list_takes(project, self.shot.id) if t.kind is MediaKind.VIDEO]
        for t in found:
            stars = f", {'★' * t.rating}" if t.rating else ""
            self.takes.addItem(f"take {t.id} · {t.preset or 'unknown preset'} · seed {t.seed} · {t.frames} frames{stars}", t.id)
        wanted = take_id if take_id in {t.id for t in found} else chosen_take(project, self.shot.id)
        index = self.takes.findData(wanted)
        if index >= 0:
            self.takes.setCurrentIndex(index)
        if found:
            self.from_take.setChecked(True)
        else:
            self.from_take.setEnabled(False)
            self.takes.setEnabled(False)
            self.takes.addItem("(this shot has no video takes yet)", None)
            self.from_file.setChecked(True)

    def _fill_references(self) -> None:
        """Every cast member's images; those of the cast the shot uses are checked."""
        from director.store.cast import shot_references
        from director.store.script import list_cast

        project = self.session.project
        used = set(shot_references(project, self.shot.id))
        for member in list_cast(project):
            if not member.images:
                item = QListWidgetItem(f"{member.name}: no reference images yet (add them in the Cast panel)", self.references)
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                continue
            for n, path in enumerate(member.images, 1):
                label = member.name if len(member.images) == 1 else f"{member.name} ({n})"
                self._add_item(label, path, "cast", member.name in used)
        if not self.references.count():
            item = QListWidgetItem("No reference images yet: Add Image…, or give characters images in the Cast panel",
                                   self.references)
            item.setFlags(Qt.ItemFlag.NoItemFlags)

    def _add_item(self, label: str, path: str, kind: str, checked: bool) -> QListWidgetItem:
        item = QListWidgetItem(label, self.references)
        item.setData(PathRole, path)
        item.setData(KindRole, kind)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        item.setToolTip(path)
        self._set_icon(item)
        return item

    def _thumb_key(self, item: QListWidgetItem) -> str:
        return f"{item.data(KindRole)}:{item.data(PathRole)}"

    def _set_icon(self, item: QListWidgetItem) -> None:
        """The thumbnail from the session's loader (decoded off the UI thread)."""
        path, kind = item.data(PathRole), item.data(KindRole)
        resolve = (lambda: self.session.project.media.path(path)) if kind == "cast" else (lambda: Path(path))
        pixmap = self.session.thumbnails.ask(self._thumb_key(item), resolve)
        item.setIcon(QIcon(pixmap if pixmap is not None else self.session.thumbnails.placeholder()))

    def _on_thumbnail(self, key: str) -> None:
        for i in range(self.references.count()):
            item = self.references.item(i)
            if item.data(PathRole) is not None and self._thumb_key(item) == key:
                pixmap = self.session.thumbnails.get(key)
                if pixmap is not None:
                    item.setIcon(QIcon(pixmap))

    # -- what the director picks ------------------------------------------------------------------

    def _mode_changed(self, *_args) -> None:
        """Pose and layout come prepared; the depth source shows only for a depth made here."""
        mode = self.mode.currentData()
        must_come_prepared = mode not in MADE_HERE
        self.prepared.setChecked(True if must_come_prepared else self._own_prepared)
        self.prepared.setEnabled(not must_come_prepared)
        self.prepared.setToolTip(f"Director makes {' and '.join(MADE_HERE)} itself; a {mode} video must be a {mode} render already"
                                 if must_come_prepared else "The video already is the guide; it is used as it is")
        show_depth = mode == "depth" and not self.prepared.isChecked()
        self.depth_label.setVisible(show_depth)
        self.depth_by.setVisible(show_depth)

    def _prepared_clicked(self, checked: bool) -> None:
        self._own_prepared = checked
        self._mode_changed()

    def set_video(self, path: str | Path) -> None:
        self.file_edit.setText(str(path))
        self.from_file.setChecked(True)

    def set_mode(self, mode: str, prepared: bool | None = None) -> None:
        self.mode.setCurrentIndex(self.mode.findData(mode))
        if prepared is not None and self.prepared.isEnabled():
            self._prepared_clicked(prepared)

    def add_reference_files(self, paths) -> None:
        """Files to send as reference images, checked; copied into the store when queueing."""
        for p in paths:
            self._add_item(Path(p).name, str(Path(p).expanduser()), "file", True)

    def _ask_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Control video", "", VIDEO_FILTER)
        if path:
            self.set_video(path)

    def _ask_image(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Reference images", "", IMAGE_FILTER)
        self.add_reference_files(paths)

    def checked_references(self) -> list[tuple[str, str]]:
        """(kind, path) of each checked reference, in list order."""
        out = []
        for i in range(self.references.count()):
            item = self.references.item(i)
            if item.data(PathRole) is not None and item.checkState() == Qt.CheckState.Checked:
                out.append((item.data(KindRole), item.data(PathRole)))
        return out

    def depth_model(self) -> str | None:
        if self.mode.currentData() != "depth" or self.prepared.isChecked():
            return None
        return self.depth_by.currentData()

    # -- queueing ---------------------------------------------------------------------------------

    def _source(self):
        from director.engine.control_jobs import guide_source

        if self.from_take.isChecked():
            take_id = self.takes.currentData()
            if take_id is None:
                raise InvalidInput("pick a take of the shot, or a video file, to guide with")
            return guide_source(self.session.project, take_id=take_id)
        text = self.file_edit.text().strip()
        if not text:
            raise InvalidInput("pick a video file to guide with, or a take of the shot")
        return guide_source(self.session.project, video=text)

    def queue(self) -> bool:
        """Check what is cheap here, make and store the guide on a pool thread, then queue."""
        from director.engine import control
        from director.engine.control_jobs import check_depth_model, import_references, prepare_guide
        from director.engine.presets import get_preset

        if self.busy:
            return False
        self.message.clear()
        preset_id = self.preset.currentData()
        try:
            if self.session.project.readonly:
                raise InvalidInput(f"{self.session.project.path.name} is open read-only; nothing can be queued")
            if not preset_id:
                raise InvalidInput("pick a preset whose family takes a control video (Wan VACE)")
            why = control.takes_control(get_preset(preset_id))
            if why:
                raise InvalidInput(why)
            control.check_strength(self.strength.value())
            source = self._source()
            mode, prepared, depth_model = self.mode.currentData(), self.prepared.isChecked(), self.depth_model()
            if depth_model is not None:
                check_depth_model(depth_model, mode, prepared)
        except DirectorError as exc:
            return self._refused(str(exc))
        refs = self.checked_references()
        files = [path for kind, path in refs if kind == "file"]
        project, relay = self.session.project, self._relay

        def work() -> tuple:
            guide = prepare_guide(project, source, mode=mode, prepared=prepared, depth_model=depth_model)
            imported = iter(import_references(project, files))
            return guide, tuple(path if kind == "cast" else next(imported) for kind, path in refs)

        self._set_busy(True)
        QThreadPool.globalInstance().start(_Prepare(work, relay))
        return True

    def _on_prepared(self, result, error) -> None:
        from director.engine.control_jobs import queue_controlled
        from director.store.cameras import get_camera

        self._set_busy(False)
        if not self.isVisible():
            return  # cancelled while the guide was made: nothing is queued (the file waits for a purge)
        if error is not None:
            self._refused(error)
            return
        guide, references = result
        project = self.session.project
        try:
            cameras = [get_camera(project, self.camera_id).name] if self.camera_id is not None else None
            queued = queue_controlled(project, guide, self.shot.code, self.preset.currentData(),
                                      strength=self.strength.value(), references=references, cameras=cameras,
                                      variants=self.variants.value())
        except DirectorError as exc:
            self._refused(str(exc))
            return
        self.session.announce(queued.changes)
        self.queued.emit(queued)
        self.accept()

    def _refused(self, text: str) -> bool:
        from director.ui.hints import for_window

        # engine.control speaks of the command line's flag; here it is the checkbox.
        self.message.setText(for_window(text).replace("--prepared", "“Already a guide (prepared)”"))
        self.failed.emit(text)
        return False

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        self.queue_button.setEnabled(not busy)

def start_control_dialog(window) -> ControlDialog | None:
    """Generate ▸ With Control Video…: the dialog for the current shot and camera."""
    if window.session is None or window.workspace.shot is None:
        window.notify("Select a shot to generate with a control video first", error=True)
        return None
    prompt = window.panels.get("prompt")
    if prompt is not None:  # the prompt as written in the editor is what the job sends
        prompt.commit()
    old = getattr(window, "control_dialog", None)
    if old is not None and not old.isVisible():
        old.deleteLater()  # one closed dialog at a time stays with the window
    # The source starts at the shot's chosen take (store.choice), not whatever the gallery shows.
    dialog = ControlDialog(window.session, window.workspace.shot, window, camera_id=window.workspace.camera)

    def queued(q) -> None:
        jobs = ", ".join(map(str, q.job_ids))
        window.notify(f"Queued job{'s' if len(q.job_ids) != 1 else ''} {jobs} with {q.preset.label}, guided by a control video")

    dialog.queued.connect(queued)
    window.control_dialog = dialog
    dialog.show()
    return dialog
