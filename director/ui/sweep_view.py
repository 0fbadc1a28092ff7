"""The sweep view: one sweep's results as an X/Y grid with its parameters on the axes
(`store.sweeps`): the swept parameter across by default, every other axis that varies down.
Cells fill as takes land (the grid is re-read on the project's reads thread when jobs or takes
change); a click on a cell shows its take in the gallery and viewer. The grid exports as PNG or
PDF with the same code as `director sweep export` (export/sweep_grid.py), on a pool thread.

Generate ▸ Sweep… (`SweepDialog`) starts one: the whole grid priced first, as `--dry-run` does,
then queued, and this view opens on it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from director.core.changes import Changes
from director.core.enums import MediaKind
from director.core.errors import DirectorError, InvalidInput
from director.store import sweeps as store_sweeps

CELL = QSize(192, 140)


class SweepGridModel(QAbstractTableModel):
    """The grid's cells as a table: headers are the axis values, each cell its take's thumbnail."""

    TakeIdRole = Qt.ItemDataRole.UserRole + 1
    CellRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.thumbnails = session.thumbnails
        self.thumbnails.loaded.connect(self._on_thumbnail)
        self.grid: store_sweeps.SweepGrid | None = None
        self.layout_: store_sweeps.GridLayout | None = None
        self._x_axis: str | None = None

    def set_grid(self, grid: store_sweeps.SweepGrid | None, x_axis: str | None = None) -> None:
        self.beginResetModel()
        self.grid = grid
        if grid is not None and x_axis is not None and x_axis not in grid.sweep.axes:
            x_axis = None
        self._x_axis = x_axis
        self.layout_ = grid.layout(x_axis) if grid is not None else None
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.layout_ is None else len(self.layout_.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.layout_ is None else len(self.layout_.columns)

    def cell(self, row: int, column: int) -> store_sweeps.GridCell | None:
        return self.layout_.cell(row, column) if self.layout_ is not None else None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or self.layout_ is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.layout_.column_label(section) or "take"
        return self.layout_.row_label(section).replace(" · ", "\n") or "—"

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.layout_ is None:
            return None
        cell = self.layout_.cell(index.row(), index.column())
        if role == self.CellRole:
            return cell
        if cell is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.status_text
        if role == self.TakeIdRole:
            return cell.take_id
        if role == Qt.ItemDataRole.ToolTipRole:
            axes = ", ".join(f"{k}: {v}" for k, v in cell.axes.items())
            return f"job {cell.job_id} · {cell.status_text}\n{axes}" + (f"\n{cell.error}" if cell.error else "")
        if role == Qt.ItemDataRole.DecorationRole and cell.media_path:
            return self.thumbnails.ask(cell.media_path, lambda: self.session.project.media.path(cell.media_path),
                                       MediaKind(cell.kind) if cell.kind else None) or self.thumbnails.placeholder()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        return None

    def _on_thumbnail(self, key: str) -> None:
        if self.layout_ is None:
            return
        for r in range(len(self.layout_.rows)):
            for c in range(len(self.layout_.columns)):
                cell = self.layout_.cell(r, c)
                if cell is not None and cell.media_path == key:
                    index = self.index(r, c)
                    self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class _ExportJob(QRunnable):
    """Writes the grid off the UI thread: the grid is already read, so only media files are touched."""

    def __init__(self, relay: _Relay, sheet, media, dest: str, fmt: str):
        super().__init__()
        self.relay, self.sheet, self.media, self.dest, self.fmt = relay, sheet, media, dest, fmt

    def run(self) -> None:
        from director.export.sweep_grid import render_grid_pdf, render_grid_png

        try:
            if self.fmt == "pdf":
                _, issues = render_grid_pdf(self.sheet, self.media, self.dest)
            else:
                _, issues = render_grid_png(self.sheet, self.media, self.dest)
            note = f" ({len(issues)} take(s) with missing or damaged media shown as cards)" if issues else ""
            self.relay.done.emit(self.dest, f"Wrote {Path(self.dest).name}{note}", False)
        except Exception as exc:  # any failure is said, never lost on a thread
            self.relay.done.emit(self.dest, f"Could not write {Path(self.dest).name}: {exc}", True)


class _Relay(QObject):
    done = Signal(str, str, bool)


class SweepView(QWidget):
    """One sweep's grid. Signals: take_requested(take_id) on a click; exported(path, message, error)."""

    take_requested = Signal(int)
    exported = Signal(str, str, bool)
    grid_loaded = Signal()

    def __init__(self, session, sweep_id: int, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("sweepView")
        self.session = session
        self.sweep_id = sweep_id
        self.model = SweepGridModel(session, self)
        self.sweep_box = QComboBox(self)
        self.sweep_box.setToolTip("The shot's sweeps, newest first")
        self.sweep_box.activated.connect(lambda i: self.set_sweep(int(self.sweep_box.itemData(i))))
        self.x_box = QComboBox(self)
        self.x_box.setToolTip("The axis across the grid; every other axis that varies goes down")
        self.x_box.activated.connect(lambda i: self._relayout())
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.png_button = QPushButton("Export &PNG…", self)
        self.pdf_button = QPushButton("Export P&DF…", self)
        self.png_button.clicked.connect(lambda: self.ask_export("png"))
        self.pdf_button.clicked.connect(lambda: self.ask_export("pdf"))
        bar = QHBoxLayout()
        for label, w in (("Sweep:", self.sweep_box), ("Across:", self.x_box)):
            bar.addWidget(QLabel(label, self))
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.png_button)
        bar.addWidget(self.pdf_button)
        self.table = QTableView(self)
        self.table.setObjectName("sweepGrid")
        self.table.setModel(self.model)
        self.table.setIconSize(self.model.thumbnails.box)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setDefaultSectionSize(CELL.width())
        self.table.verticalHeader().setDefaultSectionSize(CELL.height())
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.clicked.connect(self._on_clicked)
        self.table.activated.connect(self._on_clicked)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.done.connect(self.exported)
        self.exported.connect(lambda _p, text, _e: self.summary.setText(text))
        session.changed.connect(self._on_changed)
        self.resize(900, 620)
        self.set_sweep(sweep_id)

    # -- reading ----------------------------------------------------------------------------------

    def set_sweep(self, sweep_id: int) -> None:
        self.sweep_id = sweep_id
        self.reload(x_axis=None)

    def reload(self, x_axis: str | None = ...) -> None:  # type: ignore[assignment]
        """Re-read the grid on the reads thread; `x_axis` ... keeps the current one."""
        keep = self.x_box.currentData() if x_axis is ... else x_axis
        sweep_id = self.sweep_id
        self.session.reads.submit(f"sweep-grid-{id(self)}", lambda project: store_sweeps.sweep_grid(project, sweep_id),
                                  lambda grid: self._apply(grid, keep), self._failed)

    def _failed(self, exc: Exception) -> None:
        self.summary.setText(f"Could not read the sweep: {exc}")

    def _apply(self, grid: store_sweeps.SweepGrid, x_axis: str | None) -> None:
        if grid.sweep.id != self.sweep_id:
            return
        self.model.set_grid(grid, x_axis)
        self.setWindowTitle(f"Sweep {grid.sweep.id} — shot {grid.sweep.shot_code}")
        self.summary.setText(f"{grid.sweep.describe()}. {self.model.layout_.title}. Click a cell to view its take.")
        self.x_box.blockSignals(True)
        self.x_box.clear()
        for axis in grid.sweep.varying or list(grid.sweep.axes)[:1]:
            self.x_box.addItem(axis, axis)
        self.x_box.setCurrentIndex(max(0, self.x_box.findData(self.model.layout_.x_axis)))
        self.x_box.blockSignals(False)
        self._fill_sweeps(grid.sweep.shot_id)
        self.grid_loaded.emit()

    def _fill_sweeps(self, shot_id: int) -> None:
        self.sweep_box.blockSignals(True)
        self.sweep_box.clear()
        for info in store_sweeps.list_sweeps(self.session.project, shot_id):
            self.sweep_box.addItem(f"{info.id}: {' × '.join(f'{len(info.axes[a])} {a}' for a in info.varying) or '1 cell'}", info.id)
        self.sweep_box.setCurrentIndex(max(0, self.sweep_box.findData(self.sweep_id)))
        self.sweep_box.blockSignals(False)

    def _relayout(self) -> None:
        if self.model.grid is not None:
            self._apply(self.model.grid, self.x_box.currentData())

    def _on_changed(self, changes: Changes) -> None:
        if changes.takes or changes.jobs:
            self.reload()

    # -- acting -----------------------------------------------------------------------------------

    def _on_clicked(self, index: QModelIndex) -> None:
        take_id = index.data(SweepGridModel.TakeIdRole)
        if take_id is not None:
            self.take_requested.emit(int(take_id))

    def cell_at(self, row: int, column: int) -> store_sweeps.GridCell | None:
        return self.model.cell(row, column)

    def ask_export(self, fmt: str) -> None:
        suffix = ".pdf" if fmt == "pdf" else ".png"
        start = str(Path(self.session.project.path).with_name(f"sweep-{self.sweep_id}{suffix}"))
        dest, _ = QFileDialog.getSaveFileName(self, f"Export Sweep as {fmt.upper()}", start, f"{fmt.upper()} (*{suffix})")
        if dest:
            self.export(dest, fmt)

    def export(self, dest: str, fmt: str) -> None:
        """Write the grid as shown (the same axes) on a pool thread; `exported` says how it went."""
        from director.export.sweep_grid import GridSheet

        if self.model.grid is None or self.model.layout_ is None:
            return
        s = self.session.project.settings()
        sheet = GridSheet(self.model.grid, self.model.layout_, s.name, s.height / s.width if s.width else 9 / 16)
        self.summary.setText(f"Writing {Path(dest).name}…")
        self._pool.start(_ExportJob(self._relay, sheet, self.session.project.media, dest, fmt))

    def wait_for_exports(self, msecs: int = 30000) -> bool:
        return self._pool.waitForDone(msecs)


def _numbers(text: str, cast, what: str) -> list:
    out = []
    for item in text.replace(" ", ",").split(","):
        if item.strip():
            try:
                out.append(cast(item.strip()))
            except ValueError:
                raise InvalidInput(f"{what}: {item.strip()!r} is not a number") from None
    return out


class SweepDialog(QDialog):
    """Generate ▸ Sweep…: the grid's axes for the current shot, priced whole before anything is
    queued (like `director sweep --dry-run`); Queue is enabled only for the grid just priced.
    `queued(sweep_id)` after it was queued."""

    queued = Signal(int)

    def __init__(self, session, shot_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        from director.engine.presets import all_presets
        from director.store.cameras import list_cameras
        from director.store.shots import get_shot

        self.setObjectName("sweepDialog")
        self.session = session
        self.shot = get_shot(session.project, shot_id)
        self.setWindowTitle(f"Sweep shot {self.shot.code}")
        self.plan = None
        self.presets = QListWidget(self)
        for preset in all_presets():
            if preset.kind in ("t2i", "t2v") and not getattr(preset, "retired", ""):
                item = QListWidgetItem(f"{preset.id} — {preset.label}", self.presets)
                item.setData(Qt.ItemDataRole.UserRole, preset.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
        self.cameras = QListWidget(self)
        for i, cam in enumerate(list_cameras(session.project, shot_id)):
            item = QListWidgetItem(cam.name, self.cameras)
            item.setData(Qt.ItemDataRole.UserRole, cam.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if i == 0 else Qt.CheckState.Unchecked)
        self.seeds = QLineEdit("1, 2", self)
        self.parameter = QComboBox(self)
        for label, key in (("nothing else", None), ("steps", "steps"), ("guidance", "guidance")):
            self.parameter.addItem(label, key)
        self.values = QLineEdit(self)
        self.values.setPlaceholderText("e.g. 4, 8")
        self.frames = QLineEdit(self)
        self.frames.setPlaceholderText("the preset's default")
        self.estimate = QLabel("Price the grid to see what it costs.", self)
        self.estimate.setWordWrap(True)
        self.estimate.setObjectName("sweepEstimate")
        self.price_button = QPushButton("&Price", self)
        self.price_button.clicked.connect(self.price)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, parent=self)
        self.queue_button = self.buttons.addButton("&Queue Sweep", QDialogButtonBox.ButtonRole.AcceptRole)
        self.queue_button.setEnabled(False)
        self.buttons.accepted.connect(self.queue)
        self.buttons.rejected.connect(self.reject)
        self.open_view = QCheckBox("Open the sweep view", self)
        self.open_view.setChecked(True)
        for w in (self.seeds, self.values, self.frames):
            w.textEdited.connect(self._stale)
        self.parameter.currentIndexChanged.connect(self._stale)
        self.presets.itemChanged.connect(self._stale)
        self.cameras.itemChanged.connect(self._stale)
        form = QFormLayout()
        form.addRow("&Presets:", self.presets)
        form.addRow("&Cameras:", self.cameras)
        form.addRow("&Seeds:", self.seeds)
        row = QHBoxLayout()
        row.addWidget(self.parameter)
        row.addWidget(self.values, 1)
        form.addRow("&Vary:", row)
        form.addRow("&Frames:", self.frames)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.price_button)
        layout.addWidget(self.estimate)
        layout.addWidget(self.open_view)
        layout.addWidget(self.buttons)
        self.resize(520, 560)

    def set_presets(self, ids: list[str]) -> None:
        for i in range(self.presets.count()):
            item = self.presets.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in ids else Qt.CheckState.Unchecked)

    def _checked(self, widget: QListWidget) -> list[str]:
        return [widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.count()) if widget.item(i).checkState() == Qt.CheckState.Checked]

    def _stale(self, *_args) -> None:
        """Any edit makes the last price stale: Queue waits for a new one."""
        self.plan = None
        self.queue_button.setEnabled(False)

    def price(self) -> bool:
        """Plan and price the whole grid (nothing is written); say the estimate and the budget."""
        from director.engine.sweeps import plan_sweep

        self._stale()
        try:
            parameter = self.parameter.currentData()
            values = _numbers(self.values.text(), int if parameter == "steps" else float, parameter) if parameter else None
            if parameter and not values:
                raise InvalidInput(f"give the {parameter} values to sweep, e.g. 4, 8")
            base = {"frames": int(self.frames.text())} if self.frames.text().strip() else {}
            plan = plan_sweep(
                self.session.project, self.shot.code, presets=self._checked(self.presets), seeds=_numbers(self.seeds.text(), int, "seeds"),
                cameras=self._checked(self.cameras) or None, parameter=parameter, values=values, base_params=base,
            )
        except (DirectorError, ValueError) as exc:
            self.estimate.setText(f"Cannot sweep: {exc}")
            return False
        budget = plan.verdict.message() if plan.verdict is not None else ""
        refused = plan.verdict is not None and plan.verdict.refused
        self.estimate.setText(f"{plan.describe()}\nBudget: {budget or 'within budget'}")
        self.plan = None if refused else plan
        self.queue_button.setEnabled(not refused)
        return not refused

    def queue(self) -> int | None:
        """Queue the grid just priced (refused whole past a hard cap); the engine runs it."""
        from director.engine.sweeps import queue_sweep

        if self.plan is None:
            return None
        try:
            done = queue_sweep(self.session.project, self.plan)
        except DirectorError as exc:
            self.estimate.setText(f"Not queued: {exc}")
            self._stale()
            return None
        self.session.announce(done.changes)
        self.queued.emit(done.sweep_id)
        self.accept()
        return done.sweep_id


# -- the window's entries (Generate ▸ Sweep…, Generate ▸ Sweep Grid…) ----------------------------

def start_sweep(window) -> SweepDialog | None:
    """Generate ▸ Sweep…: the dialog for the current shot; once queued, the sweep view opens on it."""
    if window.session is None or window.workspace.shot is None:
        window.notify("Select a shot to sweep first", error=True)
        return None
    prompt = window.panels.get("prompt")
    if prompt is not None:  # the prompt as written in the editor is what the sweep starts from
        prompt.commit()
    dialog = SweepDialog(window.session, window.workspace.shot, window)

    def queued(sweep_id: int) -> None:
        window.notify(f"Sweep {sweep_id} queued: {dialog.plan.describe() if dialog.plan else ''}".rstrip(": "))
        if dialog.open_view.isChecked():
            show_sweep(window, sweep_id)

    dialog.queued.connect(queued)
    window.sweep_dialog = dialog
    dialog.show()
    return dialog


def show_sweep(window, sweep_id: int | None = None) -> SweepView | None:
    """Generate ▸ Sweep Grid…: the grid of `sweep_id`, else of the sweep that made the gallery's
    current take, else the shot's newest sweep."""
    session = window.session
    if session is None:
        return None
    project = session.project
    if sweep_id is None:
        gallery = window.panels.get("gallery")
        take_id = gallery.current_take_id() if gallery is not None else None
        sweep_id = store_sweeps.sweep_of_take(project, take_id) if take_id is not None else None
    if sweep_id is None:
        shot = window.workspace.shot
        found = store_sweeps.list_sweeps(project, shot) if shot is not None else []
        found = found or store_sweeps.list_sweeps(project)
        if not found:
            window.notify("No sweeps yet: Generate ▸ Sweep… starts one", error=True)
            return None
        sweep_id = found[0].id
    old = getattr(window, "sweep_view", None)
    if old is not None:
        old.close()
    from director.ui.take_links import show_take

    view = SweepView(session, sweep_id, window)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.take_requested.connect(lambda take_id: show_take(window, take_id, switch_shot=True))
    view.exported.connect(lambda _path, text, error: window.notify(text, error=error))
    session.destroyed.connect(view.close)
    window.sweep_view = view
    view.show()
    return view
