"""The generation queue as a table (calibre's jobs model): running, waiting, then finished jobs.

Rows come from the `jobs` table, so pending jobs are there after a reopen. Live progress is not
stored: the window feeds engine events to `on_job_event`, and only the affected cells change.
Dragging a waiting job reorders the queue in the store (queue order is a fact, not an undoable
edit).
"""

from __future__ import annotations

import json
import time

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor

from director.core import eta
from director.core.cost import format_money
from director.core.enums import JobState
from director.core.errors import DirectorError
from director.core.model import Job
from director.engine.messages import Event, Failed, Finished, Progress, Started
from director.store import jobs as store_jobs
from director.store.panels import JobLabel, job_labels
from director.store.queue_reads import finished_job_ids, jobs_by_id
from director.ui.undo import ProjectSession

MIME_JOBS = "application/x-director-job-id"
HISTORY_LIMIT = 300
STATE_COLOURS = {
    JobState.QUEUED: QColor(170, 170, 170),
    JobState.RUNNING: QColor(100, 170, 240),
    JobState.DONE: QColor(100, 200, 110),
    JobState.FAILED: QColor(240, 100, 100),
    JobState.CANCELLED: QColor(200, 160, 90),
}


def format_duration(seconds: float | None) -> str:
    """The one clock format (core.eta), kept under its old name for the panel's callers."""
    return eta.format_duration(seconds)


class JobsModel(QAbstractTableModel):
    COLUMNS = ("Job", "Shot", "Preset", "Status", "Progress", "Elapsed", "ETA", "Cost", "Message")
    JOB, SHOT, PRESET, STATUS, PROGRESS, ELAPSED, ETA, COST, MESSAGE = range(len(COLUMNS))
    JobIdRole = Qt.ItemDataRole.UserRole + 1
    StateRole = Qt.ItemDataRole.UserRole + 2
    ProgressRole = Qt.ItemDataRole.UserRole + 3  # (step, total) or None

    progress_changed = Signal(int)  # job id

    def __init__(self, session: ProjectSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self._jobs: list[Job] = []
        self._labels: dict[int, JobLabel] = {}
        self._clocks: dict[int, eta.JobClock] = {}  # running jobs: elapsed and ETA (core.eta)
        self._final_elapsed: dict[int, float] = {}  # what a job's clock last showed when it ended
        self._currency = "USD"
        self._load()
        session.changed.connect(self._on_changed)

    # -- reading ---------------------------------------------------------------------------------

    def _read(self, changed: frozenset[int] | None = None, relabel: bool = True) -> tuple[list[Job], dict[int, JobLabel]]:
        """Running and waiting jobs, then the newest finished ones. A finished job's row never
        changes, so those already read are kept (`changed` names jobs to read again); labels are
        read for new rows, or all of them when shots or the project changed (`relabel`). `changed`
        None reads every row."""
        project = self.session.project
        active = store_jobs.list_jobs(project, states=(JobState.RUNNING, JobState.QUEUED))
        done_ids = finished_job_ids(project, HISTORY_LIMIT)  # the newest, read from the top (not sorted from all)
        known = {} if changed is None else {j.id: j for j in self._jobs if j.state.finished and j.id not in changed}
        known.update(jobs_by_id(project, [i for i in done_ids if i not in known]))
        jobs = active + [known[i] for i in done_ids if i in known]
        labels = {} if relabel else {j.id: self._labels[j.id] for j in jobs if j.id in self._labels}
        labels.update(job_labels(project, [j.id for j in jobs if j.id not in labels]))
        return jobs, labels

    def _load(self) -> None:
        self._jobs, self._labels = self._read()
        self._currency = self.session.project.settings().currency

    def reload(self, changed: frozenset[int] | None = None, relabel: bool = True) -> None:
        """Read the queue again; `changed` (the jobs a Changes named) limits what is re-read of the
        finished history (None: all of it)."""
        jobs, labels = self._read(changed, relabel or changed is None)
        self._currency = self.session.project.settings().currency
        if [j.id for j in jobs] != [j.id for j in self._jobs]:
            self.beginResetModel()
            self._jobs, self._labels = jobs, labels
            self.endResetModel()
        else:  # the same rows: repaint those that differ
            old, old_labels = self._jobs, self._labels
            self._jobs, self._labels = jobs, labels
            for row, (before, now) in enumerate(zip(old, jobs)):
                if before != now or old_labels.get(now.id) != labels.get(now.id):
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
        live_ids = {j.id for j in jobs if j.state is JobState.RUNNING}
        for job_id in list(self._clocks):
            if job_id not in live_ids:
                self._end_clock(job_id)

    def _on_changed(self, changes) -> None:
        if changes.project:
            self.reload()
        elif changes.jobs or changes.costs or changes.shots:
            self.reload(changes.jobs, relabel=bool(changes.shots))

    def on_job_event(self, event: Event) -> None:
        """Live progress from the engine; state changes arrive through the session's Changes."""
        now = time.monotonic()
        if isinstance(event, Progress):
            self._clock(event.job_id, now).progress(now, event.step, event.total)
            self._emit_row(event.job_id, self.PROGRESS, self.ETA)
            self.progress_changed.emit(event.job_id)
        elif isinstance(event, Started):
            self._clock(event.job_id, now).start(now, event.loading)
            self._emit_row(event.job_id, self.STATUS, self.MESSAGE)
        elif isinstance(event, (Finished, Failed)):
            self._end_clock(event.job_id, now)
            self._emit_row(event.job_id, self.STATUS, self.MESSAGE)

    def _clock(self, job_id: int, now: float) -> eta.JobClock:
        """The job's clock, started where the store says it started (a window opened on a running
        job, or events that came before the row was read)."""
        clock = self._clocks.get(job_id)
        if clock is None:
            row = self.row_of(job_id)
            clock = self._clocks[job_id] = eta.clock_for(self._jobs[row], now) if row is not None else eta.JobClock()
        return clock

    def _end_clock(self, job_id: int, now: float | None = None) -> None:
        clock = self._clocks.pop(job_id, None)
        if clock is not None:
            now = time.monotonic() if now is None else now
            clock.finish(now)
            shown = clock.elapsed(now)
            if shown is not None:
                self._final_elapsed[job_id] = shown

    def tick(self) -> None:
        """Refresh the clocks of running and waiting rows (once a second from the panel)."""
        for row, job in enumerate(self._jobs):
            if job.state is JobState.RUNNING:
                self.dataChanged.emit(self.index(row, self.ELAPSED), self.index(row, self.ETA))
            elif job.state is not JobState.QUEUED:
                break

    def _emit_row(self, job_id: int, first: int, last: int) -> None:
        row = self.row_of(job_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, first), self.index(row, last))

    # -- lookups ---------------------------------------------------------------------------------

    def row_of(self, job_id: int) -> int | None:
        for row, job in enumerate(self._jobs):
            if job.id == job_id:
                return row
        return None

    def job_at(self, row: int) -> Job | None:
        return self._jobs[row] if 0 <= row < len(self._jobs) else None

    def job_ids(self) -> list[int]:
        return [j.id for j in self._jobs]

    def queued_ids(self) -> list[int]:
        return [j.id for j in self._jobs if j.state is JobState.QUEUED]

    def progress(self, job_id: int) -> tuple[int, int] | None:
        clock = self._clocks.get(job_id)
        return (clock.step, clock.total) if clock is not None and clock.phase == "stepping" else None

    def clock(self, job: Job) -> eta.JobClock | None:
        """A running job's clock (made on first use); None for others."""
        return self._clock(job.id, time.monotonic()) if job.state is JobState.RUNNING else None

    def eta_seconds(self, job: Job) -> float | None:
        """A running job's ETA (core.eta: step rate, else estimate less time spent); a waiting
        job's estimate."""
        if job.state is JobState.RUNNING:
            return self.clock(job).eta(time.monotonic())
        return job.estimate_gpu_s if job.state is JobState.QUEUED else None

    def elapsed_seconds(self, job: Job) -> float | None:
        """Monotonic elapsed (core.eta.job_elapsed): never less than the job's clock last showed."""
        return eta.job_elapsed(job, time.monotonic(), self.clock(job), self._final_elapsed.get(job.id))

    # -- Qt model --------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section] if 0 <= section < len(self.COLUMNS) else None
        return section + 1

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        job = self.job_at(index.row())
        if job is not None and job.state is JobState.QUEUED:
            flags |= Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled
        return flags

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        job = self.job_at(index.row())
        if job is None:
            return None
        col = index.column()
        if role == self.JobIdRole:
            return job.id
        if role == self.StateRole:
            return job.state.value
        if role == self.ProgressRole:
            if job.state is JobState.DONE:
                return (1, 1)
            return self.progress(job.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(job, col)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.STATUS:
            return STATE_COLOURS[job.state]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col in (self.MESSAGE, self.STATUS) and job.error:  # the reason, also where Message is hidden
                return job.error
            if col == self.JOB:
                return f"seeds {', '.join(map(str, job.seeds))}\n{json.dumps(job.params, sort_keys=True)}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.ELAPSED, self.ETA, self.COST):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, job: Job, col: int):
        if col == self.JOB:
            return str(job.id)
        if col == self.SHOT:
            label = self._labels.get(job.id)
            return label.label if label is not None else str(job.shot_id)
        if col == self.PRESET:
            n = len(job.seeds)
            return f"{job.preset} ×{n}"
        if col == self.STATUS:
            return job.state.value
        if col == self.PROGRESS:
            p = self.progress(job.id)
            if job.state is JobState.RUNNING:
                if p:
                    return f"step {p[0]} of {p[1]}"
                return eta.LOADING_TEXT if self.clock(job).phase == "loading" else "starting"
            return {JobState.DONE: "done", JobState.QUEUED: "waiting"}.get(job.state, "")
        if col == self.ELAPSED:
            return format_duration(self.elapsed_seconds(job))
        if col == self.ETA:
            return eta.job_eta_text(job, time.monotonic(), self.clock(job))
        if col == self.COST:
            label = self._labels.get(job.id)  # the job's own currency: a project may change its currency later
            return format_money(job.money, label.currency if label is not None else self._currency) if job.money is not None else ""
        if col == self.MESSAGE:
            return job.error or ""
        return None

    # -- reordering waiting jobs -----------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_JOBS]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        ids = sorted({self._jobs[i.row()].id for i in indexes if i.isValid()})
        mime.setData(MIME_JOBS, json.dumps(ids).encode())
        return mime

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: QModelIndex) -> bool:
        return data.hasFormat(MIME_JOBS) and action == Qt.DropAction.MoveAction

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: QModelIndex) -> bool:
        """A waiting job dropped before row `row` (or onto a row) takes that place in the queue."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            ids = json.loads(bytes(data.data(MIME_JOBS)).decode())
        except ValueError:
            return False
        if len(ids) != 1:
            return False
        target_row = parent.row() if parent.isValid() else (row if row >= 0 else len(self._jobs))
        queued_before = [j.id for j in self._jobs[:target_row] if j.state is JobState.QUEUED and j.id != ids[0]]
        return self.move_job(int(ids[0]), len(queued_before) + 1)

    def move_job(self, job_id: int, position: int) -> bool:
        """Put a waiting job at a 1-based place in the queue."""
        queued = self.queued_ids()
        if job_id not in queued or queued.index(job_id) + 1 == position:
            return False
        try:
            changes = store_jobs.move_queued(self.session.project, job_id, position)
        except DirectorError as exc:
            self.session.error_raised.emit(str(exc))
            return False
        self.session.announce(changes)
        return True
