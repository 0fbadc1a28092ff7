"""The queue panel: each job's status, a step-i-of-n bar, elapsed and ETA, cost and failure reason;
cancel, retry, reorder waiting jobs (drag, or Alt+Up/Down) and pause the queue.

Cancel and pause go through the JobRunner, which owns the engine; without a runner (a read-only
project) the panel is a view only.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from director.core.enums import JobState
from director.core.errors import DirectorError
from director.engine.runner import JobRunner
from director.store import jobs as store_jobs
from director.ui.flow_layout import FlowLayout
from director.ui.models.jobs_model import JobsModel
from director.ui.undo import ProjectSession

# Job, Shot, Preset, Status, Progress, Elapsed, ETA, Cost, Message (stretches)
COLUMN_WIDTHS = (54, 70, 150, 72, 120, 56, 56, 80, 120)
# What a narrow Queue dock shows first; columns that do not fit its width are hidden (no sideways
# scrolling past the one thing a director looks for: which shot, how far, how long still).
COLUMN_PRIORITY = (JobsModel.SHOT, JobsModel.PROGRESS, JobsModel.STATUS, JobsModel.ETA, JobsModel.COST, JobsModel.JOB,
                   JobsModel.ELAPSED, JobsModel.PRESET, JobsModel.MESSAGE)


class ProgressDelegate(QStyledItemDelegate):
    """Paints ProgressRole as a progress bar labelled 'step i of n'."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        progress = index.data(JobsModel.ProgressRole)
        state = index.data(JobsModel.StateRole)
        if state not in (JobState.RUNNING.value, JobState.DONE.value):
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect.adjusted(2, 3, -2, -3))
        bar.minimum = 0
        step, total = progress if progress else (0, 0)
        bar.maximum = max(total, 1) if progress else 0  # 0..0: a busy bar while the model loads
        bar.progress = step
        bar.text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        bar.textVisible = True
        bar.state = option.state
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)


class JobsView(QTableView):
    """The table view of JobsModel: rows, drag to reorder waiting jobs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("jobsView")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setDropIndicatorShown(True)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.setItemDelegateForColumn(JobsModel.PROGRESS, ProgressDelegate(self))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def fit_columns(self) -> None:
        """Show the columns that fit the view's width, in COLUMN_PRIORITY order; the others hide
        until the dock is wider. The Message column takes what is left."""
        if self.model() is None:
            return
        room = self.viewport().width()
        for col in COLUMN_PRIORITY:
            width = COLUMN_WIDTHS[col] if col != JobsModel.MESSAGE else 80
            fits = width <= room
            self.setColumnHidden(col, not fits)
            if fits:
                room -= width

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_columns()


class QueuePanel(QWidget):
    """`paused_changed(bool)` when the queue is paused or resumed."""

    paused_changed = Signal(bool)

    def __init__(self, session: ProjectSession, runner: JobRunner | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.model = JobsModel(session, self)
        self.view = JobsView(self)
        self.view.setModel(self.model)
        header = self.view.horizontalHeader()
        # Set widths, not resize-to-contents: that measured every row of the history on each event.
        for col, width in enumerate(COLUMN_WIDTHS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.setSectionResizeMode(JobsModel.PROGRESS, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(JobsModel.MESSAGE, QHeaderView.ResizeMode.Stretch)
        self.view.fit_columns()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)

        self.cancel_button = self._button("Cancel", "Stop the selected job (Del)", self.cancel_selected)
        self.retry_button = self._button("Retry", "Queue a failed or cancelled job again (Ctrl+R)", self.retry_selected)
        self.up_button = self._button("▲", "Move the waiting job earlier (Alt+Up)", lambda: self.move_selected(-1))
        self.down_button = self._button("▼", "Move the waiting job later (Alt+Down)", lambda: self.move_selected(1))
        for button, name in ((self.up_button, "Move job earlier"), (self.down_button, "Move job later")):
            button.setAccessibleName(name)
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("▲") + 24)
        self.pause_button = self._button("Pause Queue", "Finish the running job, start no new ones", self.set_paused)
        self.pause_button.setCheckable(True)
        for key, slot in (("Del", self.cancel_selected), ("Ctrl+R", self.retry_selected),
                          ("Alt+Up", lambda: self.move_selected(-1)), ("Alt+Down", lambda: self.move_selected(1))):
            action = self.view.addAction(key)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
        # A row that wraps in a narrow dock (it asked for ~440 px, a scroll bar in the 270 px Queue dock).
        bar = FlowLayout(spacing=4)
        for button in (self.cancel_button, self.retry_button, self.up_button, self.down_button, self.pause_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.view)

        self.view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.model.dataChanged.connect(self._update_buttons)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self.model.tick)
        self._clock.timeout.connect(self._follow_pause)
        self._clock.start()
        self._follow_pause()
        self._update_buttons()

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # -- selection -------------------------------------------------------------------------------

    def selected_job_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.data(self.model.index(index.row(), 0), JobsModel.JobIdRole) if index.isValid() else None

    def select_job(self, job_id: int) -> None:
        row = self.model.row_of(job_id)
        if row is not None:
            self.view.selectRow(row)
            self.view.setCurrentIndex(self.model.index(row, 0))

    def _selected_job(self):
        job_id = self.selected_job_id()
        row = self.model.row_of(job_id) if job_id is not None else None
        return self.model.job_at(row) if row is not None else None

    def _update_buttons(self, *_args) -> None:
        job = self._selected_job()
        can_act = self.runner is not None
        self.cancel_button.setEnabled(can_act and job is not None and job.state in (JobState.QUEUED, JobState.RUNNING))
        self.retry_button.setEnabled(can_act and job is not None and job.state in (JobState.FAILED, JobState.CANCELLED))
        waiting = job is not None and job.state is JobState.QUEUED and can_act
        queued = self.model.queued_ids()
        self.up_button.setEnabled(waiting and queued and queued[0] != job.id)
        self.down_button.setEnabled(waiting and queued and queued[-1] != job.id)
        self.pause_button.setEnabled(can_act)

    # -- commands --------------------------------------------------------------------------------

    def cancel_selected(self) -> bool:
        job_id = self.selected_job_id()
        return self.cancel(job_id) if job_id is not None else False

    def cancel(self, job_id: int) -> bool:
        """A waiting job is cancelled at once; a running one stops within a step."""
        if self.runner is None:
            return False
        try:
            changes = self.runner.cancel(job_id)
        except DirectorError as exc:
            self.session.error_raised.emit(str(exc))
            return False
        self.session.announce(changes)
        return True

    def retry_selected(self) -> int | None:
        job_id = self.selected_job_id()
        if job_id is None or self.runner is None:
            return None
        try:
            new_id, changes = store_jobs.retry_job(self.session.project, job_id)
        except DirectorError as exc:
            self.session.error_raised.emit(str(exc))
            return None
        self.session.announce(changes)
        self.select_job(new_id)
        return new_id

    def move_selected(self, delta: int) -> bool:
        job_id = self.selected_job_id()
        queued = self.model.queued_ids()
        if job_id not in queued:
            return False
        moved = self.model.move_job(job_id, queued.index(job_id) + 1 + delta)
        if moved:
            self.select_job(job_id)
        return moved

    def _follow_pause(self) -> None:
        """Show a pause or resume made elsewhere (`director queue pause` from a terminal): the
        runner reads the project's pause marker, so the button follows it within a second."""
        if self.runner is None or self.runner.project.closed:  # the panel is not yet gone
            return
        paused = self.runner.paused
        if paused != self.pause_button.isChecked():
            self._show_paused(paused)

    def set_paused(self, paused: bool) -> None:
        if self.runner is None:
            return
        if paused:
            self.runner.pause()
        else:
            self.runner.resume()
        self._show_paused(paused)

    def _show_paused(self, paused: bool) -> None:
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(paused)
        self.pause_button.setText("Resume Queue" if paused else "Pause Queue")
        self.pause_button.blockSignals(False)
        self.paused_changed.emit(paused)

    def on_job_event(self, event) -> None:
        self.model.on_job_event(event)
